/**
 * The page behind a card's action links, over the real on-call operations in memory: a GET says
 * what will happen and changes nothing; the POST does it once; every refused token has its page
 * and status; free text is shown as text.
 */

import { randomBytes } from 'node:crypto';

import {
  type ActionClaims,
  type SigningKeys,
  signActionToken,
} from '../../lib/actions/actionToken';
import { actionPageServices } from '../../lib/app/triggers';
import type { OnCallServices } from '../../lib/app/onCall';
import type { Logger } from '../../lib/common/logger';
import type { AlertMemo } from '../../lib/incidents/incident';
import type { NoticeMessage } from '../../lib/incidents/outgoingMessage';
import {
  type ActionPageRequest,
  type ActionPageServices,
  handleActionPage,
  MAX_ACTION_FORM_BYTES,
} from '../../lib/intake/handleActionPage';
import { InMemoryIncidentStore } from '../../lib/state/memory/memoryIncidentStore';
import { InMemorySilenceStore } from '../../lib/state/memory/memorySilenceStore';
import { incidentRecord } from '../unit/render/incidentFixture';

const NOW = new Date('2026-11-20T06:00:00Z');
const HUB = incidentRecord().hubResourceId.toLowerCase();
const keys: SigningKeys = { currentKeyId: 'k1', keys: { k1: randomBytes(32) } };
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface World {
  readonly services: ActionPageServices;
  readonly incidents: InMemoryIncidentStore;
  readonly silences: InMemorySilenceStore;
  readonly notices: NoticeMessage[];
}

const MEMO: AlertMemo = {
  alertId: 'alert-7',
  rule: 'sqr-iothub-404104',
  firedAt: '2026-11-20T05:50:00Z',
  cause: 'device-or-network',
  scope: 'device',
  confidence: 0.8,
  summary: 'pump-station-7 dropped.',
  devices: ['pump-station-7'],
  handling: 'card',
};

async function world(): Promise<World> {
  const incidents = new InMemoryIncidentStore();
  await incidents.insert(incidentRecord());
  await incidents.remember(MEMO);
  const silences = new InMemorySilenceStore();
  const notices: NoticeMessage[] = [];
  const onCall: OnCallServices = {
    silences,
    incidents,
    silenceMaxDays: 30,
    notify: (n) => {
      notices.push(n);
      return Promise.resolve();
    },
    log: quiet,
    now: () => NOW,
  };
  return { services: await actionPageServices(onCall, keys, quiet), incidents, silences, notices };
}

function token(claims: Partial<ActionClaims> & Pick<ActionClaims, 'action'>, with_ = keys): string {
  return signActionToken(
    {
      target: 'inc-1',
      hub: HUB,
      cause: 'iot-hub-transient',
      expiresAt: NOW.getTime() / 1000 + 3600,
      ...claims,
    },
    with_,
  );
}

function get(t: string, extra: Partial<ActionPageRequest> = {}): ActionPageRequest {
  return {
    method: 'GET',
    token: t,
    readBody: () => Promise.reject(new Error('no body')),
    ...extra,
  };
}

function post(t: string, by: string, extra: Partial<ActionPageRequest> = {}): ActionPageRequest {
  const body = new TextEncoder().encode(new URLSearchParams({ by }).toString());
  return {
    method: 'POST',
    token: t,
    contentType: 'application/x-www-form-urlencoded',
    declaredLength: body.byteLength,
    readBody: () => Promise.resolve(body),
    ...extra,
  };
}

async function snapshot(w: World): Promise<string> {
  return JSON.stringify([
    await w.incidents.activeIncidents(),
    await w.incidents.recall('alert-7'),
    await w.silences.list(NOW),
    w.notices,
  ]);
}

describe('GET says what will happen and changes nothing', () => {
  test('acknowledge an incident: the sentence, a form posting back, the safety headers', async () => {
    const w = await world();
    const before = await snapshot(w);
    const t = token({ action: 'ack-incident' });
    const page = await handleActionPage(get(t), w.services);
    expect(page.status).toBe(200);
    expect(page.body).toContain(
      'Acknowledge incident on contoso-fleet-hub (iot-hub-transient, 125 devices)',
    );
    expect(page.body).toContain(`<form method="post" action="?token=${encodeURIComponent(t)}">`);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(await snapshot(w)).toBe(before);
  });

  test('every action: a GET leaves the stores as they were', async () => {
    const w = await world();
    const before = await snapshot(w);
    for (const t of [
      token({ action: 'ack-incident' }),
      token({ action: 'ack-alert', target: 'alert-7' }),
      token({ action: 'mute-device', target: 'alert-7', device: 'pump-station-7', minutes: 240 }),
      token({ action: 'mute-site', site: '81.2.69.XXX', untilResolved: true }),
    ]) {
      expect((await handleActionPage(get(t), w.services)).status).toBe(200);
    }
    expect(await snapshot(w)).toBe(before);
  });

  test('the signed-in user is prefilled read-only, escaped', async () => {
    const w = await world();
    const page = await handleActionPage(
      get(token({ action: 'ack-incident' }), { principalName: 'ana@contoso.com"><b>' }),
      w.services,
    );
    expect(page.body).toContain('value="ana@contoso.com&quot;&gt;&lt;b&gt;" readonly');
  });
});

describe('POST does it, once', () => {
  test('acknowledging an incident twice keeps the first; one notice', async () => {
    const w = await world();
    const t = token({ action: 'ack-incident' });
    const first = await handleActionPage(post(t, 'Ana'), w.services);
    expect(first.status).toBe(200);
    expect(first.body).toContain('Acknowledged by Ana');
    const second = await handleActionPage(post(t, 'Ben'), w.services);
    expect(second.body).toContain('Already acknowledged by Ana');
    const [incident] = await w.incidents.activeIncidents();
    expect(incident?.value.acknowledged?.by).toBe('Ana');
    expect(w.notices.map((n) => n.event)).toEqual(['incident.acknowledged']);
  });

  test('acknowledging an alert', async () => {
    const w = await world();
    const t = token({ action: 'ack-alert', target: 'alert-7' });
    expect((await handleActionPage(post(t, 'Ana'), w.services)).status).toBe(200);
    expect((await w.incidents.recall('alert-7'))?.acknowledged?.by).toBe('Ana');
  });

  test('muting a device for 4 h, twice, is one silence naming the cause', async () => {
    const w = await world();
    const t = token({
      action: 'mute-device',
      target: 'alert-7',
      device: 'pump-station-7',
      cause: 'device-or-network',
      minutes: 240,
    });
    expect((await handleActionPage(post(t, 'Ana'), w.services)).body).toContain(
      'Muted by Ana until 2026-11-20 10:00 UTC',
    );
    const again = await handleActionPage(post(t, 'Ben'), w.services);
    expect(again.body).toContain('This link was used already');
    const listed = await w.silences.list(NOW);
    expect(listed).toHaveLength(1);
    expect(listed[0]?.silence).toMatchObject({
      origin: 'card',
      createdBy: 'Ana',
      endsAt: '2026-11-20T10:00:00.000Z',
      matchers: expect.arrayContaining([
        { field: 'device', op: '=', value: 'pump-station-7' },
        { field: 'cause', op: '=', value: 'device-or-network' },
      ]) as unknown,
    });
  });

  test('muting a site until the incident is resolved', async () => {
    const w = await world();
    const t = token({ action: 'mute-site', site: '81.2.69.XXX', untilResolved: true });
    await handleActionPage(post(t, 'Ana'), w.services);
    const [stored] = await w.silences.list(NOW);
    expect(stored?.silence.untilResolved).toEqual({ kind: 'incident', id: 'inc-1' });
  });

  test('a name with markup is shown escaped; an empty name is refused', async () => {
    const w = await world();
    const t = token({ action: 'ack-incident' });
    const page = await handleActionPage(post(t, '<script>alert(1)</script>'), w.services);
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(
      (await handleActionPage(post(t, '  '), await world().then((x) => x.services))).status,
    ).toBe(400);
  });

  test('the form is a small url-encoded post', async () => {
    const w = await world();
    const t = token({ action: 'ack-incident' });
    expect(
      (await handleActionPage(post(t, 'Ana', { contentType: 'application/json' }), w.services))
        .status,
    ).toBe(415);
    expect(
      (
        await handleActionPage(
          post(t, 'Ana', { declaredLength: MAX_ACTION_FORM_BYTES + 1 }),
          w.services,
        )
      ).status,
    ).toBe(413);
    expect(w.notices).toEqual([]);
  });
});

describe('a link that does not work', () => {
  const other: SigningKeys = { currentKeyId: 'old', keys: { old: randomBytes(32) } };
  const good = () => token({ action: 'ack-incident' });
  test.each([
    ['malformed', () => 'not-a-token', 400, 'not a link the enricher made'],
    ['tampered', () => `${good().split('.')[0] ?? ''}.AAAA`, 403, 'changed after it was made'],
    ['unknown-key', () => token({ action: 'ack-incident' }, other), 403, 'no longer has'],
    [
      'expired',
      () => token({ action: 'ack-incident', expiresAt: NOW.getTime() / 1000 - 1 }),
      410,
      'has expired',
    ],
  ])('%s: its page and status, nothing done', async (_, make, status, text) => {
    const w = await world();
    const before = await snapshot(w);
    for (const request of [get(make()), post(make(), 'Ana')]) {
      const page = await handleActionPage(request, w.services);
      expect(page.status).toBe(status);
      expect(page.body).toContain(text);
      expect(page.headers['cache-control']).toBe('no-store');
    }
    expect(await snapshot(w)).toBe(before);
  });

  test('an incident that is over is a 404 page', async () => {
    const w = await world();
    const t = token({ action: 'ack-incident', target: 'inc-gone' });
    expect((await handleActionPage(get(t), w.services)).status).toBe(404);
  });
});
