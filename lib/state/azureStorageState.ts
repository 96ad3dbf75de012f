/** Azure Storage adapters: the alert queue (Queue service) and the idempotency table (Table service). */

import { createHash } from 'node:crypto';

import { RestError, TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';

import type { StorageSettings } from '../config';
import { AppError } from '../errors';
import { ALERT_QUEUE_NAME, type AlertQueue, type QueuedAlert } from './alertQueue';
import { IDEMPOTENCY_TABLE_NAME, type AlertStore } from './alertStore';

/** Azure Storage queue messages are at most 64 KiB; base64 costs a third of that. */
export const MAX_QUEUE_MESSAGE_BYTES = 48 * 1024;

export class StorageAlertQueue implements AlertQueue {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly client: QueueClient) {}

  async enqueue(message: QueuedAlert): Promise<void> {
    const json = JSON.stringify(message);
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_QUEUE_MESSAGE_BYTES) {
      // Retrying cannot help, so not a 503: the sender gets a 413 that says why.
      throw new AppError(
        `Alert message too large for the queue (${bytes} bytes, limit ${MAX_QUEUE_MESSAGE_BYTES})`,
        413,
      );
    }
    this.ready ??= this.client.createIfNotExists().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    // The Functions queue trigger expects base64 (host.json default messageEncoding).
    await this.client.sendMessage(Buffer.from(json, 'utf8').toString('base64'));
  }
}

/** A hung table endpoint must not hold intake past the action group's ~10 s budget. */
const TABLE_REQUEST = { requestOptions: { timeout: 3000 } };

export class TableAlertStore implements AlertStore {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly client: TableClient) {}

  async claim(key: string): Promise<boolean> {
    await this.ensureTable();
    const rowKey = hashKey(key);
    try {
      await this.client.createEntity(
        {
          partitionKey: rowKey.slice(0, 2),
          rowKey,
          key: key.slice(0, 1000),
          claimedAt: new Date().toISOString(),
        },
        TABLE_REQUEST,
      );
      return true;
    } catch (error: unknown) {
      if (error instanceof RestError && error.statusCode === 409) return false;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    await this.ensureTable();
    const rowKey = hashKey(key);
    try {
      await this.client.deleteEntity(rowKey.slice(0, 2), rowKey, TABLE_REQUEST);
    } catch (error: unknown) {
      if (error instanceof RestError && error.statusCode === 404) return;
      throw error;
    }
  }

  private async ensureTable(): Promise<void> {
    this.ready ??= this.client.createTable(TABLE_REQUEST).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
  }
}

/** Table keys may not contain `/`, `\`, `#` or `?`; alert IDs do. */
function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Intake answers within the action group's ~10 s budget, and a 503 makes the action group retry,
 * so storage calls fail fast instead of using the SDK defaults (4 tries, 4 s back-off: ~16 s
 * when storage is unreachable, long enough for the sender to time out while the claim is held).
 */
const QUEUE_RETRY_OPTIONS = {
  maxTries: 3,
  retryDelayInMs: 100,
  maxRetryDelayInMs: 500,
  tryTimeoutInMs: 2000,
} as const;
const TABLE_RETRY_OPTIONS = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 500 } as const;

export interface StorageClients {
  readonly queue: QueueClient;
  readonly table: TableClient;
}

/** Builds the clients from a connection string, or from service URIs and a managed identity. */
export function createStorageClients(
  settings: StorageSettings,
  credential: () => TokenCredential,
): StorageClients {
  if (settings.connectionString !== undefined) {
    const connectionString = expandDevelopmentStorage(settings.connectionString);
    return {
      queue: new QueueClient(connectionString, ALERT_QUEUE_NAME, {
        retryOptions: QUEUE_RETRY_OPTIONS,
      }),
      table: TableClient.fromConnectionString(connectionString, IDEMPOTENCY_TABLE_NAME, {
        allowInsecureConnection: connectionString.includes('http://'),
        retryOptions: TABLE_RETRY_OPTIONS,
      }),
    };
  }
  if (settings.queueServiceUri === undefined || settings.tableServiceUri === undefined) {
    throw new Error('Storage needs a connection string or both service URIs');
  }
  return {
    queue: new QueueClient(
      `${settings.queueServiceUri.replace(/\/$/, '')}/${ALERT_QUEUE_NAME}`,
      credential(),
      { retryOptions: QUEUE_RETRY_OPTIONS },
    ),
    table: new TableClient(settings.tableServiceUri, IDEMPOTENCY_TABLE_NAME, credential(), {
      retryOptions: TABLE_RETRY_OPTIONS,
    }),
  };
}

/** The Azurite well-known account, which `UseDevelopmentStorage=true` stands for. */
const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;' +
  'QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

export function expandDevelopmentStorage(connectionString: string): string {
  return /^UseDevelopmentStorage=true;?$/i.test(connectionString.trim())
    ? DEVELOPMENT_STORAGE
    : connectionString;
}
