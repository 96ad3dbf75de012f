/**
 * `LogAnalyticsDigestSource`: the real `LogsQueryClient` over HTTPS against the local server that
 * speaks the query API. Rows are read by column name, an empty workspace (HTTP 204) is an empty
 * digest that says so, a partial answer keeps its rows with a warning, and a refusal is a gap.
 */

import { randomUUID } from 'node:crypto';

import { buildDigestReport } from '../../lib/digest/digestReport';
import { gatherDigest } from '../../lib/digest/gatherDigest';
import { DIGEST_RESULT_COLUMNS } from '../../lib/evidence/digestFacts';
import { planDigestQueries, type DigestQueryName } from '../../lib/evidence/digestKql';
import { LogAnalyticsDigestSource } from '../../lib/evidence/logAnalyticsDigestSource';
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
  expect(requests).toHaveLength(7); // six digest queries and one timeline
  for (const request of requests.slice(0, 6)) {
    expect(request.timespan).toBe('2026-11-12T07:00:00.000Z/2026-11-20T07:00:00.000Z');
  }
  expect(gathered.gaps).toEqual([]);
  expect(gathered.rowsRead).toBe(6);
  expect(gathered.facts.flapping).toEqual({
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
