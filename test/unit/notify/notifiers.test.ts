import { deliver } from '../../../lib/enrichAlert';
import type { EnrichedAlert } from '../../../lib/enrichment';
import { silentLogger } from '../../../lib/logger';
import { alertMessage } from '../../../lib/outgoingMessage';
import { DeliveryError, postJson } from '../../../lib/notify/httpDelivery';
import type { Notifier } from '../../../lib/notify/notifier';
import { TeamsNotifier } from '../../../lib/notify/teamsNotifier';
import { WebhookNotifier } from '../../../lib/notify/webhookNotifier';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../../lib/notify/webhookSignature';
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
    expect(await postJson('Teams', `${receiver.origin}/hook`, '{"a":1}', {}, options)).toBe(202);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json');
  });

  test('429 and 5xx are retried, honouring Retry-After', async () => {
    receiver.script.push({ status: 429, headers: { 'retry-after': '3' } }, { status: 503 });
    expect(await postJson('Teams', `${receiver.origin}/hook`, '{}', {}, options)).toBe(202);
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
    const url = 'http://127.0.0.1:1/hook?sig=TOPSECRET';
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

describe('notifiers', () => {
  test('TeamsNotifier posts a Workflows envelope', async () => {
    await new TeamsNotifier(`${receiver.origin}/teams`, options).send(alertMessage(report));
    expect(teamsEnvelopeProblems(receiver.requests[0]?.json)).toEqual([]);
  });

  test('WebhookNotifier signs timestamp.body with HMAC-SHA256 when a secret is set', async () => {
    const now = () => new Date('2026-11-20T00:16:00Z');
    await new WebhookNotifier(`${receiver.origin}/hook`, 'shh', options, now).send(
      alertMessage(report),
    );
    const request = receiver.requests[0];
    const timestamp = request?.headers[TIMESTAMP_HEADER] ?? '';
    const signature = request?.headers[SIGNATURE_HEADER] ?? '';
    expect(timestamp).toBe(String(Date.parse('2026-11-20T00:16:00Z') / 1000));
    expect(verifyWebhookSignature('shh', timestamp, request?.text ?? '', signature)).toBe(true);
    expect(verifyWebhookSignature('other', timestamp, request?.text ?? '', signature)).toBe(false);
    expect(verifyWebhookSignature('shh', timestamp, `${request?.text ?? ''} `, signature)).toBe(
      false,
    );
    expect(request?.json).toMatchObject({
      version: 2,
      event: 'alert.enriched',
      id: alertMessage(report).id,
      data: { alert: { deviceIds: ['d1'] } },
    });
  });

  test('without a secret the webhook is not signed', async () => {
    await new WebhookNotifier(`${receiver.origin}/hook`, undefined, options).send(
      alertMessage(report),
    );
    expect(receiver.requests[0]?.headers[SIGNATURE_HEADER]).toBeUndefined();
  });
});

describe('deliver', () => {
  const failing: Notifier = { name: 'broken', send: () => Promise.reject(new Error('down')) };

  test('one broken channel does not stop the others, and is not retried', async () => {
    const teams = new TeamsNotifier(`${receiver.origin}/teams`, options);
    await expect(
      deliver(alertMessage(report), [failing, teams], silentLogger),
    ).resolves.toBeUndefined();
    expect(receiver.requests).toHaveLength(1);
  });

  test('when no channel accepts the message, delivery throws so the queue retries', async () => {
    await expect(deliver(alertMessage(report), [failing], silentLogger)).rejects.toThrow(
      /No channel accepted/,
    );
  });
});
