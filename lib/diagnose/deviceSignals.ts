/**
 * What one device's Connections timeline says: when it dropped, whether it came back and how
 * fast, how long its sessions last, whether its drops repeat like a clock, and which error codes
 * surround them. Events are grouped by device once and each time stamp is parsed once, so the
 * cost grows with the number of events, not devices × events.
 */

import type { TimeWindow } from '../alerts/alert';
import type { ConnectionEvent } from '../evidence/evidence';
import { WINDOW_MARGIN_MINUTES } from '../evidence/kql';
import { median } from './format';
import { parseSdkVersion, type ParsedSdk } from './sdkFamilies';

/** 401003 this close to a 404104 belongs to the same SAS expiry. */
export const AUTH_COMPANION_MS = 90_000;
/** An SDK that renews its token reconnects within about a minute. */
export const QUICK_RECONNECT_MS = 120_000;
/** Drops closer than this are one episode, not two cycles. */
const SAME_EPISODE_MS = 3 * 60_000;

/**
 * A Connections event with its time stamp parsed once. Built field by field into one shape (not
 * spread): every event then has the same hidden class, which keeps `diagnose` fast on big fleets.
 */
export interface TimedEvent {
  readonly time: string;
  readonly ms: number;
  readonly deviceId: string;
  readonly operation: string;
  readonly resultType: string;
  readonly resultDescription: string;
  readonly sdkVersion: string | undefined;
  readonly protocol: string | undefined;
  readonly maskedIpAddress: string | undefined;
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/** Epoch ms of an ISO 8601 UTC time stamp; the common `…T05:12:04.419Z` form without Date.parse. */
export function isoMs(time: string): number {
  if (
    time.length === 24 &&
    time.charCodeAt(10) === 84 && // T
    time.charCodeAt(19) === 46 && // .
    time.charCodeAt(23) === 90 // Z
  ) {
    const seconds = digits(time, 11, 2) * 3600 + digits(time, 14, 2) * 60 + digits(time, 17, 2);
    const days = daysFromCivil(digits(time, 0, 4), digits(time, 5, 2), digits(time, 8, 2));
    return (days * 86_400 + seconds) * 1000 + digits(time, 20, 3);
  }
  return Date.parse(time);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function timed(e: ConnectionEvent): TimedEvent {
  return {
    time: e.time,
    ms: isoMs(e.time),
    deviceId: e.deviceId,
    operation: e.operation,
    resultType: e.resultType,
    resultDescription: e.resultDescription,
    sdkVersion: e.sdkVersion,
    protocol: e.protocol,
    maskedIpAddress: e.maskedIpAddress,
  };
}

export interface Periodicity {
  readonly intervals: readonly number[];
  /** The period: the median of the intervals that are one cycle long. */
  readonly medianMs: number;
  /** Largest distance of an interval from a whole number of periods. */
  readonly spreadMs: number;
  readonly regular: boolean;
}

export interface DeviceSignals {
  readonly deviceId: string;
  readonly events: readonly TimedEvent[];
  /** The 404104 the alert is about: the last one near the window, else the last before it. */
  readonly alertDrop?: TimedEvent;
  readonly drops: readonly TimedEvent[];
  readonly periodicity?: Periodicity;
  /** Any 401003 within 90 s of the alert drop. */
  readonly authCompanion?: TimedEvent;
  /** The hub's own 401003 at the alert drop: the token had expired (not a refused reconnect). */
  readonly tokenExpired?: TimedEvent;
  /** Drop episodes with the hub's 401003 beside them, the alert drop included. */
  readonly expiredCycles: number;
  readonly reconnect?: TimedEvent;
  readonly reconnectDelayMs?: number;
  /** Reconnect delay after every drop that has a reconnect. */
  readonly reconnectDelays: readonly number[];
  /** How long the logs read reach past the drop (to judge "not reconnected yet"). */
  readonly observedAfterDropMs?: number;
  /** Connect → alert drop: a token expiry ends the session one lifetime after its connect. */
  readonly sessionMs?: number;
  /** Connect → drop for every drop with its connect in the logs. */
  readonly sessions: readonly number[];
  /** Refused connect attempts (401003) after the alert drop, before any reconnect. */
  readonly authFailuresAfterDrop: readonly TimedEvent[];
  readonly duplicateIdentityErrors: readonly TimedEvent[];
  readonly duplicateIdentityAddresses: readonly string[];
  readonly addressBefore?: string;
  readonly addressAfter?: string;
  readonly sdkVersion?: string;
  readonly sdk?: ParsedSdk;
  readonly protocol?: string;
}

type Coded = Pick<ConnectionEvent, 'operation' | 'resultType'>;
const isSuccessfulConnect = (e: Coded): boolean =>
  e.operation === 'deviceConnect' && e.resultType === '';
const isAuthError = (e: Coded): boolean => e.resultType === '401003';
const isDuplicateIdentity = (e: Coded): boolean =>
  e.resultType === '400027' || e.resultType === '409002';

/**
 * Every device's events, oldest first, each time stamp parsed once. One pass over the evidence:
 * on a big fleet the cost is touching each row, so rows of devices not asked about are skipped
 * before their time stamp is read, and nothing is copied twice.
 */
export function groupByDevice(
  events: readonly ConnectionEvent[],
  only?: ReadonlySet<string>,
): Map<string, TimedEvent[]> {
  const byDevice = new Map<string, TimedEvent[]>();
  if (only) for (const id of only) byDevice.set(id, []);
  const unsorted = new Set<TimedEvent[]>();
  for (const event of events) {
    let list = byDevice.get(event.deviceId);
    if (list === undefined) {
      if (only) continue;
      list = [];
      byDevice.set(event.deviceId, list);
    }
    const current = timed(event);
    const previous = list[list.length - 1];
    // Evidence arrives sorted; only a device whose rows are out of order is sorted again.
    if (previous !== undefined && previous.ms > current.ms) unsorted.add(list);
    list.push(current);
  }
  for (const list of unsorted) list.sort((a, b) => a.ms - b.ms);
  if (only) for (const id of only) if (byDevice.get(id)?.length === 0) byDevice.delete(id);
  return byDevice;
}

/**
 * Whether drops repeat like a clock. One lost log row doubles an interval, so an interval that
 * is a whole number of periods still counts as regular; at least half must be one period long.
 */
export function periodicityOfTimes(times: readonly number[]): Periodicity | undefined {
  const episodes: number[] = [];
  for (const time of [...times].sort((a, b) => a - b)) {
    const last = episodes[episodes.length - 1];
    if (last === undefined || time - last > SAME_EPISODE_MS) episodes.push(time);
  }
  const intervals = episodes.slice(1).map((time, i) => time - (episodes[i] ?? time));
  if (intervals.length < 2) return undefined;
  const shortest = Math.min(...intervals);
  // The period is the median of the intervals close to the shortest one (single cycles).
  const singles = intervals.filter((i) => i < shortest * 1.5);
  const medianMs = median(singles) ?? shortest;
  const tolerance = Math.max(3 * 60_000, 0.08 * medianMs);
  let spreadMs = 0;
  for (const interval of intervals) {
    const cycles = Math.max(1, Math.round(interval / medianMs));
    spreadMs = Math.max(spreadMs, Math.abs(interval - cycles * medianMs) / Math.sqrt(cycles));
  }
  const regular = spreadMs <= tolerance && singles.length * 2 >= intervals.length;
  return { intervals, medianMs, spreadMs, regular };
}

export function periodicityOf(drops: readonly ConnectionEvent[]): Periodicity | undefined {
  return periodicityOfTimes(drops.map((d) => Date.parse(d.time)));
}

/** The hub's 401003 for an expired token: on the disconnect, or just before the 404104. */
function expiryNear(authErrors: readonly TimedEvent[], dropMs: number): TimedEvent | undefined {
  return authErrors.find(
    (e) =>
      (e.operation === 'deviceDisconnect' && Math.abs(e.ms - dropMs) <= AUTH_COMPANION_MS) ||
      (e.ms <= dropMs && dropMs - e.ms <= AUTH_COMPANION_MS),
  );
}

function latestOf(
  events: readonly TimedEvent[],
  pick: (e: TimedEvent) => string | undefined,
): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    const value = event && pick(event);
    if (value) return value;
  }
  return undefined;
}

/** `events`: this device's events, oldest first (from `groupByDevice`). */
export function deviceSignals(
  deviceId: string,
  events: readonly TimedEvent[],
  window: TimeWindow,
  spanEnd: string,
): DeviceSignals {
  const margin = WINDOW_MARGIN_MINUTES * 60_000;
  const windowEnd = Date.parse(window.end) + margin;

  const drops: TimedEvent[] = [];
  const authErrors: TimedEvent[] = [];
  const duplicateIdentityErrors: TimedEvent[] = [];
  const addresses = new Set<string>();
  const sessions: number[] = [];
  const reconnectDelays: number[] = [];
  let lastConnectMs: number | undefined;
  let pendingDropMs: number | undefined;
  for (const event of events) {
    if (isSuccessfulConnect(event)) {
      if (pendingDropMs !== undefined) reconnectDelays.push(event.ms - pendingDropMs);
      pendingDropMs = undefined;
      lastConnectMs = event.ms;
    } else if (event.resultType === '404104') {
      drops.push(event);
      if (lastConnectMs !== undefined && pendingDropMs === undefined) {
        sessions.push(event.ms - lastConnectMs);
      }
      pendingDropMs ??= event.ms;
    } else if (isAuthError(event)) {
      authErrors.push(event);
    } else if (isDuplicateIdentity(event)) {
      duplicateIdentityErrors.push(event);
    }
    if (
      event.maskedIpAddress !== undefined &&
      (event.operation === 'deviceConnect' || isDuplicateIdentity(event))
    ) {
      addresses.add(event.maskedIpAddress);
    }
  }

  let alertDrop: TimedEvent | undefined;
  for (const drop of drops) {
    if (drop.ms <= windowEnd) alertDrop = drop;
  }
  const sdkVersion = latestOf(events, (e) => e.sdkVersion);
  const protocol = latestOf(events, (e) => e.protocol);
  const sdk = parseSdkVersion(sdkVersion);
  const periodicity = periodicityOfTimes(drops.map((d) => d.ms));
  let expiredCycles = 0;
  let lastEpisode = -Infinity;
  for (const drop of drops) {
    if (drop.ms - lastEpisode <= SAME_EPISODE_MS) continue;
    lastEpisode = drop.ms;
    if (expiryNear(authErrors, drop.ms)) expiredCycles++;
  }

  const base = {
    deviceId,
    events,
    drops,
    expiredCycles,
    reconnectDelays,
    sessions,
    duplicateIdentityErrors,
    duplicateIdentityAddresses: [...addresses],
    ...(periodicity && { periodicity }),
    ...(sdkVersion && { sdkVersion }),
    ...(sdk && { sdk }),
    ...(protocol && { protocol }),
  };
  if (!alertDrop) {
    return { ...base, authFailuresAfterDrop: authErrors };
  }

  const dropMs = alertDrop.ms;
  let reconnect: TimedEvent | undefined;
  let addressBefore: string | undefined;
  let sessionStart: number | undefined;
  for (const event of events) {
    if (event.ms <= dropMs) {
      if (event.maskedIpAddress !== undefined) addressBefore = event.maskedIpAddress;
      if (isSuccessfulConnect(event)) sessionStart = event.ms;
    } else if (isSuccessfulConnect(event)) {
      reconnect = event;
      break;
    }
  }
  const tokenExpired = expiryNear(authErrors, dropMs);
  const authCompanion = authErrors.find((e) => Math.abs(e.ms - dropMs) <= AUTH_COMPANION_MS);
  const authFailuresAfterDrop = authErrors.filter(
    (e) =>
      e.ms > dropMs &&
      (reconnect === undefined || e.ms < reconnect.ms) &&
      e !== tokenExpired &&
      e.operation !== 'deviceDisconnect',
  );
  const addressAfter = reconnect?.maskedIpAddress;
  return {
    ...base,
    alertDrop,
    ...(authCompanion && { authCompanion }),
    ...(tokenExpired && { tokenExpired }),
    ...(reconnect && { reconnect, reconnectDelayMs: reconnect.ms - dropMs }),
    ...(sessionStart !== undefined && { sessionMs: dropMs - sessionStart }),
    observedAfterDropMs: Date.parse(spanEnd) - dropMs,
    authFailuresAfterDrop,
    ...(addressBefore && { addressBefore }),
    ...(addressAfter && { addressAfter }),
  };
}
