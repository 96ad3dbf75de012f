/**
 * Silences and acknowledgements over the incident policy, driven by the sample hub incident:
 * what a silence holds is decided and kept but not posted; an incident still open when its
 * silence ends posts its state once; the cause guard; acknowledged updates collapse; and a
 * silence store that cannot be read posts nothing and loses nothing (the alert is retried).
 */

import { silenceSource } from '../../../lib/app/silenceSource';
import { silentLogger } from '../../../lib/common/logger';
import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import {
  type IncidentServices,
  tickIncidents,
  type TimerServices,
} from '../../../lib/incidents/incidentFlow';
import type { OutgoingMessage } from '../../../lib/incidents/outgoingMessage';
import { newSilence } from '../../../lib/silences/newSilence';
import { InMemoryIncidentStore } from '../../../lib/state/memory/memoryIncidentStore';
import { InMemorySilenceStore } from '../../../lib/state/memory/memorySilenceStore';
import { deviceAlertPayload } from '../../../lib/tools/devhost/stormAlerts';
import {
  loadSample,
  processReport,
  reportOf,
  type Sample,
  sampleAlertBody,
} from '../../support/incidentHarness';

const T0 = Date.parse('2026-11-20T05:16:00Z');
let sample: Sample;
let fired: EnrichedAlert[];
let duplicate: EnrichedAlert;

beforeAll(async () => {
  sample = await loadSample();
  fired = await Promise.all(
    sample.devices
      .slice(0, 12)
      .map((d) => reportOf(deviceAlertPayload(sample.template, d, 'Fired'), sample)),
  );
  duplicate = await reportOf(sampleAlertBody('duplicate-identity-gateway-dup-3.json'), sample);
}, 120_000);

function harness() {
  let now = new Date(T0);
  const silences = new InMemorySilenceStore();
  const store = new InMemoryIncidentStore();
  const sent: OutgoingMessage[] = [];
  const services: IncidentServices = {
    store,
    settings: { updateMinutes: 1, quietMinutes: 30, renewalPolicy: 'compact' },
    log: silentLogger,
    now: () => now,
    silences: silenceSource(silences, [], silentLogger),
  };
  const timer: TimerServices = {
    ...services,
    deliver: (message) => {
      sent.push(message);
      return Promise.resolve();
    },
  };
  return {
    silences,
    store,
    sent,
    services,
    at: (minutes: number) => {
      now = new Date(T0 + minutes * 60_000);
    },
    process: (report: EnrichedAlert) => processReport(report, services, sent),
    tick: () => tickIncidents(timer),
    silence: (matchers: string[]) =>
      silences.add(
        newSilence(
          { matchers, endsAt: '2026-11-20T09:00:00Z', createdBy: 'ana', comment: 'hub work' },
          now,
          `s-${matchers.join(',')}`,
        ),
      ),
  };
}

describe('silences over the incident policy', () => {
  test('an incident that opens under a silence posts nothing, then its state once when the silence ends', async () => {
    const h = harness();
    await h.silence(['hub=contoso-fleet-hub', 'cause=iot-hub-transient']);
    for (const [i, report] of fired.entries()) {
      h.at(i / 10);
      await h.process(report);
    }
    expect(h.sent).toEqual([]);
    const [record] = (await h.store.activeIncidents()).map((v) => v.value);
    expect(record?.heldBack?.silences).toEqual(['s-hub=contoso-fleet-hub,cause=iot-hub-transient']);
    expect(record?.deviceCount).toBe(fired.length);
    expect(
      (await h.silences.get('s-hub=contoso-fleet-hub,cause=iot-hub-transient'))?.held,
    ).toBeGreaterThan(0);

    h.at(3);
    await h.tick();
    expect(h.sent).toEqual([]);

    await h.silences.end(
      's-hub=contoso-fleet-hub,cause=iot-hub-transient',
      'ana',
      new Date(T0 + 4 * 60_000),
    );
    h.at(4.5); // past the silence source's cache
    await h.tick();
    expect(h.sent.map((m) => (m.kind === 'incident' ? m.event : m.kind))).toEqual(['updated']);
    h.at(6);
    await h.tick();
    expect(h.sent).toHaveLength(1);
  });

  test('the cause guard: a site silence for device-or-network lets a duplicate identity through', async () => {
    const h = harness();
    h.at(-200);
    await h.silence(['site=81.2.69.XXX', 'cause=device-or-network']);
    await h.silence(['device=gateway-dup-3']);
    const posted = await h.process(duplicate);
    expect(duplicate.diagnosis?.cause).toBe('duplicate-identity');
    expect(posted).toHaveLength(1);
  });

  test('an acknowledged incident collapses its updates; the closing card still comes', async () => {
    const h = harness();
    await h.process(fired[0]!);
    await h.process(fired[1]!);
    const [current] = await h.store.activeIncidents();
    expect(h.sent).toHaveLength(1);
    await h.store.replace(
      { ...current!.value, acknowledged: { by: 'ana', at: new Date(T0).toISOString() } },
      current!.etag,
    );
    for (const [i, report] of fired.slice(2).entries()) {
      h.at(2 + i);
      await h.process(report);
      await h.tick();
    }
    expect(h.sent).toHaveLength(1);
    h.at(60);
    await h.tick();
    const closing = h.sent[1];
    expect(closing?.kind === 'incident' && closing.event).toBe('closed');
    expect(closing?.kind === 'incident' && closing.incident.acknowledged?.by).toBe('ana');
  });

  test('silences that cannot be read: nothing is posted and the alert fails, to be retried', async () => {
    const h = harness();
    const failing: IncidentServices = {
      ...h.services,
      silences: {
        active: () => Promise.reject(new Error('storage down')),
        noteHeld: () => Promise.resolve(),
      },
    };
    await expect(processReport(fired[0]!, failing, h.sent)).rejects.toThrow('storage down');
    expect(h.sent).toEqual([]);
    expect(await h.store.activeIncidents()).toEqual([]);
    // The retry, with storage back, posts it.
    expect(await h.process(fired[0]!)).toHaveLength(1);
  });
});
