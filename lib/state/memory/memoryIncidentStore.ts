/** In-memory incident store for one process (the dev host, tests): the same contract as the table. */

import type { AlertMemo, Counter, DailyCount, IncidentRecord } from '../../incidents/incident';
import type { IncidentStore } from '../../incidents/incidentStore';
import { isActive } from '../../incidents/incidentStore';
import type { Versioned } from '../../incidents/revisions';

export class InMemoryIncidentStore implements IncidentStore {
  private readonly records = new Map<string, Versioned<IncidentRecord>>();
  private readonly memos = new Map<string, AlertMemo>();
  private readonly drops = new Map<string, AlertMemo>();
  private readonly counters = new Map<string, DailyCount>();
  /** Record keys per hub, and the keys of active records: a replay holds thousands of them. */
  private readonly keysOfHub = new Map<string, Set<string>>();
  private readonly activeKeys = new Set<string>();
  private version = 0;

  incidentsOf(hubResourceId: string): Promise<Versioned<IncidentRecord>[]> {
    const keys = this.keysOfHub.get(hubResourceId.toLowerCase()) ?? new Set<string>();
    return Promise.resolve(this.recordsOf(keys));
  }

  activeIncidents(): Promise<Versioned<IncidentRecord>[]> {
    return Promise.resolve(this.recordsOf(this.activeKeys));
  }

  insert(record: IncidentRecord): Promise<boolean> {
    if (this.records.has(record.key)) return Promise.resolve(false);
    this.store(record);
    return Promise.resolve(true);
  }

  replace(record: IncidentRecord, etag: string): Promise<boolean> {
    if (this.records.get(record.key)?.etag !== etag) return Promise.resolve(false);
    this.store(record);
    return Promise.resolve(true);
  }

  private store(record: IncidentRecord): void {
    this.records.set(record.key, this.versioned(record));
    const hub = record.hubResourceId.toLowerCase();
    const keys = this.keysOfHub.get(hub) ?? new Set<string>();
    keys.add(record.key);
    this.keysOfHub.set(hub, keys);
    if (isActive(record)) this.activeKeys.add(record.key);
    else this.activeKeys.delete(record.key);
  }

  private recordsOf(keys: ReadonlySet<string>): Versioned<IncidentRecord>[] {
    return [...keys].flatMap((key) => {
      const record = this.records.get(key);
      return record ? [record] : [];
    });
  }

  remember(memo: AlertMemo): Promise<void> {
    this.memos.set(memo.alertId.toLowerCase(), memo);
    return Promise.resolve();
  }

  recall(alertId: string): Promise<AlertMemo | undefined> {
    return Promise.resolve(this.memos.get(alertId.toLowerCase()));
  }

  rememberDrop(hubResourceId: string, deviceId: string, memo: AlertMemo): Promise<void> {
    this.drops.set(JSON.stringify([hubResourceId.toLowerCase(), deviceId]), memo);
    return Promise.resolve();
  }

  lastDrop(hubResourceId: string, deviceId: string): Promise<AlertMemo | undefined> {
    return Promise.resolve(this.drops.get(JSON.stringify([hubResourceId.toLowerCase(), deviceId])));
  }

  count(hubResourceId: string, day: string, counter: Counter, by = 1): Promise<void> {
    const id = `${day}|${hubResourceId.toLowerCase()}|${counter}`;
    const count = (this.counters.get(id)?.count ?? 0) + by;
    this.counters.set(id, { day, hubResourceId: hubResourceId.toLowerCase(), counter, count });
    return Promise.resolve();
  }

  counts(day: string): Promise<DailyCount[]> {
    return Promise.resolve([...this.counters.values()].filter((c) => c.day === day));
  }

  private versioned(record: IncidentRecord): Versioned<IncidentRecord> {
    // A copy, as a table would store: callers cannot mutate what is stored.
    return {
      value: JSON.parse(JSON.stringify(record)) as IncidentRecord,
      etag: `v${++this.version}`,
    };
  }
}
