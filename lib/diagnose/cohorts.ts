/**
 * Cohorts: devices that share something (one masked address, i.e. one site; one SDK version; one
 * protocol) and drop within a few minutes of each other while the rest of the hub is fine. Even
 * when the alert names one device, such a group is a subset problem, not that device's alone.
 */

import type { DisconnectedDevice, Evidence } from '../evidence/evidence';
import type { DeviceSignals } from './deviceSignals';
import { duration, plural } from './format';

/** A cohort needs this many devices: two devices dropping together can be chance. */
export const COHORT_MIN_DEVICES = 3;
/**
 * A shared SDK or protocol is a weaker bond than a shared address (many devices share them, and
 * their routine token renewals fall together by chance): it needs more devices.
 */
export const SOFTWARE_COHORT_MIN_DEVICES = 5;
/** Members drop within this long of the alerted device's drop. */
export const COHORT_SPREAD_MS = 5 * 60_000;

export interface Cohort {
  readonly kind: 'address' | 'sdk' | 'protocol';
  /** `behind 81.2.69.XXX`. */
  readonly label: string;
  readonly deviceIds: readonly string[];
  /** First to last drop among the members. */
  readonly spreadMs: number;
}

/** The member's drop closest to `atMs` (the capped list keeps only the first and the last). */
export function nearestDrop(device: DisconnectedDevice, atMs: number): number {
  const first = Date.parse(device.firstDisconnect);
  const last = Date.parse(device.lastDisconnect);
  if (atMs >= first && atMs <= last) return atMs;
  return Math.abs(first - atMs) <= Math.abs(last - atMs) ? first : last;
}

/** The SDK's name and version, without the platform details that follow them. */
export const sdkKey = (sdkVersion: string | undefined): string | undefined =>
  sdkVersion?.split(' ')[0];

/** A software trait held by this share of the other drops is the hub's norm, not a cohort. */
const MAJORITY_SHARE = 0.5;

/** A cohort stands this many times above what chance would put near the drop. */
const COHORT_RATE_FACTOR = 2;

/**
 * The first group around the alerted device's drop that shares its address, SDK or protocol,
 * and is more than chance: a hub where devices drop all the time (staggered token renewals)
 * always has a few on the same protocol within minutes. Chance is the hub's usual drops per
 * minute, times the share of that trait among the devices that dropped away from this moment.
 */
export function cohortAround(
  device: DeviceSignals,
  evidence: Evidence,
  usualDropsPerMinute: number,
  addressOnly = false,
): Cohort | undefined {
  const drop = device.alertDrop;
  if (!drop) return undefined;
  const others = evidence.disconnectedDevices
    .filter((d) => d.deviceId !== device.deviceId)
    .map((d) => ({ device: d, at: nearestDrop(d, drop.ms) }));
  const near = others.filter((m) => Math.abs(m.at - drop.ms) <= COHORT_SPREAD_MS);
  const far = others.filter((m) => Math.abs(m.at - drop.ms) > COHORT_SPREAD_MS);
  const byChance = usualDropsPerMinute * ((2 * COHORT_SPREAD_MS) / 60_000);
  const address = device.addressBefore ?? device.addressAfter;
  const keys: [
    Cohort['kind'],
    string | undefined,
    (d: DisconnectedDevice) => string | undefined,
    (k: string) => string,
  ][] = [
    ['address', address, (d) => d.maskedIpAddress, (k) => `behind ${k}`],
    ['sdk', sdkKey(device.sdkVersion), (d) => sdkKey(d.sdkVersion), (k) => `running ${k}`],
    ['protocol', device.protocol, (d) => d.protocol, (k) => `connected over ${k}`],
  ];
  for (const [kind, key, keyOf, describe] of keys) {
    if (key === undefined || (addressOnly && kind !== 'address')) continue;
    const members = near.filter((m) => keyOf(m.device) === key);
    const minimum = kind === 'address' ? COHORT_MIN_DEVICES : SOFTWARE_COHORT_MIN_DEVICES;
    if (members.length + 1 < minimum) continue;
    const share = (far.filter((m) => keyOf(m.device) === key).length + 0.5) / (far.length + 1);
    // A trait most of the hub's drops share (MQTT, the common SDK) tells nothing.
    if (kind !== 'address' && share >= MAJORITY_SHARE) continue;
    if (members.length < COHORT_RATE_FACTOR * byChance * share) continue;
    const times = [drop.ms, ...members.map((m) => m.at)];
    return {
      kind,
      label: describe(key),
      deviceIds: [device.deviceId, ...members.map((m) => m.device.deviceId)],
      spreadMs: Math.max(...times) - Math.min(...times),
    };
  }
  return undefined;
}

export function cohortSentence(cohort: Cohort): string {
  return `${plural(cohort.deviceIds.length, 'device')} ${cohort.label} dropped within ${duration(cohort.spreadMs)}`;
}

/** Confidence that a shared trait explains the drop: an address (a site) says the most. */
export const COHORT_CONFIDENCE: Readonly<Record<Cohort['kind'], number>> = {
  address: 0.78,
  sdk: 0.7,
  protocol: 0.6,
};
