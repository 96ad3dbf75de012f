/**
 * Evidence from Log Analytics export files on disk: the local default (`npm start`), the CLI and
 * replay. Answers the same questions as `LogAnalyticsSource`, applying the KQL's filters in code.
 */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import {
  disconnectedDevicesOf,
  filterEvents,
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
  /** Every Connections event read, oldest first, duplicates removed. */
  private constructor(readonly events: readonly ConnectionEvent[]) {}

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
    const events = filterEvents(this.events, {
      hubResourceIds: query.filter.hubResourceIds,
      deviceIds: query.filter.deviceIds,
      timespan: query.timespan,
    });
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
    const period = heldPeriod(this.events, query.filter.hubResourceIds, query.timespan);
    const rows = deviceHistoryRowsOf(
      this.events,
      { ...query.filter, timespan: query.timespan },
      period,
    );
    return answer(historiesFor(query.filter.deviceIds, rows, period));
  }

  private hubEvents(query: EvidenceQuery): ConnectionEvent[] {
    return filterEvents(this.events, {
      hubResourceIds: query.filter.hubResourceIds,
      timespan: query.timespan,
    });
  }
}

function answer<T>(value: T, warning?: string): Promise<SourceAnswer<T>> {
  return Promise.resolve(warning === undefined ? { value } : { value, warning });
}
