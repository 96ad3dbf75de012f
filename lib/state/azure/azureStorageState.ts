/** Azure Storage adapters: the alert queue (Queue service) and the idempotency table (Table service). */

import { createHash } from 'node:crypto';

import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';

import type { StorageSettings } from '../../config/loadConfig';
import { AppError } from '../../common/errors';
import {
  ALERT_QUEUE_NAME,
  type AlertQueue,
  POISON_QUEUE_NAME,
  type QueuedAlert,
} from '../alertQueue';
import { IDEMPOTENCY_TABLE_NAME, type AlertStore } from '../alertStore';
import { CONNECTION_CHECK_QUEUE_NAME, CONNECTION_TABLE_NAME } from '../connectionStates';
import { DEAD_LETTER_TABLE_NAME } from '../deadLetters';
import { SILENCE_TABLE_NAME } from '../silenceStore';
import { EnsuredTable, INTAKE_DEADLINES, type StorageDeadlines, within } from './storageDeadlines';
import { INCIDENT_TABLE_NAME } from './tableIncidentStore';

/** Azure Storage queue messages are at most 64 KiB; base64 costs a third of that. */
export const MAX_QUEUE_MESSAGE_BYTES = 48 * 1024;

export class StorageAlertQueue implements AlertQueue {
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly client: QueueClient,
    private readonly deadlines: StorageDeadlines = INTAKE_DEADLINES,
  ) {}

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
    // One deadline for creating the queue (first call only) and sending.
    const options = within(this.deadlines.enqueueMs);
    this.ready ??= this.client.createIfNotExists(options).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    // The Functions queue trigger expects base64 (host.json default messageEncoding).
    await this.client.sendMessage(Buffer.from(json, 'utf8').toString('base64'), options);
  }
}

/** Row of the intake record in an alert's partition (see `alertPartition`). */
const QUEUED_ROW = 'queued';

export class TableAlertStore implements AlertStore {
  private readonly table: EnsuredTable;

  constructor(
    client: TableClient,
    private readonly deadlines: StorageDeadlines = INTAKE_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
  }

  async wasQueued(key: string): Promise<boolean> {
    // A missing table (404) also means "never queued": no need to create it to read.
    const entity = await this.table.read(
      alertPartition(key),
      QUEUED_ROW,
      within(this.deadlines.readMs),
    );
    return entity !== undefined;
  }

  async markQueued(key: string): Promise<void> {
    const options = within(this.deadlines.writeMs);
    await this.table.ensure(options);
    await this.table.client.upsertEntity(
      {
        partitionKey: alertPartition(key),
        rowKey: QUEUED_ROW,
        key: key.slice(0, 1000),
        queuedAt: new Date().toISOString(),
      },
      'Replace',
      options,
    );
  }
}

/** Table keys may not contain `/`, `\`, `#` or `?`; alert IDs do. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Every row about one alert key (intake record, processing lease, deliveries) shares a partition. */
export function alertPartition(key: string): string {
  return hashKey(key);
}

/**
 * Few, short retries: storage calls fail fast instead of using the SDK defaults (4 tries, 4 s
 * back-off); the abort signal of each call (`within`) bounds the whole, retries included.
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
  /** Where the Functions host moves a message after `maxDequeueCount` failures. */
  readonly poison: QueueClient;
  /** Idempotency records and the processing and delivery ledgers. */
  readonly table: TableClient;
  readonly deadLetters: TableClient;
  /** Incident records, one partition per hub. */
  readonly incidents: TableClient;
  /** The reconnect-grace checks of the connection-event path. */
  readonly connectionChecks: QueueClient;
  /** Each identity's connection record, one partition per hub. */
  readonly connections: TableClient;
  /** Silences, next to the incidents. */
  readonly silences: TableClient;
}

/** Builds the clients from a connection string, or from service URIs and a managed identity. */
export function createStorageClients(
  settings: StorageSettings,
  credential: () => TokenCredential,
): StorageClients {
  let queue: (name: string) => QueueClient;
  let table: (name: string) => TableClient;
  if (settings.connectionString !== undefined) {
    const connectionString = expandDevelopmentStorage(settings.connectionString);
    queue = (name) =>
      new QueueClient(connectionString, name, { retryOptions: QUEUE_RETRY_OPTIONS });
    table = (name) =>
      TableClient.fromConnectionString(connectionString, name, {
        allowInsecureConnection: connectionString.includes('http://'),
        retryOptions: TABLE_RETRY_OPTIONS,
      });
  } else {
    const { queueServiceUri, tableServiceUri } = settings;
    if (queueServiceUri === undefined || tableServiceUri === undefined) {
      throw new Error('Storage needs a connection string or both service URIs');
    }
    queue = (name) =>
      new QueueClient(`${queueServiceUri.replace(/\/$/, '')}/${name}`, credential(), {
        retryOptions: QUEUE_RETRY_OPTIONS,
      });
    table = (name) =>
      new TableClient(tableServiceUri, name, credential(), { retryOptions: TABLE_RETRY_OPTIONS });
  }
  return {
    queue: queue(ALERT_QUEUE_NAME),
    poison: queue(POISON_QUEUE_NAME),
    table: table(IDEMPOTENCY_TABLE_NAME),
    deadLetters: table(DEAD_LETTER_TABLE_NAME),
    incidents: table(INCIDENT_TABLE_NAME),
    connectionChecks: queue(CONNECTION_CHECK_QUEUE_NAME),
    connections: table(CONNECTION_TABLE_NAME),
    silences: table(SILENCE_TABLE_NAME),
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
