/**
 * SAS-token verdicts for one device: a renewal the SDK recovers from (harmless), and a token that
 * expired without a way back (urgent). A period alone is not proof of a token: idle time-outs,
 * keep-alives, watchdogs and cron jobs are periodic too.
 */

import type { DeviceSignals } from './deviceSignals';
import { MIN_REFUSALS, QUICK_RECONNECT_MS } from './thresholds';
import type { AssessedDevice, EvidenceItem } from './diagnosis';
import { clock, dateTime, duration, plural } from './format';
import { refreshesInBand, sdkLabel } from './sdkFamilies';

const MIN = 60_000;
/**
 * Hub-side expiry of a default (60-min) token: lifetime plus the hub's grace, documented as 5 to
 * 10 minutes (Learn "Troubleshoot connectivity"; azure-iot-sdk-c#163, azure-iot-sdk-java#304),
 * with a minute of slack for detection and logging.
 */
export const DEFAULT_TOKEN_WINDOW_MS = { min: 60 * MIN, max: 76 * MIN };
/**
 * The shortest clock read as a configured lifetime without a 401003: shorter lifetimes are rare,
 * and short clocks are more often a firewall's or a throttle's.
 */
const MIN_CONFIGURED_CLOCK_MS = 15 * MIN;
/**
 * The hub's idle cap: it closes an MQTT connection after 1,767 s (29.45 min) without traffic, so a
 * keep-alive set above 1,177 s drops the device every ~30 min. That clock is the keep-alive.
 */
const HUB_IDLE_CAP_CLOCK_MS = { min: 28 * MIN, max: 32 * MIN };
/** Around the default clock, a period that misses its window is not read as a configured token. */
const NEAR_DEFAULT_CLOCK_MS = { min: 50 * MIN, max: 90 * MIN };
/** Token lifetimes people configure range from minutes to a day. */
export const ANY_TOKEN_LIFETIME_MS = { min: 10 * MIN, max: 26 * 60 * MIN };
/** Before this long has been read past the drop, "did not reconnect" is not yet known. */
export const NO_RETURN_AFTER_MS = 5 * MIN;

function item(signal: string, text: string): EvidenceItem {
  return { signal, text };
}

const within = (ms: number | undefined, range: { min: number; max: number }): ms is number =>
  ms !== undefined && ms >= range.min && ms <= range.max;

/** How long sessions last: the alert drop's own session, else the median of all. */
function typicalSession(device: DeviceSignals): number | undefined {
  if (device.sessionMs !== undefined) return device.sessionMs;
  const sorted = [...device.sessions].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The session agrees with the period: the token clock restarts at every connect. */
function sessionFitsPeriod(session: number | undefined, periodMs: number): boolean {
  return session === undefined || Math.abs(session - periodMs) <= Math.max(5 * MIN, 0.1 * periodMs);
}

/** Why a regular drop is not this device's token, when the logs say so. */
export function notTokenReason(device: DeviceSignals): string | undefined {
  const family = device.sdk?.family;
  if (refreshesInBand(device.protocol)) {
    return `it connects over ${device.protocol ?? 'AMQP'}, which refreshes the token on the open connection`;
  }
  if (family?.mqttRenewal === 'client-disconnect') {
    return `its ${family.name} renews the token itself${family.renewsEveryMinutes ? ` every ~${family.renewsEveryMinutes} min` : ''} with a clean disconnect, so a 404104 is not its renewal`;
  }
  return undefined;
}

/** The hub closed an expired token (401003, then 404104) and the device never came back. */
export function diagnoseTokenExpiryWithoutReturn(
  device: DeviceSignals,
): AssessedDevice | undefined {
  const drop = device.alertDrop;
  const expired = device.tokenExpired;
  if (!drop || device.reconnect) return undefined;
  const observed = device.observedAfterDropMs ?? 0;
  if (observed < NO_RETURN_AFTER_MS) return undefined;
  const retries = device.authFailuresAfterDrop;
  // A device that keeps trying and is refused every time is `credential-rejected`.
  if (retries.length >= MIN_REFUSALS || device.removedRefusalsAfterDrop.length > 0)
    return undefined;
  const session = device.sessionMs;
  // Without the hub's 401003 (a lost row), a session one default token lifetime long followed by
  // refused retries, on a device never seen renewing, still reads as an expired token. A device
  // that renewed fine before and is now refused had its credential changed instead.
  const lifetimeSession =
    within(session, DEFAULT_TOKEN_WINDOW_MS) &&
    device.reconnectDelays.length === 0 &&
    retries.length > 0;
  if (!expired && !lifetimeSession) return undefined;
  const evidence = [
    item(
      'auth-expired',
      expired
        ? `401003 IoTHubUnauthorized at ${clock(expired.time)}, then 404104 at ${clock(drop.time)}: the hub closed the connection because the SAS token expired`
        : `The session ended ${duration(session ?? 0)} after its connect, one token lifetime, and its one reconnect attempt since was refused with 401003`,
    ),
    item(
      'no-reconnect',
      retries.length > 0
        ? `One reconnect attempt, refused with 401003 at ${clock(retries[0]?.time ?? '')}, and none since in the ${duration(observed)} read after the drop`
        : `No reconnect attempt in the ${duration(observed)} of logs after the drop at ${dateTime(drop.time)}`,
    ),
  ];
  if (session !== undefined) {
    evidence.push(
      item('session-length', `The session lasted ${duration(session)} from connect to drop`),
    );
  }
  const confidence = expired
    ? 0.8 + (within(session, DEFAULT_TOKEN_WINDOW_MS) ? 0.05 : 0) + (retries.length > 0 ? 0.05 : 0)
    : 0.58;
  const how =
    retries.length > 0
      ? 'made one attempt, refused, and none since'
      : 'has made no attempt to reconnect';
  return {
    deviceId: device.deviceId,
    cause: 'sas-token-expiry',
    confidence,
    reconnected: false,
    wouldChange:
      'A 401003 on the disconnect would confirm the expired token; successful renewals earlier in the logs would make it a changed or revoked credential.',
    summary: `${device.deviceId}'s SAS token expired at ${clock(drop.time)}${expired ? ' (401003, then 404104)' : ''} and the device has not reconnected: it ${how}. The trigger is the token; the fault is the device app's token renewal or reconnect logic. Urgent: the device is offline until its app renews the token.`,
    evidence,
  };
}

/** The token expired (401003 at the drop) and the device came back, but only after minutes. */
function slowReturnAfterExpiry(device: DeviceSignals): AssessedDevice | undefined {
  const drop = device.alertDrop;
  const expired = device.tokenExpired;
  if (!drop || !expired || device.reconnectDelayMs === undefined) return undefined;
  const refused = device.authFailuresAfterDrop.length;
  return {
    deviceId: device.deviceId,
    cause: 'sas-token-expiry',
    confidence: 0.72,
    reconnected: true,
    summary: `${device.deviceId}'s SAS token expired at ${clock(drop.time)} (401003, then 404104) and it took ${duration(device.reconnectDelayMs)} to reconnect${refused > 0 ? ` after ${plural(refused, 'refused attempt')}` : ''}: the trigger is the token; the slow return is the device app's renewal or reconnect logic.`,
    evidence: [
      item(
        'auth-expired',
        `401003 IoTHubUnauthorized at ${clock(expired.time)}, next to the drop: the token expired`,
      ),
      item(
        'slow-reconnect',
        `Offline ${duration(device.reconnectDelayMs)} after the drop at ${clock(drop.time)}`,
      ),
    ],
    wouldChange:
      'A reconnect within a minute would make this a routine renewal; no 401003 at the drop would make it the network.',
  };
}

/**
 * A renewal the SDK recovered from: harmless. A token expiry shows itself by the hub's 401003
 * beside the drop, by sessions one token lifetime long (connect → drop), and by an SDK that waits
 * for the hub to close it.
 */
export function diagnoseSasTokenExpiry(device: DeviceSignals): AssessedDevice | undefined {
  const drop = device.alertDrop;
  if (!drop) return undefined;
  const quick =
    device.reconnectDelayMs !== undefined && device.reconnectDelayMs <= QUICK_RECONNECT_MS;
  if (!quick) return slowReturnAfterExpiry(device);
  const periodic = device.periodicity?.regular === true ? device.periodicity : undefined;
  const session = typicalSession(device);
  // The hub's 401003 at the drop, or a first reconnect refused with 401003 and then a new token.
  const expiredHere = device.tokenExpired !== undefined || device.authCompanion !== undefined;
  const family = device.sdk?.family;
  const inDefaultWindow =
    within(periodic?.medianMs, DEFAULT_TOKEN_WINDOW_MS) &&
    (session === undefined || within(session, DEFAULT_TOKEN_WINDOW_MS));
  const clockFits =
    periodic !== undefined &&
    within(periodic.medianMs, ANY_TOKEN_LIFETIME_MS) &&
    sessionFitsPeriod(session, periodic.medianMs);

  // A 401003 seen directly beside this drop; or 401003 on other cycles of a token-like clock;
  // or the default token clock on a device whose SDK waits for the hub (or is unknown).
  const seenOnOtherCycles = clockFits && device.expiredCycles >= 1;
  const defaultClock = clockFits && inDefaultWindow && notTokenReason(device) === undefined;
  // A configured lifetime (20 min, 2 h…) on an SDK that waits for the hub to close it over MQTT:
  // its keep-alive pings keep idle time-outs away, so a clock that restarts at every connect is
  // the token even without a 401003 in the logs. A clock just outside the default window (59 or
  // 77 min) is neither the default token nor a lifetime anyone configures.
  const configuredLifetime =
    clockFits &&
    family?.mqttRenewal === 'waits-for-hub' &&
    notTokenReason(device) === undefined &&
    periodic.medianMs >= MIN_CONFIGURED_CLOCK_MS &&
    !within(periodic.medianMs, NEAR_DEFAULT_CLOCK_MS) &&
    !within(periodic.medianMs, HUB_IDLE_CAP_CLOCK_MS);
  if (!expiredHere && !seenOnOtherCycles && !defaultClock && !configuredLifetime) {
    return undefined;
  }

  const evidence: EvidenceItem[] = [];
  if (periodic) {
    evidence.push(
      item(
        'periodic-disconnects',
        `404104 repeats every ~${duration(periodic.medianMs)} (${plural(periodic.intervals.length + 1, 'drop')}, within ${duration(periodic.spreadMs)} of the clock)`,
      ),
    );
  }
  const companion = device.tokenExpired ?? device.authCompanion;
  if (companion) {
    evidence.push(
      item(
        'auth-expired',
        `401003 IoTHubUnauthorized at ${clock(companion.time)}, next to the drop: the token expired`,
      ),
    );
  } else if (device.expiredCycles > 0) {
    evidence.push(
      item(
        'auth-expired',
        `401003 IoTHubUnauthorized beside ${plural(device.expiredCycles, 'earlier drop')} on the same clock`,
      ),
    );
  }
  if (configuredLifetime && !expiredHere && !seenOnOtherCycles && !defaultClock) {
    evidence.push(
      item(
        'configured-lifetime',
        `No 401003 in the logs, but a ~${duration(periodic.medianMs)} clock that restarts at every connect, on an SDK that keeps its MQTT connection alive until the hub closes it: a token lifetime configured shorter or longer than the default hour`,
      ),
    );
  }
  if (within(session, ANY_TOKEN_LIFETIME_MS)) {
    evidence.push(
      item(
        'session-length',
        `Sessions last ${duration(session)} from connect to drop, one token lifetime`,
      ),
    );
  }
  evidence.push(
    item(
      'quick-reconnect',
      `Reconnected ${duration(device.reconnectDelayMs ?? 0)} after the drop at ${clock(drop.time)}`,
    ),
  );
  if (device.sdk) {
    const waits =
      family?.mqttRenewal === 'waits-for-hub'
        ? ', which waits for the hub to close an expired token'
        : '';
    evidence.push(
      item(
        'sdk',
        `${sdkLabel(device.sdk)}${device.protocol ? ` over ${device.protocol}` : ''}${waits}`,
      ),
    );
  }

  const waitsForHub = family?.mqttRenewal === 'waits-for-hub';
  const confidence = expiredHere
    ? 0.75 + (periodic ? 0.1 : 0) + (inDefaultWindow ? 0.05 : 0) + (waitsForHub ? 0.04 : 0)
    : seenOnOtherCycles
      ? 0.72 + (inDefaultWindow ? 0.08 : 0) + (waitsForHub ? 0.04 : 0)
      : defaultClock
        ? 0.58 + (waitsForHub ? 0.14 : 0)
        : 0.62;
  const cadence = periodic ? `; its disconnects repeat every ~${duration(periodic.medianMs)}` : '';
  return {
    deviceId: device.deviceId,
    cause: 'sas-token-expiry',
    confidence,
    reconnected: true,
    summary: `${device.deviceId} dropped at ${clock(drop.time)} and reconnected ${duration(device.reconnectDelayMs ?? 0)} later${cadence}: the hub closed the connection when its SAS token expired and the SDK renewed it. Expected behaviour, no action needed.`,
    evidence,
    wouldChange: device.sdk
      ? 'A 401003 beside the drop would confirm the token; drops off this clock or a slow return would point to the network.'
      : "No sdkVersion in the logs: if the device's SDK renews its token itself (Node.js, C, Python), these drops are not token expiries but an idle time-out or a scheduled job.",
  };
}
