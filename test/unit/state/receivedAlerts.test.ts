/** The received-alert archive's bounds and the in-memory adapter (the Table one: integration). */

import type { Alert } from '../../../lib/alerts/alert';
import type { Logger } from '../../../lib/common/logger';
import { InMemoryReceivedAlerts } from '../../../lib/state/memory/memoryReceivedAlerts';
import {
  fitAlert,
  keepReceivedAlert,
  oldestKeptDay,
  type ReceivedAlertArchive,
  utcDaysOf,
} from '../../../lib/state/receivedAlerts';
import { testAlert } from '../../support/testAlert';

const NOW = new Date('2026-11-20T12:00:00.000Z');

function alertNo(n: number, overrides: Partial<Alert> = {}): Alert {
  return testAlert({
    id: `/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a${n}`,
    ...overrides,
  });
}

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => undefined,
    warn: (...args: unknown[]) => warnings.push(args.join(' ')),
    error: () => undefined,
  };
}

const at = (iso: string): Date => new Date(iso);

describe('the bounds', () => {
  test('an alert that fits is whole', () => {
    const alert = alertNo(1, { deviceIds: ['d1', 'd2'] });
    expect(fitAlert(alert)).toEqual({ json: JSON.stringify(alert), trimmedDevices: 0 });
  });

  test('a large alert sheds devices (halving) until it fits; never its other fields', () => {
    const deviceIds = Array.from(
      { length: 1000 },
      (_, i) => `device-${String(i).padStart(4, '0')}`,
    );
    const alert = alertNo(1, { deviceIds });
    const whole = JSON.stringify(alert).length;
    const fitted = fitAlert(alert, whole - 100);
    expect(fitted?.json.length).toBeLessThanOrEqual(whole - 100);
    const kept = JSON.parse(fitted?.json ?? '{}') as Alert;
    expect(kept.deviceIds).toEqual(deviceIds.slice(0, 500));
    expect(fitted?.trimmedDevices).toBe(500);
    expect({ ...kept, deviceIds: [] }).toEqual({ ...alert, deviceIds: [] });
  });

  test('an alert too large even without devices does not fit', () => {
    expect(fitAlert(alertNo(1, { description: 'x'.repeat(5000) }), 1000)).toBeUndefined();
  });

  test('days: the window touches its UTC days; days wholly before the retention go', () => {
    expect(utcDaysOf(at('2026-11-18T23:00:00Z'), at('2026-11-20T00:00:00Z'))).toEqual([
      '2026-11-18',
      '2026-11-19',
    ]);
    expect(oldestKeptDay(NOW, 14)).toBe('2026-11-06');
    expect(oldestKeptDay(NOW, 0)).toBe('2026-11-20');
  });
});

describe('InMemoryReceivedAlerts', () => {
  test('keeps each alert once (by idempotency key), lists the window oldest first', async () => {
    const archive = new InMemoryReceivedAlerts({ retentionDays: 14, now: () => NOW });
    await archive.keep(alertNo(2), at('2026-11-20T08:00:00Z'));
    await archive.keep(alertNo(1), at('2026-11-19T23:59:59Z'));
    await archive.keep(alertNo(1), at('2026-11-20T09:00:00Z')); // a retry: kept once
    await archive.keep(alertNo(1, { condition: 'Resolved' }), at('2026-11-20T10:00:00Z'));
    await archive.keep(alertNo(3), at('2026-11-20T11:00:00Z'));
    const page = await archive.list(at('2026-11-19T00:00:00Z'), at('2026-11-20T11:00:00Z'));
    expect(page.truncated).toBe(false);
    expect(page.alerts.map((r) => [r.alert.id.slice(-2), r.alert.condition, r.receivedAt])).toEqual(
      [
        ['a1', 'Fired', '2026-11-19T23:59:59.000Z'],
        ['a2', 'Fired', '2026-11-20T08:00:00.000Z'],
        ['a1', 'Resolved', '2026-11-20T10:00:00.000Z'],
      ],
    );
    expect(page.alerts[0]?.alert).toEqual(alertNo(1));
  });

  test('a limit returns the oldest and says the page is truncated', async () => {
    const archive = new InMemoryReceivedAlerts({ retentionDays: 14, now: () => NOW });
    for (let i = 0; i < 5; i++) await archive.keep(alertNo(i), at(`2026-11-20T0${i}:00:00Z`));
    const page = await archive.list(at('2026-11-19T00:00:00Z'), NOW, 3);
    expect(page.alerts.map((r) => r.alert.id.slice(-2))).toEqual(['a0', 'a1', 'a2']);
    expect(page.truncated).toBe(true);
    expect((await archive.list(at('2026-11-19T00:00:00Z'), NOW, 5)).truncated).toBe(false);
    await expect(archive.list(NOW, at('2026-11-19T00:00:00Z'))).rejects.toThrow(/window/);
    await expect(archive.list(at('2026-11-19T00:00:00Z'), NOW, 0)).rejects.toThrow(/limit/);
  });

  test('at most maxPerDay alerts per UTC day; the rest are skipped and logged once per day', async () => {
    const log = recordingLog();
    const archive = new InMemoryReceivedAlerts({
      retentionDays: 14,
      maxPerDay: 2,
      now: () => NOW,
      log,
    });
    for (let i = 0; i < 5; i++) await archive.keep(alertNo(i), at(`2026-11-19T0${i}:00:00Z`));
    await archive.keep(alertNo(1), at('2026-11-19T09:00:00Z')); // kept already: not a skip
    await archive.keep(alertNo(9), at('2026-11-20T01:00:00Z')); // another day has room
    const page = await archive.list(at('2026-11-19T00:00:00Z'), NOW);
    expect(page.alerts.map((r) => r.alert.id.slice(-2))).toEqual(['a0', 'a1', 'a9']);
    expect(archive.skipped).toEqual({ overDayCap: 3, oversize: 0 });
    expect(log.warnings).toEqual([
      'Received alerts: 2026-11-19 already holds 2 alerts; further alerts of that day are not kept',
    ]);
  });

  test('an oversize alert is kept without devices, or skipped and counted', async () => {
    const log = recordingLog();
    const archive = new InMemoryReceivedAlerts({
      retentionDays: 14,
      maxAlertChars: 2000,
      now: () => NOW,
      log,
    });
    const many = Array.from({ length: 200 }, (_, i) => `device-${i}`);
    await archive.keep(alertNo(1, { deviceIds: many }), at('2026-11-20T01:00:00Z'));
    await archive.keep(alertNo(2, { description: 'x'.repeat(3000) }), at('2026-11-20T02:00:00Z'));
    const { alerts } = await archive.list(at('2026-11-20T00:00:00Z'), NOW);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.alert.deviceIds.length).toBeLessThan(200);
    expect(alerts[0]?.alert.deviceIds).toEqual(many.slice(0, alerts[0]?.alert.deviceIds.length));
    expect(archive.skipped).toEqual({ overDayCap: 0, oversize: 1 });
    expect(log.warnings).toHaveLength(2);
  });

  test('expiring: nothing older than the retention is listed or kept, and old days go', async () => {
    let now = NOW;
    const archive = new InMemoryReceivedAlerts({ retentionDays: 2, now: () => now });
    await archive.keep(alertNo(1), at('2026-11-18T13:00:00Z'));
    await archive.keep(alertNo(2), at('2026-11-19T13:00:00Z'));
    await archive.keep(alertNo(3), at('2026-11-18T11:00:00Z')); // before the retention: not kept
    const listed = async (): Promise<string[]> =>
      (await archive.list(at('2026-11-01T00:00:00Z'), now)).alerts.map((r) => r.alert.id.slice(-2));
    expect(await listed()).toEqual(['a1', 'a2']);
    now = at('2026-11-21T12:00:00Z');
    expect(await listed()).toEqual(['a2']);
    await archive.keep(alertNo(4), now); // keeping drops the expired days
    now = NOW; // even if the clock went back, the dropped day is gone
    expect(await listed()).toEqual(['a2']);
  });

  test('0 days keeps nothing', async () => {
    const archive = new InMemoryReceivedAlerts({ retentionDays: 0, now: () => NOW });
    await archive.keep(alertNo(1), NOW);
    expect(
      (await archive.list(at('2026-11-01T00:00:00Z'), at('2026-11-21T00:00:00Z'))).alerts,
    ).toEqual([]);
  });
});

describe('keepReceivedAlert', () => {
  test('a storage error is logged, never thrown; no archive is no work', async () => {
    const log = recordingLog();
    const failing: ReceivedAlertArchive = {
      keep: () => Promise.reject(new Error('table unavailable')),
      list: () => Promise.reject(new Error('unused')),
    };
    await expect(keepReceivedAlert(failing, alertNo(1), NOW, log)).resolves.toBeUndefined();
    await expect(keepReceivedAlert(undefined, alertNo(1), NOW, log)).resolves.toBeUndefined();
    expect(log.warnings).toEqual([
      expect.stringContaining(
        'could not keep alert /subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1 (Error: table unavailable)',
      ),
    ]);
  });
});
