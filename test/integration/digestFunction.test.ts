/**
 * The timer function end to end: `functions/digest` with the worker's services built from the
 * environment, the activity ledger on Azurite, and Teams on a local receiver. An alert processed
 * by `functions/enrich` shows in the digest as received and posted.
 */

import { join } from 'node:path';

import { InvocationContext, type Timer } from '@azure/functions';

import { parseAlert } from '../../lib/alerts/parseAlert';
import { CONFIG_KEYS } from '../../lib/config/configKeys';
import { startAzurite, type Azurite } from '../support/azurite';
import { readJson } from '../support/fixtures';
import { startHttpReceiver, type HttpReceiver } from '../support/httpReceiver';

type DigestModule = typeof import('../../functions/digest');
type EnrichModule = typeof import('../../functions/enrich');

const REPO = join(__dirname, '..', '..');
const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const savedEnv = process.env;
let azurite: Azurite | undefined;
let receiver: HttpReceiver | undefined;

function load(env: Record<string, string>): {
  digest: DigestModule;
  enrich: EnrichModule;
  warnings: string;
} {
  const inherited = Object.fromEntries(
    Object.entries(savedEnv).filter(
      ([key]) => !CONFIG_KEYS.some((k) => k.name === key) && !key.startsWith('AzureWebJobsStorage'),
    ),
  );
  process.env = {
    ...inherited,
    STATE_STORE: 'azure-storage',
    AzureWebJobsStorage: azurite!.connectionString,
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: join(REPO, 'samples/workspace'),
    TEAMS_WORKFLOW_URL: `${receiver!.origin}/teams`,
    IOTHUB_RESOURCE_IDS: HUB,
    ...env,
  };
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  let modules: { digest: DigestModule; enrich: EnrichModule } | undefined;
  jest.isolateModules(() => {
    modules = {
      digest: jest.requireActual<DigestModule>('../../functions/digest'),
      enrich: jest.requireActual<EnrichModule>('../../functions/enrich'),
    };
  });
  const warnings = warn.mock.calls.flat().join('\n');
  warn.mockRestore();
  return { ...modules!, warnings };
}

// Azurite can take a while to start on a busy machine.
beforeAll(async () => {
  [azurite, receiver] = await Promise.all([startAzurite(), startHttpReceiver()]);
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([azurite?.stop(), receiver?.close()]);
});

test('the digest timer posts the hub’s digest, counting what the enricher did', async () => {
  const { digest, enrich, warnings } = load({});
  expect(warnings).toMatch(/digest/);
  const alert = parseAlert(readJson('samples/alerts/flaky-network-pump-station-7.json'), {
    deviceIdDimension: 'DeviceId',
  });
  const context = new InvocationContext({ functionName: 'enrich', logHandler: () => undefined });
  const message = { version: 1, alert, receivedAt: new Date().toISOString() };
  await enrich.enrich(message, context);
  await enrich.enrich(message, context); // a queue retry: counted once

  const teams = receiver!;
  teams.requests.length = 0;
  await digest.digest(
    {} as Timer,
    new InvocationContext({ functionName: 'digest', logHandler: () => undefined }),
  );
  expect(teams.requests).toHaveLength(1);
  const card = JSON.stringify(teams.requests[0]!.json);
  expect(card).toContain('Fleet health of contoso-fleet-hub');
  expect(card).toContain('Alerts received: 1');
  expect(card).toContain('Cards posted: 1');
  expect(card).toContain('Incidents opened: 0');
  expect(card).toContain('Dead letters waiting for replay: 0');
});

test('DIGEST_SCHEDULE empty: the timer is not registered', () => {
  const { warnings } = load({ DIGEST_SCHEDULE: '' });
  expect(warnings).not.toMatch(/digest/);
});
