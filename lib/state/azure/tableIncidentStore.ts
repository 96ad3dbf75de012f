/**
 * Incident records, alert memos and daily counters in one Azure Table, shared by every instance,
 * so that parallel queue workers on several instances open one incident, never two.
 */

import { createHash } from 'node:crypto';

import { odata, RestError, type TableClient } from '@azure/data-tables';

import type { AlertMemo, Counter, DailyCount, IncidentRecord } from '../../incidents/incident';
import { type IncidentStore, isActive } from '../../incidents/incidentStore';
import type { Versioned } from '../../incidents/revisions';
import {
  EnsuredTable,
  LISTING_READS,
  type StorageDeadlines,
  WORKER_DEADLINES,
  within,
} from './storageDeadlines';

export const INCIDENT_TABLE_NAME = 'incidents';

/** A string property holds at most 64 KiB (32 K UTF-16 characters); keep a margin. */
const MAX_RECORD_CHARS = 30_000;
const COUNTER_ATTEMPTS = 20;

function hash(text: string): string {
  return createHash('sha256').update(text.toLowerCase()).digest('hex').slice(0, 40);
}

function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

/** Sheds listed devices (never the count) until the record fits in one property. */
function serialise(record: IncidentRecord): string {
  let fitted = record;
  let json = JSON.stringify(fitted);
  while (json.length > MAX_RECORD_CHARS && fitted.devices.length > 0) {
    fitted = { ...fitted, devices: fitted.devices.slice(0, Math.floor(fitted.devices.length / 2)) };
    json = JSON.stringify(fitted);
  }
  return json;
}

interface IncidentEntity {
  partitionKey: string;
  rowKey: string;
  kind: 'incident';
  hubResourceId: string;
  status: string;
  active: boolean;
  record: string;
}

/**
 * Optimistic concurrency: an incident is inserted only if its key is absent (409 otherwise) and
 * replaced only while its ETag is current (412 otherwise); the caller decides again after a lost
 * race.
 *
 *   incident  PartitionKey incident-<hash(hub)>  RowKey <hash(incident key)>
 *   memo      PartitionKey alert-<2 hex>         RowKey <hash(alert id)>
 *   counter   PartitionKey count-<UTC day>       RowKey <hash(hub)>-<counter>
 *   drop      PartitionKey drop-<hash(hub)>      RowKey <hash(hub|device)>: the device's last drop memo
 */
export class TableIncidentStore implements IncidentStore {
  private readonly table: EnsuredTable;

  constructor(
    private readonly client: TableClient,
    private readonly deadlines: StorageDeadlines = WORKER_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
  }

  async incidentsOf(hubResourceId: string): Promise<Versioned<IncidentRecord>[]> {
    await this.ensureTable();
    return this.list(odata`PartitionKey eq ${`incident-${hash(hubResourceId)}`}`);
  }

  async activeIncidents(): Promise<Versioned<IncidentRecord>[]> {
    await this.ensureTable();
    return this.list(odata`kind eq 'incident' and active eq true`);
  }

  async insert(record: IncidentRecord): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.client.createEntity(this.entity(record), this.writing());
      return true;
    } catch (error: unknown) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  async replace(record: IncidentRecord, etag: string): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.client.updateEntity(this.entity(record), 'Replace', {
        ...this.writing(),
        etag,
      });
      return true;
    } catch (error: unknown) {
      if (statusOf(error) === 412 || statusOf(error) === 404) return false;
      throw error;
    }
  }

  async remember(memo: AlertMemo): Promise<void> {
    await this.ensureTable();
    const rowKey = hash(memo.alertId);
    await this.client.upsertEntity(
      {
        partitionKey: `alert-${rowKey.slice(0, 2)}`,
        rowKey,
        kind: 'memo',
        record: JSON.stringify(memo),
      },
      'Replace',
      this.writing(),
    );
  }

  async recall(alertId: string): Promise<AlertMemo | undefined> {
    await this.ensureTable();
    const rowKey = hash(alertId);
    const entity = await this.table.read(`alert-${rowKey.slice(0, 2)}`, rowKey, this.reading());
    return entity === undefined ? undefined : (JSON.parse(entity.record as string) as AlertMemo);
  }

  /** One row per device, in a partition per hub (drop memos are read one at a time). */
  async rememberDrop(hubResourceId: string, deviceId: string, memo: AlertMemo): Promise<void> {
    await this.ensureTable();
    const hub = hash(hubResourceId.toLowerCase());
    await this.client.upsertEntity(
      {
        partitionKey: `drop-${hub.slice(0, 32)}`,
        rowKey: hash(`${hub}|${deviceId}`),
        kind: 'drop',
        record: JSON.stringify(memo),
      },
      'Replace',
      this.writing(),
    );
  }

  async lastDrop(hubResourceId: string, deviceId: string): Promise<AlertMemo | undefined> {
    await this.ensureTable();
    const hub = hash(hubResourceId.toLowerCase());
    const entity = await this.table.read(
      `drop-${hub.slice(0, 32)}`,
      hash(`${hub}|${deviceId}`),
      this.reading(),
    );
    return entity === undefined ? undefined : (JSON.parse(entity.record as string) as AlertMemo);
  }

  async count(hubResourceId: string, day: string, counter: Counter, by = 1): Promise<void> {
    await this.ensureTable();
    const partitionKey = `count-${day}`;
    const rowKey = `${hash(hubResourceId)}-${counter}`;
    for (let attempt = 1; attempt <= COUNTER_ATTEMPTS; attempt++) {
      try {
        const current = await this.client.getEntity<{ count: number }>(
          partitionKey,
          rowKey,
          this.reading(),
        );
        await this.client.updateEntity(
          { partitionKey, rowKey, count: current.count + by },
          'Merge',
          { ...this.writing(), etag: current.etag },
        );
        return;
      } catch (error: unknown) {
        const status = statusOf(error);
        if (status === 404) {
          try {
            await this.client.createEntity(
              {
                partitionKey,
                rowKey,
                kind: 'count',
                day,
                hubResourceId: hubResourceId.toLowerCase(),
                counter,
                count: by,
              },
              this.writing(),
            );
            return;
          } catch (inner: unknown) {
            if (statusOf(inner) !== 409) throw inner;
          }
        } else if (status !== 412) {
          throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
    throw new Error(
      `Counter ${counter} for ${day} kept changing under ${COUNTER_ATTEMPTS} attempts`,
    );
  }

  async counts(day: string): Promise<DailyCount[]> {
    await this.ensureTable();
    const counts: DailyCount[] = [];
    const entities = this.client.listEntities<{
      hubResourceId: string;
      counter: Counter;
      count: number;
    }>({
      queryOptions: { filter: odata`PartitionKey eq ${`count-${day}`}` },
      ...this.listing(),
    });
    for await (const entity of entities) {
      counts.push({
        day,
        hubResourceId: entity.hubResourceId,
        counter: entity.counter,
        count: entity.count,
      });
    }
    return counts;
  }

  private entity(record: IncidentRecord): IncidentEntity {
    return {
      partitionKey: `incident-${hash(record.hubResourceId)}`,
      rowKey: hash(record.key),
      kind: 'incident',
      hubResourceId: record.hubResourceId.toLowerCase(),
      status: record.status,
      active: isActive(record),
      record: serialise(record),
    };
  }

  private async list(filter: string): Promise<Versioned<IncidentRecord>[]> {
    const found: Versioned<IncidentRecord>[] = [];
    const entities = this.client.listEntities<{ record: string }>({
      queryOptions: { filter },
      ...this.listing(),
    });
    for await (const entity of entities) {
      found.push({ value: JSON.parse(entity.record) as IncidentRecord, etag: entity.etag });
    }
    return found;
  }

  private async ensureTable(): Promise<void> {
    await this.table.ensure(this.writing());
  }

  private reading(): { abortSignal: AbortSignal } {
    return within(this.deadlines.readMs);
  }

  private writing(): { abortSignal: AbortSignal } {
    return within(this.deadlines.writeMs);
  }

  private listing(): { abortSignal: AbortSignal } {
    return within(this.deadlines.readMs * LISTING_READS);
  }
}
