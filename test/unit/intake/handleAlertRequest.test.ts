import {
  handleAlertRequest,
  type IntakeServices,
  MAX_ALERT_BODY_BYTES,
} from '../../../lib/intake/handleAlertRequest';
import { AppError } from '../../../lib/common/errors';
import { silentLogger } from '../../../lib/common/logger';
import { InMemoryAlertStore } from '../../../lib/state/memory/memoryState';
import { RecordingQueue } from '../../fakes/recordingQueue';
import { readJson } from '../../support/fixtures';

const sample = JSON.stringify(readJson('samples/alerts/sas-renewal-thermostat-0042.json'));

function setup(): { services: IntakeServices; queue: RecordingQueue; store: InMemoryAlertStore } {
  const queue = new RecordingQueue();
  const store = new InMemoryAlertStore();
  return {
    queue,
    store,
    services: {
      queue,
      store,
      parseOptions: { deviceIdDimension: 'DeviceId' },
      log: silentLogger,
      now: () => new Date('2026-11-20T06:08:10Z'),
    },
  };
}

function request(body: string | Uint8Array, declaredLength?: number) {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  let read = false;
  return {
    request: {
      ...(declaredLength !== undefined && { declaredLength }),
      readBody: async () => {
        read = true;
        return bytes;
      },
    },
    wasRead: () => read,
  };
}

describe('POST /api/alerts', () => {
  test('a valid alert is queued and answered 202 {id}', async () => {
    const { services, queue } = setup();
    const response = await handleAlertRequest(request(sample).request, services);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: queue.messages[0]?.alert.id });
    expect(queue.messages).toHaveLength(1);
    expect(queue.messages[0]).toMatchObject({ version: 1, receivedAt: '2026-11-20T06:08:10.000Z' });
  });

  test('the same alertId + monitorCondition accepted twice is queued once', async () => {
    const { services, queue } = setup();
    await handleAlertRequest(request(sample).request, services);
    const second = await handleAlertRequest(request(sample).request, services);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ duplicate: true });
    expect(queue.messages).toHaveLength(1);
    // The Resolved notification of the same instance is a new delivery.
    const resolved = sample.replace('"monitorCondition":"Fired"', '"monitorCondition":"Resolved"');
    expect(resolved).not.toBe(sample);
    await handleAlertRequest(request(resolved).request, services);
    expect(queue.messages).toHaveLength(2);
  });

  test('a queue failure answers 503 (action groups retry it), and the retry is queued', async () => {
    const { services, queue } = setup();
    queue.failWith = new Error('queue down: https://secret.example/?sig=abc');
    const failed = await handleAlertRequest(request(sample).request, services);
    expect(failed.status).toBe(503);
    expect(JSON.stringify(failed.body)).not.toContain('sig=abc');
    queue.failWith = undefined;
    const retried = await handleAlertRequest(request(sample).request, services);
    expect(retried.status).toBe(202);
    expect(retried.body).not.toMatchObject({ duplicate: true });
    expect(queue.messages).toHaveLength(1);
  });

  test('an unreadable idempotency record does not block intake: the alert is still queued', async () => {
    const { services, queue } = setup();
    const warnings: unknown[] = [];
    services.store.wasQueued = () => Promise.reject(new Error('table down ?sig=abc'));
    const response = await handleAlertRequest(request(sample).request, {
      ...services,
      log: { ...silentLogger, warn: (...args: unknown[]) => warnings.push(...args) },
    });
    expect(response.status).toBe(202);
    expect(queue.messages).toHaveLength(1);
    expect(JSON.stringify(warnings)).toMatch(/unreadable/);
    expect(JSON.stringify(warnings)).not.toContain('sig=abc');
  });

  test('a record that cannot be written after the enqueue still answers 202 (the alert is queued)', async () => {
    const { services, queue, store } = setup();
    store.markQueued = () => Promise.reject(new Error('table down'));
    const first = await handleAlertRequest(request(sample).request, services);
    expect(first).toMatchObject({ status: 202, body: { id: queue.messages[0]?.alert.id } });
    // No record: the action group's retry is queued again; the worker drops the duplicate.
    const retry = await handleAlertRequest(request(sample).request, services);
    expect(retry.status).toBe(202);
    expect(queue.messages).toHaveLength(2);
  });

  test('the record is written only after the enqueue succeeded', async () => {
    const { services, queue, store } = setup();
    const order: string[] = [];
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = async (m) => {
      order.push('enqueue');
      await enqueue(m);
    };
    const mark = store.markQueued.bind(store);
    store.markQueued = async (k) => {
      order.push('record');
      await mark(k);
    };
    await handleAlertRequest(request(sample).request, services);
    expect(order).toEqual(['enqueue', 'record']);
  });

  test.each([
    ['not JSON', 'hello', 400, /not valid JSON/],
    ['truncated JSON', sample.slice(0, 100), 400, /not valid JSON \(at character \d+\)/],
    ['empty body', '', 400, /empty/],
    ['whitespace', '   \n', 400, /empty/],
    ['a JSON number', '42', 400, /JSON object/],
    ['JSON that is not an alert', '{"hello":"world"}', 400, /schemaId is missing/],
  ])('%s → %i with {error, path}', async (_name, body, status, message) => {
    const { services, queue } = setup();
    const response = await handleAlertRequest(request(body).request, services);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({
      error: expect.stringMatching(message) as unknown,
      path: expect.any(String) as unknown,
    });
    expect(queue.messages).toHaveLength(0);
  });

  test('the error never echoes the body', async () => {
    const { services } = setup();
    const response = await handleAlertRequest(
      request('{"token": "s3cr3t-value" oops').request,
      services,
    );
    expect(JSON.stringify(response.body)).not.toContain('s3cr3t');
  });

  test('invalid UTF-8 → 400', async () => {
    const { services } = setup();
    const response = await handleAlertRequest(
      request(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).request,
      services,
    );
    expect(response.status).toBe(400);
  });

  test('a byte-order mark is tolerated', async () => {
    const { services } = setup();
    expect((await handleAlertRequest(request(`\uFEFF${sample}`).request, services)).status).toBe(
      202,
    );
  });

  test('a declared length over 1 MiB → 413 without reading the body', async () => {
    const { services } = setup();
    const { request: req, wasRead } = request(sample, MAX_ALERT_BODY_BYTES + 1);
    const response = await handleAlertRequest(req, services);
    expect(response.status).toBe(413);
    expect(wasRead()).toBe(false);
  });

  test('an actual body over 1 MiB → 413 even when the length was not declared', async () => {
    const { services } = setup();
    const big = `{"schemaId":"azureMonitorCommonAlertSchema","pad":"${'x'.repeat(MAX_ALERT_BODY_BYTES)}"}`;
    expect((await handleAlertRequest(request(big).request, services)).status).toBe(413);
  });

  test('a legacy payload → 422 naming the fix', async () => {
    const { services } = setup();
    const legacy = JSON.stringify(
      readJson('test/fixtures/alerts/reference-legacy-log-analytics.json'),
    );
    const response = await handleAlertRequest(request(legacy).request, services);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      error: expect.stringMatching(/common alert schema/) as unknown,
      path: 'schemaId',
    });
  });

  test('an unexpected failure → 503 with a generic body', async () => {
    const { services } = setup();
    const response = await handleAlertRequest(
      { readBody: () => Promise.reject(new TypeError('socket hang up')) },
      services,
    );
    expect(response.status).toBe(503);
    expect(JSON.stringify(response.body)).not.toContain('socket');
  });
});

test('a queue that refuses the message for good (4xx) passes the status on, without a retry hint', async () => {
  const { services, queue } = setup();
  queue.failWith = new AppError(
    'Alert message too large for the queue (60000 bytes, limit 49152)',
    413,
  );
  const response = await handleAlertRequest(request(sample).request, services);
  expect(response).toEqual({
    status: 413,
    body: { error: expect.stringMatching(/too large for the queue/) as unknown, path: '' },
  });
});
