/**
 * Silences and acknowledgements through the worker's use case on Table storage (Azurite), with the
 * sample hub incident: a silence created while the incident is open holds its updates; once it
 * ends, the incident's state is posted once; an acknowledged incident collapses its updates and
 * its closing card names who acknowledged it.
 */

import { parseAlert } from '../../lib/alerts/parseAlert';
import { enrichAlert } from '../../lib/app/enrichAlert';
import { acknowledgeIncident, addSilence, expireSilence } from '../../lib/app/onCall';
import { runIncidentTimer } from '../../lib/app/runIncidentTimer';
import { createServiceProvider, type ServiceProvider } from '../../lib/app/services';
import { silentLogger } from '../../lib/common/logger';
import { loadConfig } from '../../lib/config/loadConfig';
import type { PostReceipt } from '../../lib/notify/httpDelivery';
import type { Notifier } from '../../lib/notify/notifier';
import { deviceAlertPayload } from '../../lib/tools/devhost/stormAlerts';
import { startAzurite, type Azurite } from '../support/azurite';
import { repoPath } from '../support/fixtures';
import { loadSample, PARSE_OPTIONS, type Sample } from '../support/incidentHarness';
import { HUB } from '../support/scenario';

class Recorder implements Notifier {
  readonly name = 'webhook';
  readonly format = 'webhook';
  readonly events: { event: string; data: Record<string, unknown> }[] = [];
  post(body: string): Promise<PostReceipt> {
    this.events.push(JSON.parse(body) as { event: string; data: Record<string, unknown> });
    return Promise.resolve({ status: 202, posts: 1, unknownOutcomes: 0 });
  }
}

let azurite: Azurite;
let sample: Sample;

beforeAll(async () => {
  sample = await loadSample();
}, 120_000);

// Each test on empty storage: both tests' incidents share the sample hub's incident key.
beforeEach(async () => {
  azurite = await startAzurite();
}, 60_000);

afterEach(async () => {
  await azurite.stop();
});

function setup(): { provider: ServiceProvider; recorder: Recorder; at: (minutes: number) => void } {
  let now = new Date('2026-11-20T05:16:00Z');
  const recorder = new Recorder();
  const provider = createServiceProvider(
    loadConfig({
      STATE_STORE: 'azure-storage',
      AzureWebJobsStorage: azurite.connectionString,
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('samples', 'workspace'),
      EXPORT_METRICS_PATH: repoPath('samples', 'metrics'),
      WEBHOOK_URL: 'https://receiver.example/hook',
      IOTHUB_RESOURCE_IDS: HUB,
      INCIDENT_UPDATE_MINUTES: '1',
    }),
    { notifiers: [recorder], log: silentLogger, now: () => now },
  );
  return {
    provider,
    recorder,
    at: (minutes) => {
      now = new Date(Date.parse('2026-11-20T05:16:00Z') + minutes * 60_000);
    },
  };
}

async function fire(provider: ServiceProvider, index: number): Promise<void> {
  const device = sample.devices[index];
  if (!device) throw new Error(`no device ${index}`);
  const alert = parseAlert(deviceAlertPayload(sample.template, device, 'Fired'), PARSE_OPTIONS);
  await enrichAlert(alert, await provider.enrichment());
}

const kinds = (recorder: Recorder): string[] => recorder.events.map((e) => e.event);

test('a silence made while an incident is open holds its updates; its state is posted once when it ends', async () => {
  const { provider, recorder, at } = setup();
  await fire(provider, 0);
  await fire(provider, 1);
  expect(kinds(recorder)).toEqual(['incident.opened']);

  const onCall = await provider.onCall();
  await addSilence(
    {
      matchers: ['hub=contoso-fleet-hub', 'cause=iot-hub-transient'],
      endsAt: '2026-11-20T05:40:00Z',
      createdBy: 'ana',
      comment: 'known hub issue',
    },
    onCall,
    'hub-issue',
  );
  for (let i = 2; i < 8; i++) {
    at(i);
    await fire(provider, i);
    await runIncidentTimer(await provider.enrichment());
  }
  expect(kinds(recorder)).toEqual(['incident.opened', 'silence.created']);
  expect((await onCall.silences.get('hub-issue'))?.held).toBeGreaterThan(0);

  at(9);
  await expireSilence('hub-issue', 'ana', onCall);
  at(10); // past the silences' few seconds of cache
  await runIncidentTimer(await provider.enrichment());
  at(11);
  await runIncidentTimer(await provider.enrichment());
  expect(kinds(recorder)).toEqual([
    'incident.opened',
    'silence.created',
    'silence.ended',
    'incident.updated',
  ]);
}, 120_000);

test('an acknowledged incident collapses its updates; the closing card names who acknowledged it', async () => {
  const { provider, recorder, at } = setup();
  await fire(provider, 20);
  const onCall = await provider.onCall();
  const [incident] = (await onCall.incidents.activeIncidents()).filter((v) =>
    v.value.devices.includes(sample.devices[20]!.deviceId),
  );
  expect(incident).toBeDefined();
  await acknowledgeIncident(incident!.value.id, 'ben', onCall);
  await acknowledgeIncident(incident!.value.id, 'carla', onCall);
  for (let i = 21; i < 27; i++) {
    at(i - 20);
    await fire(provider, i);
    await runIncidentTimer(await provider.enrichment());
  }
  const before = kinds(recorder).filter((k) => k !== 'silence.created' && k !== 'silence.ended');
  expect(before.filter((k) => k === 'incident.updated')).toEqual([]);
  expect(before.filter((k) => k === 'incident.acknowledged')).toHaveLength(1);
  at(100);
  await runIncidentTimer(await provider.enrichment());
  const closing = recorder.events.find((e) => e.event === 'incident.closed');
  expect(JSON.stringify(closing?.data)).toContain('ben');
}, 120_000);
