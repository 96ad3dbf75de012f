/**
 * The rows of each digest query, computed from the marked events and the classified drops: one
 * function per query of `digestKql.ts`, with the same columns, the same `take` and the same total
 * row.
 */

import type { ConnectionEvent } from '../evidence/evidence';
import { DIGEST_LIST_ROWS, DIGEST_SDK_ROWS, STOPPED_GRACE_MINUTES } from './digestKql';
import type { DigestRow } from './digestFigures';
import { binOf, groupBy, isConnected, type PeriodEvent } from './digestMarks';
import type { ClassifiedDrop } from './dropFamilies';

/** `digestFamilies`: drops and devices per period and family, and the fleet per period. */
export function familyRows(
  drops: readonly ClassifiedDrop[],
  events: readonly PeriodEvent[],
): DigestRow[] {
  const rows: DigestRow[] = [];
  for (const [key, list] of groupBy(drops, (d) => `${d.period}|${d.family}`)) {
    const [period, family] = key.split('|');
    rows.push({
      Row: 'family',
      Period: period,
      Family: family,
      Drops: list.length,
      Devices: new Set(list.map((d) => d.deviceId)).size,
    });
  }
  for (const [period, list] of groupBy(events, (e) => e.period)) {
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

/** `digestDevices`: the day's flapping devices, most unexplained drops first. */
export function deviceRows(drops: readonly ClassifiedDrop[]): DigestRow[] {
  const flapping = [
    ...groupBy(
      drops.filter((d) => d.period === 'day'),
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

/** `digestSdks`: the day's devices and drops per SDK (the first word of its version). */
export function sdkRows(events: readonly PeriodEvent[]): DigestRow[] {
  const perDevice = [...groupBy(events, (e) => e.deviceId)]
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

/** `digestSites`: the day's drops per masked address with unexplained drops. */
export function siteRows(drops: readonly ClassifiedDrop[]): DigestRow[] {
  const today = drops.filter((d) => d.period === 'day' && d.ip !== '');
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

/**
 * `digestStopped`: devices whose last disconnect fell in the day (and before the grace period
 * before `until`) with no connect after it.
 */
export function stoppedRows(
  events: readonly PeriodEvent[],
  dayStart: number,
  until: string,
): DigestRow[] {
  const cutoff = Date.parse(until) - STOPPED_GRACE_MINUTES * 60_000;
  const stopped = [...groupBy(events, (e) => e.deviceId)].flatMap(([deviceId, list]) => {
    const connects = list.filter(isConnected).map((e) => Date.parse(e.time));
    const disconnects = list.filter((e) => e.operation === 'deviceDisconnect');
    const last = disconnects.reduce<ConnectionEvent | undefined>(
      (best, e) => (best === undefined || e.time > best.time ? e : best),
      undefined,
    );
    if (connects.length === 0 || last === undefined) return [];
    const lastConnect = Math.max(...connects);
    const lastDisconnect = Date.parse(last.time);
    if (lastDisconnect < dayStart || lastDisconnect >= cutoff) return [];
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

/** `digestBursts`: the day's fleet bins in which enough devices dropped to be a mass drop. */
export function burstRows(
  events: readonly PeriodEvent[],
  fleet: number,
  isBurst: (devices: number) => boolean,
): DigestRow[] {
  const today = events.filter((e) => e.period === 'day');
  const bins = [...groupBy(today, (e) => String(binOf(Date.parse(e.time))))]
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
    .filter((b) => isBurst(b.DroppedDevices));
  const top = bins
    .sort((a, b) => a.Start.localeCompare(b.Start))
    .slice(0, DIGEST_LIST_ROWS)
    .map((b) => ({ Row: 'bin', ...b, FleetDevices: fleet, Total: null }));
  return [...top, { Row: 'total', Total: bins.length }];
}
