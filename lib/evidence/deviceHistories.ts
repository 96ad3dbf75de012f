/**
 * The device-history aggregate (`buildDeviceHistoryQuery` in `kql.ts`) computed over events in
 * memory, for sources that cannot run KQL; and the completion every source applies, so that each
 * device asked about gets exactly one history, zero drops included. Keep it in step with the KQL.
 */

import type { TimeWindow } from '../alerts/alert';
import { literalDeviceId } from './batchedTimelineKql';
import type { ConnectionEvent, DeviceHistory } from './evidence';
import { DROP_EPISODE_MINUTES, RECENT_HISTORY_DAYS } from './kql';

const EPISODE_MS = DROP_EPISODE_MINUTES * 60_000;
const RECENT_MS = RECENT_HISTORY_DAYS * 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;

export function emptyHourCounts(): number[] {
  return Array.from({ length: 24 }, () => 0);
}

/** A device with no 404104 in the period. */
export function noDrops(deviceId: string, period: TimeWindow): DeviceHistory {
  return {
    deviceId,
    dropsIn30Days: 0,
    dropsIn7Days: 0,
    dropsByHourUtc: emptyHourCounts(),
    period,
  };
}

/**
 * One history per device asked, in the order asked, named as asked: a row names the device as its
 * KQL literal does (`kqlString` drops control characters), and a device without drops has no row.
 */
export function historiesFor(
  deviceIds: readonly string[],
  rows: readonly DeviceHistory[],
  period: TimeWindow,
): DeviceHistory[] {
  const byName = new Map(rows.map((row) => [row.deviceId, row]));
  return deviceIds.map((deviceId) => {
    const row = byName.get(deviceId) ?? byName.get(literalDeviceId(deviceId));
    return row === undefined ? noDrops(deviceId, period) : { ...row, deviceId, period };
  });
}

interface Episodes {
  /** The distinct episode (5-minute bin) starts, in epoch ms. */
  readonly bins: Set<number>;
  first: number;
  last: number;
}

export interface HistoryFilter {
  readonly hubResourceIds: readonly string[];
  readonly deviceIds: readonly string[];
  readonly timespan: TimeWindow;
}

/**
 * The KQL's aggregate: drop episodes (distinct 5-minute bins), those after the device's last
 * episode minus 7 days, first and last drop, episodes per UTC hour. Only the devices with a 404104
 * in the hubs and timespan get a row. One pass, cheapest test first: a workspace of 100,000
 * devices holds millions of events.
 */
export function deviceHistoryRowsOf(
  events: readonly ConnectionEvent[],
  filter: HistoryFilter,
  period: TimeWindow,
): DeviceHistory[] {
  const wanted = new Set(filter.deviceIds);
  const hubs = new Set(filter.hubResourceIds.map((id) => id.toLowerCase()));
  const start = Date.parse(filter.timespan.start);
  const end = Date.parse(filter.timespan.end);
  const byDevice = new Map<string, Episodes>();
  for (const event of events) {
    if (event.resultType !== '404104' || !wanted.has(event.deviceId)) continue;
    if (event.ms < start || event.ms >= end || !hubs.has(event.hubResourceId)) continue;
    const found = byDevice.get(event.deviceId);
    const bin = Math.floor(event.ms / EPISODE_MS) * EPISODE_MS;
    if (found === undefined) {
      byDevice.set(event.deviceId, { bins: new Set([bin]), first: event.ms, last: event.ms });
      continue;
    }
    found.bins.add(bin);
    found.first = Math.min(found.first, event.ms);
    found.last = Math.max(found.last, event.ms);
  }
  return [...byDevice].map(([deviceId, episodes]) => {
    const bins = [...episodes.bins];
    const lastEpisode = Math.max(...bins);
    const dropsByHourUtc = emptyHourCounts();
    for (const bin of bins) {
      const hour = Math.floor((bin % (24 * HOUR_MS)) / HOUR_MS);
      dropsByHourUtc[hour] = (dropsByHourUtc[hour] ?? 0) + 1;
    }
    return {
      deviceId,
      dropsIn30Days: bins.length,
      dropsIn7Days: bins.filter((bin) => bin > lastEpisode - RECENT_MS).length,
      firstDrop: new Date(episodes.first).toISOString(),
      lastDrop: new Date(episodes.last).toISOString(),
      dropsByHourUtc,
      period,
    };
  });
}

/** The first index whose event is at or after `ms` (events oldest first). */
function firstAtOrAfter(events: readonly ConnectionEvent[], ms: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((events[middle]?.ms ?? Infinity) < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The part of the timespan that sorted events (oldest first) hold for the hubs: from their first
 * event in it to just after their last. Empty, at the timespan's end, when they hold none.
 */
export function heldPeriod(
  events: readonly ConnectionEvent[],
  hubResourceIds: readonly string[],
  timespan: TimeWindow,
): TimeWindow {
  const hubs = new Set(hubResourceIds.map((id) => id.toLowerCase()));
  const from = firstAtOrAfter(events, Date.parse(timespan.start));
  const to = firstAtOrAfter(events, Date.parse(timespan.end));
  let first: ConnectionEvent | undefined;
  for (let i = from; i < to && first === undefined; i++) {
    const event = events[i];
    if (event !== undefined && hubs.has(event.hubResourceId)) first = event;
  }
  let last: ConnectionEvent | undefined;
  for (let i = to - 1; i >= from && last === undefined; i--) {
    const event = events[i];
    if (event !== undefined && hubs.has(event.hubResourceId)) last = event;
  }
  if (first === undefined || last === undefined) {
    return { start: timespan.end, end: timespan.end };
  }
  return {
    start: new Date(first.ms).toISOString(),
    end: new Date(last.ms + 1).toISOString(),
  };
}

/**
 * `DropsByHour`, a bag of UTC hour → episodes (`{"2": 31}`), as 24 counts. Anything else (a list,
 * a JSON string of either) is read too; what cannot be read counts as no drops.
 */
export function hourCountsOf(value: unknown): number[] {
  const counts = emptyHourCounts();
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return counts;
    }
  }
  if (parsed === null || typeof parsed !== 'object') return counts;
  for (const [key, count] of Object.entries(parsed as Record<string, unknown>)) {
    const hour = Number(key);
    if (Number.isInteger(hour) && hour >= 0 && hour < 24 && typeof count === 'number') {
      counts[hour] = Number.isFinite(count) && count > 0 ? count : 0;
    }
  }
  return counts;
}
