/** `ReceivedAlertArchive` in memory, for one process: the dev host and tests. Same bounds as the table. */

import type { Alert } from '../../alerts/alert';
import {
  ArchiveBounds,
  type ArchiveSettings,
  archiveKey,
  DEFAULT_LIST_LIMIT,
  pageOf,
  type ReceivedAlert,
  type ReceivedAlertArchive,
  type ReceivedAlertPage,
  type SkippedAlerts,
  retentionStart,
  utcDay,
  utcDaysOf,
} from '../receivedAlerts';

export class InMemoryReceivedAlerts implements ReceivedAlertArchive {
  /** By UTC day, then by archive key. */
  private readonly days = new Map<string, Map<string, ReceivedAlert>>();
  private readonly bounds: ArchiveBounds;
  readonly skipped: SkippedAlerts;

  constructor(settings: ArchiveSettings) {
    this.bounds = new ArchiveBounds(settings);
    this.skipped = this.bounds.skipped;
  }

  keep(alert: Alert, receivedAt: Date): Promise<void> {
    const { retentionDays, maxPerDay } = this.bounds;
    if (retentionDays === 0 || Number.isNaN(receivedAt.getTime())) return Promise.resolve();
    const now = this.bounds.now();
    this.removeExpired(now);
    if (receivedAt < retentionStart(now, retentionDays)) return Promise.resolve();
    const day = utcDay(receivedAt);
    const kept = this.days.get(day) ?? new Map<string, ReceivedAlert>();
    const key = archiveKey(alert);
    if (kept.has(key)) return Promise.resolve();
    if (kept.size >= maxPerDay) {
      this.bounds.skipOverDayCap(day);
      return Promise.resolve();
    }
    const fitted = this.bounds.fit(alert);
    if (!fitted) return Promise.resolve();
    kept.set(key, {
      alert: JSON.parse(fitted.json) as Alert,
      receivedAt: receivedAt.toISOString(),
    });
    this.days.set(day, kept);
    return Promise.resolve();
  }

  list(since: Date, until: Date, limit: number = DEFAULT_LIST_LIMIT): Promise<ReceivedAlertPage> {
    let from: Date;
    try {
      from = this.bounds.listFrom(since, until, limit);
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const found = utcDaysOf(from, until).flatMap((day) => [
      ...(this.days.get(day)?.values() ?? []),
    ]);
    return Promise.resolve(pageOf(found, from, until, limit));
  }

  /** Drops the days wholly before the retention. */
  private removeExpired(now: Date): void {
    const oldest = this.bounds.oldestKeptDay(now);
    for (const day of this.days.keys()) if (day < oldest) this.days.delete(day);
  }
}
