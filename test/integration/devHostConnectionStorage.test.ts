/**
 * The dev host's connection-event path with `STATE_STORE=azure-storage`, on Azurite: a delivery
 * writes the identity's record and schedules its check in the real `connection-checks` queue, and
 * the dev host polls that queue as the check trigger would. A check's delay is the queue's own
 * visibility time-out (real time), so the test sends one that is due already instead of waiting.
 */

import { QueueClient } from '@azure/storage-queue';

import type { ConnectionCheck } from '../../lib/connections/identityState';
import { CONNECTION_CHECK_QUEUE_NAME } from '../../lib/state/connectionStates';
import { StorageConnectionCheckQueue } from '../../lib/state/azure/connectionStorage';
import type { DevHost } from '../../lib/tools/devhost/devHost';
import { cardKind } from '../../lib/tools/devhost/inboxCards';
import { devHostEnvironment } from '../../lib/tools/devhost/sampleEnvironment';
import { startAzurite, type Azurite } from '../support/azurite';
import { REPO_ROOT } from '../support/fixtures';
import { startInboxDevHost } from '../support/inboxDevHost';
import { HUB } from '../support/scenario';

let azurite: Azurite;
let host: DevHost;
let checkQueue: QueueClient;

beforeAll(async () => {
  azurite = await startAzurite();
  const env = devHostEnvironment(
    { STATE_STORE: 'azure-storage', AzureWebJobsStorage: azurite.connectionString },
    REPO_ROOT,
    7071,
  );
  host = await startInboxDevHost(env, { incidentTimerMs: 0 });
  checkQueue = new QueueClient(azurite.connectionString, CONNECTION_CHECK_QUEUE_NAME);
}, 60_000);

afterAll(async () => {
  await host.close();
  await azurite.stop();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${host.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const sequence = (n: number) => n.toString(16).toUpperCase().padStart(64, '0');

test('a check that is due is taken from the queue and becomes a card; the clock route waits for it', async () => {
  const check: ConnectionCheck = {
    version: 1,
    kind: 'grace',
    hubResourceId: HUB,
    hubName: 'contoso-fleet-hub',
    deviceId: 'pump-station-7',
    dropSequence: sequence(0x400),
    droppedAt: '2026-11-20T06:14:50.000Z',
    dueAt: '2026-11-20T06:17:50.000Z',
    graceSeconds: 180,
    logWaits: 0,
  };
  await new StorageConnectionCheckQueue(checkQueue).schedule(check, 0);
  // The clock's first move: the sample day.
  const moved = await post('/dev/clock', { to: '2026-11-20T06:18:10Z' });
  expect(moved.status).toBe(200);
  expect(await moved.json()).toMatchObject({ checks: { alerted: 1 } });
  const messages = (await (await fetch(`${host.url}/inbox/messages`)).json()) as {
    body: unknown;
  }[];
  expect(messages.map((m) => cardKind(m.body))).toEqual(['alert']);
  expect(JSON.stringify(messages[0]?.body)).toContain('pump-station-7');
}, 30_000);

test('a disconnect is recorded and its check waits in the real queue for the grace', async () => {
  const response = await post(
    '/runtime/webhooks/eventgrid?functionName=connectionEvents',
    [
      {
        id: 'ev-storage-1',
        topic: HUB.toUpperCase(),
        subject: 'devices/sensor-0017',
        eventType: 'Microsoft.Devices.DeviceDisconnected',
        eventTime: '2026-11-20T06:18:00Z',
        data: {
          deviceConnectionStateEventInfo: { sequenceNumber: sequence(0x501) },
          hubName: 'contoso-fleet-hub',
          deviceId: 'sensor-0017',
        },
        dataVersion: '1',
        metadataVersion: '1',
      },
    ],
    { 'aeg-event-type': 'Notification' },
  );
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ recorded: 1 });
  const { approximateMessagesCount } = await checkQueue.getProperties();
  expect(approximateMessagesCount).toBe(1);
  // Invisible for its grace: moving the clock does not make it visible sooner.
  const peeked = await checkQueue.peekMessages();
  expect(peeked.peekedMessageItems).toHaveLength(0);
});
