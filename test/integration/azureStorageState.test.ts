/**
 * The Azure Storage adapters (idempotency table, alert queue) against a real Azurite started by
 * the test, built by the same `createStorageClients` the worker uses.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';

import type { Alert } from '../../lib/alerts/alert';
import { idempotencyKey } from '../../lib/alerts/alert';
import { parseAlert } from '../../lib/alerts/parseAlert';
import { handleAlertRequest, type IntakeServices } from '../../lib/intake/handleAlertRequest';
import { silentLogger } from '../../lib/logger';
import { ALERT_QUEUE_NAME, type AlertQueue, type QueuedAlert } from '../../lib/state/alertQueue';
import {
  createStorageClients,
  MAX_QUEUE_MESSAGE_BYTES,
  StorageAlertQueue,
  TableAlertStore,
  type StorageClients,
} from '../../lib/state/azureStorageState';
import { parseQueuedAlert } from '../../lib/state/queueMessage';
import { closedPort, connectionStringFor, startAzurite, type Azurite } from '../support/azurite';

const REPO = join(__dirname, '..', '..');
const SAMPLE_BODY = readFileSync(join(REPO, 'samples/alerts/sas-renewal-thermostat-0042.json'));
const PARSE_OPTIONS = { deviceIdDimension: 'DeviceId' };
const sampleAlert: Alert = parseAlert(JSON.parse(SAMPLE_BODY.toString('utf8')), PARSE_OPTIONS);

const noCredential = (): TokenCredential => {
  throw new Error('connection-string storage must not ask for a credential');
};

function clientsFor(connectionString: string): StorageClients {
  return createStorageClients({ connectionString }, noCredential);
}

function queued(alert: Alert): QueuedAlert {
  return { version: 1, alert, receivedAt: '2026-11-20T06:08:11.000Z' };
}

/** Reads (and removes) every message, decoded as the Functions host does (base64 JSON). */
async function drain(queue: QueueClient): Promise<unknown[]> {
  const messages: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return messages;
    for (const item of receivedMessageItems) {
      messages.push(JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')));
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
}

let azurite: Azurite;
let clients: StorageClients;

// Starting Azurite can take a while on a busy machine running several suites at once.
beforeAll(async () => {
  azurite = await startAzurite();
  clients = clientsFor(azurite.connectionString);
}, 90_000);

afterAll(async () => {
  await azurite.stop();
});

describe('TableAlertStore', () => {
  it('claims a key once', async () => {
    const store = new TableAlertStore(clients.table);
    const key = idempotencyKey(sampleAlert);

    await expect(store.claim(key)).resolves.toBe(true);
    await expect(store.claim(key)).resolves.toBe(false);
  });

  it.each([
    ['slashes', '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1|Fired'],
    ['a hash', 'alert#1|Fired'],
    ['a question mark', 'alert?id=1|Fired'],
    ['a backslash', 'alert\\1|Fired'],
    ['unicode', 'Gerät-Ü/📟 çà|Resolved'],
    ['a very long key', `${'x'.repeat(5000)}|Fired`],
  ])('claims keys with %s', async (_name, key) => {
    const store = new TableAlertStore(clients.table);

    await expect(store.claim(key)).resolves.toBe(true);
    await expect(store.claim(key)).resolves.toBe(false);
  });

  it('keeps keys apart that differ only in a character the table would not accept', async () => {
    const store = new TableAlertStore(clients.table);

    await expect(store.claim('distinct/a')).resolves.toBe(true);
    await expect(store.claim('distinct#a')).resolves.toBe(true);
    await expect(store.claim('distinct?a')).resolves.toBe(true);
  });

  it('lets a released key be claimed again', async () => {
    const store = new TableAlertStore(clients.table);
    const key = 'released/alert#1?|Fired';

    await expect(store.claim(key)).resolves.toBe(true);
    await store.release(key);
    await expect(store.claim(key)).resolves.toBe(true);
    await expect(store.claim(key)).resolves.toBe(false);
  });

  it('ignores releasing a key that was never claimed', async () => {
    const store = new TableAlertStore(clients.table);

    await expect(store.release('never-claimed/📟|Fired')).resolves.toBeUndefined();
  });

  it('shares claims between workers, each creating the table if it has to', async () => {
    const first = new TableAlertStore(clientsFor(azurite.connectionString).table);
    const second = new TableAlertStore(clientsFor(azurite.connectionString).table);

    await expect(first.claim('shared|Fired')).resolves.toBe(true);
    await expect(second.claim('shared|Fired')).resolves.toBe(false);
    await second.release('shared|Fired');
    await expect(first.claim('shared|Fired')).resolves.toBe(true);
  });
});

describe('StorageAlertQueue', () => {
  it('creates the queue and writes base64 JSON that decodes to the same queued alert', async () => {
    const { queue: client } = clientsFor(azurite.connectionString);
    expect(client.name).toBe(ALERT_QUEUE_NAME);
    // Independent reader, as the Functions host is.
    const reader = new QueueClient(azurite.connectionString, ALERT_QUEUE_NAME);
    await expect(reader.exists()).resolves.toBe(false);

    const message = queued(sampleAlert);
    await new StorageAlertQueue(client).enqueue(message);

    await expect(reader.exists()).resolves.toBe(true);
    const { receivedMessageItems } = await reader.receiveMessages({ numberOfMessages: 32 });
    expect(receivedMessageItems).toHaveLength(1);
    const text = receivedMessageItems[0]!.messageText;
    expect(text).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    expect(parseQueuedAlert(decoded)).toEqual(message);
    expect(parseQueuedAlert(JSON.parse(decoded))).toEqual(message);
    await reader.deleteMessage(
      receivedMessageItems[0]!.messageId,
      receivedMessageItems[0]!.popReceipt,
    );
  });

  it('keeps non-ASCII alert text intact', async () => {
    const queue = new StorageAlertQueue(clients.queue);
    const message = queued({ ...sampleAlert, description: 'Gerät getrennt — 📟 thermostat-0042' });

    await queue.enqueue(message);

    expect((await drain(clients.queue)).map(parseQueuedAlert)).toEqual([message]);
  });

  it('refuses an alert too large for a queue message, and enqueues nothing', async () => {
    const queue = new StorageAlertQueue(clients.queue);
    const huge = queued({ ...sampleAlert, description: 'x'.repeat(MAX_QUEUE_MESSAGE_BYTES) });

    await expect(queue.enqueue(huge)).rejects.toThrow(
      /Alert message too large for the queue \(\d+ bytes, limit 49152\)/,
    );
    expect(await drain(clients.queue)).toEqual([]);
  });

  it('counts bytes, not characters, against the limit', async () => {
    const queue = new StorageAlertQueue(clients.queue);
    // Under the limit in characters, over it in UTF-8 bytes.
    const wide = queued({ ...sampleAlert, description: 'ü'.repeat(30_000) });

    await expect(queue.enqueue(wide)).rejects.toThrow(/too large for the queue/);
  });
});

describe('when storage is down', () => {
  it('throws quickly from the store and the queue on a closed port', async () => {
    const down = clientsFor(connectionStringFor(await closedPort()));
    const started = Date.now();

    await expect(new TableAlertStore(down.table).claim('down|Fired')).rejects.toThrow();
    await expect(new TableAlertStore(down.table).release('down|Fired')).rejects.toThrow();
    await expect(new StorageAlertQueue(down.queue).enqueue(queued(sampleAlert))).rejects.toThrow();
    // Far inside the action group's ~10 s budget, so intake answers 503 before it gives up.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('throws once the storage emulator that worked has stopped', async () => {
    const own = await startAzurite();
    try {
      const ownClients = clientsFor(own.connectionString);
      const store = new TableAlertStore(ownClients.table);
      const queue = new StorageAlertQueue(ownClients.queue);
      await expect(store.claim('before-stop|Fired')).resolves.toBe(true);
      await queue.enqueue(queued(sampleAlert));

      await own.stop();

      await expect(store.claim('after-stop|Fired')).rejects.toThrow();
      await expect(queue.enqueue(queued(sampleAlert))).rejects.toThrow();
    } finally {
      await own.stop();
    }
  });
});

describe('intake over Azure Storage', () => {
  const request = (body: Uint8Array = SAMPLE_BODY) => ({
    declaredLength: body.byteLength,
    readBody: async () => body,
  });

  function intake(queue: AlertQueue, store: TableAlertStore): IntakeServices {
    return {
      queue,
      store,
      parseOptions: PARSE_OPTIONS,
      log: silentLogger,
      now: () => new Date('2026-11-20T06:08:11.000Z'),
    };
  }

  it('answers 503 when the queue fails, and releases the claim so the retry is accepted', async () => {
    const store = new TableAlertStore(clients.table);
    const downQueue = new StorageAlertQueue(
      clientsFor(connectionStringFor(await closedPort())).queue,
    );
    const body = Buffer.from(SAMPLE_BODY.toString('utf8').replace(/"Fired"/g, '"Resolved"'));

    const failed = await handleAlertRequest(request(body), intake(downQueue, store));

    expect(failed).toEqual({
      status: 503,
      body: { error: 'The alert queue is unavailable; retry later', path: '' },
    });

    // The action group retries; storage is back.
    const retried = await handleAlertRequest(
      request(body),
      intake(new StorageAlertQueue(clients.queue), store),
    );
    expect(retried).toEqual({ status: 202, body: { id: sampleAlert.id } });
    const messages = (await drain(clients.queue)).map(parseQueuedAlert);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.alert).toMatchObject({ id: sampleAlert.id, condition: 'Resolved' });
  });

  it('answers 503 when the idempotency table is down', async () => {
    const down = clientsFor(connectionStringFor(await closedPort()));

    const response = await handleAlertRequest(
      request(),
      intake(new StorageAlertQueue(down.queue), new TableAlertStore(down.table)),
    );

    expect(response).toEqual({
      status: 503,
      body: { error: 'The idempotency store is unavailable; retry later', path: '' },
    });
  });
});
