/**
 * The fleet-wide KQL aggregations, computed over events in memory, for sources that cannot run
 * KQL. Each function mirrors one query in `kql.ts`; keep them in step.
 */

import type { TimeWindow } from '../alerts/alert';
import type { CappedRows, ConnectionEvent, DisconnectedDevice, FleetActivityBin } from './evidence';
import { FLEET_BIN_MINUTES } from './kql';

export interface EventFilter {
  readonly hubResourceIds: readonly string[];
  readonly deviceIds?: readonly string[];
  readonly timespan: TimeWindow;
}

/** `where _ResourceId in~ (...)`, the device filter, and the query API's timespan. */
export function filterEvents(
  events: readonly ConnectionEvent[],
  filter: EventFilter,
): ConnectionEvent[] {
  const hubs = new Set(filter.hubResourceIds.map((id) => id.toLowerCase()));
  const devices = filter.deviceIds ? new Set(filter.deviceIds) : undefined;
  const start = Date.parse(filter.timespan.start);
  const end = Date.parse(filter.timespan.end);
  return events.filter((event) => {
    const time = event.ms;
    return (
      hubs.has(event.hubResourceId) &&
      (!devices || devices.has(event.deviceId)) &&
      time >= start &&
      time < end
    );
  });
}

const isServerError = (e: ConnectionEvent): boolean =>
  e.resultType.startsWith('500') || e.resultType.startsWith('503');
const isDuplicateIdentity = (e: ConnectionEvent): boolean =>
  e.resultType === '400027' || e.resultType === '409002';

/** One bin being counted: totals, and the devices seen for the distinct counts. */
interface BinCounts {
  connects: number;
  disconnects: number;
  errors404104: number;
  serverErrors: number;
  authErrors: number;
  duplicateIdentityErrors: number;
  quotaErrors: number;
  throttlingErrors: number;
  readonly disconnected: Set<string>;
  readonly active: Set<string>;
  readonly reconnected: Set<string>;
}

function newBin(): BinCounts {
  return {
    connects: 0,
    disconnects: 0,
    errors404104: 0,
    serverErrors: 0,
    authErrors: 0,
    duplicateIdentityErrors: 0,
    quotaErrors: 0,
    throttlingErrors: 0,
    disconnected: new Set(),
    active: new Set(),
    reconnected: new Set(),
  };
}

/**
 * `summarize ... by bin(TimeGenerated, 5m) | order by TimeGenerated asc`, in one pass: a what-if
 * replay asks it for every alert.
 */
export function fleetActivityOf(events: readonly ConnectionEvent[]): FleetActivityBin[] {
  const binMs = FLEET_BIN_MINUTES * 60_000;
  const bins = new Map<number, BinCounts>();
  for (const event of events) {
    const start = Math.floor(event.ms / binMs) * binMs;
    let bin = bins.get(start);
    if (!bin) {
      bin = newBin();
      bins.set(start, bin);
    }
    const { operation, resultType, deviceId } = event;
    bin.active.add(deviceId);
    if (operation === 'deviceConnect') {
      bin.connects++;
      if (resultType === '') bin.reconnected.add(deviceId);
    } else if (operation === 'deviceDisconnect') bin.disconnects++;
    if (resultType === '404104') {
      bin.errors404104++;
      bin.disconnected.add(deviceId);
    }
    if (isServerError(event)) bin.serverErrors++;
    if (resultType === '401003') bin.authErrors++;
    if (isDuplicateIdentity(event)) bin.duplicateIdentityErrors++;
    if (resultType === '403002') bin.quotaErrors++;
    if (resultType.startsWith('429')) bin.throttlingErrors++;
  }
  return [...bins.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, bin]) => ({
      start: new Date(start).toISOString(),
      connects: bin.connects,
      disconnects: bin.disconnects,
      disconnectedDevices: bin.disconnected.size,
      errors404104: bin.errors404104,
      serverErrors: bin.serverErrors,
      authErrors: bin.authErrors,
      duplicateIdentityErrors: bin.duplicateIdentityErrors,
      quotaErrors: bin.quotaErrors,
      throttlingErrors: bin.throttlingErrors,
      activeDevices: bin.active.size,
      reconnectedDevices: bin.reconnected.size,
    }));
}

/** `top N by TimeGenerated desc` returned oldest first, and the count before the cap (`TotalRows`). */
export function latestRows<T>(events: readonly T[], limit: number): CappedRows<T> {
  return { rows: events.slice(-limit), total: events.length };
}

/** The warning a source gives when the row cap cut the oldest timeline rows off. */
export function truncationWarning(kept: number, total: number): string | undefined {
  return total > kept
    ? `only the latest ${kept} of ${total} timeline rows were read; older drops are not seen`
    : undefined;
}

/** `summarize Devices = dcount(DeviceId)`. */
export function fleetSizeOf(events: readonly ConnectionEvent[]): number {
  return new Set(events.map((e) => e.deviceId)).size;
}

/**
 * `summarize ... by DeviceId | where Disconnects > 0 | top N by Disconnects desc`, with the
 * uncapped count the query adds (`DroppedDevices`).
 */
export function disconnectedDevicesOf(
  events: readonly ConnectionEvent[],
  limit: number,
): CappedRows<DisconnectedDevice> {
  const byDevice = new Map<string, ConnectionEvent[]>();
  for (const event of events) {
    const list = byDevice.get(event.deviceId);
    if (list) list.push(event);
    else byDevice.set(event.deviceId, [event]);
  }
  const devices: DisconnectedDevice[] = [];
  for (const [deviceId, deviceEvents] of byDevice) {
    const drops = deviceEvents
      .filter((e) => e.resultType === '404104')
      .map((e) => e.time)
      .sort();
    const first = drops[0];
    const last = drops[drops.length - 1];
    if (first === undefined || last === undefined) continue;
    // take_anyif: any non-empty value; the latest is as good as any and is deterministic.
    const latest = (pick: (e: ConnectionEvent) => string | undefined): string | undefined =>
      deviceEvents
        .map(pick)
        .filter((v): v is string => v !== undefined)
        .pop();
    const sdkVersion = latest((e) => e.sdkVersion);
    const protocol = latest((e) => e.protocol);
    const maskedIpAddress = latest((e) => e.maskedIpAddress);
    const lastConnect = deviceEvents
      .filter((e) => e.operation === 'deviceConnect' && e.resultType === '')
      .map((e) => e.time)
      .sort()
      .pop();
    devices.push({
      deviceId,
      disconnects: drops.length,
      firstDisconnect: first,
      lastDisconnect: last,
      ...(lastConnect !== undefined && { lastConnect }),
      ...(sdkVersion && { sdkVersion }),
      ...(protocol && { protocol }),
      ...(maskedIpAddress && { maskedIpAddress }),
    });
  }
  const rows = devices
    .sort((a, b) => b.disconnects - a.disconnects || a.deviceId.localeCompare(b.deviceId))
    .slice(0, limit);
  return { rows, total: devices.length };
}
