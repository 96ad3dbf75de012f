/**
 * A device that keeps trying after its drop and is refused every time: its identity is gone
 * (`device-removed`), or its credential is refused (`credential-rejected`). A device that makes no
 * further attempt after a token expiry stays `sas-token-expiry` with `reconnected: false`
 * (`tokenRules.ts`).
 */

import type { DeviceSignals, TimedEvent } from './deviceSignals';
import { MIN_REFUSALS } from './thresholds';
import type { AssessedDevice, EvidenceItem } from './diagnosis';
import { clock, dateTime, duration, plural, timeRange } from './format';
import { reconnectsWithExpiredToken, sdkLabel } from './sdkFamilies';
import { DEFAULT_TOKEN_WINDOW_MS } from './tokenRules';

function item(signal: string, text: string): EvidenceItem {
  return { signal, text };
}

function noReconnect(device: DeviceSignals): EvidenceItem {
  return item(
    'no-reconnect',
    device.alertDrop
      ? `No successful reconnect in the ${duration(device.observedAfterDropMs ?? 0)} of logs after the drop at ${dateTime(device.alertDrop.time)}`
      : 'No successful connect in the logs read',
  );
}

function attempts(refusals: readonly TimedEvent[], code: string): EvidenceItem {
  const first = refusals[0]?.time ?? '';
  const last = refusals[refusals.length - 1]?.time ?? '';
  return item(
    'auth-refused',
    `${plural(refusals.length, 'connection attempt')} refused with ${code} ${timeRange(first, last)}`,
  );
}

/**
 * The hub no longer has the identity (404001 DeviceNotFound, or 401003 "IotHub '…' does not
 * contain the specified device '…'"): deleted, disabled, or provisioned to another hub (DPS
 * re-provisioning removes it from the old hub).
 */
export function diagnoseDeviceRemoved(device: DeviceSignals): AssessedDevice | undefined {
  const refusals = device.removedRefusalsAfterDrop;
  if (device.reconnect || refusals.length < MIN_REFUSALS) return undefined;
  const notFound = refusals.filter((e) => e.resultType === '404001').length;
  const code =
    notFound === refusals.length
      ? '404001 DeviceNotFound'
      : notFound === 0
        ? `401003 "does not contain the specified device"`
        : '404001 DeviceNotFound or 401003 "does not contain the specified device"';
  const at = device.alertDrop ? ` since its drop at ${clock(device.alertDrop.time)}` : '';
  return {
    deviceId: device.deviceId,
    cause: 'device-removed',
    confidence: 0.85 + Math.min(0.1, refusals.length * 0.01),
    reconnected: false,
    summary: `${device.deviceId} is no longer known to the hub: every attempt${at} (${plural(refusals.length, 'attempt')}) was refused because the hub does not have the identity. It was deleted, disabled, or the device was provisioned to another hub.`,
    evidence: [
      attempts(refusals, code),
      noReconnect(device),
      item(
        'identity-gone',
        'The hub answers this way for an identity it does not have: deleted, disabled, or moved to another hub by DPS re-provisioning',
      ),
    ],
    wouldChange:
      'A successful connect after the refusals would mean the identity was restored; plain 401003 refusals would point to the credential instead.',
  };
}

/** One way to read the refusals, with the evidence the logs give for it. */
interface Reading {
  readonly signal: string;
  /** Short, for the summary. */
  readonly name: string;
  readonly text: string;
  /** How strongly the logs point to it: the strongest is named first. */
  readonly weight: number;
}

const EXPIRED_WORDS = /expired/i;
const KEY_WORDS = /signature|thumbprint|key/i;

function readingsOf(device: DeviceSignals, refusals: readonly TimedEvent[]): Reading[] {
  const readings: Reading[] = [];
  const expiredAtDrop = device.tokenExpired;
  const session = device.sessionMs;
  const atLifetime =
    session !== undefined &&
    session >= DEFAULT_TOKEN_WINDOW_MS.min &&
    session <= DEFAULT_TOKEN_WINDOW_MS.max;
  // A session that outlived its token: the device renewed on the open connection (AMQP) for hours,
  // so the token it was refused at the end was a new one.
  const longSession = session !== undefined && session > DEFAULT_TOKEN_WINDOW_MS.max;
  if (device.sdk && reconnectsWithExpiredToken(device.sdk)) {
    readings.push({
      signal: 'reading-sdk-reuses-token',
      name: `${sdkLabel(device.sdk)} reusing the expired token`,
      text: `${sdkLabel(device.sdk)} has a known bug: after a token expiry it reconnects with the expired token (1.29.2–1.29.4, fixed in 1.30.0; azure-iot-sdk-java#1164)${expiredAtDrop ? `, and the drop at ${clock(expiredAtDrop.time)} was a token expiry (401003, then 404104)` : ''}`,
      weight: 3,
    });
  } else if (expiredAtDrop && !longSession) {
    readings.push({
      signal: 'reading-app-reuses-token',
      name: 'the app reconnecting with the expired token',
      text: `The drop at ${clock(expiredAtDrop.time)} was a token expiry (401003, then 404104)${atLifetime ? `, one token lifetime after the connect (${duration(session)})` : ''}: an app that reconnects with the token the hub just refused is refused every time`,
      weight: 2,
    });
  }
  const expiredWords = refusals.filter((e) => EXPIRED_WORDS.test(e.errorMessage ?? '')).length;
  readings.push({
    signal: 'reading-clock-drift',
    name: 'a device clock far off',
    text:
      expiredWords > 0
        ? `${plural(expiredWords, 'refusal')} of ${refusals.length} say the token is expired, from the first attempt on: a device clock more than 5 minutes off makes every new token arrive expired`
        : 'Refused from the first attempt on: a device clock more than 5 minutes off would make every new token arrive expired',
    weight: expiredWords > 0 && !expiredAtDrop ? 2.5 : 1,
  });
  const renewedBefore = device.reconnectDelays.length;
  const keyWords = refusals.filter((e) => KEY_WORDS.test(e.errorMessage ?? '')).length;
  if (renewedBefore > 0 || keyWords > 0 || !expiredAtDrop || longSession) {
    const before = longSession
      ? `Its session had lasted ${duration(session)}, renewing its token on the open connection${device.protocol ? ` (${device.protocol})` : ''}, before the hub refused it`
      : renewedBefore > 0
        ? `It reconnected ${plural(renewedBefore, 'time')} with its credential earlier in the logs`
        : 'Nothing in the logs shows the token expiring';
    const midSession =
      !expiredAtDrop && session !== undefined && !atLifetime
        ? `, and the session ended after ${duration(session)}, not at a token lifetime`
        : '';
    const words = keyWords > 0 ? `; ${plural(keyWords, 'refusal')} name the signature or key` : '';
    readings.push({
      signal: 'reading-key-changed',
      name: 'a key changed on the hub (or the identity disabled or deleted)',
      text: `${before}${midSession}${words}: keys regenerated on the hub, or the identity deleted and created again, refuse the old credential from then on; so does an identity disabled or deleted, which the hub refuses over MQTT with a plain 401003`,
      weight:
        (keyWords > 0 ? 2 : 0) +
        (midSession ? 1.5 : 0) +
        (longSession ? 2.5 : 0) +
        (renewedBefore > 0 ? 0.5 : 0),
    });
  }
  return readings.sort((a, b) => b.weight - a.weight);
}

/**
 * Every attempt refused with 401003. The logs cannot show which token the device sends, so the
 * message names the readings they allow, each with its evidence, and never states one as fact.
 */
export function diagnoseCredentialRejected(device: DeviceSignals): AssessedDevice | undefined {
  const refusals = device.authFailuresAfterDrop;
  if (device.reconnect || refusals.length < MIN_REFUSALS) return undefined;
  const readings = readingsOf(device, refusals);
  const [lead, ...others] = readings;
  const drop = device.alertDrop ? ` dropped at ${clock(device.alertDrop.time)} and` : '';
  const likely = lead
    ? ` The logs allow these readings: most likely ${lead.name}${others.length > 0 ? `; also possible: ${others.map((r) => r.name).join(', ')}` : ''}.`
    : '';
  return {
    deviceId: device.deviceId,
    cause: 'credential-rejected',
    confidence: 0.78 + Math.min(0.15, refusals.length * 0.02),
    reconnected: false,
    summary: `${device.deviceId}${drop} cannot get back in: it keeps trying and the hub refused every attempt (${plural(refusals.length, 'attempt')}) with 401003 (unauthorized).${likely}`,
    evidence: [
      attempts(refusals, '401003 IoTHubUnauthorized'),
      noReconnect(device),
      ...readings.map((r) => item(r.signal, r.text)),
    ],
  };
}
