/**
 * Whether a device's drops repeat like a clock, and at what period: the first question for telling
 * a token lifetime, an idle time-out or a schedule from random network loss.
 */

import { median } from './format';

/** Drops closer than this are one episode, not two cycles. */
export const SAME_EPISODE_MS = 3 * 60_000;

export interface Periodicity {
  readonly intervals: readonly number[];
  /** The period: the median of the intervals that are one cycle long. */
  readonly medianMs: number;
  /** Largest distance of an interval from a whole number of periods. */
  readonly spreadMs: number;
  readonly regular: boolean;
}

/**
 * Whether drops repeat like a clock. One lost log row doubles an interval, so an interval that
 * is a whole number of periods still counts as regular; at least half must be one period long.
 */
export function periodicityOfTimes(times: readonly number[]): Periodicity | undefined {
  let ascending = true;
  for (let i = 1; i < times.length && ascending; i++) {
    ascending = (times[i - 1] ?? 0) <= (times[i] ?? 0);
  }
  // Drops come oldest first from a timeline; copy and sort only when they do not.
  const ordered = ascending ? times : [...times].sort((a, b) => a - b);
  const intervals: number[] = [];
  let last: number | undefined;
  let shortest = Infinity;
  for (const time of ordered) {
    if (last !== undefined && time - last <= SAME_EPISODE_MS) continue;
    if (last !== undefined) {
      intervals.push(time - last);
      shortest = Math.min(shortest, time - last);
    }
    last = time;
  }
  if (intervals.length < 2) return undefined;
  // The period is the median of the intervals close to the shortest one (single cycles).
  const singles = intervals.filter((i) => i < shortest * 1.5);
  const medianMs = median(singles) ?? shortest;
  const tolerance = Math.max(3 * 60_000, 0.08 * medianMs);
  let spreadMs = 0;
  for (const interval of intervals) {
    const cycles = Math.max(1, Math.round(interval / medianMs));
    spreadMs = Math.max(spreadMs, Math.abs(interval - cycles * medianMs) / Math.sqrt(cycles));
  }
  const regular = spreadMs <= tolerance && singles.length * 2 >= intervals.length;
  return { intervals, medianMs, spreadMs, regular };
}

export function periodicityOf(drops: readonly { ms: number }[]): Periodicity | undefined {
  return periodicityOfTimes(drops.map((d) => d.ms));
}
