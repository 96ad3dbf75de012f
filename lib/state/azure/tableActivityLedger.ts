/**
 * `ActivityLedger` on Azure Table storage. One partition per hub and UTC day (so a digest reads
 * two small partitions, never a table scan); the row key is a hash of kind and key, so recording
 * the same event again overwrites it instead of counting it twice.
 */

import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

import type { StorageSettings } from '../../config/loadConfig';
import {
  type ActivityEvent,
  type ActivityKind,
  type ActivityLedger,
  type ActivitySummary,
  ACTIVITY_KINDS,
  RECORDED_ACTIVITY_KINDS,
  summariseEvents,
} from '../activityLedger';
import { hashKey } from './azureStorageState';
import {
  EnsuredTable,
  LISTING_READS,
  type StorageDeadlines,
  WORKER_DEADLINES,
  within,
} from './storageDeadlines';
import { createTableClient } from './tableClient';

export const ACTIVITY_TABLE_NAME = 'enricheractivity';
const DAY_MS = 24 * 60 * 60_000;
/** A digest covers a day; refuse windows that would read more than this many partitions. */
const MAX_DAYS = 31;

/** Table keys may not contain `/`; hub IDs do. */
function partitionKey(hubResourceId: string, day: string): string {
  return `${hashKey(hubResourceId.toLowerCase()).slice(0, 32)}_${day}`;
}

function isKind(value: unknown): value is ActivityKind {
  return typeof value === 'string' && (ACTIVITY_KINDS as readonly string[]).includes(value);
}

export class TableActivityLedger implements ActivityLedger {
  private readonly table: EnsuredTable;

  constructor(
    private readonly client: TableClient,
    private readonly tracked: readonly ActivityKind[] = RECORDED_ACTIVITY_KINDS,
    private readonly deadlines: StorageDeadlines = WORKER_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
  }

  async record(event: ActivityEvent): Promise<void> {
    const at = new Date(event.at);
    if (Number.isNaN(at.getTime())) throw new Error('Activity event needs a valid time');
    const options = within(this.deadlines.writeMs);
    await this.table.ensure(options);
    await this.client.upsertEntity(
      {
        partitionKey: partitionKey(event.hubResourceId, at.toISOString().slice(0, 10)),
        rowKey: hashKey(`${event.kind}|${event.key}`),
        kind: event.kind,
        at: at.toISOString(),
        key: event.key.slice(0, 1000),
      },
      'Replace',
      options,
    );
  }

  async summarise(hubResourceId: string, since: string, until: string): Promise<ActivitySummary> {
    const start = Date.parse(since);
    const end = Date.parse(until);
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) {
      throw new Error('Activity summary needs a valid window');
    }
    if (end - start > MAX_DAYS * DAY_MS) throw new Error(`Activity window over ${MAX_DAYS} days`);
    // One deadline for the whole summary: a digest must not hang on a slow table.
    const options = within(this.deadlines.readMs * LISTING_READS);
    await this.table.ensure(options);
    const events: Pick<ActivityEvent, 'kind' | 'key'>[] = [];
    for (let day = Math.floor(start / DAY_MS) * DAY_MS; day < end; day += DAY_MS) {
      const pk = partitionKey(hubResourceId, new Date(day).toISOString().slice(0, 10));
      const entities = this.client.listEntities<{ kind?: unknown; at?: unknown; key?: unknown }>({
        queryOptions: { filter: `PartitionKey eq '${pk}'`, select: ['kind', 'at', 'key'] },
        ...options,
      });
      for await (const entity of entities) {
        const at = typeof entity.at === 'string' ? Date.parse(entity.at) : NaN;
        if (!isKind(entity.kind) || typeof entity.key !== 'string') continue;
        if (at >= start && at < end) events.push({ kind: entity.kind, key: entity.key });
      }
    }
    return summariseEvents(events, this.tracked);
  }
}

/** The ledger's table client, from a connection string or the table URI and an identity. */
export function createActivityTableClient(
  settings: StorageSettings,
  credential: () => TokenCredential,
): TableClient {
  return createTableClient(settings, ACTIVITY_TABLE_NAME, credential);
}
