/**
 * The on-call API's handler over memory stores: what each route answers, the refusals with the
 * field at fault, the body cap, the caller check, and that a GET changes nothing.
 */

import type { OnCallServices } from '../../../lib/app/onCall';
import { onCallOperations } from '../../../lib/app/triggers';
import type { IncidentRecord } from '../../../lib/incidents/incident';
import { UnauthorizedError } from '../../../lib/common/errors';
import {
  handleOnCallRequest,
  MAX_ON_CALL_BODY_BYTES,
  type OnCallHandlerServices,
  type OnCallRequest,
} from '../../../lib/intake/handleOnCallRequest';
import { parseDuration } from '../../../lib/intake/silenceBody';
import type { NoticeMessage } from '../../../lib/incidents/outgoingMessage';
import { parseMaintenanceWindows } from '../../../lib/silences/maintenanceWindows';
import { InMemoryIncidentStore } from '../../../lib/state/memory/memoryIncidentStore';
import { InMemorySilenceStore } from '../../../lib/state/memory/memorySilenceStore';

const NOW = new Date('2026-11-22T03:00:00Z'); // a Sunday
const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourceGroups/iot-prod/providers/Microsoft.Devices/IotHubs/contoso-fleet-hub';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function setup(extra: Partial<OnCallHandlerServices> = {}) {
  const notices: NoticeMessage[] = [];
  const silences = new InMemorySilenceStore();
  const incidents = new InMemoryIncidentStore();
  const onCall: OnCallServices = {
    silences,
    incidents,
    silenceMaxDays: 30,
    notify: async (n) => {
      notices.push(n);
    },
    log: quiet,
    now: () => NOW,
  };
  const services: OnCallHandlerServices = {
    operations: onCallOperations(onCall),
    log: quiet,
    now: () => NOW,
    maintenanceWindows: parseMaintenanceWindows(
      JSON.stringify([
        {
          name: 'sunday-patch',
          matchers: ['hub=contoso-fleet-hub'],
          days: ['sun'],
          start: '02:00',
          end: '04:00',
        },
      ]),
    ).windows,
    ...extra,
  };
  return { services, notices, silences, incidents };
}

function request(
  route: OnCallRequest['route'],
  method: string,
  body?: unknown,
  more: Partial<OnCallRequest> = {},
): OnCallRequest {
  const bytes = new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body));
  return { route, method, readBody: async () => bytes, ...more };
}

const SILENCE = {
  matchers: ['hub=contoso-fleet-hub', 'device=~pump-*'],
  duration: '4h',
  createdBy: 'ana',
  comment: 'cellular work',
};

describe('POST /api/silences', () => {
  test('201 with the silence, 200 when the same id exists; one notice', async () => {
    const { services, notices } = setup();
    const first = await handleOnCallRequest(
      request('silences', 'POST', { ...SILENCE, id: 'pumps' }),
      services,
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: 'pumps',
      matchers: ['hub=contoso-fleet-hub', 'device=~pump-*'],
      startsAt: '2026-11-22T03:00:00.000Z',
      endsAt: '2026-11-22T07:00:00.000Z',
      createdBy: 'ana',
      comment: 'cellular work',
      held: 0,
      active: true,
    });
    const again = await handleOnCallRequest(
      request('silences', 'POST', { ...SILENCE, id: 'pumps' }),
      services,
    );
    expect(again.status).toBe(200);
    expect(notices.map((n) => n.event)).toEqual(['silence.created']);
  });

  test.each([
    [{ ...SILENCE, matchers: ['cause=device-or-network'] }, 'matchers'],
    [{ ...SILENCE, matchers: ['colour=red'] }, 'matchers[0]'],
    [{ ...SILENCE, matchers: 'hub=x' }, 'matchers'],
    [{ ...SILENCE, createdBy: undefined }, 'createdBy'],
    [{ ...SILENCE, duration: '4 hours' }, 'duration'],
    [{ ...SILENCE, endsAt: '2026-11-22T05:00:00Z' }, 'duration'],
    [{ ...SILENCE, duration: undefined, endsAt: 'soon' }, 'endsAt'],
    [{ ...SILENCE, duration: '40d' }, 'endsAt'],
    [{ ...SILENCE, untilResolved: { kind: 'device', id: 'x' } }, 'untilResolved.kind'],
    [{ ...SILENCE, id: 'a/b' }, 'id'],
    [{ ...SILENCE, all: 'yes' }, 'all'],
  ])('400 names the field: %#', async (body, path) => {
    const { services, silences } = setup();
    const response = await handleOnCallRequest(request('silences', 'POST', body), services);
    expect(response).toMatchObject({ status: 400, body: { path } });
    expect(await silences.list(NOW)).toEqual([]);
  });

  test('a broad silence passes with all: true; until resolved lasts at most the bound', async () => {
    const { services } = setup();
    const broad = await handleOnCallRequest(
      request('silences', 'POST', { ...SILENCE, matchers: ['cause=device-or-network'], all: true }),
      services,
    );
    expect(broad).toMatchObject({ status: 201, body: { all: true } });
    const untilResolved = await handleOnCallRequest(
      request('silences', 'POST', {
        matchers: ['device=meter-19'],
        untilResolved: { kind: 'incident', id: 'inc-1' },
        createdBy: 'ben',
      }),
      services,
    );
    expect(untilResolved).toMatchObject({
      status: 201,
      body: {
        untilResolved: { kind: 'incident', id: 'inc-1' },
        endsAt: '2026-12-22T03:00:00.000Z',
      },
    });
  });

  test('too many live silences: 429', async () => {
    const { services, silences } = setup();
    jest.spyOn(silences, 'list').mockResolvedValue(
      Array.from({ length: 5000 }, (_, i) => ({
        silence: {
          id: `s${i}`,
          matchers: [],
          startsAt: NOW.toISOString(),
          endsAt: '2026-11-23T00:00:00Z',
          createdBy: 'x',
          comment: '',
          createdAt: NOW.toISOString(),
          origin: 'api' as const,
        },
        held: 0,
      })),
    );
    const response = await handleOnCallRequest(request('silences', 'POST', SILENCE), services);
    expect(response.status).toBe(429);
  });

  test('bodies over 64 KiB: 413, declared or read; bad JSON is 400 without echoing it', async () => {
    const { services } = setup();
    const declared = await handleOnCallRequest(
      request('silences', 'POST', SILENCE, { declaredLength: MAX_ON_CALL_BODY_BYTES + 1 }),
      services,
    );
    expect(declared.status).toBe(413);
    const big = { ...SILENCE, comment: 'x'.repeat(MAX_ON_CALL_BODY_BYTES) };
    expect((await handleOnCallRequest(request('silences', 'POST', big), services)).status).toBe(
      413,
    );
    const secret = 'AccountKey=c2VjcmV0';
    const bad = await handleOnCallRequest(
      {
        route: 'silences',
        method: 'POST',
        readBody: async () => new TextEncoder().encode(`{"${secret}`),
      },
      services,
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toContain(secret);
  });
});

describe('GET and DELETE /api/silences', () => {
  test('the list: silences with held and active, maintenance windows; a GET changes nothing', async () => {
    const { services, silences, notices } = setup();
    await handleOnCallRequest(request('silences', 'POST', { ...SILENCE, id: 'pumps' }), services);
    await silences.noteHeld(['pumps'], 3);
    const before = JSON.stringify(await silences.list(NOW));
    const list = await handleOnCallRequest(request('silences', 'GET'), services);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      silences: [{ id: 'pumps', held: 3, active: true }],
      maintenanceWindows: [
        {
          name: 'sunday-patch',
          matchers: ['hub=contoso-fleet-hub'],
          days: ['sun'],
          start: '02:00',
          end: '04:00',
          active: true,
        },
      ],
    });
    const one = await handleOnCallRequest(
      request('silences', 'GET', undefined, { id: 'pumps' }),
      services,
    );
    expect(one).toMatchObject({ status: 200, body: { id: 'pumps' } });
    expect(JSON.stringify(await silences.list(NOW))).toBe(before);
    expect(notices).toHaveLength(1);
  });

  test('DELETE ends it (200, with endedBy), needs ?by, 404 for an unknown id, caps the id', async () => {
    const { services, notices } = setup();
    await handleOnCallRequest(request('silences', 'POST', { ...SILENCE, id: 'pumps' }), services);
    const noBy = await handleOnCallRequest(
      request('silences', 'DELETE', undefined, { id: 'pumps' }),
      services,
    );
    expect(noBy).toMatchObject({ status: 400, body: { path: 'by' } });
    const ended = await handleOnCallRequest(
      request('silences', 'DELETE', undefined, { id: 'pumps', by: 'ben' }),
      services,
    );
    expect(ended).toMatchObject({
      status: 200,
      body: { id: 'pumps', endedBy: 'ben', endedAt: NOW.toISOString(), active: false },
    });
    expect(notices.map((n) => n.event)).toEqual(['silence.created', 'silence.ended']);
    const unknown = await handleOnCallRequest(
      request('silences', 'DELETE', undefined, { id: 'nope', by: 'ben' }),
      services,
    );
    expect(unknown.status).toBe(404);
    const long = await handleOnCallRequest(
      request('silences', 'DELETE', undefined, { id: 'x'.repeat(129), by: 'ben' }),
      services,
    );
    expect(long).toMatchObject({ status: 400, body: { path: 'id' } });
    expect((await handleOnCallRequest(request('silences', 'PUT', SILENCE), services)).status).toBe(
      405,
    );
  });
});

describe('POST /api/incidents/{id}/ack', () => {
  const incident: IncidentRecord = {
    id: 'inc-7',
    key: `${HUB}|device-or-network|`,
    hubResourceId: HUB,
    cause: 'device-or-network',
    scope: 'subset',
    status: 'open',
    openerAlertId: 'a1',
    summary: '40 devices dropped',
    startedAt: '2026-11-22T02:40:00Z',
    lastFiredAt: '2026-11-22T02:50:00Z',
    openedAt: '2026-11-22T02:41:00Z',
    lastAlertAt: '2026-11-22T02:50:00Z',
    devices: ['pump-1'],
    deviceCount: 40,
    sites: [],
    alertCount: 3,
    resolvedCount: 0,
    dropCurve: [],
    revision: 1,
    postedRevision: 1,
    lastPostedAt: '2026-11-22T02:41:00Z',
    devicesAtLastPost: 10,
    sitesAtLastPost: 1,
  };

  test('200 with the id and who acknowledged; once; 404 unknown; 400 without by', async () => {
    const { services, incidents, notices } = setup();
    await incidents.insert(incident);
    const ack = await handleOnCallRequest(
      request('incident-ack', 'POST', { by: 'ana' }, { id: 'inc-7' }),
      services,
    );
    expect(ack).toEqual({
      status: 200,
      body: { id: 'inc-7', acknowledged: { by: 'ana', at: NOW.toISOString() } },
    });
    const again = await handleOnCallRequest(
      request('incident-ack', 'POST', { by: 'ben' }, { id: 'inc-7' }),
      services,
    );
    expect(again.body).toMatchObject({ acknowledged: { by: 'ana' } });
    expect(notices.map((n) => n.event)).toEqual(['incident.acknowledged']);
    expect(
      (
        await handleOnCallRequest(
          request('incident-ack', 'POST', { by: 'ana' }, { id: 'inc-0' }),
          services,
        )
      ).status,
    ).toBe(404);
    expect(
      await handleOnCallRequest(request('incident-ack', 'POST', {}, { id: 'inc-7' }), services),
    ).toMatchObject({ status: 400, body: { path: 'by' } });
  });
});

describe('behind the intake’s caller check', () => {
  test('a refused caller reads nothing and changes nothing', async () => {
    const { services, silences } = setup({
      checkCaller: async () => {
        throw new UnauthorizedError('A bearer token is required');
      },
    });
    const list = jest.spyOn(silences, 'list');
    expect((await handleOnCallRequest(request('silences', 'GET'), services)).status).toBe(401);
    expect((await handleOnCallRequest(request('silences', 'POST', SILENCE), services)).status).toBe(
      401,
    );
    expect(list).not.toHaveBeenCalled();
  });

  test('a storage fault is a 503 that names no detail', async () => {
    const { services, silences } = setup();
    jest
      .spyOn(silences, 'list')
      .mockRejectedValue(new Error('https://acct.table.core.windows.net/?sig=SECRET failed'));
    const response = await handleOnCallRequest(request('silences', 'GET'), services);
    expect(response.status).toBe(503);
    expect(JSON.stringify(response.body)).not.toContain('SECRET');
  });
});

test('durations', () => {
  expect(parseDuration('4h')).toBe(4 * 3_600_000);
  expect(parseDuration('30m')).toBe(30 * 60_000);
  expect(parseDuration('1h30m')).toBe(90 * 60_000);
  expect(parseDuration('2d')).toBe(2 * 86_400_000);
  expect([
    parseDuration(''),
    parseDuration('0m'),
    parseDuration('4 h'),
    parseDuration('h'),
  ]).toEqual([undefined, undefined, undefined, undefined]);
});
