import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import { silentLogger } from '../../../lib/common/logger';
import {
  deliver,
  deliveryIdempotencyKey,
  type Delivery,
  replayDeadLetter,
} from '../../../lib/notify/deliver';
import { alertMessage } from '../../../lib/incidents/outgoingMessage';
import { DeliveryError, postJson } from '../../../lib/notify/httpDelivery';
import type { Notifier } from '../../../lib/notify/notifier';
import { TeamsNotifier } from '../../../lib/notify/teamsNotifier';
import { IDEMPOTENCY_KEY_HEADER, WebhookNotifier } from '../../../lib/notify/webhookNotifier';
import { renderMessageBody } from '../../../lib/render/messageBody';
import { inMemoryWorkerState } from '../../../lib/state/memory/memoryState';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../../lib/notify/webhookSignature';
import { closedPort } from '../../support/azurite';
import { teamsEnvelopeProblems } from '../../support/adaptiveCardSchema';
import { type HttpReceiver, startHttpReceiver } from '../../support/httpReceiver';
import { deviceAlert } from '../../support/scenario';

let receiver: HttpReceiver;
const slept: number[] = [];
const options = {
  timeoutMs: 2000,
  sleep: (ms: number) => {
    slept.push(ms);
    return Promise.resolve();
  },
};
const SENT_AT = '2026-11-20T00:16:00.000Z';

const report: EnrichedAlert = {
  alert: deviceAlert(['d1'], 0, 15),
  enrichedAt: '2026-11-20T00:16:00.000Z',
};

beforeEach(async () => {
  receiver = await startHttpReceiver();
  slept.length = 0;
});

afterEach(async () => {
  await receiver.close();
});

describe('postJson', () => {
  test('a 2xx is success on the first attempt', async () => {
    expect(await postJson('Teams', `${receiver.origin}/hook`, '{"a":1}', {}, options)).toEqual({
      status: 202,
      posts: 1,
      unknownOutcomes: 0,
    });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json');
  });

  test('429 and 5xx are retried, honouring Retry-After', async () => {
    receiver.script.push({ status: 429, headers: { 'retry-after': '3' } }, { status: 503 });
    expect(await postJson('Teams', `${receiver.origin}/hook`, '{}', {}, options)).toMatchObject({
      status: 202,
      posts: 3,
    });
    expect(receiver.requests).toHaveLength(3);
    expect(slept[0]).toBeGreaterThanOrEqual(3000);
  });

  test('a 4xx other than 408/429 is not retried', async () => {
    receiver.status = 400;
    await expect(
      postJson('Teams', `${receiver.origin}/hook`, '{}', {}, options),
    ).rejects.toMatchObject({
      status: 400,
      retryable: false,
    });
    expect(receiver.requests).toHaveLength(1);
  });

  test('persistent failure gives up after 3 attempts, and the error never names the URL', async () => {
    receiver.status = 500;
    const url = `${receiver.origin}/workflows/abc?sig=TOPSECRET`;
    const error = (await postJson('Teams', url, '{}', {}, options).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(receiver.requests).toHaveLength(3);
    expect(`${error.message} ${error.stack ?? ''}`).not.toMatch(/TOPSECRET|workflows/);
  });

  test('an unreachable endpoint is a retryable error without the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook?sig=TOPSECRET`;
    const error = (await postJson('Webhook', url, '{}', {}, options).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/Webhook could not be reached \(ECONNREFUSED\)/);
    expect(error.message).not.toContain('TOPSECRET');
  });

  test('redirects are not followed (a Workflows URL never redirects)', async () => {
    receiver.script.push({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    await expect(
      postJson('Teams', `${receiver.origin}/hook`, '{}', {}, options),
    ).rejects.toMatchObject({ status: 302 });
  });
});

describe('postJson deadlines and unknown outcomes', () => {
  const quick = { ...options, timeoutMs: 300 };

  test('a body dripped one byte at a time cannot hold an attempt past its deadline', async () => {
    receiver.fallback = { status: 500, dripMs: 100, dripBytes: 100 };
    const started = Date.now();
    const error = (await postJson('Teams', `${receiver.origin}/hook`, '{}', {}, quick).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    // 3 attempts of a 10-second drip: the deadline (or the status) ends each one.
    expect(Date.now() - started).toBeLessThan(9000);
    expect(error).toMatchObject({ status: 500, retryable: true, posts: 3 });
  });

  test('a 202 whose body drips is accepted at once (the status is the answer)', async () => {
    receiver.fallback = { status: 202, dripMs: 200, dripBytes: 100 };
    await expect(postJson('Teams', `${receiver.origin}/hook`, '{}', {}, quick)).resolves.toEqual({
      status: 202,
      posts: 1,
      unknownOutcomes: 0,
    });
  });

  test('an answer after the deadline is an unknown outcome: retried and counted', async () => {
    receiver.script.push({ status: 202, delayMs: 1000 });
    const receipt = await postJson('Webhook', `${receiver.origin}/hook`, '{}', {}, quick);
    expect(receipt).toEqual({ status: 202, posts: 2, unknownOutcomes: 1 });
    expect(receiver.requests).toHaveLength(2);
  });

  test('a reset connection is an unknown outcome too', async () => {
    receiver.fallback = { status: 202, reset: true };
    const error = (await postJson('Webhook', `${receiver.origin}/hook`, '{}', {}, quick).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(error).toMatchObject({ retryable: true, posts: 3, unknownOutcomes: 3 });
    expect(error.message).toMatch(/outcome unknown/);
  });

  test('a refused connection proves nothing was sent: not counted as unknown', async () => {
    const error = (await postJson(
      'Webhook',
      `http://127.0.0.1:${await closedPort()}/x`,
      '{}',
      {},
      quick,
    ).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toMatchObject({ unknownOutcomes: 0, posts: 3 });
  });
});

describe('notifiers', () => {
  test('TeamsNotifier posts the body it is given (a Workflows envelope)', async () => {
    await new TeamsNotifier(`${receiver.origin}/teams`, options).post(
      renderMessageBody('teams', alertMessage(report), SENT_AT),
    );
    expect(teamsEnvelopeProblems(receiver.requests[0]?.json)).toEqual([]);
  });

  test('WebhookNotifier signs timestamp.body with HMAC-SHA256 when a secret is set', async () => {
    const now = () => new Date('2026-11-20T00:16:00Z');
    await new WebhookNotifier(`${receiver.origin}/hook`, 'shh', options, now).post(
      renderMessageBody('webhook', alertMessage(report), SENT_AT),
      { idempotencyKey: 'k1' },
    );
    const request = receiver.requests[0];
    const timestamp = request?.headers[TIMESTAMP_HEADER] ?? '';
    const signature = request?.headers[SIGNATURE_HEADER] ?? '';
    expect(timestamp).toBe(String(Date.parse('2026-11-20T00:16:00Z') / 1000));
    const at = { now: now() };
    expect(verifyWebhookSignature('shh', timestamp, request?.text ?? '', signature, at)).toBe(true);
    expect(verifyWebhookSignature('other', timestamp, request?.text ?? '', signature, at)).toBe(
      false,
    );
    expect(verifyWebhookSignature('shh', timestamp, `${request?.text ?? ''} `, signature, at)).toBe(
      false,
    );
    expect(request?.json).toMatchObject({
      version: 4,
      event: 'alert.enriched',
      id: alertMessage(report).id,
      data: { alert: { deviceIds: ['d1'] } },
    });
    expect(request?.headers[IDEMPOTENCY_KEY_HEADER]).toBe('k1');
  });

  test('without a secret the webhook is not signed', async () => {
    await new WebhookNotifier(`${receiver.origin}/hook`, undefined, options).post('{}', {
      idempotencyKey: 'k',
    });
    expect(receiver.requests[0]?.headers[SIGNATURE_HEADER]).toBeUndefined();
  });
});

describe('deliver (through the delivery ledger)', () => {
  const message: Delivery = {
    sourceKey: 'alert-1|Fired',
    messageId: 'enriched',
    bodyFor: (format) => renderMessageBody(format, alertMessage(report), SENT_AT),
  };
  const ports = () => ({
    ...(() => {
      const state = inMemoryWorkerState();
      return { ledger: state.deliveries, deadLetters: state.deadLetters };
    })(),
    log: silentLogger,
    now: () => new Date('2026-11-20T00:16:00Z'),
  });
  const failing: Notifier = {
    name: 'broken',
    format: 'webhook',
    post: () => Promise.reject(new DeliveryError('broken answered HTTP 503', 503, true, 1)),
  };

  test('a retry posts only to the channel that has not taken the message', async () => {
    const p = ports();
    const teams = new TeamsNotifier(`${receiver.origin}/teams`, options);
    const first = await deliver(message, [failing, teams], p);
    expect(first.map((o) => o.result)).toEqual(['pending', 'accepted']);
    const second = await deliver(message, [failing, teams], p);
    expect(second.map((o) => o.result)).toEqual(['pending', 'already-accepted']);
    expect(receiver.requests).toHaveLength(1);
  });

  test('a channel that keeps failing is dead-lettered alone, with the body to replay it', async () => {
    const p = ports();
    const teams = new TeamsNotifier(`${receiver.origin}/teams`, options);
    for (let round = 0; round < 3; round++) await deliver(message, [failing, teams], p);
    const letters = await p.deadLetters.listDeadLetters('broken');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ status: 503, posts: 3, ref: { channel: 'broken' } });
    expect(JSON.parse(letters[0]?.payload ?? '')).toMatchObject({ version: 4 });
    expect((await deliver(message, [failing, teams], p)).map((o) => o.result)).toEqual([
      'already-dead-lettered',
      'already-accepted',
    ]);
    expect(receiver.requests).toHaveLength(1);

    const webhook = new WebhookNotifier(`${receiver.origin}/hook`, undefined, options);
    const replayed = await replayDeadLetter(letters[0]!, webhook, p);
    expect(replayed.result).toBe('accepted');
    expect(receiver.requests[1]?.text).toBe(letters[0]?.payload);
    expect(receiver.requests[1]?.headers[IDEMPOTENCY_KEY_HEADER]).toBe(
      deliveryIdempotencyKey(letters[0]!.ref),
    );
    expect(await p.deadLetters.listDeadLetters()).toEqual([]);
    expect(await p.ledger.getDelivery(letters[0]!.ref)).toMatchObject({ state: 'accepted' });
  });

  test('a 400 is permanent: dead-lettered at once with its status, never retried', async () => {
    const p = ports();
    receiver.status = 400;
    const webhook = new WebhookNotifier(`${receiver.origin}/hook`, undefined, options);
    const [outcome] = await deliver(message, [webhook], p);
    expect(outcome).toMatchObject({ result: 'dead-lettered', status: 400, posts: 1 });
    expect((await p.deadLetters.listDeadLetters('webhook'))[0]).toMatchObject({ status: 400 });
    await deliver(message, [webhook], p);
    expect(receiver.requests).toHaveLength(1);
  });

  test('every post of one delivery carries the same idempotency key', async () => {
    const p = ports();
    receiver.script.push({ status: 503 }, { status: 503 }, { status: 503 });
    const webhook = new WebhookNotifier(`${receiver.origin}/hook`, undefined, options);
    await deliver(message, [webhook], p);
    await deliver(message, [webhook], p);
    const keys = new Set(receiver.requests.map((r) => r.headers[IDEMPOTENCY_KEY_HEADER]));
    expect(receiver.requests).toHaveLength(4);
    expect(keys.size).toBe(1);
  });
});
