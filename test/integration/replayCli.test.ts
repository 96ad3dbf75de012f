/**
 * `enricher replay` against Azurite and a local receiver: a dead-lettered webhook delivery is
 * posted again with its exact body and idempotency key, recorded as accepted, and removed; a
 * route list's receiver has its own dead letters, replayed to it alone.
 */

import { TableClient } from '@azure/data-tables';

import { runCli } from '../../lib/tools/cli/runCli';
import { deliveryIdempotencyKey } from '../../lib/notify/deliver';
import { IDEMPOTENCY_KEY_HEADER } from '../../lib/notify/webhookNotifier';
import { IDEMPOTENCY_TABLE_NAME } from '../../lib/state/alertStore';
import { DEAD_LETTER_TABLE_NAME } from '../../lib/state/deadLetters';
import { TableDeadLetters, TableLedger } from '../../lib/state/azure/tableLedger';
import { startAzurite, type Azurite } from '../support/azurite';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver';

let azurite: Azurite;
let receiver: HttpReceiver;

// Azurite can take long to start on a busy machine.
beforeAll(async () => {
  azurite = await startAzurite();
}, 90_000);

afterAll(async () => {
  await azurite.stop();
});

beforeEach(async () => {
  receiver = await startHttpReceiver();
});

afterEach(async () => {
  await receiver.close();
});

function table(name: string): TableClient {
  return TableClient.fromConnectionString(azurite.connectionString, name, {
    allowInsecureConnection: true,
  });
}

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    now: () => new Date(),
    env,
  });
  return { code, out: out.join(''), err: err.join('') };
}

test('replays a channel dead letter once, then there is nothing left to replay', async () => {
  const letters = new TableDeadLetters(table(DEAD_LETTER_TABLE_NAME));
  const ref = {
    sourceKey: '/subscriptions/s/alerts/a1|fired',
    messageId: 'enriched',
    channel: 'webhook',
  };
  await letters.addDeadLetter({
    ref,
    payload: '{"version":1,"hello":"Gerät"}',
    status: 400,
    error: 'Webhook answered HTTP 400',
    posts: 1,
    deadLetteredAt: '2026-11-20T00:00:00.000Z',
  });
  await letters.addDeadLetter({
    ref: { ...ref, channel: 'teams' },
    payload: '{}',
    error: 'x',
    posts: 1,
    deadLetteredAt: '2026-11-20T00:00:00.000Z',
  });
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    WEBHOOK_URL: `${receiver.origin}/hook?sig=SECRET`,
  };

  const listed = await cli(['replay', '--channel', 'webhook', '--list'], env);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.out)).toMatchObject({ status: 400, alert: ref.sourceKey, bytes: 30 });
  expect(receiver.requests).toHaveLength(0);

  const replayed = await cli(['replay', '--channel', 'webhook'], env);
  expect(replayed.code).toBe(0);
  expect(receiver.requests).toHaveLength(1);
  expect(receiver.requests[0]?.text).toBe('{"version":1,"hello":"Gerät"}');
  expect(receiver.requests[0]?.headers[IDEMPOTENCY_KEY_HEADER]).toBe(deliveryIdempotencyKey(ref));
  expect(`${replayed.out}${replayed.err}`).not.toContain('SECRET');
  await expect(
    new TableLedger(table(IDEMPOTENCY_TABLE_NAME)).getDelivery(ref),
  ).resolves.toMatchObject({
    state: 'accepted',
  });

  const again = await cli(['replay', '--channel', 'webhook'], env);
  expect(again.err).toMatch(/0 dead letter/);
  expect(receiver.requests).toHaveLength(1);
  // The Teams letter is untouched.
  expect(await letters.listDeadLetters('teams')).toHaveLength(1);
});

test('a replay that fails again leaves the letter and exits 1', async () => {
  const letters = new TableDeadLetters(table(DEAD_LETTER_TABLE_NAME));
  const ref = { sourceKey: 'a2|fired', messageId: 'enriched', channel: 'webhook' };
  await letters.addDeadLetter({ ref, payload: '{}', error: 'e', posts: 1, deadLetteredAt: 'x' });
  receiver.status = 400;
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    WEBHOOK_URL: `${receiver.origin}/h`,
  };
  const result = await cli(['replay', '--channel', 'webhook', '--alert-id', 'A2'], env);
  expect(result.code).toBe(1);
  expect(result.out).toMatch(/"replayed":false/);
  expect((await letters.listDeadLetters('webhook')).map((l) => l.ref.sourceKey)).toContain(
    'a2|fired',
  );
});

test.each([
  [['replay'], /--receiver NAME is required/],
  [
    ['replay', '--channel', 'teams'],
    /unknown receiver "teams" \(TEAMS_WORKFLOW_URL is not set\); configured receivers: webhook$/,
  ],
  [['replay', '--receiver', 'slack'], /unknown receiver "slack"; configured receivers: webhook$/],
  [['replay', '--receiver', 'webhook', '--channel', 'teams'], /old name of --receiver/],
])('%j → exit 2 with a clear message', async (args, message) => {
  const result = await cli(args, {
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    WEBHOOK_URL: 'https://example.invalid/hook',
  });
  expect(result.code).toBe(2);
  expect(result.err.trimEnd()).toMatch(message);
  expect(result.err).not.toContain('example.invalid');
});

test("a route list receiver's dead letters are replayed to it alone", async () => {
  const other = await startHttpReceiver();
  try {
    const letters = new TableDeadLetters(table(DEAD_LETTER_TABLE_NAME));
    const ref = { sourceKey: 'a3|fired', messageId: 'inc-1-r1', channel: 'plant-a' };
    await letters.addDeadLetter({
      ref,
      payload: '{"version":1,"for":"plant-a"}',
      status: 503,
      error: 'Webhook answered HTTP 503',
      posts: 3,
      deadLetteredAt: '2026-11-20T00:00:00.000Z',
    });
    await letters.addDeadLetter({
      ref: { ...ref, channel: 'webhook' },
      payload: '{"version":1,"for":"webhook"}',
      error: 'e',
      posts: 1,
      deadLetteredAt: '2026-11-20T00:00:00.000Z',
    });
    const env = {
      AzureWebJobsStorage: azurite.connectionString,
      WEBHOOK_URL: `${other.origin}/hook`,
      RECEIVER_PLANT_A_URL: `${receiver.origin}/plant-a?code=PLANTSECRET`,
      ROUTES: JSON.stringify({
        receivers: [{ name: 'plant-a', type: 'webhook' }],
        routes: [{ matchers: ['hub=~plant-a-*'], receivers: ['plant-a'] }],
        default: { receivers: ['webhook'] },
      }),
    };

    const unknown = await cli(['replay', '--receiver', 'plant-b'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /unknown receiver "plant-b"; configured receivers: webhook, plant-a/,
    );
    expect(unknown.err).not.toMatch(/PLANTSECRET|127\.0\.0\.1/);

    const replayed = await cli(['replay', '--receiver', 'plant-a'], env);
    expect(replayed.code).toBe(0);
    expect(replayed.err).toMatch(/1 dead letter\(s\) for plant-a, 1 replayed/);
    expect(JSON.parse(replayed.out)).toMatchObject({ channel: 'plant-a', replayed: true });
    expect(`${replayed.out}${replayed.err}`).not.toContain('PLANTSECRET');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.path).toBe('/plant-a');
    expect(receiver.requests[0]?.text).toBe('{"version":1,"for":"plant-a"}');
    expect(receiver.requests[0]?.headers[IDEMPOTENCY_KEY_HEADER]).toBe(deliveryIdempotencyKey(ref));
    // The other receiver got nothing, and its letter is still there.
    expect(other.requests).toHaveLength(0);
    expect(await letters.listDeadLetters('plant-a')).toHaveLength(0);
    expect((await letters.listDeadLetters('webhook')).map((l) => l.ref.sourceKey)).toContain(
      'a3|fired',
    );
    await expect(
      new TableLedger(table(IDEMPOTENCY_TABLE_NAME)).getDelivery(ref),
    ).resolves.toMatchObject({ state: 'accepted' });

    // The old option name still works.
    const again = await cli(['replay', '--channel', 'plant-a'], env);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/0 dead letter/);
  } finally {
    await other.close();
  }
});

test('memory state cannot be replayed from another process', async () => {
  const result = await cli(['replay', '--channel', 'webhook'], {
    STATE_STORE: 'memory',
    WEBHOOK_URL: 'https://example.invalid/hook',
  });
  expect(result.code).toBe(2);
  expect(result.err).toMatch(/STATE_STORE=azure-storage/);
});
