/**
 * The hub's own limits (the daily quota, throttling), which close connections that look like a
 * network fault or a hub incident.
 */

import type { Evidence } from '../evidence/evidence';
import type { DeviceSignals, TimedEvent } from './deviceSignals';
import type { EvidenceItem, Scope, Verdict } from './diagnosis';
import { errorCodeInfo } from './errorCodes';
import { LISTED_DEVICES } from './fleetRules';
import type { FleetSignals } from './fleetSignals';
import { INCIDENT_MIN_DEVICES } from './thresholds';
import { percent, plural, timeRange } from './format';

/** A limit error this long before a drop (throttled sends), or this soon after, is beside it. */
const BEFORE_DROP_MS = 5 * 60_000;
const AFTER_DROP_MS = 90_000;
/** Connects refused with a limit error this long after a drop still belong to it. */
const REFUSED_AFTER_DROP_MS = 30 * 60_000;
/** Hub-wide limit errors in the window that make a fleet verdict on their own (metric alerts). */
const FLEET_LIMIT_ERRORS = 10;

function item(signal: string, text: string): EvidenceItem {
  return { signal, text };
}

/**
 * The device's limit errors beside any of its drops, and how many drops had one: sends refused
 * in the minutes before the drop, the error on the drop itself, and connects refused after it
 * until the device is back (the quota refuses them until it resets).
 */
function besideDrops(
  device: DeviceSignals,
  errors: readonly TimedEvent[],
): { near: TimedEvent[]; drops: number } {
  const near = new Set<TimedEvent>();
  let drops = 0;
  device.drops.forEach((drop, i) => {
    const next = device.drops[i + 1]?.ms ?? Infinity;
    const until = Math.min(next, drop.ms + REFUSED_AFTER_DROP_MS);
    const beside = errors.filter(
      (e) =>
        (e.ms >= drop.ms - BEFORE_DROP_MS && e.ms <= drop.ms + AFTER_DROP_MS) ||
        (e.ms > drop.ms && e.ms < until && e.operation === 'deviceConnect'),
    );
    if (beside.length > 0) drops++;
    for (const e of beside) near.add(e);
  });
  return { near: [...near].sort((a, b) => a.ms - b.ms), drops };
}

interface LimitKind {
  readonly cause: 'quota-exceeded' | 'throttled';
  readonly errorsOf: (device: DeviceSignals) => readonly TimedEvent[];
  readonly fleetErrors: (fleet: FleetSignals) => number;
}

/**
 * The daily message quota is used up: the hub refuses the devices' messages with 403002
 * IoTHubQuotaExceeded, and over MQTT a refused request closes the connection, so devices drop and
 * reconnect until the quota resets at 00:00 UTC (Learn "Troubleshoot IoT Hub error codes", 403002;
 * "IoT Hub quotas and throttling"). The quota is the hub's, so many devices showing 403002 make it
 * fleet-wide; one device showing it is still the quota, seen so far on that device only.
 */
const QUOTA: LimitKind = {
  cause: 'quota-exceeded',
  errorsOf: (d) => d.quotaErrors,
  fleetErrors: (f) => f.quotaErrorsInWindow,
};

/**
 * The device's operations exceed the hub's per-unit rates (429xxx). Over MQTT a throttled request
 * can close the connection, and the SDK reconnects at once: a short clock that otherwise reads as
 * a network idle time-out.
 */
const THROTTLING: LimitKind = {
  cause: 'throttled',
  errorsOf: (d) => d.throttlingErrors,
  fleetErrors: (f) => f.throttlingErrorsInWindow,
};

/** `556× 429001 ThrottlingException and 13× 429002 ThrottleBacklogLimitExceeded`. */
function codesOf(errors: readonly TimedEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e.resultType, (counts.get(e.resultType) ?? 0) + 1);
  const named = [...counts.entries()].map(([code, n]) =>
    `${n}× ${code} ${errorCodeInfo(code)?.name ?? ''}`.trimEnd(),
  );
  return named.length <= 1
    ? (named[0] ?? '')
    : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1] ?? ''}`;
}

function summaryOf(kind: LimitKind, scope: Scope, who: string, fleet: FleetSignals): string {
  if (kind.cause === 'quota-exceeded') {
    return scope === 'fleet'
      ? `The hub's daily message quota is used up: ${fleet.quotaErrorsInWindow} messages refused with 403002 IoTHubQuotaExceeded across the fleet in the window, and ${plural(fleet.droppedInWindow, 'device')} dropped (${percent(fleet.share)}). Not a hub incident: devices are refused until the quota resets at 00:00 UTC or the hub gets more units.`
      : `${who} was refused with 403002 IoTHubQuotaExceeded beside its drop: the hub's daily message quota is used up. The quota is the hub's, so every device that sends will be refused until it resets at 00:00 UTC or the hub gets more units.`;
  }
  return scope === 'fleet'
    ? `IoT Hub is throttling the fleet: ${fleet.throttlingErrorsInWindow} requests refused with 429xxx in the window, and ${plural(fleet.droppedInWindow, 'device')} dropped. The devices together exceed the hub's per-unit rates: not a hub incident and not the network.`
    : `IoT Hub throttled ${who} (429xxx) beside its drops: it sends faster than the hub's per-unit rates allow, and the throttled connection closes. Not a network idle time-out.`;
}

function verdictFor(
  kind: LimitKind,
  devices: readonly DeviceSignals[],
  fleet: FleetSignals,
  evidence: Evidence,
): Verdict | undefined {
  const hit = devices
    .map((device) => ({ device, ...besideDrops(device, kind.errorsOf(device)) }))
    .filter((h) => h.near.length > 0);
  const own = hit.reduce((sum, h) => sum + h.near.length, 0);
  const fleetErrors = kind.fleetErrors(fleet);
  // Many more of them hub-wide than the alerted devices logged, and many devices dropping.
  const fleetWide =
    fleetErrors >= FLEET_LIMIT_ERRORS &&
    fleetErrors >= 2 * own &&
    fleet.droppedInWindow >= INCIDENT_MIN_DEVICES;
  if (hit.length === 0 && !fleetWide) return undefined;
  const scope: Scope = fleetWide ? 'fleet' : devices.length > 1 ? 'subset' : 'device';
  const facts: EvidenceItem[] = [];
  for (const h of hit.slice(0, 3)) {
    const first = h.near[0]?.time ?? '';
    const last = h.near[h.near.length - 1]?.time ?? '';
    facts.push(
      item(
        kind.cause === 'quota-exceeded' ? 'quota-errors' : 'throttling-errors',
        `${h.device.deviceId}: ${codesOf(h.near)} ${timeRange(first, last)}, beside ${plural(h.drops, 'drop')}`,
      ),
    );
  }
  if (fleetErrors > own) {
    facts.push(
      item(
        kind.cause === 'quota-exceeded' ? 'fleet-quota-errors' : 'fleet-throttling-errors',
        `${fleetErrors}× ${kind.cause === 'quota-exceeded' ? '403002 IoTHubQuotaExceeded' : '429xxx throttling'} hub-wide in the window; ${plural(fleet.droppedInWindow, 'device')} of ${fleet.fleetSize} dropped with 404104`,
      ),
    );
  }
  if (!fleet.serverErrorBurst) {
    facts.push(item('no-server-errors', 'No burst of server errors (500xxx/503xxx)'));
  }
  const lead = hit[0]?.device;
  const listed = [
    ...new Set([
      ...hit.map((h) => h.device.deviceId),
      ...(fleetWide ? evidence.disconnectedDevices.map((d) => d.deviceId) : []),
    ]),
  ].slice(0, LISTED_DEVICES);
  const reconnected = lead?.reconnect !== undefined;
  return {
    cause: kind.cause,
    scope,
    confidence: fleetWide ? 0.85 : hit.some((h) => h.drops >= 2) ? 0.82 : 0.74,
    devices: listed,
    summary: summaryOf(kind, scope, lead?.deviceId ?? 'the device', fleet),
    evidence: facts,
    ...(scope !== 'fleet' && lead?.alertDrop && { reconnected }),
    wouldChange:
      kind.cause === 'quota-exceeded'
        ? 'No 403002 beside the drops would leave the drop to the network or the hub.'
        : 'No 429xxx beside the drops would make a short regular clock a network idle time-out.',
  };
}

/** The quota first (it refuses every device), then throttling. */
export function diagnoseHubLimits(
  devices: readonly DeviceSignals[],
  fleet: FleetSignals,
  evidence: Evidence,
): Verdict | undefined {
  return (
    verdictFor(QUOTA, devices, fleet, evidence) ?? verdictFor(THROTTLING, devices, fleet, evidence)
  );
}
