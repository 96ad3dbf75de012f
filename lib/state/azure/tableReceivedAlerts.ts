/**
 * `ReceivedAlertArchive` on Azure Table storage (table `enricheralerts`): one partition per UTC
 * day, one row per alert, keyed by a hash of its idempotency key, so a queue retry keeps it once.
 * The alert's JSON is split over string properties of 30,000 characters (`alert0`, `alert1`…).
 *
 * Bounds (see ../receivedAlerts.ts): each day's partition holds a counter row. An instance reads
 * it on its first keep of a day, adds its new rows to it after that first keep, then once per 100
 * keeps and when it fills the day; an instance that sees the day at `MAX_ALERTS_PER_DAY` keeps no
 * more of it. So the cap holds within 100 rows per instance keeping that day at once. Once per UTC day per instance, `keep` starts a background sweep that
 * deletes the days wholly before the retention (a filtered listing and batched deletes); `list`
 * never returns alerts older than the retention either way.
 */

import { odata, RestError, TableClient, type TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

import type { Alert } from '../../alerts/alert';
import type { StorageSettings } from '../../config/loadConfig';
import {
  ALERT_CHUNK_CHARS,
  ArchiveBounds,
  type ArchiveSettings,
  archiveKey,
  DEFAULT_LIST_LIMIT,
  MAX_ALERT_CHARS,
  pageOf,
  type ReceivedAlert,
  type ReceivedAlertArchive,
  type ReceivedAlertPage,
  type SkippedAlerts,
  retentionStart,
  utcDay,
  utcDaysOf,
} from '../receivedAlerts';
import { hashKey } from './azureStorageState';
import {
  EnsuredTable,
  LISTING_READS,
  type StorageDeadlines,
  WORKER_DEADLINES,
  within,
} from './storageDeadlines';
import { createTableClient } from './tableClient';

export const RECEIVED_ALERTS_TABLE_NAME = 'enricheralerts';
/** The day's counter; alert rows are hex hashes, so it cannot collide with one. */
const COUNTER_ROW = '~count';
/** An instance adds its new rows to the day's counter this often (and on its first keep). */
export const CHECK_IN_EVERY = 100;
const COUNT_ATTEMPTS = 3;
/** The background sweep's deadline, listing and deletes together. */
const SWEEP_MS = 120_000;
/** A transaction holds at most 100 operations, all in one partition. */
const BATCH = 100;

function partitionKey(day: string): string {
  return `day-${day}`;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

/** What this instance knows of one day's count. */
interface DayTally {
  /** The shared counter as of this instance's last check-in (its own rows included). */
  known: number;
  /** Rows this instance added since then. */
  unreported: number;
  /** The counter was read on this instance's first keep of the day. */
  learned: boolean;
  checkedIn: boolean;
  full: boolean;
}

type AlertEntity = Record<string, unknown> & { partitionKey?: string; rowKey?: string };

function receivedOf(entity: AlertEntity): ReceivedAlert | undefined {
  const { chunks, receivedAt } = entity;
  if (typeof chunks !== 'number' || typeof receivedAt !== 'string') return undefined;
  let json = '';
  for (let i = 0; i < chunks; i++) {
    const chunk = entity[`alert${i}`];
    if (typeof chunk !== 'string') return undefined;
    json += chunk;
  }
  try {
    const alert = JSON.parse(json) as Alert;
    return typeof alert.id === 'string' && Array.isArray(alert.deviceIds)
      ? { alert, receivedAt }
      : undefined;
  } catch {
    return undefined;
  }
}

export class TableReceivedAlerts implements ReceivedAlertArchive {
  private readonly table: EnsuredTable;
  private readonly bounds: ArchiveBounds;
  private readonly tallies = new Map<string, DayTally>();
  private sweptOn: string | undefined;
  private sweeping: Promise<number> | undefined;
  readonly skipped: SkippedAlerts;

  constructor(
    private readonly client: TableClient,
    settings: ArchiveSettings,
    private readonly deadlines: StorageDeadlines = WORKER_DEADLINES,
  ) {
    this.table = new EnsuredTable(client);
    // A row holds at most MAX_ALERT_CHUNKS chunks: never more than MAX_ALERT_CHARS.
    this.bounds = new ArchiveBounds(settings, MAX_ALERT_CHARS);
    this.skipped = this.bounds.skipped;
  }

  async keep(alert: Alert, receivedAt: Date): Promise<void> {
    if (Number.isNaN(receivedAt.getTime())) throw new Error('Received alerts: invalid time');
    const now = this.bounds.now();
    // Also when keeping is off: the days kept before it was turned off go.
    this.sweepOncePerDay(now);
    if (
      this.bounds.retentionDays === 0 ||
      receivedAt < retentionStart(now, this.bounds.retentionDays)
    )
      return;
    const day = utcDay(receivedAt);
    const tally = this.tallyOf(day, now);
    // One deadline for the whole keep: the worker waits at most one write's time.
    const options = within(this.deadlines.writeMs);
    await this.table.ensure(options);
    if (!tally.learned) await this.learn(day, tally, options);
    if (tally.full || tally.known + tally.unreported >= this.bounds.maxPerDay) {
      tally.full = true;
      this.bounds.skipOverDayCap(day);
      return;
    }
    const fitted = this.bounds.fit(alert);
    if (!fitted) return;
    const chunks: Record<string, string> = {};
    const count = Math.max(1, Math.ceil(fitted.json.length / ALERT_CHUNK_CHARS));
    for (let i = 0; i < count; i++)
      chunks[`alert${i}`] = fitted.json.slice(i * ALERT_CHUNK_CHARS, (i + 1) * ALERT_CHUNK_CHARS);
    const key = archiveKey(alert);
    try {
      await this.client.createEntity(
        {
          partitionKey: partitionKey(day),
          rowKey: hashKey(key),
          key: key.slice(0, 1000),
          receivedAt: receivedAt.toISOString(),
          chunks: count,
          ...(fitted.trimmedDevices > 0 && { trimmedDevices: fitted.trimmedDevices }),
          ...chunks,
        },
        options,
      );
    } catch (error: unknown) {
      if (statusOf(error) === 409) return; // Kept already: a retry.
      throw error;
    }
    tally.unreported++;
    // Also when this instance fills the day: the others then learn of it on their next check-in.
    if (
      !tally.checkedIn ||
      tally.unreported >= CHECK_IN_EVERY ||
      tally.known + tally.unreported >= this.bounds.maxPerDay
    )
      await this.checkIn(day, tally, options);
  }

  async list(
    since: Date,
    until: Date,
    limit: number = DEFAULT_LIST_LIMIT,
  ): Promise<ReceivedAlertPage> {
    const from = this.bounds.listFrom(since, until, limit);
    const found: ReceivedAlert[] = [];
    const inWindow = new Set<string>();
    for (const day of utcDaysOf(from, until)) {
      // One deadline per day: a day is at most a few pages.
      const options = within(this.deadlines.readMs * LISTING_READS);
      await this.table.ensure(options);
      const entities = this.client.listEntities<AlertEntity>({
        queryOptions: {
          filter: odata`PartitionKey eq ${partitionKey(day)} and RowKey ne ${COUNTER_ROW}`,
        },
        ...options,
      });
      for await (const entity of entities) {
        const received = receivedOf(entity);
        if (!received) continue;
        found.push(received);
        const at = Date.parse(received.receivedAt);
        if (at >= from.getTime() && at < until.getTime()) inWindow.add(archiveKey(received.alert));
      }
      // Days come in order: once past the limit, later days cannot be among the oldest.
      if (inWindow.size > limit) break;
    }
    return pageOf(found, from, until, limit);
  }

  /**
   * Deletes the days wholly before the retention; the number of rows deleted. `keep` runs it in
   * the background once per UTC day per instance; `swept()` waits for that run.
   */
  async removeExpired(now: Date = this.bounds.now()): Promise<number> {
    const options = within(SWEEP_MS);
    await this.table.ensure(options);
    const oldest = partitionKey(this.bounds.oldestKeptDay(now));
    const entities = this.client.listEntities<AlertEntity>({
      queryOptions: {
        filter: odata`PartitionKey lt ${oldest}`,
        select: ['PartitionKey', 'RowKey'],
      },
      ...options,
    });
    let removed = 0;
    let batch: TransactionAction[] = [];
    let batchPartition: string | undefined;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.client.submitTransaction(batch, options);
      removed += batch.length;
      batch = [];
    };
    for await (const entity of entities) {
      const { partitionKey: pk, rowKey: rk } = entity;
      if (pk === undefined || rk === undefined) continue;
      if (pk !== batchPartition || batch.length >= BATCH) await flush();
      batchPartition = pk;
      batch.push(['delete', { partitionKey: pk, rowKey: rk }]);
    }
    await flush();
    return removed;
  }

  /** Waits for the background sweep `keep` started, if any (tests, orderly shutdown). */
  async swept(): Promise<number> {
    return (await this.sweeping) ?? 0;
  }

  private sweepOncePerDay(now: Date): void {
    const today = utcDay(now);
    if (this.sweptOn === today) return;
    this.sweptOn = today;
    this.sweeping = this.removeExpired(now).catch((error: unknown) => {
      this.bounds.log.warn(
        `Received alerts: could not remove the expired days (${reasonOf(error)})`,
      );
      return 0;
    });
  }

  private tallyOf(day: string, now: Date): DayTally {
    const oldest = this.bounds.oldestKeptDay(now);
    for (const known of this.tallies.keys()) if (known < oldest) this.tallies.delete(known);
    let tally = this.tallies.get(day);
    if (!tally) {
      tally = {
        known: 0,
        unreported: 0,
        learned: false,
        checkedIn: false,
        full: false,
      };
      this.tallies.set(day, tally);
    }
    return tally;
  }

  /** Reads the day's counter once: an instance new to a full day keeps none of it. Never throws. */
  private async learn(
    day: string,
    tally: DayTally,
    options: { abortSignal: AbortSignal },
  ): Promise<void> {
    tally.learned = true;
    try {
      const entity = await this.table.read(partitionKey(day), COUNTER_ROW, options);
      if (typeof entity?.count === 'number') tally.known = entity.count;
      if (tally.known >= this.bounds.maxPerDay) tally.full = true;
    } catch (error: unknown) {
      this.bounds.log.warn(`Received alerts: could not read ${day}'s count (${reasonOf(error)})`);
    }
  }

  /** Adds this instance's new rows to the day's counter (optimistic, a few attempts; never throws). */
  private async checkIn(
    day: string,
    tally: DayTally,
    options: { abortSignal: AbortSignal },
  ): Promise<void> {
    tally.checkedIn = true;
    const pk = partitionKey(day);
    try {
      for (let attempt = 1; attempt <= COUNT_ATTEMPTS; attempt++) {
        const entity = await this.table.read(pk, COUNTER_ROW, options);
        const total = (typeof entity?.count === 'number' ? entity.count : 0) + tally.unreported;
        try {
          const row = { partitionKey: pk, rowKey: COUNTER_ROW, count: total };
          if (entity)
            await this.client.updateEntity(row, 'Merge', { ...options, etag: entity.etag });
          else await this.client.createEntity(row, options);
        } catch (error: unknown) {
          if (statusOf(error) === 412 || statusOf(error) === 409) continue; // Another instance's turn.
          throw error;
        }
        tally.known = total;
        tally.unreported = 0;
        if (total >= this.bounds.maxPerDay) tally.full = true;
        return;
      }
    } catch (error: unknown) {
      this.bounds.log.warn(`Received alerts: could not count ${day}'s alerts (${reasonOf(error)})`);
    }
  }
}

/** The archive's table client, from a connection string or the table URI and an identity. */
export function createReceivedAlertsTableClient(
  settings: StorageSettings,
  credential: () => TokenCredential,
): TableClient {
  return createTableClient(settings, RECEIVED_ALERTS_TABLE_NAME, credential);
}
