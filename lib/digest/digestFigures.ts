/**
 * The digest queries' result rows → the figures the digest reports, typed. Both digest sources
 * (Log Analytics and export files) hand over rows keyed by column name, so this one parser reads
 * both.
 */

import type { ColumnType } from '../evidence/logAnalyticsRows';
import type { DigestFamily, DigestQueryName } from './digestKql';
import { DIGEST_FAMILIES } from './digestKql';

/** One result row keyed by column name: strings, numbers, ISO datetimes, or null. */
export type DigestRow = Readonly<Record<string, unknown>>;

/** The columns each digest query returns, with their KQL types (checked by the schema test). */
export const DIGEST_RESULT_COLUMNS = {
  digestFamilies: {
    Row: 'string',
    Period: 'string',
    Family: 'string',
    Drops: 'long',
    Devices: 'long',
  },
  digestDevices: {
    Row: 'string',
    DeviceId: 'string',
    Drops: 'long',
    UnexplainedDrops: 'long',
    SlowestReturnMin: 'real',
    NotBack: 'long',
    LastDrop: 'datetime',
    MaskedIpAddress: 'string',
    Total: 'long',
  },
  digestSdks: {
    Row: 'string',
    Sdk: 'string',
    Devices: 'long',
    DroppingDevices: 'long',
    Drops: 'long',
    Total: 'long',
  },
  digestSites: {
    Row: 'string',
    Site: 'string',
    Drops: 'long',
    UnexplainedDrops: 'long',
    Devices: 'long',
    DroppingDevices: 'long',
    Total: 'long',
  },
  digestStopped: {
    Row: 'string',
    DeviceId: 'string',
    LastConnect: 'datetime',
    LastDisconnect: 'datetime',
    LastResult: 'string',
    SdkVersion: 'string',
    FailedConnects: 'long',
    Total: 'long',
  },
  digestBursts: {
    Row: 'string',
    Start: 'datetime',
    DroppedDevices: 'long',
    Drops: 'long',
    ServerErrors: 'long',
    FleetDevices: 'long',
    Total: 'long',
  },
} as const satisfies Record<DigestQueryName, Record<string, ColumnType | 'real'>>;

export interface FamilyCount {
  readonly family: DigestFamily;
  readonly drops: number;
  readonly devices: number;
}

export interface PeriodFamilies {
  /** Distinct devices with any Connections event in the period. */
  readonly activeDevices: number;
  readonly families: readonly FamilyCount[];
}

export interface FlappingDevice {
  readonly deviceId: string;
  readonly drops: number;
  /** Drops that are neither a token renewal nor part of a hub-side mass drop. */
  readonly unexplainedDrops: number;
  /** Longest time offline after a drop it came back from, in minutes. */
  readonly slowestReturnMinutes?: number;
  /** Drops it has not come back from (in the logs read). */
  readonly notBack: number;
  readonly lastDrop: string;
  readonly maskedIpAddress?: string;
}

export interface SdkCount {
  /** `name/version` as the device announces it (`azure-iot-device/1.17.1`); '' when unknown. */
  readonly sdk: string;
  readonly devices: number;
  readonly droppingDevices: number;
  readonly drops: number;
}

export interface SiteCount {
  /** The masked address (`37.228.235.XXX`): devices behind one network share it. */
  readonly site: string;
  readonly drops: number;
  readonly unexplainedDrops: number;
  readonly devices: number;
  readonly droppingDevices: number;
}

export interface StoppedDevice {
  readonly deviceId: string;
  readonly lastConnect: string;
  readonly lastDisconnect: string;
  readonly lastResult: string;
  readonly sdkVersion?: string;
  readonly failedConnects: number;
}

export interface DropBurst {
  readonly start: string;
  readonly droppedDevices: number;
  readonly drops: number;
  readonly serverErrors: number;
  readonly fleetDevices: number;
}

/** A bounded list and the uncapped count it was cut from. */
export interface Listed<T> {
  readonly rows: readonly T[];
  readonly total: number;
}

/** What the six digest queries found: a field is absent when its query failed. */
export interface DigestFigures {
  readonly day?: PeriodFamilies;
  readonly week?: PeriodFamilies;
  readonly flapping?: Listed<FlappingDevice>;
  readonly sdks?: Listed<SdkCount> & { readonly devices: number; readonly drops: number };
  readonly sites?: Listed<SiteCount>;
  readonly stopped?: Listed<StoppedDevice>;
  readonly bursts?: Listed<DropBurst>;
}

function text(row: DigestRow, column: string): string {
  const value = row[column];
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function count(row: DigestRow, column: string): number {
  const value = row[column];
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : 0;
}

function optionalNumber(row: DigestRow, column: string): number | undefined {
  const value = row[column];
  if (value === null || value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function time(row: DigestRow, column: string): string | undefined {
  const value = text(row, column);
  if (value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function totalOf(rows: readonly DigestRow[]): number | undefined {
  const total = rows.find((r) => text(r, 'Row') === 'total');
  return total === undefined ? undefined : count(total, 'Total');
}

function listed<T>(
  rows: readonly DigestRow[],
  kind: string,
  read: (row: DigestRow) => T | undefined,
): Listed<T> {
  const items = rows
    .filter((r) => text(r, 'Row') === kind)
    .map(read)
    .filter((item): item is T => item !== undefined);
  return { rows: items, total: Math.max(totalOf(rows) ?? items.length, items.length) };
}

function isFamily(value: string): value is DigestFamily {
  return (DIGEST_FAMILIES as readonly string[]).includes(value);
}

export function familiesOf(rows: readonly DigestRow[]): {
  day: PeriodFamilies;
  week: PeriodFamilies;
} {
  const period = (name: 'day' | 'week'): PeriodFamilies => {
    const mine = rows.filter((r) => text(r, 'Period') === name);
    const fleet = mine.find((r) => text(r, 'Row') === 'fleet');
    const families = DIGEST_FAMILIES.map((family): FamilyCount => {
      const row = mine.find((r) => text(r, 'Row') === 'family' && text(r, 'Family') === family);
      return {
        family,
        drops: row ? count(row, 'Drops') : 0,
        devices: row ? count(row, 'Devices') : 0,
      };
    });
    // Unknown families (a newer query) are not dropped silently: they count as device-or-network.
    const stray = mine.filter((r) => text(r, 'Row') === 'family' && !isFamily(text(r, 'Family')));
    const adjusted = families.map((f) =>
      f.family === 'device-or-network'
        ? { ...f, drops: f.drops + stray.reduce((sum, r) => sum + count(r, 'Drops'), 0) }
        : f,
    );
    return { activeDevices: fleet ? count(fleet, 'Devices') : 0, families: adjusted };
  };
  return { day: period('day'), week: period('week') };
}

export function flappingOf(rows: readonly DigestRow[]): Listed<FlappingDevice> {
  return listed(rows, 'device', (row) => {
    const deviceId = text(row, 'DeviceId');
    const lastDrop = time(row, 'LastDrop');
    if (deviceId === '' || lastDrop === undefined) return undefined;
    const slowest = optionalNumber(row, 'SlowestReturnMin');
    const ip = text(row, 'MaskedIpAddress');
    return {
      deviceId,
      drops: count(row, 'Drops'),
      unexplainedDrops: count(row, 'UnexplainedDrops'),
      ...(slowest !== undefined && { slowestReturnMinutes: slowest }),
      notBack: count(row, 'NotBack'),
      lastDrop,
      ...(ip !== '' && { maskedIpAddress: ip }),
    };
  });
}

export function sdksOf(rows: readonly DigestRow[]): NonNullable<DigestFigures['sdks']> {
  const list = listed(rows, 'sdk', (row) => ({
    sdk: text(row, 'Sdk'),
    devices: count(row, 'Devices'),
    droppingDevices: count(row, 'DroppingDevices'),
    drops: count(row, 'Drops'),
  }));
  const total = rows.find((r) => text(r, 'Row') === 'total');
  return {
    ...list,
    devices: total ? count(total, 'Devices') : list.rows.reduce((s, r) => s + r.devices, 0),
    drops: total ? count(total, 'Drops') : list.rows.reduce((s, r) => s + r.drops, 0),
  };
}

export function sitesOf(rows: readonly DigestRow[]): Listed<SiteCount> {
  return listed(rows, 'site', (row) => {
    const site = text(row, 'Site');
    if (site === '') return undefined;
    return {
      site,
      drops: count(row, 'Drops'),
      unexplainedDrops: count(row, 'UnexplainedDrops'),
      devices: count(row, 'Devices'),
      droppingDevices: count(row, 'DroppingDevices'),
    };
  });
}

export function stoppedOf(rows: readonly DigestRow[]): Listed<StoppedDevice> {
  return listed(rows, 'device', (row) => {
    const deviceId = text(row, 'DeviceId');
    const lastConnect = time(row, 'LastConnect');
    const lastDisconnect = time(row, 'LastDisconnect');
    if (deviceId === '' || lastConnect === undefined || lastDisconnect === undefined) {
      return undefined;
    }
    const sdkVersion = text(row, 'SdkVersion');
    return {
      deviceId,
      lastConnect,
      lastDisconnect,
      lastResult: text(row, 'LastResult'),
      ...(sdkVersion !== '' && { sdkVersion }),
      failedConnects: count(row, 'FailedConnects'),
    };
  });
}

export function burstsOf(rows: readonly DigestRow[]): Listed<DropBurst> {
  return listed(rows, 'bin', (row) => {
    const start = time(row, 'Start');
    if (start === undefined) return undefined;
    return {
      start,
      droppedDevices: count(row, 'DroppedDevices'),
      drops: count(row, 'Drops'),
      serverErrors: count(row, 'ServerErrors'),
      fleetDevices: count(row, 'FleetDevices'),
    };
  });
}
