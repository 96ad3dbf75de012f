/**
 * The connection-event path on the dev host, over HTTP: the Event Grid webhook at the Functions
 * host's address (the handshakes, bad and good batches, the limits), the reconnect grace on the
 * dev host's movable clock, and what `npm run demo -- --events` shows, run in-process against a
 * dev host of the test's own. No test waits on real time: the clock route moves time.
 */

import type { DevHost } from '../../lib/tools/devhost/devHost';
import { replayConnectionDay, replaySummary } from '../../lib/tools/devhost/demoEvents';
import { cardKind } from '../../lib/tools/devhost/inboxCards';
import { devHostEnvironment } from '../../lib/tools/devhost/sampleEnvironment';
import { teamsEnvelopeProblems, validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { REPO_ROOT } from '../support/fixtures';
import { startInboxDevHost } from '../support/inboxDevHost';
import { HUB } from '../support/scenario';

const env = devHostEnvironment({}, REPO_ROOT, 7071);
const WEBHOOK = '/runtime/webhooks/eventgrid?functionName=connectionEvents';

let sequence = 0x100;

function deviceEvent(state: 'connected' | 'disconnected', deviceId: string, at: string) {
  sequence += 1;
  return {
    id: `ev-${deviceId}-${sequence}`,
    topic: HUB.toUpperCase(),
    subject: `devices/${deviceId}`,
    eventType:
      state === 'connected'
        ? 'Microsoft.Devices.DeviceConnected'
        : 'Microsoft.Devices.DeviceDisconnected',
    eventTime: at,
    data: {
      deviceConnectionStateEventInfo: { sequenceNumber: sequence.toString(16).padStart(64, '0') },
      hubName: 'contoso-fleet-hub',
      deviceId,
    },
    dataVersion: '1',
    metadataVersion: '1',
  };
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function request(host: DevHost, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${host.url}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
  };
}

function deliver(host: DevHost, body: unknown, eventType = 'Notification', path = WEBHOOK) {
  return request(host, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'aeg-event-type': eventType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function moveClock(host: DevHost, to: unknown) {
  return request(host, '/dev/clock', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to }),
  });
}

async function inbox(host: DevHost): Promise<{ body: unknown }[]> {
  return (await (await fetch(`${host.url}/inbox/messages`)).json()) as { body: unknown }[];
}

describe('the Event Grid webhook on the dev host', () => {
  let host: DevHost;
  beforeAll(async () => {
    host = await startInboxDevHost(env, { incidentTimerMs: 0 });
  });
  afterAll(async () => {
    await host.close();
  });

  test('answers the subscription handshake with its validation code', async () => {
    const answer = await deliver(
      host,
      [
        {
          id: 'a1b2',
          topic: HUB.toUpperCase(),
          subject: '',
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          eventTime: '2026-11-20T05:00:00Z',
          data: {
            validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
            validationUrl: 'https://rp-westeurope.eventgrid.azure.net/validate?id=a1b2',
          },
          dataVersion: '2',
          metadataVersion: '1',
        },
      ],
      'SubscriptionValidation',
    );
    expect(answer).toMatchObject({
      status: 200,
      body: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' },
    });
  });

  test('answers the CloudEvents webhook handshake (OPTIONS) with the allowed origin', async () => {
    const answer = await request(host, WEBHOOK, {
      method: 'OPTIONS',
      headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    expect((await request(host, WEBHOOK, { method: 'OPTIONS' })).body.error as string).toMatch(
      /WebHook-Request-Origin/,
    );
  });

  test('a malformed batch gets 400 and its readable events are kept; a good batch gets 200', async () => {
    const bad = await deliver(host, [
      deviceEvent('disconnected', 'bench-device-1', '2026-11-20T05:00:00Z'),
      { id: 'x', eventType: 'Microsoft.Devices.DeviceConnected' },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ recorded: 1, invalid: 1, path: '[1]' });
    const good = await deliver(host, [
      deviceEvent('connected', 'bench-device-1', '2026-11-20T05:01:00Z'),
      deviceEvent('connected', 'bench-device-2', '2026-11-20T05:01:00Z'),
    ]);
    expect(good).toMatchObject({ status: 200, body: { recorded: 2, invalid: 0 } });
    expect((await deliver(host, 'not json')).status).toBe(400);
  });

  test('an unknown function is 404, a GET 405, a body over 1 MB 413', async () => {
    const unknown = await deliver(
      host,
      [],
      'Notification',
      '/runtime/webhooks/eventgrid?functionName=other',
    );
    expect(unknown).toMatchObject({ status: 404, body: { path: 'functionName' } });
    expect((await request(host, WEBHOOK)).status).toBe(405);
    const huge = await deliver(host, `[${'"x",'.repeat(300_000)}"x"]`);
    expect(huge.status).toBe(413);
  });
});

describe('the dev clock', () => {
  let host: DevHost;
  beforeAll(async () => {
    host = await startInboxDevHost(env, { incidentTimerMs: 0 });
  });
  afterAll(async () => {
    await host.close();
  });

  test('a GET reads the clock and changes nothing; a time that is not one is 400', async () => {
    const first = await request(host, '/dev/clock');
    expect(first.body).toMatchObject({ moved: false });
    expect((await request(host, '/dev/clock')).body).toMatchObject({ moved: false });
    expect(host.clock.hasMoved).toBe(false);
    expect((await moveClock(host, 'tomorrow')).status).toBe(400);
    expect((await moveClock(host, 5)).status).toBe(400);
    expect(host.clock.hasMoved).toBe(false);
  });

  test('a disconnect and the clock moved past the grace: one card in the inbox; the clock never goes back', async () => {
    // pump-station-7 drops at 06:14:27 (samples/README.md); the 06:15 snapshot reports it.
    expect((await moveClock(host, '2026-11-20T06:15:00Z')).status).toBe(200);
    expect(
      (await deliver(host, [deviceEvent('disconnected', 'pump-station-7', '2026-11-20T06:15:00Z')]))
        .status,
    ).toBe(200);
    const inside = await moveClock(host, '2026-11-20T06:17:58Z');
    expect(inside.body).toMatchObject({ checks: {} });
    expect(await inbox(host)).toHaveLength(0);

    const past = await moveClock(host, '2026-11-20T06:18:05Z');
    expect(past).toMatchObject({ status: 200, body: { checks: { alerted: 1 } } });
    const messages = await inbox(host);
    expect(messages.map((m) => cardKind(m.body))).toEqual(['alert']);
    expect(JSON.stringify(messages[0]?.body)).toContain('pump-station-7');
    expect(teamsEnvelopeProblems(messages[0]?.body)).toEqual([]);

    const back = await moveClock(host, '2026-11-20T06:00:00Z');
    expect(back.status).toBe(400);
    expect(back.body.error).toMatch(/only moves forward/);
  });
});

describe('npm run demo -- --events', () => {
  let host: DevHost;
  beforeAll(async () => {
    host = await startInboxDevHost(env, { incidentTimerMs: 0 });
  });
  afterAll(async () => {
    await host.close();
  });

  test('renewals post nothing, the device that stays away gets a card and a follow-up, the outage one incident card', async () => {
    const outcome = await replayConnectionDay(host.url);
    expect(outcome.expectations.map((e) => [e.what.split(':')[0], e.expected, e.got])).toEqual(
      outcome.expectations.map((e) => [e.what.split(':')[0], e.expected, e.expected]),
    );
    expect(outcome.ok).toBe(true);
    expect(replaySummary(outcome, host.url).join('\n')).toContain('As expected.');
    expect(outcome.messages).toEqual({ alert: 1, 'follow-up': 1, 'incident-opened': 1 });
    expect(outcome.day.renewalDevices).toContain('thermostat-0042');
    expect(outcome.intake).toMatchObject({ recorded: outcome.events, invalid: 0, duplicates: 0 });
    // Every renewal came back within its grace; every incident device was alerted, then followed up.
    expect(outcome.checks.back).toBeGreaterThanOrEqual(outcome.day.renewalDevices.length);
    expect(outcome.checks.alerted).toBe(outcome.day.incidentDevices.length + 1);
    expect(outcome.checks['followed-up']).toBe(outcome.day.incidentDevices.length + 1);
    for (const message of await inbox(host)) {
      expect(
        validateAdaptiveCard(
          (message.body as { attachments: { content: unknown }[] }).attachments[0]?.content,
        ).errors,
      ).toEqual([]);
    }
    // A second replay needs a fresh host: its clock has moved and its records hold the sequence numbers.
    await expect(replayConnectionDay(host.url)).rejects.toThrow(/restart it/);
  }, 120_000);
});
