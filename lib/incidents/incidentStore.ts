/**
 * The port behind which incident records, the memory of fired alerts and the daily counters
 * live. Adapters: `InMemoryIncidentStore` (one process: the dev host) and `TableIncidentStore`
 * (Azure Table, optimistic concurrency, shared by every instance).
 */

import type { AlertMemo, Counter, DailyCount, IncidentRecord } from './incident';
import type { Versioned } from './revisions';

export interface IncidentStore {
  /** The current record of every incident key of the hub, open or closed. */
  incidentsOf(hubResourceId: string): Promise<Versioned<IncidentRecord>[]>;
  /** Every incident that is open or has a revision not yet confirmed delivered: the timer's work. */
  activeIncidents(): Promise<Versioned<IncidentRecord>[]>;
  /** Insert-if-absent by `record.key`: false when another worker holds that key already. */
  insert(record: IncidentRecord): Promise<boolean>;
  /** Replaces the record of `record.key` only if it is unchanged since read; false when not. */
  replace(record: IncidentRecord, etag: string): Promise<boolean>;
  remember(memo: AlertMemo): Promise<void>;
  recall(alertId: string): Promise<AlertMemo | undefined>;
  /** The latest one-device alert handled about a drop of this device (one per device). */
  rememberDrop(hubResourceId: string, deviceId: string, memo: AlertMemo): Promise<void>;
  lastDrop(hubResourceId: string, deviceId: string): Promise<AlertMemo | undefined>;
  /** Adds to a per-hub, per-UTC-day counter (what a digest reports). */
  count(hubResourceId: string, day: string, counter: Counter, by?: number): Promise<void>;
  counts(day: string): Promise<DailyCount[]>;
}

/** `2026-11-20` */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** Open, or holding a revision whose delivery is not confirmed. */
export function isActive(record: IncidentRecord): boolean {
  return record.status === 'open' || record.revision > record.postedRevision;
}
