/**
 * What `npm run demo -- --storm` shows, as a test: the sample hub incident posted to the dev host
 * one alert per device, then their Resolved, over HTTP. The inbox gets one incident card, and the
 * incident timer (run by hand, on a test clock) adds the closing card.
 */

import type { DevHost } from '../../lib/tools/devhost/devHost';
import { devHostEnvironment } from '../../lib/tools/devhost/sampleEnvironment';
import { deviceAlertPayload } from '../../lib/tools/devhost/stormAlerts';
import { teamsEnvelopeProblems, validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { REPO_ROOT } from '../support/fixtures';
import { loadSample, type Sample } from '../support/incidentHarness';
import { startInboxDevHost } from '../support/inboxDevHost';

const env = devHostEnvironment({}, REPO_ROOT, 7071);
let host: DevHost;
let sample: Sample;
let clock = new Date('2026-11-30T08:00:00Z');

beforeAll(async () => {
  sample = await loadSample();
  host = await startInboxDevHost(env, {
    incidentTimerMs: 0,
    overrides: () => ({ now: () => clock }),
  });
}, 180_000);

afterAll(async () => {
  await host.close();
});

async function post(body: unknown): Promise<number> {
  const response = await fetch(`${host.url}/api/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

async function inbox(): Promise<{ body: { attachments: { content: unknown }[] } }[]> {
  return (await (await fetch(`${host.url}/inbox/messages`)).json()) as {
    body: { attachments: { content: unknown }[] };
  }[];
}

test('a storm of per-device alerts and their Resolved: one incident card, then the closing card', async () => {
  const devices = sample.devices.slice(0, 12);
  for (const device of devices) {
    expect(await post(deviceAlertPayload(sample.template, device, 'Fired'))).toBe(202);
  }
  await host.drain();
  let messages = await inbox();
  expect(messages).toHaveLength(1);
  expect(JSON.stringify(messages[0])).toContain('Incident opened: inc-');

  for (const device of devices) {
    expect(await post(deviceAlertPayload(sample.template, device, 'Resolved'))).toBe(202);
  }
  await host.drain();
  expect(await inbox()).toHaveLength(1);
  expect(host.queue?.deadLetters).toEqual([]);

  // INCIDENT_QUIET_MINUTES=1 on the dev host: two minutes later the timer closes it.
  clock = new Date(clock.getTime() + 2 * 60_000);
  expect(await host.tickIncidents()).toBe(1);
  messages = await inbox();
  expect(messages).toHaveLength(2);
  const closing = messages[0];
  expect(JSON.stringify(closing)).toMatch(/Incident closed: IoT Hub incident/);
  expect(JSON.stringify(closing)).toMatch(/12 devices affected/);
  expect(teamsEnvelopeProblems(closing?.body)).toEqual([]);
  expect(validateAdaptiveCard(closing?.body.attachments[0]?.content).valid).toBe(true);
  expect(await host.tickIncidents()).toBe(0);
}, 180_000);
