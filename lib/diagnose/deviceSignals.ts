/**
 * What one device's Connections timeline says: when it dropped, whether it came back and how
 * fast, how long its sessions last, whether its drops repeat like a clock, and which error codes
 * surround them.
 */

import type { TimeWindow } from '../alerts/alert';
import type { ConnectionEvent } from '../evidence/evidence';
import { WINDOW_MARGIN_MINUTES } from '../evidence/kql';
import { isoMs } from '../evidence/isoTime';
import { type Periodicity, periodicityOfTimes, SAME_EPISODE_MS } from './periodicity';
import { parseSdkVersion, type ParsedSdk } from './sdkFamilies';
import { AUTH_COMPANION_MS, isRemovedRefusal } from './thresholds';

/** Kicks this soon after a reconnect that followed a drop are the hub noticing the old socket… */
const RECONNECT_RACE_MS = 2 * 60_000;
/** …when that reconnect came this soon after the device's own 404104 (a flaky link's outage). */
const RACE_RECONNECT_AFTER_DROP_MS = 5 * 60_000;

/** A Connections event; its time stamp was parsed once, where the row was read (`ms`). */
export type TimedEvent = ConnectionEvent;

export interface DeviceSignals {
  readonly deviceId: string;
  /** How many Connections events of the device were read. */
  readonly eventCount: number;
  /** Address changes between consecutive connects and kicks: two or more is a ping-pong. */
  readonly addressSwitches: number;
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
  /**
   * Attempts after the alert drop refused because the identity is gone: 404001 DeviceNotFound, or
   * 401003 "IotHub '…' does not contain the specified device '…'".
   */
  readonly removedRefusalsAfterDrop: readonly TimedEvent[];
  /** Quota (403002) and throttling (429xxx) results, in the order read. */
  readonly quotaErrors: readonly TimedEvent[];
  readonly throttlingErrors: readonly TimedEvent[];
  /** How many times each result code was logged for the device (404104, 401003, …). */
  readonly codeCounts: ReadonlyMap<string, number>;
  /** The distinct `sdkVersion` strings of the device's connects (two clients may differ). */
  readonly clientSdks: readonly string[];
  readonly duplicateIdentityErrors: readonly TimedEvent[];
  /**
   * The kicks (409002, 400027) that came right after the device's own reconnect from a drop: the
   * hub closing the old connection it had not noticed was dead, not a second client. A clone's
   * kicks follow the other client's connect with no drop of this device before it.
   */
  readonly reconnectRaces: readonly TimedEvent[];
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
const isQuotaError = (e: Coded): boolean => e.resultType === '403002';
const isThrottlingError = (e: Coded): boolean => e.resultType.startsWith('429');
/** Distinct client SDK strings kept per device: two are what matter. */
const MAX_CLIENT_SDKS = 4;

/** The hub's 401003 for an expired token: on the disconnect, or just before the 404104. */
function expiryNear(authErrors: readonly TimedEvent[], dropMs: number): TimedEvent | undefined {
  return authErrors.find(
    (e) =>
      (e.operation === 'deviceDisconnect' && Math.abs(e.ms - dropMs) <= AUTH_COMPANION_MS) ||
      (e.ms <= dropMs && dropMs - e.ms <= AUTH_COMPANION_MS),
  );
}

/**
 * One device's timeline, read event by event, oldest first: everything the rules need is gathered
 * on the way, so each event is touched once. Fed by `signalsOfDevices` straight from the evidence
 * (in arrival order, without grouping first), or by `deviceSignals` from one device's events.
 */
class DeviceTimeline {
  private eventCount = 0;
  /** An event older than the one before it: the timeline must be read again, sorted. */
  outOfOrder = false;
  private addressSwitches = 0;
  /** The address of the last connect or kick, for `addressSwitches`. */
  private connectAddress: string | undefined;
  private readonly drops: TimedEvent[] = [];
  private readonly authErrors: TimedEvent[] = [];
  private readonly duplicateIdentityErrors: TimedEvent[] = [];
  private readonly reconnectRaces: TimedEvent[] = [];
  private readonly addresses = new Set<string>();
  private readonly sessions: number[] = [];
  private readonly reconnectDelays: number[] = [];
  private readonly quotaErrors: TimedEvent[] = [];
  private readonly throttlingErrors: TimedEvent[] = [];
  private readonly removedRefusals: TimedEvent[] = [];
  private readonly codeCounts = new Map<string, number>();
  private readonly clientSdks: string[] = [];
  private lastMs = -Infinity;
  private lastConnectMs: number | undefined;
  private lastDropMs: number | undefined;
  /** The last 404104 before the last connect: that connect was a reconnect after it. */
  private dropBeforeConnectMs: number | undefined;
  private pendingDropMs: number | undefined;
  private address: string | undefined;
  private sdkVersion: string | undefined;
  private protocol: string | undefined;
  // The alert drop (the last 404104 up to the window's end) and the timeline around it.
  private alertDrop: TimedEvent | undefined;
  private addressBefore: string | undefined;
  private sessionStart: number | undefined;
  private reconnect: TimedEvent | undefined;

  constructor(
    readonly deviceId: string,
    private readonly windowEndMs: number,
  ) {}

  add(event: TimedEvent): void {
    if (event.ms < this.lastMs) this.outOfOrder = true;
    this.lastMs = event.ms;
    this.eventCount++;
    if (event.resultType !== '') {
      this.codeCounts.set(event.resultType, (this.codeCounts.get(event.resultType) ?? 0) + 1);
    }
    if (isQuotaError(event)) this.quotaErrors.push(event);
    else if (isThrottlingError(event)) this.throttlingErrors.push(event);
    if (event.operation === 'deviceConnect' && isRemovedRefusal(event)) {
      this.removedRefusals.push(event);
    }
    if (
      event.operation === 'deviceConnect' &&
      event.sdkVersion &&
      this.clientSdks.length < MAX_CLIENT_SDKS &&
      !this.clientSdks.includes(event.sdkVersion)
    ) {
      this.clientSdks.push(event.sdkVersion);
    }
    const connected = isSuccessfulConnect(event);
    if (connected) {
      if (this.pendingDropMs !== undefined)
        this.reconnectDelays.push(event.ms - this.pendingDropMs);
      this.pendingDropMs = undefined;
      this.lastConnectMs = event.ms;
      this.dropBeforeConnectMs = this.lastDropMs;
    } else if (event.resultType === '404104') {
      this.drops.push(event);
      if (this.lastConnectMs !== undefined && this.pendingDropMs === undefined) {
        this.sessions.push(event.ms - this.lastConnectMs);
      }
      this.pendingDropMs ??= event.ms;
      this.lastDropMs = event.ms;
      if (event.ms <= this.windowEndMs) {
        this.alertDrop = event;
        this.reconnect = undefined;
      }
    } else if (isAuthError(event) && !isRemovedRefusal(event)) {
      this.authErrors.push(event);
    } else if (isDuplicateIdentity(event)) {
      this.duplicateIdentityErrors.push(event);
      if (this.isReconnectRace(event.ms)) this.reconnectRaces.push(event);
    }
    if (event.maskedIpAddress !== undefined) {
      this.address = event.maskedIpAddress;
      if (event.operation === 'deviceConnect' || isDuplicateIdentity(event)) {
        this.addresses.add(event.maskedIpAddress);
        if (this.connectAddress !== undefined && event.maskedIpAddress !== this.connectAddress) {
          this.addressSwitches++;
        }
        this.connectAddress = event.maskedIpAddress;
      }
    }
    if (event.sdkVersion) this.sdkVersion = event.sdkVersion;
    if (event.protocol) this.protocol = event.protocol;
    if (this.alertDrop !== undefined) {
      if (event.ms <= this.alertDrop.ms) {
        this.addressBefore = this.address;
        this.sessionStart = this.lastConnectMs;
      } else if (connected) {
        this.reconnect ??= event;
      }
    }
  }

  /** A kick right after this device came back from its own drop (`reconnectRaces`). */
  private isReconnectRace(kickMs: number): boolean {
    return (
      this.lastConnectMs !== undefined &&
      this.dropBeforeConnectMs !== undefined &&
      kickMs - this.lastConnectMs <= RECONNECT_RACE_MS &&
      this.lastConnectMs - this.dropBeforeConnectMs <= RACE_RECONNECT_AFTER_DROP_MS
    );
  }

  signals(spanEndMs: number): DeviceSignals {
    const { drops, authErrors, alertDrop, reconnect, sdkVersion, protocol } = this;
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
      deviceId: this.deviceId,
      eventCount: this.eventCount,
      addressSwitches: this.addressSwitches,
      drops,
      expiredCycles,
      reconnectDelays: this.reconnectDelays,
      sessions: this.sessions,
      duplicateIdentityErrors: this.duplicateIdentityErrors,
      reconnectRaces: this.reconnectRaces,
      duplicateIdentityAddresses: [...this.addresses],
      quotaErrors: this.quotaErrors,
      throttlingErrors: this.throttlingErrors,
      codeCounts: this.codeCounts,
      clientSdks: this.clientSdks,
      ...(periodicity && { periodicity }),
      ...(sdkVersion && { sdkVersion }),
      ...(sdk && { sdk }),
      ...(protocol && { protocol }),
    };
    if (!alertDrop) {
      return {
        ...base,
        authFailuresAfterDrop: authErrors,
        removedRefusalsAfterDrop: this.removedRefusals,
      };
    }

    const dropMs = alertDrop.ms;
    const tokenExpired = expiryNear(authErrors, dropMs);
    const authCompanion = authErrors.find((e) => Math.abs(e.ms - dropMs) <= AUTH_COMPANION_MS);
    const authFailuresAfterDrop = authErrors.filter(
      (e) =>
        e.ms > dropMs &&
        (reconnect === undefined || e.ms < reconnect.ms) &&
        e !== tokenExpired &&
        e.operation !== 'deviceDisconnect',
    );
    const removedRefusalsAfterDrop = this.removedRefusals.filter(
      (e) => e.ms > dropMs - AUTH_COMPANION_MS && (reconnect === undefined || e.ms < reconnect.ms),
    );
    const addressAfter = reconnect?.maskedIpAddress;
    return {
      ...base,
      alertDrop,
      ...(authCompanion && { authCompanion }),
      ...(tokenExpired && { tokenExpired }),
      ...(reconnect && { reconnect, reconnectDelayMs: reconnect.ms - dropMs }),
      ...(this.sessionStart !== undefined && { sessionMs: dropMs - this.sessionStart }),
      observedAfterDropMs: spanEndMs - dropMs,
      authFailuresAfterDrop,
      removedRefusalsAfterDrop,
      ...(this.addressBefore && { addressBefore: this.addressBefore }),
      ...(addressAfter && { addressAfter }),
    };
  }
}

/** The end of the alert window plus the query margin: the alert drop lies before it. */
function windowEndMs(window: TimeWindow): number {
  return isoMs(window.end) + WINDOW_MARGIN_MINUTES * 60_000;
}

/** `events`: this device's events, oldest first. */
export function deviceSignals(
  deviceId: string,
  events: readonly TimedEvent[],
  window: TimeWindow,
  spanEnd: string,
): DeviceSignals {
  const timeline = new DeviceTimeline(deviceId, windowEndMs(window));
  for (const event of events) timeline.add(event);
  return timeline.signals(isoMs(spanEnd));
}

/**
 * The signals of each device asked about, in one pass over the evidence in arrival order, each
 * event going to its device's timeline: the cost grows with the number of events, not devices ×
 * events. On a big fleet the cost is memory, not arithmetic: walking the rows in the order they
 * were read keeps memory access sequential, where grouping first and walking each device's rows
 * would jump across the whole evidence once per device. A device whose rows are out of order is
 * read again, sorted.
 */
export function signalsOfDevices(
  events: readonly ConnectionEvent[],
  deviceIds: readonly string[],
  window: TimeWindow,
  spanEnd: string,
): DeviceSignals[] {
  const end = windowEndMs(window);
  const timelines = new Map<string, DeviceTimeline>();
  for (const id of deviceIds) timelines.set(id, new DeviceTimeline(id, end));
  for (const event of events) timelines.get(event.deviceId)?.add(event);
  // Rows out of order (evidence not from the readers, which sort): those devices are read again,
  // their rows gathered in one more pass and sorted.
  const unsorted = new Map<string, TimedEvent[]>();
  for (const [id, timeline] of timelines) if (timeline.outOfOrder) unsorted.set(id, []);
  if (unsorted.size > 0) for (const event of events) unsorted.get(event.deviceId)?.push(event);
  const spanEndMs = isoMs(spanEnd);
  return deviceIds.map((id) => {
    const rows = unsorted.get(id);
    if (rows)
      return deviceSignals(
        id,
        rows.sort((a, b) => a.ms - b.ms),
        window,
        spanEnd,
      );
    return (timelines.get(id) ?? new DeviceTimeline(id, end)).signals(spanEndMs);
  });
}
