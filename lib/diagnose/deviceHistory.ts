/**
 * "Is this new for this device?": one device's drop against its own last 30 days, labelled for the
 * on-call engineer's first question. Pure; it never changes the verdict.
 */

import type { DeviceHistory } from '../evidence/evidence';
import { HISTORY_DAYS, RECENT_HISTORY_DAYS } from '../evidence/kql';
import { plural } from './format';

/**
 * - `first-in-30-days`: at most one drop episode in the period (this one);
 * - `rare`: 2 to `RARE_MAX_DROPS` (5) episodes, at most about one a week;
 * - `recurring`: more, with its rhythm: the UTC hour band holding most of its drops when they
 *   concentrate (at least 60 % within 1 to 3 consecutive hours), else "spread over the day".
 */
export type HistoryLabelKind = 'first-in-30-days' | 'rare' | 'recurring';

/** The UTC hours `[startHour, endHour)` holding most drops; `endHour` wraps past midnight. */
export interface BusiestHours {
  readonly startHour: number;
  readonly endHour: number;
  readonly drops: number;
  /** Share of the period's drop episodes in the band, 0–1. */
  readonly share: number;
}

export interface DeviceHistoryLabel extends DeviceHistory {
  readonly label: HistoryLabelKind;
  /** One line for a phone: "Recurring: 38 drops in 7 days, most between 02:00 and 03:00 UTC". */
  readonly text: string;
  /** Set when the drops concentrate in a band of hours. */
  readonly busiestHours?: BusiestHours;
}

/** Up to this many drop episodes in 30 days is rare; one is the first. */
export const RARE_MAX_DROPS = 5;
/** The drops concentrate when at least this share fall in one band of hours... */
export const RHYTHM_MIN_SHARE = 0.6;
/** ...of at most this many consecutive hours. */
export const RHYTHM_MAX_BAND_HOURS = 3;
/** A rhythm needs this many drops, over at least this many days of history. */
export const RHYTHM_MIN_DROPS = 4;
export const RHYTHM_MIN_DAYS = 2;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** A period this close to 30 days is the full 30 days (its ends are rounded to bins). */
const FULL_PERIOD_MS = HISTORY_DAYS * DAY_MS - HOUR_MS;

function periodMs(history: DeviceHistory): number {
  const ms = Date.parse(history.period.end) - Date.parse(history.period.start);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** "in 30 days", or how much a shorter history held: "in the 8 h of logs read". */
function within(ms: number): string {
  if (ms >= FULL_PERIOD_MS) return `in ${HISTORY_DAYS} days`;
  if (ms < MINUTE_MS) return 'in the logs read';
  if (ms >= 2 * DAY_MS) return `in the ${Math.round(ms / DAY_MS)} days of logs read`;
  if (ms >= 2 * HOUR_MS) return `in the ${Math.round(ms / HOUR_MS)} h of logs read`;
  return `in the ${Math.round(ms / MINUTE_MS)} min of logs read`;
}

const hh = (hour: number): string => `${String(hour).padStart(2, '0')}:00`;

/**
 * The narrowest band of 1 to 3 consecutive UTC hours (wrapping past midnight) holding at least
 * 60 % of the drops; the fullest such band, then the earliest. Undefined when none does.
 */
export function busiestHoursOf(dropsByHourUtc: readonly number[]): BusiestHours | undefined {
  const total = dropsByHourUtc.reduce((sum, n) => sum + n, 0);
  if (total === 0) return undefined;
  for (let width = 1; width <= RHYTHM_MAX_BAND_HOURS; width++) {
    let best: BusiestHours | undefined;
    for (let start = 0; start < 24; start++) {
      let drops = 0;
      for (let k = 0; k < width; k++) drops += dropsByHourUtc[(start + k) % 24] ?? 0;
      if (drops >= RHYTHM_MIN_SHARE * total && (best === undefined || drops > best.drops)) {
        best = { startHour: start, endHour: (start + width) % 24, drops, share: drops / total };
      }
    }
    if (best !== undefined) return best;
  }
  return undefined;
}

/** ", most between 02:00 and 03:00 UTC" (a band is 1–3 hours wide: its ends always differ). */
function rhythmText(band: BusiestHours | undefined): string {
  if (band === undefined) return ', spread over the day';
  const most = band.share >= 1 ? 'all' : 'most';
  return `, ${most} between ${hh(band.startHour)} and ${hh(band.endHour)} UTC`;
}

/** How many drops, in the window that says most: the last 7 days when they dominate. */
function recurringCount(history: DeviceHistory, ms: number): string {
  const all = history.dropsIn30Days;
  const recent = history.dropsIn7Days;
  const lastDrop = Date.parse(history.lastDrop ?? '');
  // The 7 days run up to the device's last drop: only say "7 days" when that drop is this one.
  const lastIsNow = Number.isFinite(lastDrop) && Date.parse(history.period.end) - lastDrop < DAY_MS;
  if (ms < RECENT_HISTORY_DAYS * DAY_MS || !lastIsNow) {
    return `${plural(all, 'drop')} ${within(ms)}`;
  }
  if (recent * 2 >= all) return `${plural(recent, 'drop')} in ${RECENT_HISTORY_DAYS} days`;
  return `${plural(all, 'drop')} ${within(ms)}, ${recent} in the last ${RECENT_HISTORY_DAYS}`;
}

/**
 * A shorter history than 30 days (an export of a few hours) scales the rare limit down with it,
 * and the text says how much was read: 3 drops in 8 hours is not rare.
 */
export function labelDeviceHistory(history: DeviceHistory): DeviceHistoryLabel {
  const ms = periodMs(history);
  const drops = history.dropsIn30Days;
  const rareMax = Math.max(1, RARE_MAX_DROPS * Math.min(1, ms / (HISTORY_DAYS * DAY_MS)));
  const hasRhythm = drops >= RHYTHM_MIN_DROPS && ms >= RHYTHM_MIN_DAYS * DAY_MS;
  const busiestHours = hasRhythm ? busiestHoursOf(history.dropsByHourUtc) : undefined;
  const label: HistoryLabelKind =
    drops <= 1 ? 'first-in-30-days' : drops <= rareMax ? 'rare' : 'recurring';
  const text =
    label === 'first-in-30-days'
      ? `First drop ${within(ms)}`
      : label === 'rare'
        ? `Rare: ${plural(drops, 'drop')} ${within(ms)}`
        : `Recurring: ${recurringCount(history, ms)}${hasRhythm ? rhythmText(busiestHours) : ''}`;
  return { ...history, label, text, ...(busiestHours && { busiestHours }) };
}
