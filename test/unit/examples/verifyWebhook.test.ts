/**
 * The receiver example (`examples/verify-webhook.mjs`) run as a receiver would run it, in its own
 * Node process, against the real `WebhookNotifier`: genuine posts pass; tampered, stale, future,
 * replayed and unsigned ones get 401 with the reason.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import {
  SIGNATURE_HEADER,
  signWebhookBody,
  TIMESTAMP_HEADER,
} from '../../../lib/notify/webhookSignature';
import { WebhookNotifier } from '../../../lib/notify/webhookNotifier';
import { alertMessage } from '../../../lib/incidents/outgoingMessage';
import { renderMessageBody } from '../../../lib/render/messageBody';
import { repoPath } from '../../support/fixtures';
import { testAlert } from '../../support/testAlert';

const SECRET = 'example-shared-secret';
let receiver: ChildProcess;
let url: string;
const printed: string[] = [];

beforeAll(async () => {
  receiver = spawn(process.execPath, [repoPath('examples/verify-webhook.mjs')], {
    env: { PATH: process.env.PATH, WEBHOOK_SECRET: SECRET, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  receiver.stdout?.setEncoding('utf8').on('data', (text: string) => printed.push(text));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`receiver did not start: ${printed.join('')}`));
    }, 10_000);
    receiver.stdout?.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(printed.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
});

afterAll(async () => {
  receiver.kill();
  if (receiver.exitCode === null) await once(receiver, 'exit');
});

const report: EnrichedAlert = {
  alert: testAlert({ deviceIds: ['d1'] }),
  enrichedAt: '2026-11-20T00:16:00Z',
};

function nowSeconds(offset = 0): string {
  return String(Math.floor(Date.now() / 1000) + offset);
}

async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  return {
    status: response.status,
    error: text === '' ? undefined : (JSON.parse(text) as { error: string }).error,
  };
}

function signed(body: string, timestamp: string): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signWebhookBody(SECRET, timestamp, body),
  };
}

test('accepts what the WebhookNotifier sends', async () => {
  await expect(
    new WebhookNotifier(url, SECRET, { timeoutMs: 5000 }).post(
      renderMessageBody('webhook', alertMessage(report), new Date().toISOString()),
      { idempotencyKey: 'verify-example-1' },
    ),
  ).resolves.toMatchObject({ status: 204 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(printed.join('')).toContain('verified:');
});

test('refuses a body changed after signing', async () => {
  const headers = signed('{"a":1}', nowSeconds());
  expect(await post('{"a":2}', headers)).toEqual({
    status: 401,
    error: 'signature does not match',
  });
});

test('refuses a signature made with another secret', async () => {
  const timestamp = nowSeconds();
  const headers = {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signWebhookBody('other', timestamp, '{}'),
  };
  expect((await post('{}', headers)).status).toBe(401);
});

test.each([
  ['10 minutes old', -600],
  ['10 minutes in the future', 600],
])('refuses a correctly signed request %s (replay window 5 min)', async (_name, offset) => {
  expect(await post('{}', signed('{}', nowSeconds(offset)))).toEqual({
    status: 401,
    error: 'timestamp outside the replay window',
  });
});

test('accepts a request 4 minutes old, once; the exact replay is refused', async () => {
  const headers = signed('{"n":4}', nowSeconds(-240));
  expect(await post('{"n":4}', headers)).toEqual({ status: 204, error: undefined });
  expect(await post('{"n":4}', headers)).toEqual({ status: 401, error: 'replayed request' });
});

test('refuses unsigned and malformed requests', async () => {
  expect((await post('{}', {})).error).toMatch(/X-Enricher-Timestamp/);
  expect((await post('{}', { [TIMESTAMP_HEADER]: 'yesterday' })).error).toMatch(/malformed/);
  expect((await post('{}', { [TIMESTAMP_HEADER]: nowSeconds() })).error).toMatch(
    /missing X-Enricher-Signature/,
  );
});
