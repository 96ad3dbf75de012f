/**
 * Event Grid deliveries read with @azure/eventgrid, in both schemas: the handshake, good and bad
 * events in one batch, unknown types, hubs not watched, and the cost of one event in storage.
 */

import type { DeviceIdentity } from '../../../lib/connections/connectionEvent';
import type { ConnectionCheck, IdentityState } from '../../../lib/connections/identityState';
import { silentLogger } from '../../../lib/common/logger';
import type { ConnectionIntakeServices } from '../../../lib/intake/acceptConnectionEvent';
import { readEventGridEvent } from '../../../lib/intake/eventGridEvents';
import { handleEventGridRequest } from '../../../lib/intake/handleEventGridRequest';
import type {
  ConnectionCheckQueue,
  ConnectionStateStore,
  StoredIdentity,
} from '../../../lib/state/connectionStates';
import { InMemoryConnectionStates } from '../../../lib/state/memory/memoryConnections';
import { cloudEvent, eventGridEvent, HUB_ID, seq } from './connectionEvents';

const OTHER_HUB = HUB_ID.replace('contoso-hub', 'other-hub');

/** Counts every storage operation, over the in-memory record store. */
class CountingStates implements ConnectionStateStore {
  reads = 0;
  writes = 0;
  constructor(private readonly inner = new InMemoryConnectionStates()) {}
  read(identity: DeviceIdentity): Promise<StoredIdentity | undefined> {
    this.reads++;
    return this.inner.read(identity);
  }
  write(state: IdentityState, etag: string | undefined): Promise<boolean> {
    this.writes++;
    return this.inner.write(state, etag);
  }
}

class RecordingChecks implements ConnectionCheckQueue {
  readonly scheduled: { check: ConnectionCheck; delaySeconds: number }[] = [];
  schedule(check: ConnectionCheck, delaySeconds: number): Promise<void> {
    this.scheduled.push({ check, delaySeconds });
    return Promise.resolve();
  }
}

function servicesOf(watched: readonly string[] = [HUB_ID]) {
  const states = new CountingStates();
  const checks = new RecordingChecks();
  const services: ConnectionIntakeServices = {
    states,
    checks,
    watchedHubs: watched,
    graceSecondsOf: () => 180,
    log: silentLogger,
    now: () => new Date('2026-11-20T05:00:30Z'),
  };
  return { states, checks, services };
}

function post(body: unknown, eventType = 'Notification') {
  const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return { eventType, declaredLength: bytes.byteLength, readBody: () => Promise.resolve(bytes) };
}

describe('readEventGridEvent', () => {
  test('reads a DeviceDisconnected in the Event Grid schema', async () => {
    const reading = await readEventGridEvent(
      eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z'),
    );
    expect(reading).toEqual({
      kind: 'connection',
      event: {
        eventId: 'ev-sensor-1-4',
        state: 'disconnected',
        hubResourceId: HUB_ID,
        hubName: 'contoso-hub',
        deviceId: 'sensor-1',
        sequenceNumber: seq(4),
        eventTime: '2026-11-20T05:00:00.000Z',
      },
    });
  });

  test('reads a DeviceConnected in the CloudEvents 1.0 schema', async () => {
    const reading = await readEventGridEvent(cloudEvent('connected', 9, '2026-11-20T05:01:00Z'));
    expect(reading).toMatchObject({
      kind: 'connection',
      event: { state: 'connected', hubResourceId: HUB_ID, sequenceNumber: seq(9) },
    });
  });

  test('keeps a module identity apart', async () => {
    const reading = await readEventGridEvent(
      eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z', { moduleId: '$edgeHub' }),
    );
    expect(reading).toMatchObject({
      kind: 'connection',
      event: { deviceId: 'sensor-1', moduleId: '$edgeHub' },
    });
  });

  test.each([
    ['not an object', 'text', ''],
    ['no envelope', { data: {} }, ''],
    [
      'a sequence number that is not hex',
      {
        ...eventGridEvent('connected', 1, '2026-11-20T05:00:00Z'),
        data: { deviceId: 'd', deviceConnectionStateEventInfo: { sequenceNumber: "1' or 1==1" } },
      },
      'data.deviceConnectionStateEventInfo.sequenceNumber',
    ],
    [
      'no device id',
      {
        ...eventGridEvent('connected', 1, '2026-11-20T05:00:00Z'),
        data: { deviceConnectionStateEventInfo: { sequenceNumber: '01' } },
      },
      'data.deviceId',
    ],
    [
      'a topic that is not an IoT hub',
      { ...eventGridEvent('connected', 1, '2026-11-20T05:00:00Z'), topic: '/subscriptions/x' },
      'topic',
    ],
  ])('%s is invalid, with its path', async (_name, raw, path) => {
    const reading = await readEventGridEvent(raw);
    expect(reading).toMatchObject({ kind: 'invalid', path });
  });

  test('another event type is recognised and ignored', async () => {
    const raw = {
      ...eventGridEvent('connected', 1, '2026-11-20T05:00:00Z'),
      eventType: 'Microsoft.Devices.DeviceCreated',
    };
    expect(await readEventGridEvent(raw)).toEqual({
      kind: 'other-type',
      eventType: 'Microsoft.Devices.DeviceCreated',
    });
  });
});

describe('handleEventGridRequest', () => {
  test('answers the subscription handshake with its code', async () => {
    const { services } = servicesOf();
    const response = await handleEventGridRequest(
      post(
        [
          {
            id: '1',
            topic: HUB_ID,
            subject: '',
            eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
            eventTime: '2026-11-20T05:00:00Z',
            data: { validationCode: 'abc-123' },
            dataVersion: '1',
            metadataVersion: '1',
          },
        ],
        'SubscriptionValidation',
      ),
      services,
    );
    expect(response).toEqual({ status: 200, body: { validationResponse: 'abc-123' } });
  });

  test('a disconnect costs one read, one write and one scheduled check; a connect, no check', async () => {
    const { services, states, checks } = servicesOf();
    await handleEventGridRequest(
      post([eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z')]),
      services,
    );
    expect({ reads: states.reads, writes: states.writes, checks: checks.scheduled.length }).toEqual(
      {
        reads: 1,
        writes: 1,
        checks: 1,
      },
    );
    expect(checks.scheduled[0]?.delaySeconds).toBe(180);
    await handleEventGridRequest(
      post([eventGridEvent('connected', 5, '2026-11-20T05:00:20Z')]),
      services,
    );
    expect({ reads: states.reads, writes: states.writes, checks: checks.scheduled.length }).toEqual(
      {
        reads: 2,
        writes: 2,
        checks: 1,
      },
    );
  });

  test('a batch mixing good, bad, foreign and unknown events keeps the good ones and answers 400', async () => {
    const { services, checks } = servicesOf();
    const response = await handleEventGridRequest(
      post([
        eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z'),
        { nonsense: true },
        eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z', { hub: OTHER_HUB }),
        {
          ...eventGridEvent('connected', 1, '2026-11-20T05:00:00Z'),
          eventType: 'Microsoft.Devices.DeviceCreated',
        },
        cloudEvent('disconnected', 6, '2026-11-20T05:00:00Z', 'sensor-2'),
      ]),
      services,
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      path: '[1]',
      recorded: 2,
      otherHubs: 1,
      otherTypes: 1,
      invalid: 1,
    });
    expect(checks.scheduled.map((s) => s.check.deviceId).sort()).toEqual(['sensor-1', 'sensor-2']);
  });

  test('every event taken is a 200; duplicates are counted, not applied twice', async () => {
    const { services, checks } = servicesOf();
    const event = eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z');
    const response = await handleEventGridRequest(post([event, event]), services);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ recorded: 1, duplicates: 1 });
    expect(checks.scheduled).toHaveLength(1);
  });

  test("a batch holding an identity's events out of order applies them in sequence order", async () => {
    const { services, states } = servicesOf();
    const response = await handleEventGridRequest(
      post([
        eventGridEvent('connected', 6, '2026-11-20T05:00:20Z'),
        eventGridEvent('disconnected', 5, '2026-11-20T05:00:00Z'),
        eventGridEvent('disconnected', 2, '2026-11-20T05:00:00Z', { deviceId: 'sensor-2' }),
      ]),
      services,
    );
    expect(response.body).toMatchObject({ recorded: 3 });
    // Each identity's events one after the other: no write lost a race and was tried again.
    expect(states.writes).toBe(3);
    const record = await states.read({ hubResourceId: HUB_ID, deviceId: 'sensor-1' });
    expect(record?.state).toMatchObject({ state: 'connected' });
  });

  test('a body that is not JSON, or an empty batch, is a 400 that does not echo it', async () => {
    const { services } = servicesOf();
    const secret = 'sig=SECRET-SIGNATURE';
    const notJson = await handleEventGridRequest(post(`[{${secret}`), services);
    expect(notJson.status).toBe(400);
    expect(JSON.stringify(notJson.body)).not.toContain('SECRET');
    expect((await handleEventGridRequest(post([]), services)).status).toBe(400);
  });

  test('a storage failure is a 503, so that Event Grid delivers again', async () => {
    const { services } = servicesOf();
    const failing: ConnectionIntakeServices = {
      ...services,
      states: {
        read: () => Promise.reject(new Error('storage down')),
        write: () => Promise.resolve(true),
      },
    };
    const response = await handleEventGridRequest(
      post([eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z')]),
      failing,
    );
    expect(response.status).toBe(503);
  });

  test('with no watched hubs configured, every hub is taken', async () => {
    const { services } = servicesOf([]);
    const response = await handleEventGridRequest(
      post([eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z', { hub: OTHER_HUB })]),
      services,
    );
    expect(response.body).toMatchObject({ recorded: 1, otherHubs: 0 });
  });
});
