/**
 * The incident policy over the in-memory store, driven by the sample hub incident: 125 devices
 * dropped between 05:12 and 05:15, each alerted on by the per-device rule, diagnosed by the real
 * pipeline over the sample workspace.
 */

import { deviceAlertPayload, resolvedPayload } from '../../../lib/tools/devhost/stormAlerts';
import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import type { MetricsSource } from '../../../lib/evidence/evidenceSource';
import type { IncidentSettings } from '../../../lib/incidents/incidentSettings';
import {
  type IncidentServices,
  planAlertMessages,
  tickIncidents,
  type TimerServices,
} from '../../../lib/incidents/incidentFlow';
import { utcDay } from '../../../lib/incidents/incidentStore';
import { decideAlert } from '../../../lib/incidents/policy';
import { silentLogger } from '../../../lib/common/logger';
import { newDevices } from '../../../lib/render/incidentFacts';
import type { IncidentMessage, OutgoingMessage } from '../../../lib/incidents/outgoingMessage';
import { InMemoryIncidentStore } from '../../../lib/state/memory/memoryIncidentStore';
import {
  cardTexts,
  hubLevelPayload,
  loadSample,
  messageProblems,
  processReport,
  reportOf,
  type Sample,
  sampleAlertBody,
} from '../../support/incidentHarness';
import { HUB } from '../../support/scenario';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-20T05:16:00Z');

let sample: Sample;
let fired: EnrichedAlert[];
let resolved: EnrichedAlert[];
let metricFired: EnrichedAlert;
let metricResolved: EnrichedAlert;

beforeAll(async () => {
  sample = await loadSample();
  const devices = sample.devices.slice(0, 50);
  fired = await Promise.all(
    devices.map((d) => reportOf(deviceAlertPayload(sample.template, d, 'Fired'), sample)),
  );
  resolved = await Promise.all(
    devices.map((d) => reportOf(deviceAlertPayload(sample.template, d, 'Resolved'), sample)),
  );
  const metricBody = sampleAlertBody('hub-incident-connected-devices.json');
  metricFired = await reportOf(metricBody, sample);
  metricResolved = await reportOf(resolvedPayload(metricBody, '2026-11-20T05:31:34Z'), sample);
}, 180_000);

interface Harness {
  readonly store: InMemoryIncidentStore;
  readonly services: IncidentServices;
  readonly sent: OutgoingMessage[];
  at(minutes: number): void;
  process(report: EnrichedAlert): Promise<OutgoingMessage[]>;
  tick(metrics?: MetricsSource): Promise<OutgoingMessage[]>;
}

function harness(settings: Partial<IncidentSettings> = {}): Harness {
  let now = new Date(T0);
  const store = new InMemoryIncidentStore();
  const sent: OutgoingMessage[] = [];
  const services: IncidentServices = {
    store,
    settings: { updateMinutes: 15, quietMinutes: 30, renewalPolicy: 'compact', ...settings },
    log: silentLogger,
    now: () => now,
  };
  return {
    store,
    services,
    sent,
    at: (minutes) => {
      now = new Date(T0 + minutes * MINUTE);
    },
    process: (report) => processReport(report, services, sent),
    tick: async (metrics) => {
      const before = sent.length;
      const timer: TimerServices = {
        ...services,
        ...(metrics && { metrics }),
        deliver: (message) => {
          sent.push(message);
          return Promise.resolve();
        },
      };
      await tickIncidents(timer);
      return sent.slice(before);
    },
  };
}

function nth<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('nothing');
  return item;
}

function asIncident(message: OutgoingMessage | undefined): IncidentMessage {
  if (message?.kind !== 'incident') throw new Error(`not an incident message: ${message?.kind}`);
  return message;
}

describe('a storm of per-device alerts', () => {
  test('opens one incident with one card; the other alerts fold into it', async () => {
    const h = harness();
    for (const [i, report] of fired.entries()) {
      h.at(i / 60);
      await h.process(report);
    }
    const opening = asIncident(only(h.sent));
    expect(opening.event).toBe('opened');
    expect(opening.report?.alert.id).toBe(fired[0]?.alert.id);
    expect(opening.id).toBe(`${opening.incident.id}-r1`);
    expect(messageProblems(opening)).toEqual([]);
    expect(cardTexts(opening)).toMatch(/Incident opened: inc-/);

    const [record] = await h.store.activeIncidents();
    expect(record?.value).toMatchObject({
      id: opening.incident.id,
      cause: 'iot-hub-transient',
      scope: 'fleet',
      deviceCount: fired.length,
      alertCount: fired.length,
      postedRevision: 1,
    });
    expect(record?.value.devices).toEqual(fired.map((r) => r.alert.deviceIds[0]));
    expect(record?.value.startedAt).toBe(sample.devices[0]?.droppedAt);
  });

  test('the hub-level metric alert joins the same incident, not a card of its own', async () => {
    const h = harness();
    await h.process(nth(fired, 0));
    expect(await h.process(metricFired)).toEqual([]);
    const [record] = await h.store.activeIncidents();
    expect(record?.value.alertCount).toBe(2);
  });

  test('the hub-level alert (not split by device) is read as a fleet alert: it opens the incident the device alerts join', async () => {
    const hubLevel = await reportOf(hubLevelPayload(sample.template, 94), sample);
    expect(hubLevel.alert.deviceIds).toEqual([]);
    expect(hubLevel.alert.isDisconnectAlert).toBe(true);
    expect(hubLevel.diagnosis).toMatchObject({ cause: 'iot-hub-transient', scope: 'fleet' });
    const h = harness();
    const opening = asIncident(only(await h.process(hubLevel)));
    expect(opening.incident.deviceCount).toBeGreaterThan(0); // the verdict's dropped devices
    expect(messageProblems(opening)).toEqual([]);
    for (const report of fired.slice(0, 10)) expect(await h.process(report)).toEqual([]);
    const [record] = await h.store.activeIncidents();
    expect(record?.value.alertCount).toBe(11);
  });

  test('at most one update per INCIDENT_UPDATE_MINUTES, naming the devices that joined', async () => {
    const h = harness({ updateMinutes: 15 });
    for (const report of fired.slice(0, 10)) await h.process(report);
    h.at(5);
    for (const report of fired.slice(10, 20)) expect(await h.process(report)).toEqual([]);
    h.at(16);
    const update = asIncident(only(await h.process(nth(fired, 20))));
    expect(update.event).toBe('updated');
    expect(update.id).toBe(`${update.incident.id}-r2`);
    expect(update.incident.deviceCount).toBe(21);
    expect(messageProblems(update)).toEqual([]);
    const text = cardTexts(update);
    // The opening card named one device; twenty joined since.
    expect(text).toMatch(/21 devices alerted so far \(\+20 since 05:16 UTC\)/);
    expect(newDevices(update.incident)).toEqual(
      fired.slice(1, 21).map((r) => r.alert.deviceIds[0]),
    );
    expect(text).toContain(
      `${String(fired[1]?.alert.deviceIds[0])}, ${String(fired[2]?.alert.deviceIds[0])}`,
    );
    expect(text).toMatch(/Drop curve/);

    h.at(20);
    for (const report of fired.slice(21, 30)) expect(await h.process(report)).toEqual([]);
    expect(await h.tick()).toEqual([]); // 4 minutes after the update: not yet
    h.at(31);
    const timed = asIncident(only(await h.tick()));
    expect(timed.event).toBe('updated');
    expect(timed.incident.deviceCount).toBe(30);
    expect(messageProblems(timed)).toEqual([]);
  });
});

describe('closing', () => {
  async function stormAt(h: Harness): Promise<void> {
    for (const report of fired.slice(0, 20)) await h.process(report);
  }

  test('after the quiet period, once connected devices are back: duration, devices, back time', async () => {
    const h = harness({ quietMinutes: 30 });
    await stormAt(h);
    h.at(29);
    // Not quiet long enough: the update that is due (19 devices joined after the opening card).
    expect(asIncident(only(await h.tick(sample.metrics))).event).toBe('updated');
    h.at(31);
    const closing = asIncident(only(await h.tick(sample.metrics)));
    expect(closing.event).toBe('closed');
    expect(closing.incident).toMatchObject({
      status: 'closed',
      backAt: '2026-11-20T05:28:00.000Z',
      deviceCount: 20,
    });
    expect(messageProblems(closing)).toEqual([]);
    const text = cardTexts(closing);
    expect(text).toMatch(/Incident closed: IoT Hub incident/);
    expect(text).toMatch(
      /20 devices affected from 2026-11-20 05:12 UTC, for 16 min; devices back at 05:28 UTC/,
    );
    h.at(60);
    expect(await h.tick(sample.metrics)).toEqual([]);
    // A new alert for the same key after the close opens a new incident.
    const reopened = asIncident(only(await h.process(nth(fired, 25))));
    expect(reopened.event).toBe('opened');
    expect(reopened.incident.id).not.toBe(closing.incident.id);
  });

  test('stays open while connected devices are still down, and gives up after a day', async () => {
    const down: MetricsSource = {
      connectedDeviceCount: () =>
        Promise.resolve({
          value: [
            { time: '2026-11-20T05:00:00Z', average: 150 },
            { time: '2026-11-20T05:20:00Z', average: 30 },
          ],
        }),
    };
    const h = harness({ quietMinutes: 30 });
    await stormAt(h);
    h.at(45);
    expect(asIncident(only(await h.tick(down))).event).toBe('updated');
    h.at(90);
    expect(await h.tick(down)).toEqual([]);
    h.at(24 * 60 + 1);
    const closing = asIncident(only(await h.tick(down)));
    expect(closing.incident.closeReason).toMatch(/no alert for 24 h, though connected devices/);
    expect(closing.incident.backAt).toBeUndefined();
    expect(cardTexts(closing)).toMatch(/return of the devices not measured/);
  });

  test('Resolved alerts fold into the incident; the hub alert resolving marks it back', async () => {
    const h = harness({ quietMinutes: 30 });
    await stormAt(h);
    await h.process(metricFired);
    for (const report of resolved.slice(0, 5)) expect(await h.process(report)).toEqual([]);
    expect(await h.process(metricResolved)).toEqual([]);
    const [record] = await h.store.activeIncidents();
    expect(record?.value).toMatchObject({
      resolvedCount: 5,
      hubAlertResolvedAt: '2026-11-20T05:31:34.000Z',
    });
    h.at(40);
    const closing = asIncident(only(await h.tick())); // no metrics source: the hub alert says
    expect(closing.incident.backAt).toBe('2026-11-20T05:31:34.000Z');
    expect(closing.incident.closeReason).toMatch(/the hub-level alert resolved/);
  });

  test('a revision whose delivery failed is sent again by the timer, with the same id', async () => {
    const h = harness({ updateMinutes: 1 });
    await stormAt(h);
    h.at(2);
    const report = nth(fired, 30);
    const decision = await planAlertMessages(report, h.services); // decided, never delivered
    const update = asIncident(only(decision.messages));
    h.at(2.5);
    expect(await h.tick()).toEqual([]);
    h.at(3.5);
    const again = asIncident(only(await h.tick()));
    expect(again.id).toBe(update.id);
    h.at(5);
    expect(await h.tick()).toEqual([]);
  });
});

describe('Resolved outside an incident', () => {
  test('a short follow-up that names the original alert: fired, away, verdict, links', async () => {
    const body = sampleAlertBody('flaky-network-pump-station-7.json');
    const h = harness();
    const full = only(await h.process(await reportOf(body, sample)));
    expect(full).toMatchObject({ kind: 'alert', presentation: 'full' });
    const followUp = only(
      await h.process(await reportOf(resolvedPayload(body, '2026-11-20T06:36:28Z'), sample)),
    );
    expect(followUp.kind).toBe('resolved');
    expect(followUp.id).not.toBe(full.id);
    expect(messageProblems(followUp)).toEqual([]);
    const text = cardTexts(followUp);
    expect(text).toMatch(/^Resolved: pump-station-7/);
    expect(text).toMatch(/fired 2026-11-20 06:16 UTC and resolved 06:36 UTC/);
    expect(text).toMatch(/pump-station-7 was away 4 min \(dropped 06:14:27, back 06:18:3\d UTC\)/);
    expect(text).toMatch(/Its verdict then: Device or network problem \(device, \d+% confidence\)/);
    expect(text).toMatch(/Open the logs/);
  });
});

describe('RENEWAL_POLICY', () => {
  const sas = 'sas-renewal-thermostat-0042.json';

  test.each([
    ['post', 'full', 'renewals-posted'],
    ['compact', 'compact', 'renewals-compacted'],
    ['suppress', undefined, 'renewals-suppressed'],
  ] as const)('%s: %s, counted as %s', async (policy, presentation, counter) => {
    const lines: string[] = [];
    const h = harness({ renewalPolicy: policy });
    const services = {
      ...h.services,
      log: { ...silentLogger, info: (l: unknown) => lines.push(String(l)) },
    };
    const body = sampleAlertBody(sas);
    const messages = await processReport(await reportOf(body, sample), services, h.sent);
    if (presentation === undefined) expect(messages).toEqual([]);
    else expect(only(messages)).toMatchObject({ kind: 'alert', presentation });
    for (const message of messages) expect(messageProblems(message)).toEqual([]);
    if (presentation === 'compact') {
      expect(cardTexts(only(messages))).toMatch(
        /^SAS token renewal \(expected, harmless\): thermostat-0042 back after \d+ s \(06:05 UTC\) on contoso-fleet-hub$/m,
      );
    }
    expect(lines.join('\n')).toMatch(/sas-token-expiry \(device, confidence [\d.]+\)/);
    const counts = await h.store.counts(utcDay(new Date(T0)));
    expect(counts).toContainEqual(
      expect.objectContaining({ hubResourceId: HUB, counter, count: 1 }),
    );

    // Its Resolved: quiet when the renewal was quiet, a follow-up when it was posted.
    const after = await processReport(
      await reportOf(resolvedPayload(body, '2026-11-20T06:25:00Z'), sample),
      h.services,
      h.sent,
    );
    if (policy === 'post') expect(only(after).kind).toBe('resolved');
    else expect(after).toEqual([]);
  });

  test('a renewal whose device did not come back is never quiet', async () => {
    const report = await reportOf(sampleAlertBody(sas), sample);
    expect(report.diagnosis?.cause).toBe('sas-token-expiry');
    const drop = '2026-11-20T06:05:38Z';
    const notBack: EnrichedAlert = {
      ...report,
    };
    if (report.evidence) {
      Object.assign(notBack, {
        evidence: {
          ...report.evidence,
          deviceEvents: report.evidence.deviceEvents.filter((e) => e.time < drop),
        },
      });
    }
    for (const renewalPolicy of ['compact', 'suppress'] as const) {
      const decision = decideAlert({
        report: notBack,
        incidents: [],
        settings: { updateMinutes: 15, quietMinutes: 30, renewalPolicy },
        now: new Date(T0),
      });
      expect(decision.outcome).toBe('post');
      expect(only(decision.messages)).toMatchObject({ kind: 'alert', presentation: 'full' });
    }
  });
});

describe('what an incident does not swallow', () => {
  test('a duplicate identity on the same hub keeps its own card during an incident', async () => {
    const h = harness();
    await h.process(nth(fired, 0));
    const dup = await reportOf(sampleAlertBody('duplicate-identity-gateway-dup-3.json'), sample);
    expect(only(await h.process(dup))).toMatchObject({ kind: 'alert', presentation: 'full' });
  });

  test('50 alerts of one incident on 8 concurrent workers: one opening card', async () => {
    const h = harness();
    const reports = fired.slice(0, 50);
    expect(reports).toHaveLength(50);
    const queue = [...reports.entries()];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await h.process(next[1]);
      }),
    );
    expect(h.sent.filter((m) => m.kind === 'incident' && m.event === 'opened')).toHaveLength(1);
    expect(h.sent).toHaveLength(1);
  });
});
