/**
 * The fault matrix's "silenced" row (`npm run test:faults`): the dev host on Azurite, its tables
 * behind a fault proxy. A silence is made over the API; then the silences table fails while the
 * worker reads it. Closed, not open: the alert's processing fails and the queue retries it,
 * rather than posting what the silence holds back or dropping it. Once storage is back, the
 * silenced alert is held (and counted), and an alert the silence does not match is posted once.
 */

import { readFileSync } from 'node:fs';

import type { Logger } from '../../lib/common/logger';
import { loadConfig } from '../../lib/config/loadConfig';
import type { DeliveryOptions } from '../../lib/notify/httpDelivery';
import { TeamsNotifier } from '../../lib/notify/teamsNotifier';
import { IDEMPOTENCY_KEY_HEADER, WebhookNotifier } from '../../lib/notify/webhookNotifier';
import { SILENCE_TABLE_NAME } from '../../lib/state/silenceStore';
import { type DevHost, startDevHost } from '../../lib/tools/devhost/devHost';
import { startAzurite, type Azurite } from '../support/azurite';
import { connectionStringWith, type FaultProxy, startFaultProxy } from '../support/faultProxy';
import { repoPath } from '../support/fixtures';
import { type HttpReceiver, startHttpReceiver, wasTaken } from '../support/httpReceiver';

const DELIVERY: DeliveryOptions = { timeoutMs: 400, baseDelayMs: 20, maxDelayMs: 2000 };
const sample = (name: string) => readFileSync(repoPath(`samples/alerts/${name}`), 'utf8');
/** Held back by the silence. */
const SILENCED = sample('sas-renewal-thermostat-0042.json');
/** Not matched by it: posted. */
const OTHER = sample('flaky-network-pump-station-7.json');

let azurite: Azurite;
let tableProxy: FaultProxy;
let host: DevHost;
let teams: HttpReceiver;
let webhook: HttpReceiver;
const warnings: string[] = [];

const log: Logger = {
  info: () => undefined,
  warn: (...args) => warnings.push(args.map(String).join(' ')),
  error: (...args) => warnings.push(args.map(String).join(' ')),
};

/** Reads of the silences table (the worker's listing), not its writes. */
const silenceReads = (r: { method: string; path: string }) =>
  r.method === 'GET' && r.path.includes(SILENCE_TABLE_NAME);

beforeAll(async () => {
  azurite = await startAzurite();
  tableProxy = await startFaultProxy(azurite.tableServiceUri);
  teams = await startHttpReceiver();
  webhook = await startHttpReceiver();
  const env = {
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: repoPath('samples/workspace'),
    EXPORT_METRICS_PATH: repoPath('samples/metrics'),
    STATE_STORE: 'azure-storage',
    AzureWebJobsStorage: connectionStringWith(azurite.connectionString, { table: tableProxy.url }),
    TEAMS_WORKFLOW_URL: `${teams.origin}/teams`,
    WEBHOOK_URL: `${webhook.origin}/hook`,
  };
  host = await startDevHost({
    config: loadConfig(env),
    env,
    port: 0,
    log,
    // Long enough that the fault is lifted before the retry; short enough for a test.
    retryDelayMs: 1000,
    incidentTimerMs: 0,
    overrides: () => ({
      notifiers: [
        new TeamsNotifier(`${teams.origin}/teams`, DELIVERY),
        new WebhookNotifier(`${webhook.origin}/hook`, undefined, DELIVERY),
      ],
    }),
  });
}, 90_000);

afterAll(async () => {
  tableProxy.mode = 'pass';
  await host.close();
  await teams.close();
  await webhook.close();
  await tableProxy.close();
  await azurite.stop();
});

jest.setTimeout(120_000);

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${host.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

/** The posts a channel took that are not notices (silence.created and the like). */
function alertPosts(receiver: HttpReceiver): string[] {
  return receiver.requests
    .filter(wasTaken)
    .filter(
      (r) => !/"event":\s*"(silence|incident|alert)\.(created|ended|acknowledged)"/.test(r.text),
    )
    .filter((r) => !/Silenced by|Silence ended/.test(r.text))
    .map((r) => r.headers[IDEMPOTENCY_KEY_HEADER] ?? r.text);
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('silenced: a silences read that fails holds nothing open and drops nothing; the retry holds it', async () => {
  const made = await api('POST', '/api/silences', {
    id: 'thermostat-work',
    matchers: ['device=thermostat-0042'],
    duration: '4h',
    createdBy: 'ana',
    comment: 'replacing the thermostat',
  });
  expect(made.status).toBe(201);
  const noticesBefore = teams.requests.length;

  // The fault: every read of the silences table resets, until lifted below.
  tableProxy.only = silenceReads;
  tableProxy.mode = 'reset';
  const faultedFrom = tableProxy.seen.length;
  for (const body of [SILENCED, OTHER]) {
    expect((await api('POST', '/api/alerts', body)).status).toBe(202);
  }
  // Both alerts reach the silence check and fail there: neither is posted, the silenced one
  // least of all.
  await until(
    'both alerts to fail on the silences read',
    () => warnings.filter((w) => w.includes('failed; retrying')).length >= 2,
  );
  expect(tableProxy.seen.slice(faultedFrom).some((r) => r.faulted)).toBe(true);
  expect(teams.requests.length).toBe(noticesBefore);
  expect(alertPosts(webhook)).toEqual([]);

  // Storage back: the queue's retry decides each once.
  tableProxy.mode = 'pass';
  tableProxy.only = undefined;
  await host.drain();

  expect(alertPosts(teams)).toHaveLength(1);
  expect(alertPosts(webhook)).toHaveLength(1);
  const posted = [...teams.requests, ...webhook.requests].filter(wasTaken).map((r) => r.text);
  expect(posted.some((text) => text.includes('pump-station-7'))).toBe(true);
  expect(posted.some((text) => text.includes('thermostat-0042') && !text.includes('Silenc'))).toBe(
    false,
  );

  const list = await api('GET', '/api/silences');
  expect(list.json).toMatchObject({ silences: [{ id: 'thermostat-work', held: 1, active: true }] });
  expect(warnings.some((w) => /moved to .*poison/.test(w))).toBe(false);
  process.stdout.write(
    `\nFault matrix row "silenced": faulted silence reads ${tableProxy.seen.slice(faultedFrom).filter((r) => r.faulted).length}, retries ${warnings.filter((w) => w.includes('failed; retrying')).length}, posted 1 (pump-station-7) per channel, held 1 (thermostat-0042), lost 0\n\n`,
  );
});
