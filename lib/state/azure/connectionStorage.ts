/**
 * The connection-event path on Azure Storage: each identity's record in a table (one partition
 * per hub, optimistic concurrency by ETag), and each reconnect-grace check as a queue message
 * sent with a visibility time-out, so that it survives restarts and scales with the queue trigger.
 */

import { RestError, type TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';

import { type DeviceIdentity, identityKey } from '../../connections/connectionEvent';
import type { ConnectionCheck, IdentityState } from '../../connections/identityState';
import {
  type ConnectionCheckQueue,
  type ConnectionStateStore,
  MAX_CHECK_DELAY_SECONDS,
  type StoredIdentity,
} from '../connectionStates';
import { hashKey } from './azureStorageState';
import { EnsuredTable, INTAKE_DEADLINES, type StorageDeadlines, within } from './storageDeadlines';

/** Table keys may not contain `/`; hub IDs and device IDs can. */
function keysOf(identity: DeviceIdentity): { partitionKey: string; rowKey: string } {
  return {
    partitionKey: hashKey(identity.hubResourceId.toLowerCase()).slice(0, 32),
    rowKey: hashKey(identityKey(identity)),
  };
}

function isIdentityState(value: unknown): value is IdentityState {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.hubResourceId === 'string' &&
    typeof record.deviceId === 'string' &&
    typeof record.sequenceNumber === 'string' &&
    (record.state === 'connected' || record.state === 'disconnected')
  );
}

export class TableConnectionStates implements ConnectionStateStore {
  private readonly table: EnsuredTable;

  constructor(
    client: TableClient,
    private readonly deadlines: StorageDeadlines = INTAKE_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
  }

  async read(identity: DeviceIdentity): Promise<StoredIdentity | undefined> {
    const { partitionKey, rowKey } = keysOf(identity);
    const entity = await this.table.read(partitionKey, rowKey, within(this.deadlines.readMs));
    if (entity === undefined || typeof entity.record !== 'string') return undefined;
    let state: unknown;
    try {
      state = JSON.parse(entity.record);
    } catch {
      return undefined;
    }
    // A record this code cannot read is treated as none: the next event writes a good one.
    return isIdentityState(state) ? { state, etag: entity.etag } : undefined;
  }

  async write(state: IdentityState, etag: string | undefined): Promise<boolean> {
    const options = within(this.deadlines.writeMs);
    const entity = { ...keysOf(state), record: JSON.stringify(state) };
    try {
      if (etag === undefined) {
        await this.table.ensure(options);
        await this.table.client.createEntity(entity, options);
      } else {
        await this.table.client.updateEntity(entity, 'Replace', { ...options, etag });
      }
      return true;
    } catch (error: unknown) {
      // 409: created meanwhile; 412: changed meanwhile. Either way, read again.
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) {
        return false;
      }
      throw error;
    }
  }
}

export class StorageConnectionCheckQueue implements ConnectionCheckQueue {
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly client: QueueClient,
    private readonly deadlines: StorageDeadlines = INTAKE_DEADLINES,
  ) {}

  async schedule(check: ConnectionCheck, delaySeconds: number): Promise<void> {
    const options = within(this.deadlines.enqueueMs);
    this.ready ??= this.client.createIfNotExists(options).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const visibilityTimeout = Math.min(
      MAX_CHECK_DELAY_SECONDS,
      Math.max(0, Math.ceil(delaySeconds)),
    );
    // Base64, as the Functions queue trigger expects (host.json default messageEncoding).
    await this.client.sendMessage(Buffer.from(JSON.stringify(check), 'utf8').toString('base64'), {
      ...options,
      visibilityTimeout,
    });
  }
}
