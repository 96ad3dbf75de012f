/**
 * The Azure Table incident store against a real Azurite: insert-if-absent, ETag-conditional
 * replace, memos and counters, and the race the design is for: the alerts of one hub incident
 * processed by 8 concurrent workers, each with its own table client (as on separate instances),
 * open exactly one incident and post exactly one opening card.
 */

import type { TokenCredential } from '@azure/identity';

import { deviceAlertPayload } from '../../lib/tools/devhost/stormAlerts';
import type { EnrichedAlert } from '../../lib/diagnose/enrichedAlert';
import type { IncidentRecord } from '../../lib/incidents/incident';
import { type IncidentServices, tickIncidents } from '../../lib/incidents/incidentFlow';
import { silentLogger } from '../../lib/common/logger';
import type { OutgoingMessage } from '../../lib/incidents/outgoingMessage';
import { createStorageClients } from '../../lib/state/azure/azureStorageState';
import { TableIncidentStore } from '../../lib/state/azure/tableIncidentStore';
import { startAzurite, type Azurite } from '../support/azurite';
import {
  loadSample,
  messageProblems,
  processReport,
  reportOf,
  type Sample,
} from '../support/incidentHarness';
import { HUB } from '../support/scenario';

const noCredential = (): TokenCredential => {
  throw new Error('connection-string storage must not ask for a credential');
};

let azurite: Azurite;
let sample: Sample;
let reports: EnrichedAlert[];

function newStore(): TableIncidentStore {
  return new TableIncidentStore(
    createStorageClients({ connectionString: azurite.connectionString }, noCredential).incidents,
  );
}

beforeAll(async () => {
  [azurite, sample] = await Promise.all([startAzurite(), loadSample()]);
  reports = await Promise.all(
    sample.devices
      .slice(0, 50)
      .map((d) => reportOf(deviceAlertPayload(sample.template, d, 'Fired'), sample)),
  );
}, 180_000);

afterAll(async () => {
  await azurite.stop();
});

function record(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: 'inc-test',
    key: `${HUB}|iot-hub-transient`,
    hubResourceId: HUB,
    cause: 'iot-hub-transient',
    scope: 'fleet',
    status: 'open',
    openerAlertId: '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1',
    summary: 'A hub-side incident.',
    startedAt: '2026-11-20T05:12:04.419Z',
    lastFiredAt: '2026-11-20T05:15:11.000Z',
    openedAt: '2026-11-20T05:16:00.000Z',
    lastAlertAt: '2026-11-20T05:16:00.000Z',
    devices: ['sensor-0006'],
    deviceCount: 1,
    sites: [],
    alertCount: 1,
    resolvedCount: 0,
    dropCurve: [],
    revision: 1,
    postedRevision: 0,
    lastPostedAt: '2026-11-20T05:16:00.000Z',
    devicesAtLastPost: 1,
    sitesAtLastPost: 0,
    ...overrides,
  };
}

describe('TableIncidentStore', () => {
  it('inserts a key once, and replaces only while the ETag is current', async () => {
    const store = newStore();
    const hub = `${HUB}-cas`;
    const first = record({ key: `${hub}|x`, hubResourceId: hub });
    await expect(store.insert(first)).resolves.toBe(true);
    await expect(newStore().insert({ ...first, id: 'inc-other' })).resolves.toBe(false);

    const [read] = await store.incidentsOf(hub);
    expect(read?.value.id).toBe('inc-test');
    const etag = read?.etag ?? '';
    await expect(store.replace({ ...first, alertCount: 2 }, etag)).resolves.toBe(true);
    await expect(store.replace({ ...first, alertCount: 3 }, etag)).resolves.toBe(false);
    expect((await store.incidentsOf(hub))[0]?.value.alertCount).toBe(2);
  });

  it('lists active incidents: open, or holding an unconfirmed revision', async () => {
    const store = newStore();
    const hub = `${HUB}-active`;
    await store.insert(record({ key: `${hub}|a`, hubResourceId: hub, id: 'inc-open' }));
    await store.insert(
      record({
        key: `${hub}|b`,
        hubResourceId: hub,
        id: 'inc-done',
        status: 'closed',
        revision: 3,
        postedRevision: 3,
      }),
    );
    await store.insert(
      record({
        key: `${hub}|c`,
        hubResourceId: hub,
        id: 'inc-closing',
        status: 'closed',
        revision: 3,
        postedRevision: 2,
      }),
    );
    const ids = (await store.activeIncidents()).map((v) => v.value.id);
    expect(ids).toEqual(expect.arrayContaining(['inc-open', 'inc-closing']));
    expect(ids).not.toContain('inc-done');
  });

  it('keeps a record within one table property by shedding listed devices, never the count', async () => {
    const store = newStore();
    const hub = `${HUB}-big`;
    const devices = Array.from({ length: 400 }, (_, i) => `device-${'x'.repeat(100)}-${i}`);
    await store.insert(
      record({ key: `${hub}|k`, hubResourceId: hub, id: 'inc-big', devices, deviceCount: 400 }),
    );
    const [read] = await store.incidentsOf(hub);
    expect(read?.value.deviceCount).toBe(400);
    expect(read?.value.devices.length).toBeLessThan(400);
    expect(read?.value.devices[0]).toBe(devices[0]);
  });

  it('remembers fired alerts by ID and counts per hub and day under concurrency', async () => {
    const store = newStore();
    const alertId = '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/Ü#?\\1';
    await expect(store.recall(alertId)).resolves.toBeUndefined();
    await store.remember({
      alertId,
      rule: 'r',
      firedAt: '2026-11-20T06:08:09.000Z',
      cause: 'sas-token-expiry',
      scope: 'device',
      confidence: 0.9,
      summary: 's',
      devices: ['thermostat-0042'],
      handling: 'suppressed',
    });
    await expect(newStore().recall(alertId)).resolves.toMatchObject({ handling: 'suppressed' });

    await Promise.all(
      Array.from({ length: 12 }, () => newStore().count(HUB, '2026-11-20', 'renewals-suppressed')),
    );
    await store.count(HUB, '2026-11-20', 'renewals-compacted', 3);
    await store.count(HUB, '2026-11-21', 'renewals-compacted');
    const counts = await store.counts('2026-11-20');
    expect(counts).toEqual(
      expect.arrayContaining([
        { day: '2026-11-20', hubResourceId: HUB, counter: 'renewals-suppressed', count: 12 },
        { day: '2026-11-20', hubResourceId: HUB, counter: 'renewals-compacted', count: 3 },
      ]),
    );
    expect(counts).toHaveLength(2);
  });
});

describe('the race', () => {
  it('50 alerts of one incident on 8 concurrent workers: one incident, one opening card', async () => {
    const sent: OutgoingMessage[] = [];
    const now = new Date('2026-11-20T05:16:00Z');
    const pending = [...reports];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        // Each worker has its own client: nothing is shared but the table.
        const services: IncidentServices = {
          store: newStore(),
          settings: { updateMinutes: 15, quietMinutes: 30, renewalPolicy: 'compact' },
          log: silentLogger,
          now: () => now,
        };
        for (let next = pending.shift(); next; next = pending.shift()) {
          await processReport(next, services, sent);
        }
      }),
    );
    expect(sent).toHaveLength(1);
    const [opening] = sent;
    expect(opening).toMatchObject({ kind: 'incident', event: 'opened' });
    if (opening) expect(messageProblems(opening)).toEqual([]);

    const incidents = await newStore().incidentsOf(HUB);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.value).toMatchObject({
      deviceCount: 50,
      alertCount: 50,
      postedRevision: 1,
      status: 'open',
    });
    expect(new Set(incidents[0]?.value.devices).size).toBe(50);

    // Two timers at once after the quiet period: one closing card.
    const later = new Date('2026-11-20T06:00:00Z');
    const closing: OutgoingMessage[] = [];
    await Promise.all(
      [newStore(), newStore()].map((store) =>
        tickIncidents({
          store,
          settings: { updateMinutes: 15, quietMinutes: 30, renewalPolicy: 'compact' },
          log: silentLogger,
          now: () => later,
          metrics: sample.metrics,
          deliver: (message) => {
            closing.push(message);
            return Promise.resolve();
          },
        }),
      ),
    );
    const ours = closing.filter((m) => m.kind === 'incident' && m.incident.hubResourceId === HUB);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ kind: 'incident', event: 'closed' });
    // The other tests' leftovers: each closed or re-sent once, by one of the two runs.
    const ids = closing.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});
