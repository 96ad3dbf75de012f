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
import { silentLogger } from '../../lib/common/logger';
import { ALERT_QUEUE_NAME, type AlertQueue, type QueuedAlert } from '../../lib/state/alertQueue';
import {
  createStorageClients,
  MAX_QUEUE_MESSAGE_BYTES,
  StorageAlertQueue,
  TableAlertStore,
  type StorageClients,
} from '../../lib/state/azure/azureStorageState';
import { PROCESSING_LEASE_MS } from '../../lib/state/processingLease';
import {
  createActivityTableClient,
  TableActivityLedger,
} from '../../lib/state/azure/tableActivityLedger';
import { TableIncidentStore } from '../../lib/state/azure/tableIncidentStore';
import { TableDeadLetters, TableLedger } from '../../lib/state/azure/tableLedger';
import { parseQueuedAlert } from '../../lib/state/queueMessage';
import { closedPort, connectionStringFor, startAzurite, type Azurite } from '../support/azurite';
import { connectionStringWith, startFaultProxy } from '../support/faultProxy';

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
  it('knows a key once it is marked queued', async () => {
    const store = new TableAlertStore(clients.table);
    const key = idempotencyKey(sampleAlert);

    await expect(store.wasQueued(key)).resolves.toBe(false);
    await store.markQueued(key);
    await expect(store.wasQueued(key)).resolves.toBe(true);
  });

  it('reads "not queued" before the table exists, without creating it', async () => {
    const own = await startAzurite();
    try {
      const ownClients = clientsFor(own.connectionString);
      await expect(new TableAlertStore(ownClients.table).wasQueued('k|Fired')).resolves.toBe(false);
    } finally {
      await own.stop();
    }
  }, 60_000);

  it.each([
    ['slashes', '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1|Fired'],
    ['a hash', 'alert#1|Fired'],
    ['a question mark', 'alert?id=1|Fired'],
    ['a backslash', 'alert\\1|Fired'],
    ['unicode', 'Gerät-Ü/📟 çà|Resolved'],
    ['a very long key', `${'x'.repeat(5000)}|Fired`],
  ])('records keys with %s', async (_name, key) => {
    const store = new TableAlertStore(clients.table);

    await expect(store.wasQueued(key)).resolves.toBe(false);
    await store.markQueued(key);
    await expect(store.wasQueued(key)).resolves.toBe(true);
  });

  it('keeps keys apart that differ only in a character the table would not accept', async () => {
    const store = new TableAlertStore(clients.table);

    await store.markQueued('distinct/a');
    await expect(store.wasQueued('distinct#a')).resolves.toBe(false);
    await expect(store.wasQueued('distinct?a')).resolves.toBe(false);
  });

  it('shares records between workers', async () => {
    const first = new TableAlertStore(clientsFor(azurite.connectionString).table);
    const second = new TableAlertStore(clientsFor(azurite.connectionString).table);

    await first.markQueued('shared|Fired');
    await expect(second.wasQueued('shared|Fired')).resolves.toBe(true);
  });
});

describe('TableLedger and TableDeadLetters', () => {
  const now = new Date('2026-11-20T00:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  it('grants the processing lease to one message; another is busy until it expires', async () => {
    const first = new TableLedger(clientsFor(azurite.connectionString).table);
    const second = new TableLedger(clientsFor(azurite.connectionString).table);
    const key = 'lease/alert#1|Fired';

    const [a, b] = await Promise.all([
      first.startProcessing(key, 'm1', now),
      second.startProcessing(key, 'm2', now),
    ]);
    expect([a, b].sort()).toEqual(['busy', 'go']);
    const holder = a === 'go' ? 'm1' : 'm2';
    const other = holder === 'm1' ? 'm2' : 'm1';
    await expect(second.startProcessing(key, holder, later(1000))).resolves.toBe('go');
    await expect(first.startProcessing(key, other, later(1000))).resolves.toBe('busy');
    await first.abandonProcessing(key, holder, later(2000));
    await expect(first.startProcessing(key, other, later(2000))).resolves.toBe('go');
    await second.finishProcessing(key, other, later(3000));
    await expect(first.startProcessing(key, holder, later(PROCESSING_LEASE_MS * 3))).resolves.toBe(
      'done',
    );
  });

  it('takes an expired lease over', async () => {
    const ledger = new TableLedger(clients.table);
    await expect(ledger.startProcessing('expiring|Fired', 'm1', now)).resolves.toBe('go');
    await expect(
      ledger.startProcessing('expiring|Fired', 'm2', later(PROCESSING_LEASE_MS + 1)),
    ).resolves.toBe('go');
  });

  it('records deliveries per alert key, message id and channel', async () => {
    const ledger = new TableLedger(clients.table);
    const ref = { sourceKey: 'deliveries/a#1|Fired', messageId: 'enriched', channel: 'teams' };
    await expect(ledger.getDelivery(ref)).resolves.toBeUndefined();
    const record = {
      state: 'accepted' as const,
      posts: 2,
      failedRounds: 1,
      unknownOutcomes: 1,
      status: 202,
      lastError: 'Teams did not answer',
      updatedAt: now.toISOString(),
    };
    await ledger.putDelivery(ref, record);
    await expect(ledger.getDelivery(ref)).resolves.toEqual(record);
    await expect(ledger.getDelivery({ ...ref, channel: 'webhook' })).resolves.toBeUndefined();
    await expect(ledger.getDelivery({ ...ref, messageId: 'other' })).resolves.toBeUndefined();
  });

  it('keeps dead letters with bodies larger than one table property, and removes them', async () => {
    const letters = new TableDeadLetters(clients.deadLetters);
    const payload = JSON.stringify({ text: 'ü📟'.repeat(25_000) });
    const ref = { sourceKey: `${'k'.repeat(40_000)}|Fired`, messageId: 'm/1', channel: 'webhook' };
    await letters.addDeadLetter({
      ref,
      payload,
      status: 400,
      error: 'Webhook answered HTTP 400',
      posts: 1,
      deadLetteredAt: now.toISOString(),
    });
    const teamsRef = { ...ref, channel: 'teams' };
    await letters.addDeadLetter({
      ref: teamsRef,
      payload: '{}',
      error: 'x',
      posts: 3,
      deadLetteredAt: later(1).toISOString(),
    });

    const webhookLetters = await letters.listDeadLetters('webhook');
    expect(webhookLetters).toHaveLength(1);
    // Compared as booleans: a failure must not print 100 KB.
    expect(webhookLetters[0]?.payload === payload).toBe(true);
    expect(webhookLetters[0]?.ref.sourceKey === ref.sourceKey).toBe(true);
    expect({
      ...webhookLetters[0],
      payload: '',
      ref: { ...webhookLetters[0]?.ref, sourceKey: '' },
    }).toEqual({
      ref: { ...ref, sourceKey: '' },
      payload: '',
      status: 400,
      error: 'Webhook answered HTTP 400',
      posts: 1,
      deadLetteredAt: now.toISOString(),
    });
    expect((await letters.listDeadLetters()).map((l) => l.ref.channel)).toEqual([
      'webhook',
      'teams',
    ]);
    await letters.removeDeadLetter(ref);
    await letters.removeDeadLetter(ref);
    expect((await letters.listDeadLetters()).map((l) => l.ref.channel)).toEqual(['teams']);
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

describe('when storage is down or hung', () => {
  it('throws quickly from the store and the queue on a closed port', async () => {
    const down = clientsFor(connectionStringFor(await closedPort()));

    await expect(new TableAlertStore(down.table).wasQueued('down|Fired')).rejects.toThrow();
    await expect(new TableAlertStore(down.table).markQueued('down|Fired')).rejects.toThrow();
    await expect(new StorageAlertQueue(down.queue).enqueue(queued(sampleAlert))).rejects.toThrow();
  });

  it('gives up on a hung endpoint at the client-side deadline', async () => {
    const proxy = await startFaultProxy(azurite.queueServiceUri);
    const tableProxy = await startFaultProxy(azurite.tableServiceUri);
    try {
      proxy.mode = 'hang';
      tableProxy.mode = 'hang';
      const hung = clientsFor(
        connectionStringWith(azurite.connectionString, {
          queue: proxy.url,
          table: tableProxy.url,
        }),
      );
      const deadlines = { readMs: 200, enqueueMs: 300, writeMs: 200 };
      await expect(
        new StorageAlertQueue(hung.queue, deadlines).enqueue(queued(sampleAlert)),
      ).rejects.toThrow(/abort/i);
      await expect(new TableAlertStore(hung.table, deadlines).wasQueued('x')).rejects.toThrow(
        /abort/i,
      );
      await expect(
        new TableLedger(hung.table, deadlines).startProcessing('x', 'm', new Date()),
      ).rejects.toThrow(/abort/i);
      expect(proxy.seen.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      await tableProxy.close();
    }
  });

  it('bounds the incident store and activity ledger too, and tries again once the table heals', async () => {
    const tableProxy = await startFaultProxy(azurite.tableServiceUri);
    try {
      tableProxy.mode = 'hang';
      const hung = clientsFor(
        connectionStringWith(azurite.connectionString, { table: tableProxy.url }),
      );
      const deadlines = { readMs: 200, enqueueMs: 300, writeMs: 200 };
      const incidents = new TableIncidentStore(hung.incidents, deadlines);
      const activity = new TableActivityLedger(
        createActivityTableClient(
          {
            connectionString: connectionStringWith(azurite.connectionString, {
              table: tableProxy.url,
            }),
          },
          noCredential,
        ),
        undefined,
        deadlines,
      );
      const event = {
        kind: 'alert-received',
        hubResourceId: sampleAlert.hubResourceIds[0] ?? 'hub',
        at: '2026-11-20T06:08:11.000Z',
        key: 'hung|Fired',
      } as const;

      await expect(incidents.recall('hung')).rejects.toThrow(/abort/i);
      await expect(incidents.activeIncidents()).rejects.toThrow(/abort/i);
      await expect(incidents.count('hub', '2026-11-20', 'renewals-posted')).rejects.toThrow(
        /abort/i,
      );
      await expect(activity.record(event)).rejects.toThrow(/abort/i);

      // The create that hung is not remembered: the next call after healing goes through.
      tableProxy.mode = 'pass';
      await activity.record(event);
      await expect(incidents.activeIncidents()).resolves.toEqual(expect.any(Array));
      const summary = await activity.summarise(
        event.hubResourceId,
        '2026-11-20T00:00:00.000Z',
        '2026-11-21T00:00:00.000Z',
      );
      expect(summary).toMatchObject({ alertsReceived: 1 });
    } finally {
      await tableProxy.close();
    }
  });

  it('throws once the storage emulator that worked has stopped', async () => {
    const own = await startAzurite();
    try {
      const ownClients = clientsFor(own.connectionString);
      const store = new TableAlertStore(ownClients.table);
      const queue = new StorageAlertQueue(ownClients.queue);
      await store.markQueued('before-stop|Fired');
      await queue.enqueue(queued(sampleAlert));

      await own.stop();

      await expect(store.wasQueued('before-stop|Fired')).rejects.toThrow();
      await expect(queue.enqueue(queued(sampleAlert))).rejects.toThrow();
    } finally {
      await own.stop();
    }
  }, 60_000);
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

  it('answers 503 when the queue fails, records nothing, and the retry is queued', async () => {
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
    const again = await handleAlertRequest(
      request(body),
      intake(new StorageAlertQueue(clients.queue), store),
    );
    expect(again).toEqual({ status: 202, body: { id: sampleAlert.id, duplicate: true } });
  });

  it('answers 503 when all of storage is down', async () => {
    const down = clientsFor(connectionStringFor(await closedPort()));

    const response = await handleAlertRequest(
      request(),
      intake(new StorageAlertQueue(down.queue), new TableAlertStore(down.table)),
    );

    expect(response).toEqual({
      status: 503,
      body: { error: 'The alert queue is unavailable; retry later', path: '' },
    });
  });
});
