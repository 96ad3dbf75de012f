/**
 * The digest of a 100,000-device hub: rows read and wall time, over Log Analytics (the real
 * `LogsQueryClient` over HTTPS against a local server answering the digest's queries) and over
 * export files (the CLI path). Figures only: nothing here asserts a time.
 */

import { performance } from 'node:perf_hooks';

import { buildDigestReport } from '../../digest/digestReport';
import { gatherDigest } from '../../digest/gatherDigest';
import { DIGEST_RESULT_COLUMNS, type DigestRow } from '../../digest/digestFigures';
import { planDigestQueries } from '../../digest/digestKql';
import { ExportDigestSource } from '../../digest/digestSource';
import type { ConnectionEvent } from '../../evidence/evidence';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { LogAnalyticsDigestSource } from '../../digest/logAnalyticsDigestSource';
import { createLogsQueryClient, LogAnalyticsSource } from '../../evidence/logAnalyticsSource';
import { renderDigestTeamsMessage } from '../../render/digestCard';
import { byteSize } from '../../render/adaptiveCard';
import { createTestCertificate } from './localCertificate';
import {
  type RecordedRequest,
  type Reply,
  reply,
  startLocalLogAnalyticsServer,
  type WireColumnType,
  type WireTable,
} from './localLogAnalyticsServer';
import { answerFromEvents, timelineWireTable } from './workspaceHandler';

export const HUB =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg-bench/providers/microsoft.devices/iothubs/bench-hub';
export const UNTIL = new Date('2026-11-20T07:00:00.000Z');
const DAY_START = UNTIL.getTime() - 24 * 60 * 60_000;
const MINUTE = 60_000;

/** A deterministic pseudo-random sequence (LCG), so every run reads the same fleet. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SDKS = [
  '.NET/1.42.3 (.NET 8.0; Linux; X64)',
  '.NET/1.39.1 (.NET Core 3.1; Linux; X64)',
  'azure-iot-device/1.17.1 (node v10.16.0; Linux; arm64)',
  'azure-iot-device/1.18.4 (node v20.11.0; Linux; arm64)',
  'azure-iot-device-iothub-py/2.13.1 (python 3.11; Linux)',
  'com.microsoft.azure.sdk.iot.iot-device-client/2.4.1 (Java 17; Linux)',
];

/**
 * 100,000 devices over 24 hours plus a lighter week before: a connect each; 5% renewing their
 * SAS token hub-side every ~65 min (401003, 404104, reconnect); 1% flaky; a hub incident that
 * drops 30% at 05:12 with server errors; 0.1% that stop and are refused; a few duplicate IDs.
 */
export function benchFleet(devices: number): ConnectionEvent[] {
  const next = random(42);
  const events: ConnectionEvent[] = [];
  const at = (ms: number): string => new Date(ms).toISOString();
  const add = (
    deviceId: string,
    ms: number,
    operation: string,
    resultType: string,
    extra: Partial<ConnectionEvent> = {},
  ): void => {
    events.push({
      time: at(ms),
      ms,
      hubResourceId: HUB,
      deviceId,
      operation,
      level: resultType === '' ? 'Information' : 'Error',
      resultType,
      resultDescription: '',
      ...extra,
    });
  };
  for (let i = 0; i < devices; i++) {
    const id = `dev-${String(i).padStart(6, '0')}`;
    const ip = `10.${(i >> 8) & 255}.${(i >> 2) & 3}.XXX`;
    const sdkVersion = SDKS[i % SDKS.length] ?? '';
    const start = DAY_START + Math.floor(next() * 60) * MINUTE;
    add(id, start, 'deviceConnect', '', { sdkVersion, maskedIpAddress: ip, protocol: 'Mqtt' });
    if (i % 20 === 0) {
      // SAS renewals, also on two days of the week before (for the trend).
      for (const dayOffset of [0, -2, -5]) {
        const limit = dayOffset === 0 ? 22 : 6;
        for (let cycle = 1; cycle <= limit; cycle++) {
          const drop = start + dayOffset * 24 * 60 * MINUTE + cycle * (64 + next() * 2) * MINUTE;
          if (next() < 0.6) add(id, drop - 3000, 'deviceDisconnect', '401003');
          add(id, drop, 'deviceDisconnect', '404104', { maskedIpAddress: ip });
          add(id, drop + 20_000, 'deviceConnect', '', { sdkVersion, maskedIpAddress: ip });
        }
      }
    }
    if (i % 100 === 1) {
      let t = start;
      for (let drop = 0; drop < 6; drop++) {
        t += (20 + next() * 180) * MINUTE;
        add(id, t, 'deviceDisconnect', '404104', { maskedIpAddress: ip });
        t += (2 + next() * 25) * MINUTE;
        add(id, t, 'deviceConnect', '', { sdkVersion, maskedIpAddress: ip });
      }
    }
    if (i % 10 >= 7) {
      const drop = DAY_START + (5 * 60 + 12) * MINUTE + next() * 150_000;
      add(id, drop, 'deviceDisconnect', '404104', { maskedIpAddress: ip });
      if (next() < 0.3) add(id, drop + 8000, 'deviceConnect', next() < 0.5 ? '500001' : '500008');
      add(id, drop + (5 + next() * 10) * MINUTE, 'deviceConnect', '', {
        sdkVersion,
        maskedIpAddress: ip,
      });
    }
    if (i % 1000 === 7) {
      const drop = DAY_START + (8 + next() * 12) * 60 * MINUTE;
      add(id, drop, 'deviceDisconnect', '404104', { maskedIpAddress: ip });
      for (let k = 1; k <= 5; k++) add(id, drop + k * 7 * MINUTE, 'deviceConnect', '401003');
    }
    if (i % 5000 === 3) {
      for (let k = 0; k < 6; k++) {
        add(id, start + (30 + k * 9) * MINUTE, 'deviceDisconnect', '400027', {
          maskedIpAddress: k % 2 === 0 ? ip : '192.0.2.XXX',
        });
      }
      add(id, start + 40 * MINUTE, 'deviceDisconnect', '404104', { maskedIpAddress: ip });
      add(id, start + 41 * MINUTE, 'deviceConnect', '', { sdkVersion, maskedIpAddress: ip });
    }
  }
  return events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

function wireTable(
  columns: Readonly<Record<string, string>>,
  rows: readonly DigestRow[],
): WireTable {
  const names = Object.keys(columns);
  return {
    name: 'PrimaryResult',
    columns: names.map((name) => ({ name, type: (columns[name] ?? 'string') as WireColumnType })),
    rows: rows.map((row) => names.map((name) => row[name] ?? null)),
  };
}

const BENCH_TOKEN = 'digest-bench-token-not-a-secret';

/**
 * The two paths read different history periods (the query asks for 30 days, an export holds what
 * it holds), so the flapping lines' history labels may differ; everything else must not.
 */
function sameApartFromHistory(a: unknown, b: unknown): boolean {
  const strip = (sections: unknown): string =>
    JSON.stringify(sections, (key, value: unknown) =>
      key === 'dropsIn30Days' || key === 'dropsIn7Days'
        ? undefined
        : typeof value === 'string'
          ? value.replace(/ · (Recurring|Rare|First)[^·]*$/, '')
          : value,
    );
  return strip(a) === strip(b);
}

/**
 * The local server answers each query with the rows the export-file computation gives, so the
 * Log Analytics figure is the enricher's side (round trips, parsing, diagnosis, rendering) plus
 * that computation, not Kusto's execution time, which only a real workspace can show.
 */
export async function benchDigest(devices = 100_000): Promise<void> {
  const generated = performance.now();
  const events = benchFleet(devices);
  console.log(
    `digest bench: ${devices.toLocaleString('en-US')} devices, ${events.length.toLocaleString('en-US')} Connections events over 8 days (synthetic, generated in ${(performance.now() - generated).toFixed(0)} ms)`,
  );
  const exportSource = ExportFileSource.fromEvents(events);

  // Export files (the CLI path).
  let started = performance.now();
  const exportDigest = new ExportDigestSource(events);
  const offline = await gatherDigest(HUB, UNTIL, {
    digest: exportDigest,
    evidence: exportSource,
  });
  const offlineReport = buildDigestReport(offline, UNTIL);
  const offlineMs = performance.now() - started;
  console.log(
    `digest over export files (CLI path): ${offlineMs.toFixed(0)} ms, ${offline.rowsRead} result rows`,
  );

  // Log Analytics: the real client over HTTPS; the server answers from the rows computed above
  // (cached), so this figure is the enricher's side of a digest, not the computation again.
  const plan = planDigestQueries(HUB, UNTIL);
  const answering = exportDigest;
  let serverMs = 0;
  let bytesSent = 0;
  const answer = async (query: string): Promise<WireTable> => {
    const t = performance.now();
    try {
      const digestQuery = plan.queries.find((q) => q.query === query);
      if (digestQuery) {
        const rows = (await answering.digestRows(digestQuery)).value;
        return wireTable(DIGEST_RESULT_COLUMNS[digestQuery.name], rows);
      }
      if (!query.includes('| top 5000 by TimeGenerated desc')) throw new Error('unknown query');
      const ids = [...query.matchAll(/"((?:dev)-\d+)"/g)].map((m) => m[1] ?? '');
      const timeline = await exportSource.deviceTimeline({
        name: 'deviceTimeline',
        query,
        timespan: {
          start: new Date(DAY_START - 6 * 60 * MINUTE).toISOString(),
          end: UNTIL.toISOString(),
        },
        filter: { hubResourceIds: [HUB], deviceIds: ids },
      });
      return timelineWireTable(timeline.value);
    } finally {
      serverMs += performance.now() - t;
    }
  };
  const workspace = answerFromEvents(events);
  const historyAnswer = async (request: RecordedRequest): Promise<Reply> => {
    const t = performance.now();
    try {
      const answered = await workspace(request);
      bytesSent += Buffer.byteLength(JSON.stringify(answered.body));
      return answered;
    } finally {
      serverMs += performance.now() - t;
    }
  };
  const certificate = createTestCertificate();
  const server = await startLocalLogAnalyticsServer({
    certificate,
    token: BENCH_TOKEN,
    handler: async (request) => {
      try {
        // The flapping devices' 30-day history: the workspace handler's aggregate.
        if (request.query?.includes('DropsIn30Days')) return await historyAnswer(request);
        const answered = reply.tables(await answer(request.query ?? ''));
        bytesSent += Buffer.byteLength(JSON.stringify(answered.body));
        return answered;
      } catch (error: unknown) {
        const message = error instanceof Error ? error.message : 'failed';
        return reply.error(400, 'BadArgumentError', message);
      }
    },
  });
  try {
    const client = createLogsQueryClient(
      {
        getToken: () =>
          Promise.resolve({ token: BENCH_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
      server.endpoint,
      { tlsOptions: { ca: certificate.cert }, retryOptions: { maxRetries: 0 } },
    );
    const workspaceId = '00000000-0000-0000-0000-000000000000';
    started = performance.now();
    // A shared bench machine can be slow: no client time-out gets in the way of a figure.
    const clientTimeoutMs = 30 * 60_000;
    const online = await gatherDigest(HUB, UNTIL, {
      digest: new LogAnalyticsDigestSource({ client, workspaceId, clientTimeoutMs }),
      evidence: new LogAnalyticsSource({ client, workspaceId, clientTimeoutMs }),
    });
    const report = buildDigestReport(online, UNTIL);
    const card = renderDigestTeamsMessage(report);
    const onlineMs = performance.now() - started;
    console.log(
      `digest over Log Analytics (real LogsQueryClient, HTTPS, local server): ${onlineMs.toFixed(0)} ms wall, ${online.rowsRead} result rows read (${(bytesSent / 1024).toFixed(1)} KB) in ${server.requests.length} queries; ${serverMs.toFixed(0)} ms of it the server computing the answers`,
    );
    console.log(
      `digest card: ${(byteSize(card) / 1024).toFixed(1)} KB of 26 KB; ${report.sections.map((s) => `${s.id} ${s.lines.length}+${s.more}`).join(', ')}; gaps: ${online.gaps.length}`,
    );
    console.log(
      sameApartFromHistory(report.sections, offlineReport.sections)
        ? 'both paths gave the same digest (history labels aside: an export holds fewer than 30 days and says so)'
        : `note: the two paths gave different digests (gaps: ${online.gaps.join('; ')})`,
    );
  } finally {
    await server.close();
  }
}
