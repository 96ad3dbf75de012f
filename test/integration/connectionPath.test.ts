/**
 * The connection-event path end to end in one process, over the sample workspace: Event Grid
 * deliveries, the reconnect grace on a simulated clock, and the real pipeline (evidence,
 * diagnosis, incident policy, render, deliver) behind it.
 */

import { MAX_LOG_WAITS } from '../../lib/app/runConnectionCheck';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { stormDevices } from '../../lib/tools/devhost/stormAlerts';
import { validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { ConnectionHarness, HUB } from '../support/connectionHarness';
import { readJson, repoPath } from '../support/fixtures';
import { validateWebhookEvent } from '../support/webhookSchema';

let sequence = 0x1000;

/** One Event Grid event for the sample hub, with a fresh (increasing) sequence number. */
function egEvent(
  state: 'connected' | 'disconnected',
  deviceId: string,
  at: string,
  moduleId?: string,
): Record<string, unknown> {
  sequence += 7;
  return {
    id: `ev-${deviceId}-${sequence}`,
    topic: HUB.toUpperCase(),
    subject:
      moduleId === undefined ? `devices/${deviceId}` : `devices/${deviceId}/modules/${moduleId}`,
    eventType:
      state === 'connected'
        ? 'Microsoft.Devices.DeviceConnected'
        : 'Microsoft.Devices.DeviceDisconnected',
    eventTime: at,
    data: {
      deviceConnectionStateEventInfo: { sequenceNumber: sequence.toString(16).padStart(64, '0') },
      hubName: 'contoso-fleet-hub',
      deviceId,
      ...(moduleId !== undefined && { moduleId }),
    },
    dataVersion: '1',
    metadataVersion: '1',
  };
}

function checkEveryMessage(harness: ConnectionHarness): void {
  for (const event of harness.posted) {
    expect({
      event: event.event,
      errors: validateWebhookEvent(event) ? [] : validateWebhookEvent.errors,
    }).toEqual({
      event: event.event,
      errors: [],
    });
  }
  for (const body of harness.teams.sent) {
    const card = (JSON.parse(body) as { attachments: { content: unknown }[] }).attachments[0]
      ?.content;
    expect(validateAdaptiveCard(card).errors).toEqual([]);
  }
}

describe('the connection-event path on the sample workspace', () => {
  test('a device that stays away: one card after the grace, then a follow-up naming it', async () => {
    // pump-station-7 drops at 06:14:27 (404104) and is back at 06:18:34; snapshots come late.
    const harness = new ConnectionHarness('2026-11-20T06:15:10Z');
    expect(
      (await harness.deliver([egEvent('disconnected', 'pump-station-7', '2026-11-20T06:14:50Z')]))
        .status,
    ).toBe(200);
    await harness.advanceTo('2026-11-20T06:18:09Z');
    expect(harness.posted).toHaveLength(0);
    await harness.advanceTo('2026-11-20T06:18:10Z');
    expect(harness.posted).toHaveLength(1);
    const card = harness.posted[0]!;
    expect(card.event).toBe('alert.enriched');
    expect(card.data.alert).toMatchObject({
      signal: 'connection-event',
      deviceIds: ['pump-station-7'],
      connection: { droppedAt: '2026-11-20T06:14:50.000Z', graceSeconds: 180, logsArrived: true },
    });
    expect(harness.teams.sent[0]).toContain('has been offline for more than 3 min');

    await harness.advanceTo('2026-11-20T06:19:00Z');
    await harness.deliver([egEvent('connected', 'pump-station-7', '2026-11-20T06:18:50Z')]);
    await harness.advanceTo('2026-11-20T06:19:01Z');
    expect(harness.posted.map((p) => p.event)).toEqual(['alert.enriched', 'alert.resolved']);
    const followUp = harness.posted[1]!;
    expect(followUp.data.original).toMatchObject({ alertId: card.data.alert?.id });
    expect(harness.teams.sent[1]).toContain('4 min');
    checkEveryMessage(harness);
  });

  test('hourly renewals that come back inside the grace post nothing and are counted', async () => {
    const harness = new ConnectionHarness('2026-11-20T00:00:00Z');
    const drops = ['00:38:20', '01:44:00', '02:49:40', '03:54:10', '04:59:50'];
    for (const time of drops) {
      const [h, m, s] = time.split(':').map(Number) as [number, number, number];
      const back = new Date(Date.UTC(2026, 10, 20, h, m, s + 40)).toISOString();
      await harness.advanceTo(`2026-11-20T${time}Z`);
      await harness.deliver([egEvent('disconnected', 'thermostat-0042', `2026-11-20T${time}Z`)]);
      await harness.advanceTo(back);
      await harness.deliver([egEvent('connected', 'thermostat-0042', back)]);
    }
    await harness.advanceTo('2026-11-20T05:10:00Z');
    expect(harness.posted).toHaveLength(0);
    const summary = await harness.activity.summarise(
      HUB,
      '2026-11-20T00:00:00Z',
      '2026-11-21T00:00:00Z',
    );
    expect(summary.reconnectsInGrace).toBe(drops.length);
  });

  test('just inside the grace is quiet; just outside it posts', async () => {
    // Received at 06:15:10, so the check is due at 06:18:10.
    const inside = new ConnectionHarness('2026-11-20T06:15:10Z');
    await inside.deliver([egEvent('disconnected', 'pump-station-7', '2026-11-20T06:14:50Z')]);
    await inside.advanceTo('2026-11-20T06:18:09Z');
    await inside.deliver([egEvent('connected', 'pump-station-7', '2026-11-20T06:18:00Z')]);
    await inside.advanceTo('2026-11-20T06:30:00Z');
    expect(inside.posted).toHaveLength(0);

    const outside = new ConnectionHarness('2026-11-20T06:15:10Z');
    await outside.deliver([egEvent('disconnected', 'pump-station-7', '2026-11-20T06:14:50Z')]);
    await outside.advanceTo('2026-11-20T06:18:11Z');
    await outside.deliver([egEvent('connected', 'pump-station-7', '2026-11-20T06:18:05Z')]);
    await outside.advanceTo('2026-11-20T06:30:00Z');
    expect(outside.posted.map((p) => p.event)).toEqual(['alert.enriched', 'alert.resolved']);
  });

  test.each([
    ['the log search alert first', true],
    ['the Event Grid drop first', false],
  ])('one message per drop when it comes both ways: %s', async (_name, alertFirst) => {
    const harness = new ConnectionHarness('2026-11-20T06:14:50Z');
    const logAlert = readJson('samples', 'alerts', 'flaky-network-pump-station-7.json');
    await harness.deliver([egEvent('disconnected', 'pump-station-7', '2026-11-20T06:14:50Z')]);
    if (alertFirst) {
      await harness.advanceTo('2026-11-20T06:16:30Z');
      await harness.alert(logAlert);
      await harness.advanceTo('2026-11-20T06:18:00Z');
    } else {
      await harness.advanceTo('2026-11-20T06:18:00Z');
      await harness.alert(logAlert);
    }
    expect(harness.posted.filter((p) => p.event === 'alert.enriched')).toHaveLength(1);
    expect(harness.posted[0]?.data.alert?.signal).toBe(alertFirst ? 'log' : 'connection-event');
  });

  test('a module identity is its own identity, and the card says so', async () => {
    const harness = new ConnectionHarness('2026-11-20T06:15:10Z');
    await harness.deliver([
      egEvent('disconnected', 'pump-station-7', '2026-11-20T06:14:50Z', 'edgeAgent'),
      egEvent('connected', 'pump-station-7', '2026-11-20T06:14:55Z'),
    ]);
    await harness.advanceTo('2026-11-20T06:18:10Z');
    expect(harness.posted).toHaveLength(1);
    expect(harness.posted[0]?.data.alert).toMatchObject({ connection: { moduleId: 'edgeAgent' } });
    expect(harness.teams.sent[0]).toContain('a module identity');
    checkEveryMessage(harness);
  });

  test('when the drop never reaches the logs, the check waits a bounded time, then says so', async () => {
    const harness = new ConnectionHarness('2026-11-20T06:15:10Z');
    await harness.deliver([egEvent('disconnected', 'not-in-the-logs-1', '2026-11-20T06:14:50Z')]);
    await harness.advanceTo('2026-11-20T06:18:10Z');
    expect(harness.posted).toHaveLength(0);
    await harness.advanceTo(`2026-11-20T06:${18 + MAX_LOG_WAITS - 1}:09Z`);
    expect(harness.posted).toHaveLength(0);
    await harness.advanceTo(`2026-11-20T06:${18 + MAX_LOG_WAITS}:11Z`);
    expect(harness.posted).toHaveLength(1);
    expect(harness.posted[0]?.data.alert).toMatchObject({ connection: { logsArrived: false } });
    expect(harness.teams.sent[0]).toContain('had not reached the Log Analytics workspace');
    checkEveryMessage(harness);
  });

  test('a hub outage of 125 devices is one incident, not 125 cards', async () => {
    const harness = new ConnectionHarness('2026-11-20T05:12:00Z');
    const source = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
    const devices = stormDevices(
      source.events,
      HUB,
      '2026-11-20T05:12:00Z',
      '2026-11-20T05:15:00Z',
    );
    expect(devices.length).toBeGreaterThan(100);
    const events = devices.map((d) =>
      egEvent('disconnected', d.deviceId, new Date(Date.parse(d.droppedAt) + 30_000).toISOString()),
    );
    await harness.advanceTo('2026-11-20T05:15:30Z');
    expect((await harness.deliver(events)).status).toBe(200);
    await harness.advanceTo('2026-11-20T05:25:00Z');
    const kinds = harness.posted.map((p) => p.event);
    expect(kinds.filter((k) => k === 'alert.enriched')).toEqual([]);
    expect(kinds.filter((k) => k === 'incident.opened')).toHaveLength(1);
    expect(kinds.length).toBeLessThanOrEqual(3);
  }, 60_000);
});
