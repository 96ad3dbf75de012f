/**
 * What the incident policy reads from one diagnosed alert: its impact (the hub, the devices and
 * their sites, whether each device came back, the drop curve), its cohort, and its incident key.
 * Pure.
 */

import { signalsOfDevices } from '../diagnose/deviceSignals';
import type { Cohort } from '../diagnose/diagnosis';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { DisconnectedDevice } from '../evidence/evidence';
import type { DeviceAway } from './outgoingMessage';
import type { DropPoint } from './incident';

/** A cohort explains a subset when it holds this share of its devices (at least 3). */
const COHORT_SHARE = 0.6;

/** Where the alert struck and who came back: what decides folding, opening and quiet renewals. */
export interface AlertImpact {
  readonly hubResourceId?: string;
  /** The alert names no device: a hub-level alert (metric, or a log alert not split by device). */
  readonly hubLevel: boolean;
  readonly devices: readonly string[];
  readonly sites: readonly string[];
  readonly away: readonly DeviceAway[];
  /** Every alerted device reconnected after its drop. */
  readonly allBack: boolean;
  readonly dropCurve: readonly DropPoint[];
}

export function impactOf(report: EnrichedAlert): AlertImpact {
  const { alert, evidence } = report;
  const hubResourceId = alert.hubResourceIds[0] ?? evidence?.hubResourceIds[0];
  const away: DeviceAway[] = [];
  const sites = new Set<string>();
  const signals = evidence
    ? signalsOfDevices(
        evidence.deviceEvents,
        alert.deviceIds,
        evidence.alertWindow,
        evidence.span.end,
      )
    : [];
  // Connection events know the drop and the return themselves, logs or not.
  const connection = alert.connection;
  for (const [index, deviceId] of alert.deviceIds.entries()) {
    const device = signals[index];
    if (!device) {
      away.push({
        deviceId,
        ...(connection && { droppedAt: connection.droppedAt }),
        ...(connection?.returnedAt !== undefined && { backAt: connection.returnedAt }),
      });
      continue;
    }
    const site = device.addressBefore ?? device.addressAfter;
    if (site !== undefined) sites.add(site);
    const droppedAt = device.alertDrop?.time ?? connection?.droppedAt;
    const backAt = connection?.returnedAt ?? device.reconnect?.time;
    away.push({
      deviceId,
      ...(droppedAt !== undefined && { droppedAt }),
      ...(backAt !== undefined && { backAt }),
    });
  }
  return {
    ...(hubResourceId !== undefined && { hubResourceId }),
    hubLevel: alert.deviceIds.length === 0,
    devices: alert.deviceIds,
    sites: [...sites],
    away,
    allBack: away.length > 0 && away.every((a) => a.backAt !== undefined),
    dropCurve: dropCurveOf(report),
  };
}

/** The last hour of the hub's drops per 5-minute bin, with the connected-devices minimum. */
export function dropCurveOf(report: EnrichedAlert, bins = 12): DropPoint[] {
  const evidence = report.evidence;
  if (!evidence) return [];
  const end = Date.parse(evidence.alertWindow.end);
  const recent = evidence.fleetActivity.filter((bin) => Date.parse(bin.start) <= end).slice(-bins);
  const metric = evidence.connectedDeviceCount ?? [];
  return recent.map((bin) => {
    const from = Date.parse(bin.start);
    const inBin = metric
      .filter((p) => {
        const time = Date.parse(p.time);
        return time >= from && time < from + 5 * 60_000;
      })
      .map((p) => p.minimum ?? p.average)
      .filter((v): v is number => v !== undefined);
    return {
      start: bin.start,
      devices: bin.disconnectedDevices,
      ...(inBin.length > 0 && { connected: Math.min(...inBin) }),
    };
  });
}

function largestGroup(
  devices: readonly DisconnectedDevice[],
  keyOf: (d: DisconnectedDevice) => string | undefined,
): { value: string; size: number } | undefined {
  const groups = new Map<string, number>();
  for (const device of devices) {
    const key = keyOf(device);
    if (key !== undefined) groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const [value, size] = [...groups.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  return value === undefined || size === undefined ? undefined : { value, size };
}

/**
 * The cohort of a subset verdict: the diagnosis's own when it names one, else what most of its
 * devices share in the evidence (site, then SDK, then protocol). Undefined for other scopes.
 */
export function cohortOf(report: EnrichedAlert): Cohort | undefined {
  const { diagnosis, evidence } = report;
  if (diagnosis?.scope !== 'subset') return undefined;
  if (diagnosis.cohort) return diagnosis.cohort;
  if (!evidence) return undefined;
  const members = new Set(diagnosis.devices);
  const devices = evidence.disconnectedDevices.filter((d) => members.has(d.deviceId));
  const candidates: [Cohort['kind'], (d: DisconnectedDevice) => string | undefined][] = [
    ['site', (d) => d.maskedIpAddress],
    ['sdk', (d) => d.sdkVersion?.split(' ')[0]],
    ['protocol', (d) => d.protocol],
  ];
  for (const [kind, keyOf] of candidates) {
    const group = largestGroup(devices, keyOf);
    if (group && group.size >= 3 && group.size / devices.length >= COHORT_SHARE) {
      return { kind, value: group.value };
    }
  }
  return undefined;
}

export function incidentKey(hubResourceId: string, cause: string, cohort?: Cohort): string {
  return [hubResourceId.toLowerCase(), cause, cohort ? `${cohort.kind}:${cohort.value}` : '']
    .join('|')
    .replace(/\|$/, '');
}
