/**
 * The real Functions handlers end to end: `HttpRequest`/`InvocationContext` built as
 * `@azure/functions` documents for tests, Azure Storage state on Azurite, evidence from the
 * sample workspace export, and Teams delivery to a local HTTP receiver.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  HttpRequest,
  InvocationContext,
  type HttpResponseInit,
  type LogLevel,
} from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';

import { CONFIG_KEYS } from '../../lib/config/configKeys';
import { MAX_ALERT_BODY_BYTES } from '../../lib/intake/handleAlertRequest';
import { ALERT_QUEUE_NAME } from '../../lib/state/alertQueue';
import { startAzurite, type Azurite } from '../support/azurite';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver';

type AlertsModule = typeof import('../../functions/alerts');
type EnrichModule = typeof import('../../functions/enrich');
type HealthModule = typeof import('../../functions/health');

const REPO = join(__dirname, '..', '..');
const SAMPLE = readFileSync(join(REPO, 'samples/alerts/sas-renewal-thermostat-0042.json'), 'utf8');
const LEGACY = readFileSync(
  join(REPO, 'test/fixtures/alerts/reference-legacy-log-analytics.json'),
  'utf8',
);
const SAMPLE_ID = (JSON.parse(SAMPLE) as { data: { essentials: { alertId: string } } }).data
  .essentials.alertId;

interface LogLine {
  readonly level: LogLevel;
  readonly text: string;
}

let azurite: Azurite;
let receiver: HttpReceiver;
let teamsUrl: string;
let alerts: AlertsModule['alerts'];
let enrich: EnrichModule['enrich'];
let health: HealthModule['health'];
let queue: QueueClient;
let logs: LogLine[] = [];
const savedEnv = { ...process.env };

function context(functionName: string): InvocationContext {
  return new InvocationContext({
    functionName,
    logHandler: (level, ...args) => {
      logs.push({ level, text: args.map(String).join(' ') });
    },
  });
}

function post(body: string | Uint8Array, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/alerts',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? { string: body } : { bytes: body },
  });
}

async function postAlert(
  body: string | Uint8Array,
  headers?: Record<string, string>,
): Promise<HttpResponseInit> {
  return alerts(post(body, headers), context('alerts'));
}

/** Messages as the Functions host hands them to the queue trigger: base64 decoded, JSON parsed. */
async function receiveAll(): Promise<unknown[]> {
  const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
  const messages: unknown[] = [];
  for (const item of receivedMessageItems) {
    messages.push(JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')));
    await queue.deleteMessage(item.messageId, item.popReceipt);
  }
  return messages;
}

/** The first TextBlock of an Adaptive Card, depth first (the headline). */
function firstTextBlock(element: unknown): string | undefined {
  if (Array.isArray(element)) {
    for (const item of element) {
      const text = firstTextBlock(item);
      if (text !== undefined) return text;
    }
    return undefined;
  }
  if (typeof element !== 'object' || element === null) return undefined;
  const record = element as Record<string, unknown>;
  if (record.type === 'TextBlock' && typeof record.text === 'string') return record.text;
  return firstTextBlock(record.body) ?? firstTextBlock(record.items);
}

beforeAll(async () => {
  [azurite, receiver] = await Promise.all([startAzurite(), startHttpReceiver()]);
  teamsUrl = `${receiver.origin}/teams/workflows/sig=e2e-secret-signature`;
  // Only this test's settings: nothing from the developer's shell may change the outcome.
  const inherited = Object.fromEntries(
    Object.entries(savedEnv).filter(
      ([key]) => !CONFIG_KEYS.some((k) => k.name === key) && !key.startsWith('AzureWebJobsStorage'),
    ),
  );
  process.env = {
    ...inherited,
    STATE_STORE: 'azure-storage',
    AzureWebJobsStorage: azurite.connectionString,
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: join(REPO, 'samples/workspace'),
    EXPORT_METRICS_PATH: join(REPO, 'samples/metrics'),
    TEAMS_WORKFLOW_URL: teamsUrl,
  };
  // The worker memoises services built from the environment, so the handlers are loaded only
  // now, in a fresh module registry. Without the Functions host, @azure/functions warns that it
  // switched to test mode and that it skipped each registration.
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.isolateModules(() => {
    ({ alerts } = jest.requireActual<AlertsModule>('../../functions/alerts'));
    ({ enrich } = jest.requireActual<EnrichModule>('../../functions/enrich'));
    ({ health } = jest.requireActual<HealthModule>('../../functions/health'));
  });
  expect(warn.mock.calls.flat().join('\n')).toMatch(/test mode/);
  queue = new QueueClient(azurite.connectionString, ALERT_QUEUE_NAME);
}, 90_000);

beforeEach(() => {
  logs = [];
  receiver.status = 202;
  receiver.requests.length = 0;
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([azurite.stop(), receiver.close()]);
});

describe('alert → queue → enrichment → Teams', () => {
  it('accepts the alert once, and posts one enriched Teams card from the queued message', async () => {
    const first = await postAlert(SAMPLE);
    expect(first).toEqual({ status: 202, jsonBody: { id: SAMPLE_ID } });

    // The action group retries (or the rule re-fires): accepted, not queued again.
    const again = await postAlert(SAMPLE);
    expect(again).toEqual({ status: 202, jsonBody: { id: SAMPLE_ID, duplicate: true } });

    const messages = await receiveAll();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ version: 1, alert: { id: SAMPLE_ID, condition: 'Fired' } });

    await enrich(messages[0], context('enrich'));

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/teams/workflows/sig=e2e-secret-signature');
    expect(request!.headers['content-type']).toBe('application/json');
    const body = request!.json as {
      type: string;
      attachments: { contentType: string; content: { type: string; version: string } }[];
    };
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0]!.content;
    expect(card.type).toBe('AdaptiveCard');
    expect(firstTextBlock(card)).toMatch(/SAS token renewal/i);
    expect(JSON.stringify(card)).toContain('thermostat-0042');
    expect(logs.map((l) => l.text).join('\n')).toMatch(/sas-token-expiry/);

    // A duplicate of the message (another queue message id) is dropped by the processing lease.
    const duplicate = new InvocationContext({
      functionName: 'enrich',
      triggerMetadata: { id: 'another-message-id' },
      logHandler: (level, ...args) => {
        logs.push({ level, text: args.map(String).join(' ') });
      },
    });
    await enrich(messages[0], duplicate);
    expect(receiver.requests).toHaveLength(1);
    expect(logs.map((l) => l.text).join('\n')).toMatch(
      /already processed; this message is dropped/,
    );
  });

  it('throws from the queue trigger when Teams keeps failing, without leaking the URL', async () => {
    receiver.status = 500;
    // The same rule firing for another device (a re-fire about the same device and drop would
    // be posted once only, whichever alert spoke first).
    const refired = SAMPLE.replace(SAMPLE_ID, `${SAMPLE_ID}0`).replaceAll(
      'thermostat-0042',
      'pump-station-7',
    );
    expect((await postAlert(refired)).status).toBe(202);
    const [message] = await receiveAll();

    const failure: unknown = await enrich(message, context('enrich')).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(Error);
    const error = failure as Error;
    expect(error.message).toMatch(/HTTP 500/);
    expect(receiver.requests).toHaveLength(3);
    for (const text of [error.message, String(error.stack), ...logs.map((l) => l.text)]) {
      expect(text).not.toContain(teamsUrl);
      expect(text).not.toContain('sig=e2e-secret-signature');
      expect(text).not.toContain(receiver.origin);
    }
  });

  it('throws from the queue trigger on a message that is not a queued alert', async () => {
    await expect(enrich({ version: 1, alert: {} }, context('enrich'))).rejects.toThrow(
      /not a queued alert/,
    );
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('intake refusals', () => {
  it('answers 400 with error and path for a body that is not JSON', async () => {
    const response = await postAlert('this is not { json');

    expect(response.status).toBe(400);
    expect(Object.keys(response.jsonBody as object).sort()).toEqual(['error', 'path']);
    expect(response.jsonBody).toMatchObject({ path: '' });
    expect((response.jsonBody as { error: string }).error).toMatch(/not valid JSON/);
  });

  it('answers 422 for a legacy Log Analytics payload, naming the common alert schema', async () => {
    const response = await postAlert(LEGACY);

    expect(response.status).toBe(422);
    const body = response.jsonBody as { error: string; path: string };
    expect(body.error).toMatch(/common alert schema/i);
    expect(typeof body.path).toBe('string');
  });

  it('answers 413 for a body over 1 MiB, declared or not', async () => {
    const big = `{"padding":"${'x'.repeat(MAX_ALERT_BODY_BYTES)}"}`;

    const declared = await postAlert(big, { 'content-length': String(Buffer.byteLength(big)) });
    const undeclared = await postAlert(Buffer.from(big));

    for (const response of [declared, undeclared]) {
      expect(response.status).toBe(413);
      expect(response.jsonBody).toEqual({
        error: `Body is larger than ${MAX_ALERT_BODY_BYTES} bytes`,
        path: '',
      });
    }
  });

  it('queues nothing for refused alerts', async () => {
    await postAlert('not json');
    await postAlert(LEGACY);

    expect(await receiveAll()).toEqual([]);
  });
});

describe('health', () => {
  it('answers 200 and lists key names without any values', () => {
    const response = health();

    expect(response.status).toBe(200);
    const body = response.jsonBody as {
      status: string;
      keys: { name: string; status: string; secret: boolean }[];
    };
    expect(body.status).toBe('ok');
    expect(body.keys).toEqual(
      expect.arrayContaining([
        { name: 'TEAMS_WORKFLOW_URL', status: 'set', secret: true },
        { name: 'AzureWebJobsStorage', status: 'set', secret: true },
        { name: 'EVIDENCE_SOURCE', status: 'set', secret: false },
        { name: 'WEBHOOK_URL', status: 'unset', secret: true },
      ]),
    );
    const json = JSON.stringify(response.jsonBody);
    for (const value of [
      teamsUrl,
      receiver.origin,
      'sig=e2e-secret-signature',
      azurite.connectionString,
      'AccountKey',
      join(REPO, 'samples'),
    ]) {
      expect(json).not.toContain(value);
    }
  });
});
