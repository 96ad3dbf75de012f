/**
 * The processing and delivery ledgers in Azure Table storage, in the idempotency table beside
 * the intake record (same partition per alert key), and the dead-letter table. Every call has a
 * client-side deadline.
 */

import { RestError, type TableClient } from '@azure/data-tables';

import { alertPartition, hashKey } from './azureStorageState';
import {
  EnsuredTable,
  LISTING_READS,
  type StorageDeadlines,
  WORKER_DEADLINES,
  within,
} from './storageDeadlines';
import type { DeadLetter, DeadLetterStore } from '../deadLetters';
import type { DeliveryLedger, DeliveryRecord, DeliveryRef } from '../deliveryLedger';
import {
  leaseDecision,
  PROCESSING_LEASE_MS,
  type ProcessingLedger,
  type ProcessingStart,
} from '../processingLease';

const PROCESSING_ROW = 'processing';

function deliveryRow(ref: DeliveryRef): string {
  return `delivery-${hashKey(`${ref.messageId}\n${ref.channel}`)}`;
}

function isStatus(error: unknown, ...statuses: number[]): boolean {
  return error instanceof RestError && statuses.includes(error.statusCode ?? 0);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export class TableLedger implements ProcessingLedger, DeliveryLedger {
  private readonly table: EnsuredTable;

  constructor(
    client: TableClient,
    private readonly deadlines: StorageDeadlines = WORKER_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
  }

  async wasProcessed(key: string): Promise<boolean> {
    const current = await this.table.read(
      alertPartition(key),
      PROCESSING_ROW,
      within(this.deadlines.readMs),
    );
    return current !== undefined && text(current.state) === 'done';
  }

  async startProcessing(key: string, holder: string, now: Date): Promise<ProcessingStart> {
    const partitionKey = alertPartition(key);
    const lease = {
      partitionKey,
      rowKey: PROCESSING_ROW,
      state: 'processing',
      holder,
      leaseUntil: new Date(now.getTime() + PROCESSING_LEASE_MS).toISOString(),
    };
    // Two tries: a lost race (409 on insert, 412 on replace) is decided by re-reading.
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = await this.table.read(
        partitionKey,
        PROCESSING_ROW,
        within(this.deadlines.readMs),
      );
      const decision = leaseDecision(
        current && {
          state: text(current.state),
          holder: text(current.holder),
          leaseUntil: text(current.leaseUntil),
        },
        holder,
        now,
      );
      if (decision !== 'go') return decision;
      try {
        const options = within(this.deadlines.writeMs);
        if (current === undefined) {
          await this.table.ensure(options);
          await this.table.client.createEntity(lease, options);
        } else {
          await this.table.client.updateEntity(lease, 'Replace', {
            ...options,
            etag: current.etag,
          });
        }
        return 'go';
      } catch (error: unknown) {
        if (!isStatus(error, 409, 412)) throw error;
      }
    }
    return 'busy';
  }

  async finishProcessing(key: string, holder: string, now: Date): Promise<void> {
    const options = within(this.deadlines.writeMs);
    await this.table.ensure(options);
    await this.table.client.upsertEntity(
      {
        partitionKey: alertPartition(key),
        rowKey: PROCESSING_ROW,
        state: 'done',
        holder,
        leaseUntil: now.toISOString(),
      },
      'Replace',
      options,
    );
  }

  async abandonProcessing(key: string, holder: string, now: Date): Promise<void> {
    const partitionKey = alertPartition(key);
    const current = await this.table.read(
      partitionKey,
      PROCESSING_ROW,
      within(this.deadlines.readMs),
    );
    if (current?.state !== 'processing' || current.holder !== holder) return;
    try {
      await this.table.client.updateEntity(
        {
          partitionKey,
          rowKey: PROCESSING_ROW,
          state: 'processing',
          holder,
          leaseUntil: now.toISOString(),
        },
        'Replace',
        { ...within(this.deadlines.writeMs), etag: current.etag },
      );
    } catch (error: unknown) {
      // Someone else took it meanwhile: nothing to give up.
      if (!isStatus(error, 404, 412)) throw error;
    }
  }

  async getDelivery(ref: DeliveryRef): Promise<DeliveryRecord | undefined> {
    const entity = await this.table.read(
      alertPartition(ref.sourceKey),
      deliveryRow(ref),
      within(this.deadlines.readMs),
    );
    if (entity === undefined) return undefined;
    const state = text(entity.state);
    return {
      state: state === 'accepted' || state === 'dead-lettered' ? state : 'pending',
      posts: count(entity.posts),
      failedRounds: count(entity.failedRounds),
      unknownOutcomes: count(entity.unknownOutcomes),
      ...(typeof entity.status === 'number' && { status: entity.status }),
      ...(typeof entity.lastError === 'string' && { lastError: entity.lastError }),
      updatedAt: text(entity.updatedAt),
    };
  }

  async putDelivery(ref: DeliveryRef, record: DeliveryRecord): Promise<void> {
    const options = within(this.deadlines.writeMs);
    await this.table.ensure(options);
    await this.table.client.upsertEntity(
      {
        partitionKey: alertPartition(ref.sourceKey),
        rowKey: deliveryRow(ref),
        messageId: ref.messageId.slice(0, 1000),
        channel: ref.channel,
        ...record,
        ...(record.lastError !== undefined && { lastError: record.lastError.slice(0, 1000) }),
      },
      'Replace',
      options,
    );
  }
}

/**
 * A Table property holds at most 64 KiB: longer text is split into binary (UTF-8) chunks, which
 * also keeps multi-byte characters out of the wire format's string escaping.
 */
const CHUNK_BYTES = 60_000;

function putChunks(name: string, value: string): Record<string, Uint8Array | number> {
  const bytes = Buffer.from(value, 'utf8');
  const entity: Record<string, Uint8Array | number> = {};
  let parts = 0;
  for (let start = 0; parts === 0 || start < bytes.length; start += CHUNK_BYTES, parts++) {
    entity[`${name}${parts}`] = new Uint8Array(bytes.subarray(start, start + CHUNK_BYTES));
  }
  entity[`${name}Parts`] = parts;
  return entity;
}

function getChunks(entity: Record<string, unknown>, name: string): string {
  const parts = count(entity[`${name}Parts`]);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < parts; i++) {
    const chunk = entity[`${name}${i}`];
    if (chunk instanceof Uint8Array) chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class TableDeadLetters implements DeadLetterStore {
  private readonly table: EnsuredTable;

  constructor(
    client: TableClient,
    private readonly deadlines: StorageDeadlines = WORKER_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
  }

  async addDeadLetter(letter: DeadLetter): Promise<void> {
    const options = within(this.deadlines.writeMs);
    await this.table.ensure(options);
    await this.table.client.upsertEntity(
      {
        partitionKey: letter.ref.channel,
        rowKey: letterRow(letter.ref),
        ...putChunks('sourceKey', letter.ref.sourceKey),
        ...putChunks('messageId', letter.ref.messageId),
        ...putChunks('payload', letter.payload),
        ...(letter.status !== undefined && { status: letter.status }),
        error: letter.error.slice(0, 1000),
        posts: letter.posts,
        deadLetteredAt: letter.deadLetteredAt,
      },
      'Replace',
      options,
    );
  }

  async listDeadLetters(channel?: string): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    try {
      const entities = this.table.client.listEntities({
        ...within(this.deadlines.readMs * LISTING_READS),
        ...(channel !== undefined && {
          queryOptions: { filter: `PartitionKey eq '${channel.replace(/'/g, "''")}'` },
        }),
      });
      for await (const entity of entities) {
        letters.push({
          ref: {
            sourceKey: getChunks(entity, 'sourceKey'),
            messageId: getChunks(entity, 'messageId'),
            channel: text(entity.partitionKey),
          },
          payload: getChunks(entity, 'payload'),
          ...(typeof entity.status === 'number' && { status: entity.status }),
          error: text(entity.error),
          posts: count(entity.posts),
          deadLetteredAt: text(entity.deadLetteredAt),
        });
      }
    } catch (error: unknown) {
      if (isStatus(error, 404)) return [];
      throw error;
    }
    return letters.sort((a, b) => a.deadLetteredAt.localeCompare(b.deadLetteredAt));
  }

  async removeDeadLetter(ref: DeliveryRef): Promise<void> {
    try {
      await this.table.client.deleteEntity(
        ref.channel,
        letterRow(ref),
        within(this.deadlines.writeMs),
      );
    } catch (error: unknown) {
      if (!isStatus(error, 404)) throw error;
    }
  }
}

function letterRow(ref: DeliveryRef): string {
  return hashKey(`${ref.sourceKey}\n${ref.messageId}`);
}
