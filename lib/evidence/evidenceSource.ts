/** Ports through which evidence is read. Adapters: `LogAnalyticsSource`, `ExportFileSource`. */

import type { TimeWindow } from '../alerts/alert';
import type {
  CappedRows,
  ConnectionEvent,
  DeviceHistory,
  DisconnectedDevice,
  FleetActivityBin,
  MetricPoint,
} from './evidence';
import type { EvidenceQuery } from './kql';

/** An answer, possibly incomplete: a partial result is a state to show, not an exception. */
export interface SourceAnswer<T> {
  readonly value: T;
  /** Set when the source answered only in part (e.g. a Log Analytics PartialError). */
  readonly warning?: string;
}

export interface EvidenceSource {
  /** Oldest first; when the row cap cut the oldest rows off, the warning says how many. */
  deviceTimeline(query: EvidenceQuery): Promise<SourceAnswer<ConnectionEvent[]>>;
  fleetActivity(query: EvidenceQuery): Promise<SourceAnswer<FleetActivityBin[]>>;
  fleetSize(query: EvidenceQuery): Promise<SourceAnswer<number>>;
  /** The capped list and the uncapped number of devices that dropped. */
  disconnectedDevices(query: EvidenceQuery): Promise<SourceAnswer<CappedRows<DisconnectedDevice>>>;
  /**
   * One aggregated drop history per device of `query.filter.deviceIds` (in that order, zero drops
   * included) over the query's timespan, or the part of it the source holds.
   */
  deviceHistory(query: EvidenceQuery): Promise<SourceAnswer<DeviceHistory[]>>;
}

export interface MetricsSource {
  /** `connectedDeviceCount` for the hubs over the span (summed across hubs per timestamp). */
  connectedDeviceCount(
    hubResourceIds: readonly string[],
    span: TimeWindow,
  ): Promise<SourceAnswer<MetricPoint[]>>;
}
