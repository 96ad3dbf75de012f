/**
 * The alerts the worker received, kept for `ALERT_ARCHIVE_DAYS` so that `enricher whatif` can
 * replay the last days under other settings. Bookkeeping only: keeping is best effort and never
 * fails or delays an alert beyond one awaited write (`keepReceivedAlert`).
 *
 * Bounds, the same in every adapter:
 * - at most `MAX_ALERTS_PER_DAY` (20,000) alerts per UTC day: past it, `keep` skips and logs once
 *   for that day (a storm's first 20,000 alerts are plenty to replay a policy against);
 * - an alert whose JSON is over `MAX_ALERT_CHARS` is kept with its device list halved until it
 *   fits (logged), or skipped and counted when it does not fit even without devices. A queued
 *   alert is at most 48 KiB, so in practice nothing is trimmed;
 * - alerts older than the retention are never listed, and the adapters remove old days.
 */

import { type Alert, idempotencyKey } from '../alerts/alert';
import { type Logger, silentLogger } from '../common/logger';

export interface ReceivedAlert {
  /** The normalised alert, as the worker processed it. */
  readonly alert: Alert;
  /** ISO UTC, when the worker took it. */
  readonly receivedAt: string;
}

export interface ReceivedAlertPage {
  /** Oldest first. */
  readonly alerts: readonly ReceivedAlert[];
  /** More alerts than `limit` were kept in the window; the oldest `limit` are returned. */
  readonly truncated: boolean;
}

export interface ReceivedAlertArchive {
  /** Keeps one alert; idempotent by the alert's idempotency key (a queue retry keeps it once). Best effort callers catch. */
  keep(alert: Alert, receivedAt: Date): Promise<void>;
  /** The alerts received in [since, until), oldest first, at most `limit` (default 50,000). */
  list(since: Date, until: Date, limit?: number): Promise<ReceivedAlertPage>;
}

/** `ALERT_ARCHIVE_DAYS`' default; 0 keeps nothing. */
export const DEFAULT_ARCHIVE_DAYS = 14;
export const MAX_ARCHIVE_DAYS = 90;
/** Alerts kept per UTC day at most; the rest of the day's alerts are skipped (logged once). */
export const MAX_ALERTS_PER_DAY = 20_000;
/** `list`'s default limit. */
export const DEFAULT_LIST_LIMIT = 50_000;
/**
 * One Table string property holds 64 KiB, i.e. 32 K UTF-16 characters: an alert's JSON is split
 * into chunks of 30,000 characters, at most 8 of them (480 KiB, inside the 1 MiB entity).
 */
export const ALERT_CHUNK_CHARS = 30_000;
export const MAX_ALERT_CHUNKS = 8;
export const MAX_ALERT_CHARS = ALERT_CHUNK_CHARS * MAX_ALERT_CHUNKS;

const DAY_MS = 24 * 60 * 60_000;

export interface ArchiveSettings {
  /** `ALERT_ARCHIVE_DAYS`: 0 keeps nothing (and lists nothing). */
  readonly retentionDays: number;
  /** Tests lower it; `MAX_ALERTS_PER_DAY` otherwise. */
  readonly maxPerDay?: number;
  /** Tests lower it; `MAX_ALERT_CHARS` otherwise. */
  readonly maxAlertChars?: number;
  readonly now?: () => Date;
  readonly log?: Logger;
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The UTC days that [since, until) touches, oldest first. */
export function utcDaysOf(since: Date, until: Date): string[] {
  const days: string[] = [];
  for (
    let day = Math.floor(since.getTime() / DAY_MS) * DAY_MS;
    day < until.getTime();
    day += DAY_MS
  )
    days.push(utcDay(new Date(day)));
  return days;
}

/** The oldest time still kept: `retentionDays` days before now. */
export function retentionStart(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Days wholly before the retention are removed: those before the day the retention starts in. */
export function oldestKeptDay(now: Date, retentionDays: number): string {
  return utcDay(retentionStart(now, retentionDays));
}

/** The archive's key of an alert: its idempotency key (Fired and Resolved are two alerts). */
export function archiveKey(alert: Alert): string {
  return idempotencyKey(alert);
}

/** What `keep` left out, counted since the adapter was made. */
export interface SkippedAlerts {
  /** Past `MAX_ALERTS_PER_DAY` on their day. */
  overDayCap: number;
  /** Too large even without their device list. */
  oversize: number;
}

export interface FittedAlert {
  readonly json: string;
  /** Device IDs left out so that the alert fits (0: the alert is whole). */
  readonly trimmedDevices: number;
}

/**
 * The alert's JSON within `maxChars`: whole when it fits, else with its device list halved until
 * it does (never its other fields); undefined when even no devices do not fit.
 */
export function fitAlert(
  alert: Alert,
  maxChars: number = MAX_ALERT_CHARS,
): FittedAlert | undefined {
  let fitted = alert;
  let json = JSON.stringify(fitted);
  while (json.length > maxChars && fitted.deviceIds.length > 0) {
    fitted = {
      ...fitted,
      deviceIds: fitted.deviceIds.slice(0, Math.floor(fitted.deviceIds.length / 2)),
    };
    json = JSON.stringify(fitted);
  }
  if (json.length > maxChars) return undefined;
  return { json, trimmedDevices: alert.deviceIds.length - fitted.deviceIds.length };
}

/** A `list` of what is at hand: the window clamped to the retention, sorted, deduplicated, cut. */
export function pageOf(
  found: readonly ReceivedAlert[],
  since: Date,
  until: Date,
  limit: number,
): ReceivedAlertPage {
  const start = since.getTime();
  const end = until.getTime();
  const seen = new Set<string>();
  const alerts = found
    .filter((r) => {
      const at = Date.parse(r.receivedAt);
      return at >= start && at < end;
    })
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))
    .filter((r) => {
      // The same alert kept on two days (a retry across midnight) is listed once, at its first.
      const key = archiveKey(r.alert);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return { alerts: alerts.slice(0, limit), truncated: alerts.length > limit };
}

/** `list`'s arguments checked: a valid window and a positive limit. */
export function checkListArguments(since: Date, until: Date, limit: number): void {
  if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || until < since)
    throw new Error('Received alerts: the window needs valid times, since before until');
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error('Received alerts: the limit must be a whole number of at least 1');
}

/**
 * An adapter's bounds, read from its settings, and what `keep` left out: the same in every
 * adapter. `maxAlertCharsCap` caps `maxAlertChars` where the store holds no more.
 */
export class ArchiveBounds {
  readonly retentionDays: number;
  readonly maxPerDay: number;
  readonly maxAlertChars: number;
  readonly now: () => Date;
  readonly log: Logger;
  readonly skipped: SkippedAlerts = { overDayCap: 0, oversize: 0 };
  /** The days whose cap has been logged (once per day). */
  private readonly fullDaysLogged = new Set<string>();

  constructor(settings: ArchiveSettings, maxAlertCharsCap = Infinity) {
    this.retentionDays = settings.retentionDays;
    this.maxPerDay = settings.maxPerDay ?? MAX_ALERTS_PER_DAY;
    this.maxAlertChars = Math.min(settings.maxAlertChars ?? MAX_ALERT_CHARS, maxAlertCharsCap);
    this.now = settings.now ?? (() => new Date());
    this.log = settings.log ?? silentLogger;
  }

  /** An alert skipped because its day is full: counted, and logged on the day's first. */
  skipOverDayCap(day: string): void {
    this.skipped.overDayCap++;
    if (this.fullDaysLogged.has(day)) return;
    this.fullDaysLogged.add(day);
    this.log.warn(
      `Received alerts: ${day} already holds ${this.maxPerDay} alerts; further alerts of that day are not kept`,
    );
  }

  /** The alert fitted to `maxAlertChars` (trimmed devices logged); undefined: skipped, counted, logged. */
  fit(alert: Alert): FittedAlert | undefined {
    const fitted = fitAlert(alert, this.maxAlertChars);
    if (!fitted) {
      this.skipped.oversize++;
      this.log.warn(`Received alerts: alert ${alert.id} is too large to keep; skipped`);
      return undefined;
    }
    if (fitted.trimmedDevices > 0)
      this.log.warn(
        `Received alerts: alert ${alert.id} kept without ${fitted.trimmedDevices} of its ${alert.deviceIds.length} device IDs (too large)`,
      );
    return fitted;
  }

  /** `list`'s arguments checked; the start of its window, clamped to the retention. */
  listFrom(since: Date, until: Date, limit: number): Date {
    checkListArguments(since, until, limit);
    const start = retentionStart(this.now(), this.retentionDays);
    return since < start ? start : since;
  }

  /** The oldest day kept as of `now`; the log-once marks of earlier days are forgotten. */
  oldestKeptDay(now: Date): string {
    const oldest = oldestKeptDay(now, this.retentionDays);
    for (const day of this.fullDaysLogged) if (day < oldest) this.fullDaysLogged.delete(day);
    return oldest;
  }
}

/**
 * The worker's call: keeps the alert, never throws. A storage error is logged and the alert goes
 * on: it is bookkeeping for `enricher whatif`, not part of the delivery.
 */
export async function keepReceivedAlert(
  archive: ReceivedAlertArchive | undefined,
  alert: Alert,
  receivedAt: Date,
  log: Logger,
): Promise<void> {
  if (!archive) return;
  try {
    await archive.keep(alert, receivedAt);
  } catch (error: unknown) {
    log.warn(
      `Received alerts: could not keep alert ${alert.id} (${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'})`,
    );
  }
}
