/**
 * A device's rhythm, as the digest KQL reads it: whether its drops in a period come at a regular
 * interval in the range of token lifetimes, which lets a quick return count as a renewal even
 * without a 401003 beside the drop.
 */

import {
  RENEWAL_MEDIAN_MINUTES,
  RHYTHM_MIN_SHARE,
  RHYTHM_TOLERANCE,
  SAME_EPISODE_MINUTES,
} from './digestKql';
import type { Marked, Period } from './digestMarks';

/** KQL `percentile(x, 50)`: nearest rank. */
function nearestRankMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)] ?? 0;
}

/** Per period, whether the device's drops (`dropsAsc`, oldest first) keep a regular rhythm. */
export function regularPeriods(
  dropsAsc: readonly Marked[],
  inBurst: (m: Marked) => boolean,
): Map<Period, boolean> {
  const regular = new Map<Period, boolean>();
  for (const period of ['day', 'week'] as const) {
    const mine = dropsAsc.filter((d) => d.period === period);
    // A mass drop resets the device's clock: intervals that touch one are not its rhythm.
    const intervals = mine.slice(1).flatMap((d, i) => {
      const previous = mine[i];
      if (!previous || inBurst(d) || inBurst(previous)) return [];
      const minutes = (d.time - previous.time) / 60_000;
      return minutes > SAME_EPISODE_MINUTES && minutes <= RENEWAL_MEDIAN_MINUTES.max
        ? [minutes]
        : [];
    });
    if (intervals.length === 0) {
      regular.set(period, false);
      continue;
    }
    // Regular: most intervals near the median, so a few random drops do not hide the clock.
    const median = nearestRankMedian(intervals);
    const tolerance = Math.max(SAME_EPISODE_MINUTES, RHYTHM_TOLERANCE * median);
    const near = intervals.filter((i) => Math.abs(i - median) <= tolerance).length;
    regular.set(
      period,
      near >= 2 &&
        near >= RHYTHM_MIN_SHARE * intervals.length &&
        median >= RENEWAL_MEDIAN_MINUTES.min &&
        median <= RENEWAL_MEDIAN_MINUTES.max,
    );
  }
  return regular;
}
