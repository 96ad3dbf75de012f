/**
 * "Is this new for this device?" at 100,000 devices: rows and time of the device-history query
 * per alert, over the real `LogsQueryClient` (HTTPS, local server) and over export files (the CLI
 * path). Figures only: nothing here asserts a time.
 */

import { performance } from 'node:perf_hooks';

import { labelDeviceHistory } from '../../diagnose/deviceHistory';
import type { DeviceHistory } from '../../evidence/evidence';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { buildDeviceHistoryQuery, type EvidenceQuery, historyPeriod } from '../../evidence/kql';
import { createLogsQueryClient, LogAnalyticsSource } from '../../evidence/logAnalyticsSource';
import { benchFleet, HUB, UNTIL } from './digestBench';
import { createTestCertificate } from './localCertificate';
import { startLocalLogAnalyticsServer } from './localLogAnalyticsServer';
import { answerFromEvents } from './workspaceHandler';

const TOKEN = 'history-bench-token-not-a-secret';
const ALERTS_PER_KIND = 5;

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function historyQuery(deviceIds: readonly string[]): EvidenceQuery {
  return {
    name: 'deviceHistory',
    query: buildDeviceHistoryQuery([HUB], deviceIds),
    timespan: historyPeriod(UNTIL.toISOString()),
    filter: { hubResourceIds: [HUB], deviceIds },
  };
}

/**
 * Alerted devices of every kind `benchFleet` makes: renewing their token hub-side (i % 20 = 0),
 * flaky (i % 100 = 1), hit by the incident (i % 10 >= 7), quiet otherwise.
 */
function alertedDevices(devices: number): string[] {
  const ids: string[] = [];
  for (let k = 0; k < ALERTS_PER_KIND; k++) {
    const base = Math.floor((k * devices) / ALERTS_PER_KIND / 100) * 100;
    for (const offset of [0, 1, 8, 5]) ids.push(`dev-${String(base + offset).padStart(6, '0')}`);
  }
  return ids;
}

/**
 * The local server runs the query's aggregate in JavaScript over the events in memory (the
 * workspace handler), so its time stands in for Log Analytics' execution time, which only a real
 * workspace can show; the wall time adds the round trip and the client's parsing.
 */
export async function benchHistory(devices = 100_000): Promise<void> {
  const events = benchFleet(devices);
  const workspace = answerFromEvents(events);
  let serverMs = 0;
  let rows = 0;
  const certificate = createTestCertificate();
  const server = await startLocalLogAnalyticsServer({
    certificate,
    token: TOKEN,
    handler: async (request) => {
      const started = performance.now();
      const answer = await workspace(request);
      serverMs = performance.now() - started;
      const tables = (answer.body as { tables?: { rows: unknown[] }[] } | undefined)?.tables;
      rows = tables?.[0]?.rows.length ?? 0;
      return answer;
    },
  });
  try {
    const client = createLogsQueryClient(
      { getToken: () => Promise.resolve({ token: TOKEN, expiresOnTimestamp: Date.now() + 3.6e6 }) },
      server.endpoint,
      { tlsOptions: { ca: certificate.cert }, retryOptions: { maxRetries: 0 } },
    );
    const source = new LogAnalyticsSource({
      client,
      workspaceId: '00000000-0000-0000-0000-000000000000',
      clientTimeoutMs: 10 * 60_000,
    });
    const exportSource = ExportFileSource.fromEvents(events);
    const wall: number[] = [];
    const server1: number[] = [];
    const rowsPerAlert: number[] = [];
    const offline: number[] = [];
    const labels = new Map<string, number>();
    let example: DeviceHistory | undefined;
    const ids = alertedDevices(devices);
    for (const id of ids) {
      const query = historyQuery([id]);
      const started = performance.now();
      const answer = await source.deviceHistory(query);
      wall.push(performance.now() - started);
      server1.push(serverMs);
      rowsPerAlert.push(rows);
      const offlineStarted = performance.now();
      await exportSource.deviceHistory(query);
      offline.push(performance.now() - offlineStarted);
      for (const history of answer.value) {
        const { label } = labelDeviceHistory(history);
        labels.set(label, (labels.get(label) ?? 0) + 1);
        if (label === 'recurring') example ??= history;
      }
    }
    const batchStarted = performance.now();
    const batch = Array.from({ length: 50 }, (_, i) => `dev-${String(i * 1999).padStart(6, '0')}`);
    await source.deviceHistory(historyQuery(batch));
    const batchMs = performance.now() - batchStarted;
    console.log(
      `device history bench: ${devices.toLocaleString('en-US')} devices, ${events.length.toLocaleString('en-US')} events over 8 days; the local server runs the aggregate in JavaScript, its time standing in for Log Analytics' execution`,
    );
    console.log(
      `  one-device alert: at most ${Math.max(...rowsPerAlert)} row (${rowsPerAlert.reduce((s, n) => s + n, 0)} rows over ${ids.length} alerts); median ${median(wall).toFixed(1)} ms wall over the real LogsQueryClient, ${median(server1).toFixed(1)} ms of it the server; export files (CLI path): median ${median(offline).toFixed(1)} ms`,
    );
    console.log(
      `  batch of 50 devices: ${rows} rows (devices with a drop); ${batchMs.toFixed(1)} ms wall, ${serverMs.toFixed(1)} ms of it the server`,
    );
    console.log(
      `  labels: ${[...labels].map(([label, n]) => `${n} ${label}`).join(', ')}${example ? `; e.g. ${example.deviceId}: ${labelDeviceHistory(example).text}` : ''}`,
    );
  } finally {
    await server.close();
  }
}
