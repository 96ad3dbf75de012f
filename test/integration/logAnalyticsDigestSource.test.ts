/**
 * `LogAnalyticsDigestSource`: the real `LogsQueryClient` over HTTPS against the local server that
 * speaks the query API. Rows are read by column name, an empty workspace (HTTP 204) is an empty
 * digest that says so, a partial answer keeps its rows with a warning, and a refusal is a gap.
 */

import { randomUUID } from 'node:crypto';

import { answerFromEvents } from '../../lib/tools/bench/workspaceHandler';
import { buildDigestReport } from '../../lib/digest/digestReport';
import { gatherDigest } from '../../lib/digest/gatherDigest';
import { toConnectionEvents } from '../../lib/evidence/connectionEvents';
import { DIGEST_RESULT_COLUMNS } from '../../lib/digest/digestFigures';
import { planDigestQueries, type DigestQueryName } from '../../lib/digest/digestKql';
import { ExportDigestSource } from '../../lib/digest/digestSource';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { LogAnalyticsDigestSource } from '../../lib/digest/logAnalyticsDigestSource';
import {
  createLogsQueryClient,
  LogAnalyticsSource,
  type TokenCredential,
} from '../../lib/evidence/logAnalyticsSource';
import {
  reply,
  useLocalLogAnalytics,
  table,
  type WireColumnType,
} from '../support/localLogAnalyticsServer';
import {
  LIMIT_DAY_FAMILIES,
  LIMIT_DAY_HUB,
  LIMIT_DAY_ROWS,
  LIMIT_DAY_UNTIL,
} from '../unit/digest/limitDay';

const WORKSPACE_ID = '5b8d2c1e-0f4a-4c3b-9d7e-6a1f2e3d4c5b';
const HUB =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/hub-prod-01';
const TOKEN = `test-token-${randomUUID()}`;
const UNTIL = new Date('2026-11-20T07:00:00Z');
const plan = planDigestQueries(HUB, UNTIL);

const credential: TokenCredential = {
  getToken: () =>
    Promise.resolve({
      token: TOKEN,
      expiresOnTimestamp: Date.now() + 3_600_000,
      tokenType: 'Bearer',
    }),
};

const workspace = useLocalLogAnalytics(TOKEN);

function sources() {
  const client = createLogsQueryClient(credential, workspace.server.endpoint, {
    tlsOptions: { ca: workspace.certificate.cert },
    retryOptions: { maxRetries: 0 },
  });
  return {
    digest: new LogAnalyticsDigestSource({ client, workspaceId: WORKSPACE_ID }),
    evidence: new LogAnalyticsSource({ client, workspaceId: WORKSPACE_ID }),
  };
}

function nameOf(query: string | undefined): DigestQueryName | 'deviceTimeline' {
  const found = plan.queries.find((q) => q.query === query);
  return found?.name ?? 'deviceTimeline';
}

/** A table with the query's columns in another order than the KQL projects them. */
function wire(name: DigestQueryName, rows: Record<string, unknown>[]) {
  const columns = Object.entries(DIGEST_RESULT_COLUMNS[name]).reverse() as [
    string,
    WireColumnType,
  ][];
  return table(
    Object.fromEntries(columns),
    rows.map((row) => columns.map(([column]) => row[column] ?? null)),
  );
}

test('sends each query with the digest timespan and reads columns by name', async () => {
  workspace.server.handle((request) => {
    switch (nameOf(request.query)) {
      case 'digestFamilies':
        return reply.tables(
          wire('digestFamilies', [
            { Row: 'family', Period: 'day', Family: 'device-or-network', Drops: 7, Devices: 3 },
            { Row: 'fleet', Period: 'day', Devices: 40 },
            { Row: 'fleet', Period: 'week', Devices: 41 },
            { Row: 'family', Period: 'week', Family: 'device-or-network', Drops: 7, Devices: 3 },
          ]),
        );
      case 'digestDevices':
        return reply.tables(
          wire('digestDevices', [
            {
              Row: 'device',
              DeviceId: 'pump-1',
              Drops: 7,
              UnexplainedDrops: 7,
              SlowestReturnMin: 12.5,
              NotBack: 0,
              LastDrop: '2026-11-20T06:00:00Z',
            },
            { Row: 'total', Total: 3 },
          ]),
        );
      case 'deviceTimeline':
        return reply.tables();
      default:
        return reply.noContent();
    }
  });
  const before = workspace.server.requests.length;
  const gathered = await gatherDigest(HUB, UNTIL, sources());
  const requests = workspace.server.requests.slice(before);
  // Six digest queries, one timeline, and the flapping devices' 30-day history.
  expect(requests).toHaveLength(8);
  expect(requests[7]?.query).toContain('DropsIn30Days');
  expect(requests[7]?.timespan).toBe('2026-10-21T07:00:00.000Z/2026-11-20T07:00:00.000Z');
  for (const request of requests.slice(0, 6)) {
    expect(request.timespan).toBe('2026-11-12T07:00:00.000Z/2026-11-20T07:00:00.000Z');
  }
  expect(gathered.gaps).toEqual([]);
  expect(gathered.rowsRead).toBe(6);
  expect(gathered.figures.flapping).toEqual({
    rows: [
      {
        deviceId: 'pump-1',
        drops: 7,
        unexplainedDrops: 7,
        slowestReturnMinutes: 12.5,
        notBack: 0,
        lastDrop: '2026-11-20T06:00:00.000Z',
      },
    ],
    total: 3,
  });
  const report = buildDigestReport(gathered, UNTIL);
  const families = report.sections[0]!;
  expect(families.summary).toMatch(/^7 404104 disconnects from 40 active devices; 0% are harmless/);
  expect(families.lines[1]!.text).toMatch(
    /Device or network: 7 drops from 3 devices \(100%\), ↑ 7\.0×/,
  );
  expect(report.sections[1]!.more).toBe(2);
});

test('an empty workspace (HTTP 204) gives a digest that says there is nothing', async () => {
  workspace.server.handle(() => reply.noContent());
  const gathered = await gatherDigest(HUB, UNTIL, sources());
  expect(gathered.gaps).toEqual([]);
  const report = buildDigestReport(gathered, UNTIL);
  expect(report.sections.map((s) => s.summary)).toEqual([
    'No 404104 disconnects in the 24 hours (0 devices logged).',
    'No device dropped for reasons other than token renewal or a hub incident.',
    'No device announces an SDK below the floor (0 devices, 0 SDK versions).',
    'No masked address had drops beyond token renewals and hub incidents.',
    'Every device that disconnected during the day came back.',
    'No mass drop: no 5 minutes in which a large share of the fleet dropped at once.',
    'No activity ledger is configured.',
  ]);
});

test('a partial answer keeps its rows with a warning; a refusal is a stated gap', async () => {
  workspace.server.handle((request) => {
    const name = nameOf(request.query);
    if (name === 'digestStopped') return reply.insufficientAccess();
    if (name === 'digestSites') {
      return reply.partial(
        [
          wire('digestSites', [
            {
              Row: 'site',
              Site: '10.0.0.XXX',
              Drops: 3,
              UnexplainedDrops: 3,
              Devices: 1,
              DroppingDevices: 1,
            },
          ]),
        ],
        'Query exceeded the memory limit',
      );
    }
    return reply.noContent();
  });
  const gathered = await gatherDigest(HUB, UNTIL, sources());
  expect(gathered.gaps).toEqual([
    expect.stringMatching(/digestSites query only in part \(There were some errors/),
    expect.stringMatching(
      /^Log Analytics query digestStopped failed \(HTTP 403 InsufficientAccessError/,
    ),
  ]);
  expect(gathered.gaps.join(' ')).not.toContain(TOKEN);
  const report = buildDigestReport(gathered, UNTIL);
  expect(report.sections.find((s) => s.id === 'sites')?.lines).toHaveLength(1);
  expect(report.sections.find((s) => s.id === 'stopped')?.missing).toMatch(/query failed/);
});

test('a day of hub limits and removed identities: the new families read from the wire', async () => {
  // The local server runs no KQL: it answers each digest query with the rows the export-file
  // computation gives over the same rows (the KQL itself is bound by the Kusto language service
  // in digestKqlSchema.test.ts), and the devices' timelines and histories from the same events.
  const events = toConnectionEvents(LIMIT_DAY_ROWS);
  const limitPlan = planDigestQueries(LIMIT_DAY_HUB, LIMIT_DAY_UNTIL);
  const exportDigest = new ExportDigestSource(events);
  const workspaceAnswer = answerFromEvents(events);
  workspace.server.handle(async (request) => {
    const query = limitPlan.queries.find((q) => q.query === request.query);
    if (!query) return workspaceAnswer(request);
    const rows = (await exportDigest.digestRows(query)).value;
    return reply.tables(wire(query.name, rows));
  });
  const before = workspace.server.requests.length;
  const gathered = await gatherDigest(LIMIT_DAY_HUB, LIMIT_DAY_UNTIL, sources());
  const sent = workspace.server.requests.slice(before).map((r) => r.query ?? '');
  for (const query of limitPlan.queries) {
    expect(sent).toContain(query.query);
    expect(query.query).toContain('| where Category in ("Connections", "DeviceTelemetry")');
    expect(query.query).toContain('ErrorMessage = tostring(Properties.errorMessage)');
  }
  expect(gathered.gaps).toEqual([]);
  for (const [family, expected] of Object.entries(LIMIT_DAY_FAMILIES)) {
    expect(gathered.figures.day?.families.find((f) => f.family === family)).toEqual({
      family,
      ...expected,
    });
  }

  // The same report as over the export files, the per-device causes read from the timelines the
  // server sent (their DeviceTelemetry rows included).
  const offline = await gatherDigest(LIMIT_DAY_HUB, LIMIT_DAY_UNTIL, {
    digest: exportDigest,
    evidence: ExportFileSource.fromEvents(events),
  });
  const online = buildDigestReport(gathered, LIMIT_DAY_UNTIL);
  const sectionData = (report: typeof online, id: string) =>
    report.sections.find((s) => s.id === id)?.lines.map((l) => [l.text, l.data]);
  expect(sectionData(online, 'families')).toEqual(
    sectionData(buildDigestReport(offline, LIMIT_DAY_UNTIL), 'families'),
  );
  const families = online.sections.find((s) => s.id === 'families')!;
  expect(families.lines.map((l) => l.text)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^Hub quota used up: 2 drops from 1 device/),
      expect.stringMatching(/^Throttled by the hub: 2 drops from 1 device/),
      expect.stringMatching(/^Identity removed or disabled: 2 drops from 2 devices/),
    ]),
  );
  expect(gathered.causes.get('meter-17')?.cause).toBe('quota-exceeded');
  expect(gathered.causes.get('sensor-31')?.cause).toBe('throttled');
  expect(gathered.causes.get('gateway-05')?.cause).toBe('device-removed');
});
