/**
 * `SilenceStore` on Azure Table storage, next to the incidents: one partition, one row per
 * silence (its JSON and what it held back). Creating is insert-if-absent, so the same link or
 * request done twice adds one silence; counts use the ETag and retry a lost race.
 */

import { odata, RestError, type TableClient } from '@azure/data-tables';

import type { Silence } from '../../silences/silence';
import { type SilenceStore, stillListed, type StoredSilence } from '../silenceStore';
import { hashKey } from './azureStorageState';
import {
  EnsuredTable,
  LISTING_READS,
  type StorageDeadlines,
  WORKER_DEADLINES,
  within,
} from './storageDeadlines';

const PARTITION = 'silence';
const COUNT_ATTEMPTS = 10;

interface SilenceEntity {
  readonly record: string;
  readonly held?: number;
  readonly endsAt?: string;
}

function storedOf(entity: SilenceEntity): StoredSilence | undefined {
  try {
    const silence = JSON.parse(entity.record) as Silence;
    return typeof silence.id === 'string' && Array.isArray(silence.matchers)
      ? { silence, held: typeof entity.held === 'number' ? entity.held : 0 }
      : undefined;
  } catch {
    return undefined;
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

export class TableSilenceStore implements SilenceStore {
  private readonly table: EnsuredTable;

  constructor(
    private readonly client: TableClient,
    private readonly deadlines: StorageDeadlines = WORKER_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
  }

  async add(silence: Silence): Promise<'added' | 'exists'> {
    const options = within(this.deadlines.writeMs);
    await this.table.ensure(options);
    try {
      await this.client.createEntity(
        {
          partitionKey: PARTITION,
          rowKey: hashKey(silence.id),
          record: JSON.stringify(silence),
          held: 0,
          endsAt: silence.endsAt,
        },
        options,
      );
      return 'added';
    } catch (error: unknown) {
      if (statusOf(error) === 409) return 'exists';
      throw error;
    }
  }

  async list(now: Date): Promise<StoredSilence[]> {
    const options = within(this.deadlines.readMs * LISTING_READS);
    await this.table.ensure(options);
    const since = new Date(now.getTime() - 24 * 3_600_000).toISOString();
    const found: StoredSilence[] = [];
    const entities = this.client.listEntities<SilenceEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION} and endsAt ge ${since}` },
      ...options,
    });
    for await (const entity of entities) {
      const stored = storedOf(entity);
      if (stored && stillListed(stored.silence, now)) found.push(stored);
    }
    return found;
  }

  async get(id: string): Promise<StoredSilence | undefined> {
    const entity = await this.table.read(PARTITION, hashKey(id), within(this.deadlines.readMs));
    return entity === undefined ? undefined : storedOf(entity as unknown as SilenceEntity);
  }

  async end(id: string, by: string, at: Date): Promise<StoredSilence | undefined> {
    for (let attempt = 1; attempt <= COUNT_ATTEMPTS; attempt++) {
      const entity = await this.table.read(PARTITION, hashKey(id), within(this.deadlines.readMs));
      const stored = entity && storedOf(entity as unknown as SilenceEntity);
      if (!entity || !stored) return undefined;
      if (stored.silence.endedAt !== undefined) return stored;
      const silence: Silence = { ...stored.silence, endedAt: at.toISOString(), endedBy: by };
      try {
        await this.client.updateEntity(
          { partitionKey: PARTITION, rowKey: hashKey(id), record: JSON.stringify(silence) },
          'Merge',
          { ...within(this.deadlines.writeMs), etag: entity.etag },
        );
        return { silence, held: stored.held };
      } catch (error: unknown) {
        if (statusOf(error) !== 412) throw error;
      }
    }
    throw new Error(`Silence ${id} kept changing while it was being ended`);
  }

  async noteHeld(ids: readonly string[], count = 1): Promise<void> {
    await Promise.all(ids.map((id) => this.addHeld(id, count)));
  }

  private async addHeld(id: string, count: number): Promise<void> {
    for (let attempt = 1; attempt <= COUNT_ATTEMPTS; attempt++) {
      const entity = await this.table.read(PARTITION, hashKey(id), within(this.deadlines.readMs));
      if (!entity) return; // A maintenance window's occurrence is not stored: nothing to count.
      const held = typeof entity.held === 'number' ? entity.held : 0;
      try {
        await this.client.updateEntity(
          { partitionKey: PARTITION, rowKey: hashKey(id), held: held + count },
          'Merge',
          { ...within(this.deadlines.writeMs), etag: entity.etag },
        );
        return;
      } catch (error: unknown) {
        if (statusOf(error) !== 412) throw error;
      }
    }
  }
}
