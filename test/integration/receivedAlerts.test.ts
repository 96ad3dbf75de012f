/**
 * The received-alert archive on Azure Table storage, against a real Azurite started by the test:
 * idempotent keeping, the listing's window, order, limit and truncation, the per-day cap, the
 * expiry of old days and large alerts (split over properties, or trimmed, or skipped).
 */

import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

import { createReceivedAlertArchive } from '../../lib/app/adapterFactories';
import type { Alert } from '../../lib/alerts/alert';
import { type Logger, silentLogger } from '../../lib/common/logger';
import { loadConfig } from '../../lib/config/loadConfig';
import {
  CHECK_IN_EVERY,
  RECEIVED_ALERTS_TABLE_NAME,
  TableReceivedAlerts,
} from '../../lib/state/azure/tableReceivedAlerts';
import type { ArchiveSettings } from '../../lib/state/receivedAlerts';
import { startAzurite, type Azurite } from '../support/azurite';
import { testAlert } from '../support/testAlert';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const at = (iso: string): Date => new Date(iso);

function alertNo(n: number, overrides: Partial<Alert> = {}): Alert {
  return testAlert({
    id: `/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a${n}`,
    ...overrides,
  });
}

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});

let tableCount = 0;
function clientOf(): TableClient {
  // A fresh table per test, so tests do not see each other's rows.
  return TableClient.fromConnectionString(azurite.connectionString, `alerts${++tableCount}`, {
    allowInsecureConnection: true,
  });
}

function archiveOf(
  settings: Partial<ArchiveSettings> = {},
  client: TableClient = clientOf(),
): TableReceivedAlerts {
  return new TableReceivedAlerts(client, { retentionDays: 14, now: () => NOW, ...settings });
}

const ids = (alerts: readonly { alert: Alert }[]): string[] =>
  alerts.map((r) => `${r.alert.id.slice(-2)}|${r.alert.condition}`);

describe('TableReceivedAlerts on Azurite', () => {
  test('keeps each alert once by its idempotency key; lists [since, until) oldest first', async () => {
    const archive = archiveOf();
    await archive.keep(alertNo(2), at('2026-11-20T08:00:00Z'));
    await archive.keep(alertNo(1), at('2026-11-19T23:59:59Z'));
    await archive.keep(alertNo(1), at('2026-11-19T23:59:59.500Z')); // a queue retry: kept once
    await archive.keep(alertNo(1, { condition: 'Resolved' }), at('2026-11-20T10:00:00Z'));
    await archive.keep(alertNo(3), at('2026-11-20T11:00:00Z'));
    const page = await archive.list(at('2026-11-19T00:00:00Z'), at('2026-11-20T11:00:00Z'));
    expect(ids(page.alerts)).toEqual(['a1|Fired', 'a2|Fired', 'a1|Resolved']);
    expect(page.alerts[0]).toEqual({ alert: alertNo(1), receivedAt: '2026-11-19T23:59:59.000Z' });
    expect(page.truncated).toBe(false);
    const later = await archive.list(at('2026-11-20T08:00:00Z'), at('2026-11-21T00:00:00Z'));
    expect(ids(later.alerts)).toEqual(['a2|Fired', 'a1|Resolved', 'a3|Fired']);
    expect(
      (await archive.list(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'))).alerts,
    ).toEqual([]);
  });

  test('a limit returns the oldest alerts and says the page was truncated', async () => {
    const archive = archiveOf();
    for (let i = 0; i < 6; i++) await archive.keep(alertNo(i), at(`2026-11-1${4 + i}T10:00:00Z`));
    const page = await archive.list(at('2026-11-10T00:00:00Z'), NOW, 4);
    expect(ids(page.alerts)).toEqual(['a0|Fired', 'a1|Fired', 'a2|Fired', 'a3|Fired']);
    expect(page.truncated).toBe(true);
    const all = await archive.list(at('2026-11-10T00:00:00Z'), NOW, 6);
    expect(all.alerts).toHaveLength(6);
    expect(all.truncated).toBe(false);
  });

  test('past the day cap, keep skips (logged once for the day); other days have room', async () => {
    const warnings: string[] = [];
    const log: Logger = {
      ...silentLogger,
      warn: (...args: unknown[]) => warnings.push(args.join(' ')),
    };
    const client = clientOf();
    const archive = archiveOf({ maxPerDay: 3, log }, client);
    for (let i = 0; i < 5; i++) await archive.keep(alertNo(i), at(`2026-11-19T0${i}:00:00Z`));
    await archive.keep(alertNo(9), at('2026-11-20T01:00:00Z'));
    const page = await archive.list(at('2026-11-19T00:00:00Z'), NOW);
    expect(ids(page.alerts)).toEqual(['a0|Fired', 'a1|Fired', 'a2|Fired', 'a9|Fired']);
    expect(archive.skipped).toEqual({ overDayCap: 2, oversize: 0 });
    expect(warnings).toEqual([
      'Received alerts: 2026-11-19 already holds 3 alerts; further alerts of that day are not kept',
    ]);
    // Another instance learns of the full day from the shared counter on its first keep.
    const other = archiveOf({ maxPerDay: 3 }, client);
    await other.keep(alertNo(5), at('2026-11-19T06:00:00Z'));
    expect(other.skipped.overDayCap).toBe(1);
    expect(CHECK_IN_EVERY).toBe(100);
  });

  test('expiry: old days are removed (and never listed); keeping sweeps once per day', async () => {
    let now = NOW;
    const client = clientOf();
    const archive = archiveOf({ retentionDays: 2, now: () => now }, client);
    await archive.keep(alertNo(1), at('2026-11-18T13:00:00Z'));
    await archive.keep(alertNo(2), at('2026-11-19T13:00:00Z'));
    await archive.keep(alertNo(3), at('2026-11-20T01:00:00Z'));
    await archive.swept();
    const since = at('2026-11-01T00:00:00Z');
    expect(ids((await archive.list(since, now)).alerts)).toEqual([
      'a1|Fired',
      'a2|Fired',
      'a3|Fired',
    ]);
    now = at('2026-11-21T12:00:00Z');
    // Past the retention: no longer listed, even before it is deleted.
    expect(ids((await archive.list(since, now)).alerts)).toEqual(['a2|Fired', 'a3|Fired']);
    await archive.keep(alertNo(4), now); // the day's first keep starts the sweep
    expect(await archive.swept()).toBe(2); // 2026-11-18: its alert and its counter row
    const rows: string[] = [];
    for await (const e of client.listEntities()) rows.push(`${e.partitionKey}`);
    expect(rows.some((pk) => pk.includes('2026-11-18'))).toBe(false);
    expect(rows.some((pk) => pk.includes('2026-11-19'))).toBe(true);
    expect(await archive.removeExpired(now)).toBe(0);
  });

  test('expiry deletes a day of more than one transaction', async () => {
    const client = clientOf();
    const archive = archiveOf({ now: () => at('2026-11-02T12:00:00Z') }, client);
    for (let i = 0; i < 130; i++) await archive.keep(alertNo(i), at('2026-11-01T10:00:00Z'));
    expect(await archive.removeExpired(at('2026-11-20T12:00:00Z'))).toBe(131); // 130 alerts and the day's counter
    const rows: unknown[] = [];
    for await (const e of client.listEntities()) rows.push(e);
    expect(rows).toEqual([]);
  });

  test('a large alert is split over properties and comes back whole', async () => {
    const deviceIds = Array.from(
      { length: 4000 },
      (_, i) => `device-${String(i).padStart(5, '0')}`,
    );
    const alert = alertNo(1, { deviceIds, description: 'é'.repeat(20_000) });
    expect(JSON.stringify(alert).length).toBeGreaterThan(64 * 1024);
    const archive = archiveOf();
    await archive.keep(alert, at('2026-11-20T01:00:00Z'));
    const { alerts } = await archive.list(at('2026-11-20T00:00:00Z'), NOW);
    expect(alerts[0]?.alert).toEqual(alert);
  });

  test('an oversize alert is kept with fewer devices, or skipped and counted', async () => {
    const archive = archiveOf({ maxAlertChars: 5000 });
    const many = Array.from({ length: 500 }, (_, i) => `device-${i}`);
    await archive.keep(alertNo(1, { deviceIds: many }), at('2026-11-20T01:00:00Z'));
    await archive.keep(alertNo(2, { description: 'x'.repeat(6000) }), at('2026-11-20T02:00:00Z'));
    const { alerts } = await archive.list(at('2026-11-20T00:00:00Z'), NOW);
    expect(ids(alerts)).toEqual(['a1|Fired']);
    const kept = alerts[0]?.alert.deviceIds ?? [];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(many.slice(0, kept.length));
    expect(archive.skipped).toEqual({ overDayCap: 0, oversize: 1 });
  });

  test('the factory builds it over the app storage, table enricheralerts', async () => {
    const config = loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: '.',
      WEBHOOK_URL: 'https://receiver.example/hook',
      AzureWebJobsStorage: azurite.connectionString,
    });
    const noCredential = (): Promise<TokenCredential> =>
      Promise.reject(new Error('connection-string storage must not ask for a credential'));
    const archive = await createReceivedAlertArchive(config, noCredential);
    expect(archive).toBeInstanceOf(TableReceivedAlerts);
    const taken = new Date();
    await archive.keep(alertNo(1), taken);
    const page = await archive.list(
      new Date(taken.getTime() - 1000),
      new Date(taken.getTime() + 1),
    );
    expect(page.alerts).toEqual([{ alert: alertNo(1), receivedAt: taken.toISOString() }]);
    const client = TableClient.fromConnectionString(
      azurite.connectionString,
      RECEIVED_ALERTS_TABLE_NAME,
      { allowInsecureConnection: true },
    );
    const rows: unknown[] = [];
    for await (const e of client.listEntities()) rows.push(e);
    expect(rows).toHaveLength(2); // the alert and its day's counter
  });
});
