/**
 * The digest queries computed over events in memory, for sources that cannot run KQL (export
 * files). Each function mirrors one query in `digestKql.ts` and returns the same rows (same
 * columns, same `take`, same total row); keep them in step.
 */

import {
  AUTH_COMPANION_MS,
  isRemovedRefusal,
  MIN_REFUSALS,
  QUICK_RECONNECT_MS,
} from '../diagnose/deviceSignals';
import { INCIDENT_MIN_DEVICES, INCIDENT_MIN_SHARE } from '../diagnose/fleetSignals';
import type { DigestRow } from './digestFacts';
import {
  DIGEST_LIST_ROWS,
  DIGEST_SDK_ROWS,
  type DigestFamily,
  type DigestQuery,
  type DigestQueryName,
  RENEWAL_MEDIAN_MINUTES,
  RHYTHM_MIN_SHARE,
  RHYTHM_TOLERANCE,
  SAME_EPISODE_MINUTES,
  STOPPED_GRACE_MINUTES,
  THROTTLED_BEFORE_MINUTES,
} from './digestKql';
import type { ConnectionEvent } from './evidence';
import { FLEET_BIN_MINUTES } from './kql';

type Period = 'day' | 'week';
type Kind = 'drop' | 'auth' | 'removed' | 'duplicate' | 'connect';

interface Marked {
  readonly deviceId: string;
  readonly time: number;
  readonly kind: Kind;
  readonly period: Period;
  readonly ip: string;
}

interface ClassifiedDrop {
  readonly deviceId: string;
  readonly time: number;
  readonly period: Period;
  readonly ip: string;
  readonly returnAt?: number;
  readonly family: DigestFamily;
  readonly unexplained: boolean;
}

const BIN_MS = FLEET_BIN_MINUTES * 60_000;
const THROTTLED_BEFORE_MS = THROTTLED_BEFORE_MINUTES * 60_000;
const isConnected = (e: ConnectionEvent): boolean =>
  e.operation === 'deviceConnect' && e.resultType === '';

function kindOf(e: ConnectionEvent): Kind | undefined {
  if (e.resultType === '404104') return 'drop';
  // A refusal of an identity the hub no longer has is no credential refusal, and only an attempt
  // to connect is a refusal: the same words on a disconnect are left out.
  if (isRemovedRefusal(e)) return e.operation === 'deviceConnect' ? 'removed' : undefined;
  if (e.resultType === '401003') return 'auth';
  if (e.resultType === '400027' || e.resultType === '409002') return 'duplicate';
  return isConnected(e) ? 'connect' : undefined;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

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

/** KQL `percentile(x, 50)`: nearest rank. */
function nearestRankMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)] ?? 0;
}

/** The events of one hub over the span, as the digest queries see them. */
export class DigestComputation {
  private readonly dayStart: number;
  private readonly events: readonly (ConnectionEvent & { readonly period: Period })[];
  private drops?: ClassifiedDrop[];

  constructor(
    events: readonly ConnectionEvent[],
    filter: DigestQuery['filter'],
    private readonly until: string,
  ) {
    this.dayStart = Date.parse(filter.dayStart);
    this.events = events
      .filter((e) => e.hubResourceId === filter.hubResourceId && e.deviceId !== '')
      .map((e) => ({ ...e, period: Date.parse(e.time) >= this.dayStart ? 'day' : 'week' }));
  }

  rows(name: DigestQueryName): DigestRow[] {
    switch (name) {
      case 'digestFamilies':
        return this.families();
      case 'digestDevices':
        return this.devices();
      case 'digestSdks':
        return this.sdks();
      case 'digestSites':
        return this.sites();
      case 'digestStopped':
        return this.stopped();
      case 'digestBursts':
        return this.bursts();
    }
  }

  private fleet?: number;

  private fleetSize(): number {
    this.fleet ??= new Set(
      this.events.filter((e) => e.period === 'day').map((e) => e.deviceId),
    ).size;
    return this.fleet;
  }

  private isBurst(devices: number): boolean {
    return devices >= INCIDENT_MIN_DEVICES && devices >= INCIDENT_MIN_SHARE * this.fleetSize();
  }

  private classified(): ClassifiedDrop[] {
    if (this.drops) return this.drops;
    // `distinct DeviceId, TimeGenerated, Kind, Period, MaskedIpAddress`
    const seen = new Set<string>();
    const marked: Marked[] = [];
    for (const e of this.events) {
      const kind = kindOf(e);
      if (kind === undefined) continue;
      const item = {
        deviceId: e.deviceId,
        time: Date.parse(e.time),
        kind,
        period: e.period,
        ip: e.maskedIpAddress ?? '',
      };
      const key = `${item.deviceId}\u0000${item.time}\u0000${kind}\u0000${item.period}\u0000${item.ip}`;
      if (seen.has(key)) continue;
      seen.add(key);
      marked.push(item);
    }
    const byDevice = groupBy(marked, (m) => m.deviceId);

    // The hub's limits, on any row of the device (deviceDisconnect or DeviceTelemetry).
    const quotaAt = new Map<string, number[]>();
    const throttledAt = new Map<string, number[]>();
    for (const e of this.events) {
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

    const duplicates = new Map<string, number>();
    for (const m of marked.filter((x) => x.kind === 'duplicate')) {
      const key = `${m.deviceId}|${m.period}`;
      duplicates.set(key, (duplicates.get(key) ?? 0) + 1);
    }

    const burstDevices = new Map<number, Set<string>>();
    for (const m of marked.filter((x) => x.kind === 'drop')) {
      const bin = Math.floor(m.time / BIN_MS) * BIN_MS;
      const set = burstDevices.get(bin) ?? new Set<string>();
      set.add(m.deviceId);
      burstDevices.set(bin, set);
    }
    const burstBins = new Set(
      [...burstDevices.entries()].filter(([, set]) => this.isBurst(set.size)).map(([bin]) => bin),
    );

    const drops: ClassifiedDrop[] = [];
    for (const [deviceId, list] of byDevice) {
      // `sort by DeviceId asc, TimeGenerated desc`: ties keep their order (stable).
      const desc = [...list].sort((a, b) => b.time - a.time);
      const dropsAsc = desc.filter((m) => m.kind === 'drop').reverse();
      const inBurst = (m: Marked): boolean => burstBins.has(Math.floor(m.time / BIN_MS) * BIN_MS);
      const regular = new Map<Period, boolean>();
      for (const period of ['day', 'week'] as const) {
        const mine = dropsAsc.filter((d) => d.period === period);
        // A mass drop resets the device's clock: intervals that touch one are not its rhythm.
        const intervals = mine.slice(1).flatMap((d, i) => {
          const previous = mine[i];
          if (!previous || inBurst(d) || inBurst(previous)) return [];
          const minutes = (d.time - previous.time) / 60_000;
          return minutes > SAME_EPISODE_MINUTES && minutes <= RENEWAL_MEDIAN_MINUTES.max
            ? [minutes]
            : [];
        });
        if (intervals.length === 0) {
          regular.set(period, false);
          continue;
        }
        // Regular: most intervals near the median, so a few random drops do not hide the clock.
        const median = nearestRankMedian(intervals);
        const tolerance = Math.max(SAME_EPISODE_MINUTES, RHYTHM_TOLERANCE * median);
        const near = intervals.filter((i) => Math.abs(i - median) <= tolerance).length;
        regular.set(
          period,
          near >= 2 &&
            near >= RHYTHM_MIN_SHARE * intervals.length &&
            median >= RENEWAL_MEDIAN_MINUTES.min &&
            median <= RENEWAL_MEDIAN_MINUTES.max,
        );
      }
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
        const inBurst = burstBins.has(Math.floor(m.time / BIN_MS) * BIN_MS);
        const family = familyOf({
          duplicateErrors: duplicates.get(`${deviceId}|${m.period}`) ?? 0,
          lastDropNotBack: dl === 1 && cl === 0,
          removedAfterLastDrop,
          refusedAfterLastDrop,
          quota: anyWithin(quota, m.time - AUTH_COMPANION_MS, m.time + AUTH_COMPANION_MS),
          throttled: anyWithin(throttled, m.time - THROTTLED_BEFORE_MS, m.time + AUTH_COMPANION_MS),
          inBurst,
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
    this.drops = drops;
    return drops;
  }

  private families(): DigestRow[] {
    const rows: DigestRow[] = [];
    for (const [key, list] of groupBy(this.classified(), (d) => `${d.period}|${d.family}`)) {
      const [period, family] = key.split('|');
      rows.push({
        Row: 'family',
        Period: period,
        Family: family,
        Drops: list.length,
        Devices: new Set(list.map((d) => d.deviceId)).size,
      });
    }
    for (const [period, list] of groupBy(this.events, (e) => e.period)) {
      rows.push({
        Row: 'fleet',
        Period: period,
        Family: null,
        Drops: null,
        Devices: new Set(list.map((e) => e.deviceId)).size,
      });
    }
    return rows;
  }

  private devices(): DigestRow[] {
    const flapping = [
      ...groupBy(
        this.classified().filter((d) => d.period === 'day'),
        (d) => d.deviceId,
      ),
    ]
      .map(([deviceId, list]) => {
        const returns = list
          .filter((d) => d.returnAt !== undefined)
          .map((d) => ((d.returnAt ?? d.time) - d.time) / 60_000);
        return {
          DeviceId: deviceId,
          Drops: list.length,
          UnexplainedDrops: list.filter((d) => d.unexplained).length,
          SlowestReturnMin: returns.length > 0 ? Math.max(...returns) : null,
          NotBack: list.filter((d) => d.returnAt === undefined).length,
          LastDrop: new Date(Math.max(...list.map((d) => d.time))).toISOString(),
          MaskedIpAddress: list.map((d) => d.ip).find((ip) => ip !== '') ?? '',
        };
      })
      .filter((d) => d.UnexplainedDrops > 0);
    const top = flapping
      .sort(
        (a, b) =>
          b.UnexplainedDrops - a.UnexplainedDrops ||
          (b.SlowestReturnMin ?? -1) - (a.SlowestReturnMin ?? -1) ||
          a.DeviceId.localeCompare(b.DeviceId),
      )
      .slice(0, DIGEST_LIST_ROWS)
      .map((d) => ({ Row: 'device', ...d, Total: null }));
    return [...top, { Row: 'total', Total: flapping.length }];
  }

  private sdks(): DigestRow[] {
    const perDevice = [...groupBy(this.events, (e) => e.deviceId)]
      .map(([, list]) => {
        const sdkVersion = list
          .map((e) => e.sdkVersion)
          .filter((v): v is string => v !== undefined)
          .pop();
        const today = list.filter((e) => e.period === 'day');
        return {
          sdk: sdkVersion === undefined ? '' : (/^[^ ]+/.exec(sdkVersion)?.[0] ?? ''),
          seenToday: today.length,
          drops: today.filter((e) => e.resultType === '404104').length,
        };
      })
      .filter((d) => d.seenToday > 0);
    const perSdk = [...groupBy(perDevice, (d) => d.sdk)].map(([sdk, list]) => ({
      Sdk: sdk,
      Devices: list.length,
      DroppingDevices: list.filter((d) => d.drops > 0).length,
      Drops: list.reduce((sum, d) => sum + d.drops, 0),
    }));
    const top = perSdk
      .sort((a, b) => b.Devices - a.Devices || a.Sdk.localeCompare(b.Sdk))
      .slice(0, DIGEST_SDK_ROWS)
      .map((s) => ({ Row: 'sdk', ...s, Total: null }));
    return [
      ...top,
      {
        Row: 'total',
        Total: perSdk.length,
        Devices: perSdk.reduce((sum, s) => sum + s.Devices, 0),
        Drops: perSdk.reduce((sum, s) => sum + s.Drops, 0),
      },
    ];
  }

  private sites(): DigestRow[] {
    const today = this.classified().filter((d) => d.period === 'day' && d.ip !== '');
    const sites = [...groupBy(today, (d) => d.ip)]
      .map(([site, list]) => ({
        Site: site,
        Drops: list.length,
        UnexplainedDrops: list.filter((d) => d.unexplained).length,
        Devices: new Set(list.map((d) => d.deviceId)).size,
        DroppingDevices: new Set(list.filter((d) => d.unexplained).map((d) => d.deviceId)).size,
      }))
      .filter((s) => s.UnexplainedDrops > 0);
    const top = sites
      .sort((a, b) => b.UnexplainedDrops - a.UnexplainedDrops || a.Site.localeCompare(b.Site))
      .slice(0, DIGEST_LIST_ROWS)
      .map((s) => ({ Row: 'site', ...s, Total: null }));
    return [...top, { Row: 'total', Total: sites.length }];
  }

  private stopped(): DigestRow[] {
    const cutoff = Date.parse(this.until) - STOPPED_GRACE_MINUTES * 60_000;
    const stopped = [...groupBy(this.events, (e) => e.deviceId)].flatMap(([deviceId, list]) => {
      const connects = list.filter(isConnected).map((e) => Date.parse(e.time));
      const disconnects = list.filter((e) => e.operation === 'deviceDisconnect');
      const last = disconnects.reduce<ConnectionEvent | undefined>(
        (best, e) => (best === undefined || e.time > best.time ? e : best),
        undefined,
      );
      if (connects.length === 0 || last === undefined) return [];
      const lastConnect = Math.max(...connects);
      const lastDisconnect = Date.parse(last.time);
      if (lastDisconnect < this.dayStart || lastDisconnect >= cutoff) return [];
      if (lastConnect >= lastDisconnect) return [];
      return [
        {
          DeviceId: deviceId,
          LastConnect: new Date(lastConnect).toISOString(),
          LastDisconnect: new Date(lastDisconnect).toISOString(),
          LastResult: last.resultType,
          SdkVersion:
            list
              .map((e) => e.sdkVersion)
              .filter((v): v is string => v !== undefined)
              .pop() ?? '',
          FailedConnects: list.filter((e) => e.operation === 'deviceConnect' && e.resultType !== '')
            .length,
        },
      ];
    });
    const top = stopped
      .sort(
        (a, b) =>
          b.LastDisconnect.localeCompare(a.LastDisconnect) || a.DeviceId.localeCompare(b.DeviceId),
      )
      .slice(0, DIGEST_LIST_ROWS)
      .map((s) => ({ Row: 'device', ...s, Total: null }));
    return [...top, { Row: 'total', Total: stopped.length }];
  }

  private bursts(): DigestRow[] {
    const today = this.events.filter((e) => e.period === 'day');
    const fleet = this.fleetSize();
    const bins = [
      ...groupBy(today, (e) => String(Math.floor(Date.parse(e.time) / BIN_MS) * BIN_MS)),
    ]
      .map(([start, list]) => {
        const drops = list.filter((e) => e.resultType === '404104');
        return {
          Start: new Date(Number(start)).toISOString(),
          DroppedDevices: new Set(drops.map((e) => e.deviceId)).size,
          Drops: drops.length,
          ServerErrors: list.filter(
            (e) => e.resultType.startsWith('500') || e.resultType.startsWith('503'),
          ).length,
        };
      })
      .filter((b) => this.isBurst(b.DroppedDevices));
    const top = bins
      .sort((a, b) => a.Start.localeCompare(b.Start))
      .slice(0, DIGEST_LIST_ROWS)
      .map((b) => ({ Row: 'bin', ...b, FleetDevices: fleet, Total: null }));
    return [...top, { Row: 'total', Total: bins.length }];
  }
}
