/**
 * On-call's answers through the composition root, in memory over the sample workspace: silences
 * added once, ended once, each with a one-line notice to the channel; an until-resolved silence
 * ends when its alert resolves; acknowledging an incident once.
 */

import { acknowledgeIncident, addSilence, expireSilence, listSilences } from '../../lib/app/onCall';
import { ConnectionHarness, HUB } from '../support/connectionHarness';
import { validateWebhookEvent } from '../support/webhookSchema';

function notices(harness: ConnectionHarness): { event: string; title: string }[] {
  return harness.webhook.sent
    .map((body) => JSON.parse(body) as { event: string; title: string })
    .filter((e) => e.event.startsWith('silence.') || e.event.endsWith('.acknowledged'));
}

describe('on-call answers', () => {
  test('a silence is added once and ended once, each with one notice valid against the schema', async () => {
    const harness = new ConnectionHarness('2026-11-20T06:00:00Z');
    const onCall = await harness.provider.onCall();
    const request = {
      matchers: ['hub=contoso-fleet-hub', 'cause=device-or-network'],
      endsAt: '2026-11-20T08:00:00Z',
      createdBy: 'ana',
      comment: 'cellular work at the pump stations',
    };
    const first = await addSilence(request, onCall, 'power-work');
    const again = await addSilence(request, onCall, 'power-work');
    expect([first.created, again.created]).toEqual([true, false]);
    expect((await listSilences(onCall)).map((s) => s.silence.id)).toEqual(['power-work']);
    await expireSilence('power-work', 'ben', onCall);
    await expireSilence('power-work', 'ben', onCall);
    expect(notices(harness).map((n) => n.event)).toEqual(['silence.created', 'silence.ended']);
    expect(notices(harness)[0]?.title).toMatch(
      /^Silenced by ana: hub=contoso-fleet-hub, cause=device-or-network until 08:00 UTC/,
    );
    for (const body of harness.webhook.sent)
      expect(validateWebhookEvent(JSON.parse(body))).toBe(true);
    await expect(expireSilence('no-such', 'ben', onCall)).rejects.toMatchObject({ status: 404 });
    await expect(
      addSilence({ ...request, matchers: ['cause=device-or-network'] }, onCall),
    ).rejects.toMatchObject({ status: 400, path: 'matchers' });
  });

  test('a silence holds a device that stays away; until resolved, it ends when the device is back', async () => {
    const harness = new ConnectionHarness('2026-11-20T06:15:10Z');
    const onCall = await harness.provider.onCall();
    const alertId = `eventgrid:${HUB}/devices/pump-station-7/drops/${(0x2000).toString(16).toUpperCase().padStart(64, '0')}`;
    await addSilence(
      {
        matchers: ['device=pump-station-7'],
        untilResolved: { kind: 'alert', id: alertId },
        createdBy: 'ana',
      },
      onCall,
      'mute-pump',
    );
    const event = (state: 'connected' | 'disconnected', n: number, at: string) => ({
      id: `e${n}`,
      topic: HUB.toUpperCase(),
      subject: 'devices/pump-station-7',
      eventType:
        state === 'connected'
          ? 'Microsoft.Devices.DeviceConnected'
          : 'Microsoft.Devices.DeviceDisconnected',
      eventTime: at,
      data: {
        deviceConnectionStateEventInfo: { sequenceNumber: n.toString(16).padStart(64, '0') },
        hubName: 'contoso-fleet-hub',
        deviceId: 'pump-station-7',
      },
      dataVersion: '1',
      metadataVersion: '1',
    });
    await harness.deliver([event('disconnected', 0x2000, '2026-11-20T06:14:50Z')]);
    await harness.advanceTo('2026-11-20T06:18:10Z');
    expect(harness.posted.filter((p) => p.event === 'alert.enriched')).toEqual([]);
    expect((await onCall.silences.get('mute-pump'))?.held).toBe(1);
    // Counted for the digest, though not posted.
    const summary = await harness.activity.summarise(
      HUB,
      '2026-11-20T00:00:00Z',
      '2026-11-21T00:00:00Z',
    );
    expect(summary.heldBySilences).toBe(1);

    await harness.advanceTo('2026-11-20T06:19:00Z');
    await harness.deliver([event('connected', 0x2001, '2026-11-20T06:18:50Z')]);
    await harness.advanceTo('2026-11-20T06:19:01Z');
    // Its Resolved is kept quiet (the card never went out), and the silence has ended.
    expect(harness.posted.map((p) => p.event)).toEqual(['silence.created', 'silence.ended']);
    expect((await onCall.silences.get('mute-pump'))?.silence.endedAt).toBeDefined();
  });

  test('an unknown incident cannot be acknowledged; a name is required', async () => {
    const harness = new ConnectionHarness('2026-11-20T06:00:00Z');
    const onCall = await harness.provider.onCall();
    await expect(acknowledgeIncident('inc-none', 'ana', onCall)).rejects.toMatchObject({
      status: 404,
    });
    await expect(acknowledgeIncident('inc-none', '  ', onCall)).rejects.toMatchObject({
      status: 400,
    });
  });
});
