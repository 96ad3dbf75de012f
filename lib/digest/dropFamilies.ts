/**
 * Each 404104 drop of the digest put in one family, as the KQL's `case` does: first the facts of
 * the drop (its device's duplicate-identity kicks, refusals after its last drop, the hub's limits
 * beside it, a mass drop, a quick return with a 401003 or a rhythm), then the first family that
 * holds, in the order of `DIGEST_FAMILIES`.
 */

import { AUTH_COMPANION_MS, MIN_REFUSALS, QUICK_RECONNECT_MS } from '../diagnose/thresholds';
import { type DigestFamily, THROTTLED_BEFORE_MINUTES } from './digestKql';
import {
  binOf,
  groupBy,
  markEvents,
  type Marked,
  type Period,
  type PeriodEvent,
} from './digestMarks';
import { regularPeriods } from './deviceRhythm';

export interface ClassifiedDrop {
  readonly deviceId: string;
  readonly time: number;
  readonly period: Period;
  readonly ip: string;
  readonly returnAt?: number;
  readonly family: DigestFamily;
  readonly unexplained: boolean;
}

const THROTTLED_BEFORE_MS = THROTTLED_BEFORE_MINUTES * 60_000;

interface DropFacts {
  /** 400027/409002 of the device in the drop's period. */
  readonly duplicateErrors: number;
  /** The device's last drop, with no connect after it. */
  readonly lastDropNotBack: boolean;
  /** Connects refused as an identity the hub does not have, after the device's last drop. */
  readonly removedAfterLastDrop: number;
  /** Other 401003 after the device's last drop. */
  readonly refusedAfterLastDrop: number;
  /** A 403002 within `AUTH_COMPANION_MS` either side of the drop. */
  readonly quota: boolean;
  /** A 429xxx from `THROTTLED_BEFORE_MINUTES` before the drop to `AUTH_COMPANION_MS` after. */
  readonly throttled: boolean;
  readonly inBurst: boolean;
  /** A quick return, with a 401003 beside the drop or a regular rhythm. */
  readonly renewal: boolean;
}

/** The first family that holds, in the order of `DIGEST_FAMILIES` (the KQL `case`). */
function familyOf(f: DropFacts): DigestFamily {
  if (f.duplicateErrors >= 2) return 'duplicate-identity';
  if (f.lastDropNotBack && f.removedAfterLastDrop >= MIN_REFUSALS) return 'device-removed';
  if (f.lastDropNotBack && f.refusedAfterLastDrop >= MIN_REFUSALS) return 'credential-rejected';
  if (f.quota) return 'quota-exceeded';
  if (f.throttled) return 'throttled';
  if (f.inBurst) return 'iot-hub-transient';
  if (f.renewal) return 'sas-token-expiry';
  return 'device-or-network';
}

/** Whether any of `sorted` (ascending) lies in `[from, to]`. */
function anyWithin(sorted: readonly number[], from: number, to: number): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? 0) < from) low = mid + 1;
    else high = mid;
  }
  return low < sorted.length && (sorted[low] ?? 0) <= to;
}

/** The hub's limits, on any row of the device (deviceDisconnect or DeviceTelemetry), ascending. */
function limitTimes(events: readonly PeriodEvent[]): {
  quotaAt: Map<string, number[]>;
  throttledAt: Map<string, number[]>;
} {
  const quotaAt = new Map<string, number[]>();
  const throttledAt = new Map<string, number[]>();
  for (const e of events) {
    const limit =
      e.resultType === '403002'
        ? quotaAt
        : e.resultType.startsWith('429')
          ? throttledAt
          : undefined;
    if (limit === undefined) continue;
    const list = limit.get(e.deviceId);
    if (list) list.push(Date.parse(e.time));
    else limit.set(e.deviceId, [Date.parse(e.time)]);
  }
  for (const list of [...quotaAt.values(), ...throttledAt.values()]) list.sort((a, b) => a - b);
  return { quotaAt, throttledAt };
}

/**
 * Every drop of the hub's events, classified. `isBurst(devices)` says whether that many devices
 * dropping in one fleet bin is a mass drop.
 */
export function classifyDrops(
  events: readonly PeriodEvent[],
  isBurst: (devices: number) => boolean,
): ClassifiedDrop[] {
  const marked = markEvents(events);
  const { quotaAt, throttledAt } = limitTimes(events);

  const duplicates = new Map<string, number>();
  for (const m of marked.filter((x) => x.kind === 'duplicate')) {
    const key = `${m.deviceId}|${m.period}`;
    duplicates.set(key, (duplicates.get(key) ?? 0) + 1);
  }

  const burstDevices = new Map<number, Set<string>>();
  for (const m of marked.filter((x) => x.kind === 'drop')) {
    const bin = binOf(m.time);
    const set = burstDevices.get(bin) ?? new Set<string>();
    set.add(m.deviceId);
    burstDevices.set(bin, set);
  }
  const burstBins = new Set(
    [...burstDevices.entries()].filter(([, set]) => isBurst(set.size)).map(([bin]) => bin),
  );
  const inBurst = (m: Marked): boolean => burstBins.has(binOf(m.time));

  const drops: ClassifiedDrop[] = [];
  for (const [deviceId, list] of groupBy(marked, (m) => m.deviceId)) {
    // `sort by DeviceId asc, TimeGenerated desc`: ties keep their order (stable).
    const desc = [...list].sort((a, b) => b.time - a.time);
    const regular = regularPeriods(desc.filter((m) => m.kind === 'drop').reverse(), inBurst);
    let connectsLater = 0;
    let dropsLater = 0;
    let refusedAfterLastDrop = 0;
    let removedAfterLastDrop = 0;
    const features = desc.map((m, i) => {
      if (m.kind === 'connect') connectsLater++;
      if (m.kind === 'drop') dropsLater++;
      if (m.kind === 'auth' && dropsLater === 0) refusedAfterLastDrop++;
      if (m.kind === 'removed' && dropsLater === 0) removedAfterLastDrop++;
      return { m, i, connectsLater, dropsLater };
    });
    const quota = quotaAt.get(deviceId) ?? [];
    const throttled = throttledAt.get(deviceId) ?? [];
    for (const { m, i, connectsLater: cl, dropsLater: dl } of features) {
      if (m.kind !== 'drop') continue;
      const later1 = desc[i - 1];
      const later2 = desc[i - 2];
      const earlier1 = desc[i + 1];
      const returnAt =
        later1?.kind === 'connect'
          ? later1.time
          : later2?.kind === 'connect'
            ? later2.time
            : undefined;
      const quick = returnAt !== undefined && returnAt - m.time <= QUICK_RECONNECT_MS;
      const companion =
        (earlier1?.kind === 'auth' && m.time - earlier1.time <= AUTH_COMPANION_MS) ||
        (later1?.kind === 'auth' && later1.time - m.time <= AUTH_COMPANION_MS);
      const family = familyOf({
        duplicateErrors: duplicates.get(`${deviceId}|${m.period}`) ?? 0,
        lastDropNotBack: dl === 1 && cl === 0,
        removedAfterLastDrop,
        refusedAfterLastDrop,
        quota: anyWithin(quota, m.time - AUTH_COMPANION_MS, m.time + AUTH_COMPANION_MS),
        throttled: anyWithin(throttled, m.time - THROTTLED_BEFORE_MS, m.time + AUTH_COMPANION_MS),
        inBurst: inBurst(m),
        renewal: quick && (companion || regular.get(m.period) === true),
      });
      drops.push({
        deviceId,
        time: m.time,
        period: m.period,
        ip: m.ip,
        ...(returnAt !== undefined && { returnAt }),
        family,
        unexplained: family !== 'sas-token-expiry' && family !== 'iot-hub-transient',
      });
    }
  }
  return drops;
}
