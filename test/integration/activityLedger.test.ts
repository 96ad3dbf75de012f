/**
 * The activity ledger: the same behaviour from the in-memory adapter and from the Azure Table
 * adapter against a real Azurite started by the test.
 */

import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

import { silentLogger } from '../../lib/common/logger';
import { recordAlertActivity } from '../../lib/app/recordAlertActivity';
import { type ActivityLedger, ACTIVITY_KINDS } from '../../lib/state/activityLedger';
import { InMemoryActivityLedger } from '../../lib/state/memory/memoryActivityLedger';
import {
  createActivityTableClient,
  TableActivityLedger,
} from '../../lib/state/azure/tableActivityLedger';
import { startAzurite, type Azurite } from '../support/azurite';
import { testAlert } from '../support/testAlert';

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const OTHER_HUB = HUB.replace('contoso-fleet-hub', 'contoso-lab-hub');
const SINCE = '2026-11-19T08:00:00.000Z';
const UNTIL = '2026-11-20T08:00:00.000Z';

const noCredential = (): TokenCredential => {
  throw new Error('connection-string storage must not ask for a credential');
};

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});

type Factory = (tracked?: (typeof ACTIVITY_KINDS)[number][]) => ActivityLedger;
let tableCount = 0;
const adapters: [string, Factory][] = [
  ['InMemoryActivityLedger', (tracked) => new InMemoryActivityLedger(tracked)],
  [
    'TableActivityLedger',
    (tracked) =>
      // A fresh table per test, so tests do not see each other's rows.
      new TableActivityLedger(
        TableClient.fromConnectionString(azurite.connectionString, `activity${++tableCount}`, {
          allowInsecureConnection: true,
        }),
        tracked,
      ),
  ],
];

describe.each(adapters)('%s', (_name, make) => {
  test('counts alerts and cards per hub inside the window, once per key', async () => {
    const ledger = make();
    const event = { kind: 'alert-received' as const, hubResourceId: HUB };
    await ledger.record({ ...event, at: '2026-11-20T05:15:11.000Z', key: 'a|Fired' });
    await ledger.record({ ...event, at: '2026-11-20T05:15:12.000Z', key: 'a|Fired' }); // a retry
    await ledger.record({ ...event, at: '2026-11-20T06:08:09.000Z', key: 'b|Fired' });
    await ledger.record({ ...event, at: '2026-11-19T07:59:59.000Z', key: 'old|Fired' });
    await ledger.record({ ...event, at: '2026-11-20T08:00:00.000Z', key: 'next|Fired' });
    await ledger.record({
      ...event,
      hubResourceId: OTHER_HUB,
      at: '2026-11-20T01:00:00.000Z',
      key: 'c|Fired',
    });
    await ledger.record({
      kind: 'card-posted',
      hubResourceId: HUB.toUpperCase(),
      at: '2026-11-19T23:00:00.000Z',
      key: 'a|Fired',
    });

    // The kinds recorded by default are counted, 0 when none happened.
    await expect(ledger.summarise(HUB, SINCE, UNTIL)).resolves.toEqual({
      alertsReceived: 2,
      incidentsOpened: 0,
      cardsPosted: 1,
      renewalsKeptQuiet: 0,
      reconnectsInGrace: 0,
      connectionBlips: 0,
      heldBySilences: 0,
    });
    await expect(ledger.summarise(OTHER_HUB, SINCE, UNTIL)).resolves.toEqual({
      alertsReceived: 1,
      incidentsOpened: 0,
      cardsPosted: 0,
      renewalsKeptQuiet: 0,
      reconnectsInGrace: 0,
      connectionBlips: 0,
      heldBySilences: 0,
    });
  });

  test('a figure the deployment does not track is absent, not 0', async () => {
    const ledger = make(['alert-received']);
    const summary = await ledger.summarise(HUB, SINCE, UNTIL);
    expect(summary).toEqual({ alertsReceived: 0 });
    expect(summary.incidentsOpened).toBeUndefined();
    expect(summary.deadLettersWaiting).toBeUndefined();
  });

  test('dead letters wait until they are replayed', async () => {
    const ledger = make([...ACTIVITY_KINDS]);
    const base = { hubResourceId: HUB, at: '2026-11-20T03:00:00.000Z' };
    await ledger.record({ ...base, kind: 'dead-lettered', key: 'x' });
    await ledger.record({ ...base, kind: 'dead-lettered', key: 'y' });
    await ledger.record({ ...base, kind: 'dead-letter-replayed', key: 'x' });
    await ledger.record({ ...base, kind: 'incident-opened', key: 'i1' });
    await ledger.record({ ...base, kind: 'renewal-kept-quiet', key: 'r1' });
    await ledger.record({ ...base, kind: 'renewal-kept-quiet', key: 'r2' });
    await ledger.record({ ...base, kind: 'reconnected-in-grace', key: 'sensor-1|0A' });
    await ledger.record({ ...base, kind: 'reconnected-in-grace', key: 'sensor-1|0A' });
    await ledger.record({ ...base, kind: 'connection-blip', key: 'sensor-2|0B' });
    await expect(ledger.summarise(HUB, SINCE, UNTIL)).resolves.toEqual({
      alertsReceived: 0,
      incidentsOpened: 1,
      cardsPosted: 0,
      renewalsKeptQuiet: 2,
      deadLettersWaiting: 1,
      reconnectsInGrace: 1,
      connectionBlips: 1,
      heldBySilences: 0,
    });
  });

  test('recordAlertActivity records one event per hub of the alert', async () => {
    const ledger = make();
    const alert = testAlert({ hubResourceIds: [HUB, OTHER_HUB] });
    await recordAlertActivity(
      ledger,
      'alert-received',
      alert,
      new Date('2026-11-20T02:00:00Z'),
      silentLogger,
    );
    await recordAlertActivity(
      ledger,
      'alert-received',
      alert,
      new Date('2026-11-20T02:00:05Z'),
      silentLogger,
    );
    expect((await ledger.summarise(HUB, SINCE, UNTIL)).alertsReceived).toBe(1);
    expect((await ledger.summarise(OTHER_HUB, SINCE, UNTIL)).alertsReceived).toBe(1);
  });
});

test('recordAlertActivity never throws when the ledger fails', async () => {
  const warnings: unknown[] = [];
  const broken: ActivityLedger = {
    record: () => Promise.reject(new Error('table down')),
    summarise: () => Promise.reject(new Error('table down')),
  };
  await recordAlertActivity(
    broken,
    'card-posted',
    testAlert({ hubResourceIds: [HUB] }),
    new Date(),
    { ...silentLogger, warn: (...args) => warnings.push(...args) },
  );
  expect(String(warnings[0])).toContain('table down');
});

test('the Table adapter refuses a window it would have to scan for months', async () => {
  const ledger = new TableActivityLedger(
    createActivityTableClient({ connectionString: azurite.connectionString }, noCredential),
  );
  await expect(ledger.summarise(HUB, '2026-01-01T00:00:00Z', UNTIL)).rejects.toThrow(/31 days/);
  await expect(ledger.summarise(HUB, 'nope', UNTIL)).rejects.toThrow(/valid window/);
});
