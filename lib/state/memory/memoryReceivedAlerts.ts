/** `ReceivedAlertArchive` in memory, for one process: the dev host and tests. Same bounds as the table. */

import type { Alert } from '../../alerts/alert';
import { type Logger, silentLogger } from '../../common/logger';
import {
  type ArchiveSettings,
  archiveKey,
  checkListArguments,
  DEFAULT_LIST_LIMIT,
  fitAlert,
  MAX_ALERT_CHARS,
  MAX_ALERTS_PER_DAY,
  oldestKeptDay,
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
  private readonly fullDaysLogged = new Set<string>();
  private readonly retentionDays: number;
  private readonly maxPerDay: number;
  private readonly maxAlertChars: number;
  private readonly now: () => Date;
  private readonly log: Logger;
  readonly skipped: SkippedAlerts = { overDayCap: 0, oversize: 0 };

  constructor(settings: ArchiveSettings) {
    this.retentionDays = settings.retentionDays;
    this.maxPerDay = settings.maxPerDay ?? MAX_ALERTS_PER_DAY;
    this.maxAlertChars = settings.maxAlertChars ?? MAX_ALERT_CHARS;
    this.now = settings.now ?? (() => new Date());
    this.log = settings.log ?? silentLogger;
  }

  keep(alert: Alert, receivedAt: Date): Promise<void> {
    if (this.retentionDays === 0 || Number.isNaN(receivedAt.getTime())) return Promise.resolve();
    const now = this.now();
    this.removeExpired(now);
    if (receivedAt < retentionStart(now, this.retentionDays)) return Promise.resolve();
    const day = utcDay(receivedAt);
    const kept = this.days.get(day) ?? new Map<string, ReceivedAlert>();
    const key = archiveKey(alert);
    if (kept.has(key)) return Promise.resolve();
    if (kept.size >= this.maxPerDay) {
      this.skipped.overDayCap++;
      if (!this.fullDaysLogged.has(day)) {
        this.fullDaysLogged.add(day);
        this.log.warn(
          `Received alerts: ${day} already holds ${this.maxPerDay} alerts; further alerts of that day are not kept`,
        );
      }
      return Promise.resolve();
    }
    const fitted = fitAlert(alert, this.maxAlertChars);
    if (!fitted) {
      this.skipped.oversize++;
      this.log.warn(`Received alerts: alert ${alert.id} is too large to keep; skipped`);
      return Promise.resolve();
    }
    if (fitted.trimmedDevices > 0)
      this.log.warn(
        `Received alerts: alert ${alert.id} kept without ${fitted.trimmedDevices} of its ${alert.deviceIds.length} device IDs (too large)`,
      );
    kept.set(key, {
      alert: JSON.parse(fitted.json) as Alert,
      receivedAt: receivedAt.toISOString(),
    });
    this.days.set(day, kept);
    return Promise.resolve();
  }

  list(since: Date, until: Date, limit: number = DEFAULT_LIST_LIMIT): Promise<ReceivedAlertPage> {
    try {
      checkListArguments(since, until, limit);
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const start = retentionStart(this.now(), this.retentionDays);
    const from = since < start ? start : since;
    const found = utcDaysOf(from, until).flatMap((day) => [
      ...(this.days.get(day)?.values() ?? []),
    ]);
    return Promise.resolve(pageOf(found, from, until, limit));
  }

  /** Drops the days wholly before the retention. */
  private removeExpired(now: Date): void {
    const oldest = oldestKeptDay(now, this.retentionDays);
    for (const day of this.days.keys()) if (day < oldest) this.days.delete(day);
    for (const day of this.fullDaysLogged) if (day < oldest) this.fullDaysLogged.delete(day);
  }
}
