/**
 * Evidence from Log Analytics export files on disk: the local default (`npm start`), the CLI and
 * replay. Answers the same questions as `LogAnalyticsSource`, applying the KQL's filters in code.
 */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import {
  disconnectedDevicesOf,
  fleetActivityOf,
  fleetSizeOf,
  latestRows,
  truncationWarning,
} from './aggregate';
import { byTime, ConnectionEventCollector } from './connectionEvents';
import { deviceHistoryRowsOf, heldPeriod, historiesFor } from './deviceHistories';
import type {
  CappedRows,
  ConnectionEvent,
  DeviceHistory,
  DisconnectedDevice,
  FleetActivityBin,
} from './evidence';
import type { EvidenceSource, SourceAnswer } from './evidenceSource';
import { readExportFile } from './exportRows';
import { type EvidenceQuery, MAX_DISCONNECTED_DEVICES, MAX_TIMELINE_ROWS } from './kql';

const EXPORT_EXTENSIONS = ['.json', '.csv'];

/** The files a path names: the file itself, or the export files directly inside a folder. */
export async function listExportFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) =>
    EXPORT_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)),
  );
  return names.sort().map((name) => join(path, name));
}

export class ExportFileSource implements EvidenceSource {
  /** Each hub's events, oldest first: every query names its hubs. */
  private readonly byHub = new Map<string, ConnectionEvent[]>();

  /** Every Connections event read, oldest first (by `ms`), duplicates removed. */
  private constructor(readonly events: readonly ConnectionEvent[]) {
    for (const event of events) {
      const list = this.byHub.get(event.hubResourceId);
      if (list) list.push(event);
      else this.byHub.set(event.hubResourceId, [event]);
    }
  }

  /**
   * Reads every export under `path` once, as streams, keeping events rather than rows or text;
   * queries then run in memory.
   */
  static async fromPath(path: string): Promise<ExportFileSource> {
    const files = await listExportFiles(path);
    const collector = new ConnectionEventCollector();
    for (const file of files) {
      await readExportFile(file, (row) => {
        collector.add(row);
      });
    }
    return new ExportFileSource(collector.finish());
  }

  static fromEvents(events: readonly ConnectionEvent[]): ExportFileSource {
    return new ExportFileSource([...events].sort(byTime));
  }

  deviceTimeline(query: EvidenceQuery): Promise<SourceAnswer<ConnectionEvent[]>> {
    const devices = new Set(query.filter.deviceIds);
    const events = this.hubEvents(query).filter((event) => devices.has(event.deviceId));
    // `top N by TimeGenerated desc`, returned oldest first, with `TotalRows`.
    const { rows, total } = latestRows(events, MAX_TIMELINE_ROWS);
    return answer([...rows], truncationWarning(rows.length, total));
  }

  fleetActivity(query: EvidenceQuery): Promise<SourceAnswer<FleetActivityBin[]>> {
    return answer(fleetActivityOf(this.hubEvents(query)));
  }

  fleetSize(query: EvidenceQuery): Promise<SourceAnswer<number>> {
    return answer(fleetSizeOf(this.hubEvents(query)));
  }

  disconnectedDevices(query: EvidenceQuery): Promise<SourceAnswer<CappedRows<DisconnectedDevice>>> {
    return answer(disconnectedDevicesOf(this.hubEvents(query), MAX_DISCONNECTED_DEVICES));
  }

  /**
   * The history over whatever part of the 30 days the export holds: the period says so (an
   * 8-hour export is not 30 days of quiet).
   */
  deviceHistory(query: EvidenceQuery): Promise<SourceAnswer<DeviceHistory[]>> {
    const events = this.ofHubs(query.filter.hubResourceIds);
    const period = heldPeriod(events, query.filter.hubResourceIds, query.timespan);
    const rows = deviceHistoryRowsOf(events, { ...query.filter, timespan: query.timespan }, period);
    return answer(historiesFor(query.filter.deviceIds, rows, period));
  }

  /** The events of these hubs (lower-cased IDs, as events hold them), oldest first. */
  private ofHubs(hubResourceIds: readonly string[]): readonly ConnectionEvent[] {
    const hubs = [...new Set(hubResourceIds.map((id) => id.toLowerCase()))];
    if (hubs.length === 1) return this.byHub.get(hubs[0] ?? '') ?? [];
    return hubs.flatMap((hub) => this.byHub.get(hub) ?? []).sort(byTime);
  }

  /**
   * The events of some hubs in a timespan, found by binary search (the filter still checks each
   * one): a replay of thousands of alerts must not scan the whole export for every query.
   */
  private within(
    hubResourceIds: readonly string[],
    timespan: { readonly start: string; readonly end: string },
  ): ConnectionEvent[] {
    const events = this.ofHubs(hubResourceIds);
    const start = Date.parse(timespan.start);
    const end = Date.parse(timespan.end);
    if (Number.isNaN(start) || Number.isNaN(end)) return [];
    return events.slice(firstAtOrAfter(events, start), firstAtOrAfter(events, end));
  }

  /** `where _ResourceId in~ (...)` and the timespan: exactly what `within` finds. */
  private hubEvents(query: EvidenceQuery): ConnectionEvent[] {
    return this.within(query.filter.hubResourceIds, query.timespan);
  }
}

/** The first index whose time is at or after `time` (events oldest first). */
function firstAtOrAfter(events: readonly ConnectionEvent[], time: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((events[mid]?.ms ?? Infinity) < time) low = mid + 1;
    else high = mid;
  }
  return low;
}

function answer<T>(value: T, warning?: string): Promise<SourceAnswer<T>> {
  return Promise.resolve(warning === undefined ? { value } : { value, warning });
}
