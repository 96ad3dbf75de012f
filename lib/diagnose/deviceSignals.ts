/**
 * What one device's Connections timeline says: when it dropped, whether it came back and how
 * fast, whether its drops repeat like a SAS-token clock, and which error codes surround them.
 */

import type { TimeWindow } from '../alerts/alert';
import type { ConnectionEvent } from '../evidence/evidence';
import { WINDOW_MARGIN_MINUTES } from '../evidence/kql';
import { median } from './format';

/** 401003 this close to a 404104 belongs to the same SAS expiry. */
export const AUTH_COMPANION_MS = 90_000;
/** An SDK that renews its token reconnects within about a minute. */
export const QUICK_RECONNECT_MS = 120_000;
/** Drops closer than this are one episode, not two cycles. */
const SAME_EPISODE_MS = 3 * 60_000;

export interface Periodicity {
  readonly intervals: readonly number[];
  readonly medianMs: number;
  /** Largest distance of an interval from the median. */
  readonly spreadMs: number;
  readonly regular: boolean;
}

export interface DeviceSignals {
  readonly deviceId: string;
  readonly events: readonly ConnectionEvent[];
  /** The 404104 the alert is about: the last one near the window, else the last before it. */
  readonly alertDrop?: ConnectionEvent;
  readonly drops: readonly ConnectionEvent[];
  readonly periodicity?: Periodicity;
  readonly authCompanion?: ConnectionEvent;
  readonly reconnect?: ConnectionEvent;
  readonly reconnectDelayMs?: number;
  /** How long the logs read reach past the drop (to judge "not reconnected yet"). */
  readonly observedAfterDropMs?: number;
  readonly authFailuresAfterDrop: readonly ConnectionEvent[];
  readonly duplicateIdentityErrors: readonly ConnectionEvent[];
  readonly duplicateIdentityAddresses: readonly string[];
  readonly addressBefore?: string;
  readonly addressAfter?: string;
  readonly sdkVersion?: string;
  readonly protocol?: string;
}

const isSuccessfulConnect = (e: ConnectionEvent): boolean =>
  e.operation === 'deviceConnect' && e.resultType === '';

export function periodicityOf(drops: readonly ConnectionEvent[]): Periodicity | undefined {
  const episodes: number[] = [];
  for (const drop of drops) {
    const time = Date.parse(drop.time);
    const last = episodes[episodes.length - 1];
    if (last === undefined || time - last > SAME_EPISODE_MS) episodes.push(time);
  }
  const intervals = episodes.slice(1).map((time, i) => time - (episodes[i] ?? time));
  const medianMs = median(intervals);
  if (medianMs === undefined || intervals.length < 2) return undefined;
  const spreadMs = Math.max(...intervals.map((i) => Math.abs(i - medianMs)));
  // Regular: every interval within 3 min (or 8%) of the median, the way a token clock behaves.
  const regular = spreadMs <= Math.max(3 * 60_000, 0.08 * medianMs);
  return { intervals, medianMs, spreadMs, regular };
}

export function deviceSignals(
  deviceId: string,
  allEvents: readonly ConnectionEvent[],
  window: TimeWindow,
  spanEnd: string,
): DeviceSignals {
  const events = allEvents.filter((e) => e.deviceId === deviceId);
  const drops = events.filter((e) => e.resultType === '404104');
  const margin = WINDOW_MARGIN_MINUTES * 60_000;
  const windowStart = Date.parse(window.start) - margin;
  const windowEnd = Date.parse(window.end) + margin;
  const nearWindow = drops.filter((d) => {
    const time = Date.parse(d.time);
    return time >= windowStart && time <= windowEnd;
  });
  const alertDrop =
    nearWindow[nearWindow.length - 1] ?? drops.filter((d) => Date.parse(d.time) <= windowEnd).pop();

  const duplicateIdentityErrors = events.filter(
    (e) => e.resultType === '400027' || e.resultType === '409002',
  );
  const duplicateIdentityAddresses = [
    ...new Set(
      events
        .filter((e) => e.operation === 'deviceConnect' || duplicateIdentityErrors.includes(e))
        .map((e) => e.maskedIpAddress)
        .filter((ip): ip is string => ip !== undefined),
    ),
  ];
  const latest = (pick: (e: ConnectionEvent) => string | undefined): string | undefined =>
    events
      .map(pick)
      .filter((v): v is string => v !== undefined)
      .pop();
  const sdkVersion = latest((e) => e.sdkVersion);
  const protocol = latest((e) => e.protocol);

  const base = {
    deviceId,
    events,
    drops,
    authFailuresAfterDrop: [] as ConnectionEvent[],
    duplicateIdentityErrors,
    duplicateIdentityAddresses,
    ...(sdkVersion && { sdkVersion }),
    ...(protocol && { protocol }),
  };
  const periodicity = periodicityOf(drops);
  if (!alertDrop) {
    return {
      ...base,
      ...(periodicity && { periodicity }),
      authFailuresAfterDrop: events.filter((e) => e.resultType === '401003'),
    };
  }

  const dropTime = Date.parse(alertDrop.time);
  const after = events.filter((e) => Date.parse(e.time) > dropTime);
  const reconnect = after.find(isSuccessfulConnect);
  const authCompanion = events.find(
    (e) =>
      e.resultType === '401003' && Math.abs(Date.parse(e.time) - dropTime) <= AUTH_COMPANION_MS,
  );
  const authFailuresAfterDrop = after.filter(
    (e) =>
      e.resultType === '401003' &&
      (reconnect === undefined || Date.parse(e.time) < Date.parse(reconnect.time)) &&
      e !== authCompanion,
  );
  const addressBefore = events
    .filter((e) => Date.parse(e.time) <= dropTime && e.maskedIpAddress !== undefined)
    .pop()?.maskedIpAddress;
  const addressAfter = reconnect?.maskedIpAddress;

  return {
    ...base,
    alertDrop,
    ...(periodicity && { periodicity }),
    ...(authCompanion && { authCompanion }),
    ...(reconnect && {
      reconnect,
      reconnectDelayMs: Date.parse(reconnect.time) - dropTime,
    }),
    observedAfterDropMs: Date.parse(spanEnd) - dropTime,
    authFailuresAfterDrop,
    ...(addressBefore && { addressBefore }),
    ...(addressAfter && { addressAfter }),
  };
}

interface SdkFloor {
  readonly prefix: string;
  readonly name: string;
  readonly minimum: readonly number[];
}

/**
 * Device SDK releases older than these are "outdated" for the purpose of advice; older SDKs are
 * a documented source of TCP resets without MQTT DISCONNECT.
 */
const SDK_FLOORS: readonly SdkFloor[] = [
  { prefix: 'azure-iot-device/', name: 'Node.js device SDK', minimum: [1, 18] },
  { prefix: 'azure-iot-device-iothub-py/', name: 'Python device SDK', minimum: [2, 0] },
  { prefix: '.NET/', name: '.NET device SDK', minimum: [1, 40] },
  { prefix: 'microsoft.azure.devices.client/', name: '.NET device SDK', minimum: [1, 40] },
  {
    prefix: 'com.microsoft.azure.sdk.iot.iot-device-client/',
    name: 'Java device SDK',
    minimum: [2, 0],
  },
  { prefix: 'com.microsoft.azure.iothub-java-client/', name: 'Java device SDK', minimum: [2, 0] },
];

export interface SdkAssessment {
  readonly name: string;
  readonly version: string;
  readonly outdated: boolean;
  readonly minimum: string;
}

export function assessSdk(sdkVersion: string | undefined): SdkAssessment | undefined {
  if (sdkVersion === undefined) return undefined;
  const floor = SDK_FLOORS.find((f) => sdkVersion.toLowerCase().startsWith(f.prefix.toLowerCase()));
  if (!floor) return undefined;
  const version = /^[^/]+\/(\d+(?:\.\d+)*)/.exec(sdkVersion)?.[1];
  if (version === undefined) return undefined;
  const parts = version.split('.').map(Number);
  let outdated = false;
  for (let i = 0; i < floor.minimum.length; i++) {
    const have = parts[i] ?? 0;
    const need = floor.minimum[i] ?? 0;
    if (have !== need) {
      outdated = have < need;
      break;
    }
  }
  return { name: floor.name, version, outdated, minimum: floor.minimum.join('.') };
}
