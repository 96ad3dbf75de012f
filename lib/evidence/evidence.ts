/** What the enricher knows about the hub and devices around an alert. */

import type { TimeWindow } from '../alerts/alert';

/**
 * One row of the IoT Hub `Connections` category (AzureDiagnostics), flattened; or a
 * `DeviceTelemetry` error row (throttling, quota), whose `operation` is the telemetry operation.
 */
export interface ConnectionEvent {
  /** ISO 8601 UTC (`TimeGenerated`). */
  readonly time: string;
  /** `time` in epoch milliseconds, parsed once where the row is read. */
  readonly ms: number;
  /** Lower-cased IoT hub ARM resource ID (`_ResourceId`). */
  readonly hubResourceId: string;
  readonly deviceId: string;
  /** `deviceConnect` or `deviceDisconnect`. */
  readonly operation: string;
  /** `Information` or `Error`. */
  readonly level: string;
  /** Six-digit IoT Hub error code (e.g. `404104`), empty on success. */
  readonly resultType: string;
  readonly resultDescription: string;
  readonly sdkVersion?: string;
  readonly protocol?: string;
  readonly maskedIpAddress?: string;
  /** `properties_s.errorMessage`: the hub's words for an error (e.g. "token expired"). */
  readonly errorMessage?: string;
  /** Set for rows of another category than `Connections` (e.g. `DeviceTelemetry`). */
  readonly category?: string;
}

/** Hub-wide Connections activity in one 5-minute bin. */
export interface FleetActivityBin {
  readonly start: string;
  readonly connects: number;
  readonly disconnects: number;
  /** Distinct devices with a 404104 in the bin. */
  readonly disconnectedDevices: number;
  readonly errors404104: number;
  /** 500xxx and 503xxx results. */
  readonly serverErrors: number;
  /** 401003 results. */
  readonly authErrors: number;
  /** 400027 and 409002 results. */
  readonly duplicateIdentityErrors: number;
  /** 403002 IoTHubQuotaExceeded results (the hub's daily message quota is used up). */
  readonly quotaErrors?: number;
  /** 429xxx throttling results. */
  readonly throttlingErrors?: number;
  /** Distinct devices with any Connections event in the bin. */
  readonly activeDevices: number;
  /** Distinct devices with a successful `deviceConnect` in the bin. */
  readonly reconnectedDevices: number;
}

/** One device that disconnected with 404104 inside the alert window. */
export interface DisconnectedDevice {
  readonly deviceId: string;
  readonly disconnects: number;
  readonly firstDisconnect: string;
  readonly lastDisconnect: string;
  /** The device's last successful connect in the window: after `lastDisconnect`, it came back. */
  readonly lastConnect?: string;
  readonly sdkVersion?: string;
  readonly protocol?: string;
  readonly maskedIpAddress?: string;
}

/** The first rows of a capped query, and how many it would have returned without the cap. */
export interface CappedRows<T> {
  readonly rows: readonly T[];
  /** The uncapped count: at least `rows.length`. */
  readonly total: number;
}

/** One `connectedDeviceCount` sample (PT1M grain; only average, minimum, maximum are meaningful). */
export interface MetricPoint {
  readonly time: string;
  readonly average?: number;
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * One device's 404104 drops over the history period (30 days up to the alert window's end, or
 * what an export holds of it), aggregated: drop episodes, not rows. An episode is a distinct
 * 5-minute bin with at least one 404104, so a burst of duplicate rows or of drops seconds apart
 * counts once.
 */
export interface DeviceHistory {
  readonly deviceId: string;
  /** Drop episodes over the whole period read (the alert's own drop included). */
  readonly dropsIn30Days: number;
  /** Drop episodes in the 7 days up to the device's last drop in the period (its alerted drop). */
  readonly dropsIn7Days: number;
  /** ISO time of the first 404104 in the period; absent when there was none. */
  readonly firstDrop?: string;
  /** ISO time of the last 404104 in the period; absent when there was none. */
  readonly lastDrop?: string;
  /** Drop episodes per UTC hour of the day (index 0 = 00:00–01:00), 24 entries. */
  readonly dropsByHourUtc: readonly number[];
  /** The span the counts cover: the query's timespan, or the part of it an export holds. */
  readonly period: TimeWindow;
}

export interface Evidence {
  /** The alert's evaluation window. */
  readonly alertWindow: TimeWindow;
  /** The whole span read, including the look-back before the window. */
  readonly span: TimeWindow;
  readonly hubResourceIds: readonly string[];
  /** Connections events of the alerted devices, oldest first (empty for fleet alerts). */
  readonly deviceEvents: readonly ConnectionEvent[];
  /**
   * Hub-wide activity per 5-minute bin, oldest first, over the span or longer (at least
   * `MIN_FLEET_HISTORY_MINUTES` before the window, to see earlier renewal waves).
   */
  readonly fleetActivity: readonly FleetActivityBin[];
  /** Distinct devices seen in Connections logs over the span: the size of the active fleet. */
  readonly fleetSize: number;
  /** Devices that disconnected (404104) in the alert window, most disconnects first (capped). */
  readonly disconnectedDevices: readonly DisconnectedDevice[];
  /** How many devices disconnected (404104) in the alert window, uncapped. */
  readonly disconnectedDeviceCount: number;
  /** `connectedDeviceCount` over the span, when a metrics source answered. */
  readonly connectedDeviceCount?: readonly MetricPoint[];
  /** What could not be read, said plainly: shown on the message so "unknown" has a reason. */
  readonly gaps: readonly string[];
  /**
   * The alerted devices' drop history, one per device, when it was read (absent for alerts
   * without devices, or when the history query failed: see `historyGaps`).
   */
  readonly deviceHistory?: readonly DeviceHistory[];
  /**
   * What could not be read of the devices' history. Kept apart from `gaps`: the verdict does
   * not use the history, so a failed history query must not lower its confidence.
   */
  readonly historyGaps?: readonly string[];
}
