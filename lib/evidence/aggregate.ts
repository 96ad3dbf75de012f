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

/** Oldest first already (every source's events are): else a sorted copy. */
function oldestFirst(events: readonly ConnectionEvent[]): readonly ConnectionEvent[] {
  for (let i = 1; i < events.length; i++) {
    if ((events[i]?.ms ?? 0) < (events[i - 1]?.ms ?? 0))
      return [...events].sort((a, b) => a.ms - b.ms);
  }
  return events;
}

function emptyBin(start: number): Counting {
  return {
    start: new Date(start).toISOString(),
    connects: 0,
    disconnects: 0,
    disconnectedDevices: 0,
    errors404104: 0,
    serverErrors: 0,
    authErrors: 0,
    duplicateIdentityErrors: 0,
    quotaErrors: 0,
    throttlingErrors: 0,
    activeDevices: 0,
    reconnectedDevices: 0,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** A bin being counted: every count present. */
type Counting = Required<Mutable<FleetActivityBin>>;

/**
 * `summarize ... by bin(TimeGenerated, 5m) | order by TimeGenerated asc`, in one pass over the
 * events oldest first: a device is counted once per bin by remembering the last bin it was
 * counted in. A what-if replay asks this for every alert, so it allocates little.
 */
export function fleetActivityOf(events: readonly ConnectionEvent[]): FleetActivityBin[] {
  const binMs = FLEET_BIN_MINUTES * 60_000;
  const bins: Counting[] = [];
  // Per device, one number: the bin it was last seen in (times 8) and what it was counted as
  // there (1 active, 2 disconnected, 4 reconnected). One lookup and one write per event.
  const seen = new Map<string, number>();
  let bin: Counting | undefined;
  let binStart = Number.NaN;
  let binIndex = -1;
  for (const event of oldestFirst(events)) {
    const start = Math.floor(event.ms / binMs) * binMs;
    if (bin === undefined || start !== binStart) {
      bin = emptyBin(start);
      binStart = start;
      binIndex++;
      bins.push(bin);
    }
    const { operation, resultType, deviceId } = event;
    const before = seen.get(deviceId);
    let flags = before !== undefined && before >> 3 === binIndex ? before & 7 : 0;
    if ((flags & 1) === 0) {
      bin.activeDevices++;
      flags |= 1;
    }
    if (operation === 'deviceConnect') {
      bin.connects++;
      if (resultType === '' && (flags & 4) === 0) {
        bin.reconnectedDevices++;
        flags |= 4;
      }
    } else if (operation === 'deviceDisconnect') bin.disconnects++;
    if (resultType !== '') {
      if (resultType === '404104') {
        bin.errors404104++;
        if ((flags & 2) === 0) {
          bin.disconnectedDevices++;
          flags |= 2;
        }
      } else if (isServerError(event)) bin.serverErrors++;
      else if (resultType === '401003') bin.authErrors++;
      else if (isDuplicateIdentity(event)) bin.duplicateIdentityErrors++;
      else if (resultType === '403002') bin.quotaErrors++;
      else if (resultType.startsWith('429')) bin.throttlingErrors++;
    }
    seen.set(deviceId, (binIndex << 3) | flags);
  }
  return bins;
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
  // One pass, oldest first: each device's drops, its last connect, and its latest non-empty
  // SDK, protocol and address (`take_anyif`: the latest is as good as any, and deterministic).
  const byDevice = new Map<string, Mutable<DisconnectedDevice>>();
  const latest = new Map<
    string,
    { sdk?: string; protocol?: string; ip?: string; connect?: string }
  >();
  for (const event of oldestFirst(events)) {
    const { deviceId } = event;
    let seen = latest.get(deviceId);
    if (!seen) {
      seen = {};
      latest.set(deviceId, seen);
    }
    if (event.sdkVersion) seen.sdk = event.sdkVersion;
    if (event.protocol) seen.protocol = event.protocol;
    if (event.maskedIpAddress) seen.ip = event.maskedIpAddress;
    if (event.operation === 'deviceConnect' && event.resultType === '') seen.connect = event.time;
    if (event.resultType !== '404104') continue;
    const device = byDevice.get(deviceId);
    if (device) {
      device.disconnects++;
      device.lastDisconnect = event.time;
    } else {
      byDevice.set(deviceId, {
        deviceId,
        disconnects: 1,
        firstDisconnect: event.time,
        lastDisconnect: event.time,
      });
    }
  }
  const devices: DisconnectedDevice[] = [];
  for (const [deviceId, device] of byDevice) {
    const seen = latest.get(deviceId) ?? {};
    devices.push({
      ...device,
      ...(seen.connect !== undefined && { lastConnect: seen.connect }),
      ...(seen.sdk && { sdkVersion: seen.sdk }),
      ...(seen.protocol && { protocol: seen.protocol }),
      ...(seen.ip && { maskedIpAddress: seen.ip }),
    });
  }
  const rows = devices
    .sort((a, b) => b.disconnects - a.disconnects || a.deviceId.localeCompare(b.deviceId))
    .slice(0, limit);
  return { rows, total: devices.length };
}
