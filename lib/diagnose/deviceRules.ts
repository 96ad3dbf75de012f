/**
 * One rule per device-level cause. Each returns a verdict with the facts behind it, or
 * `undefined` when its evidence is absent, so the caller can try the next rule.
 */

import type { ConnectionEvent } from '../evidence/evidence';
import { assessSdk, type DeviceSignals, QUICK_RECONNECT_MS } from './deviceSignals';
import type { Cause, EvidenceItem } from './diagnosis';
import { clock, dateTime, duration, plural } from './format';

export interface AssessedDevice {
  readonly deviceId: string;
  readonly cause: Cause;
  readonly confidence: number;
  readonly summary: string;
  readonly evidence: readonly EvidenceItem[];
}

/** The token clock of hub-initiated renewals: lifetime (60 min) plus 5–10 min of grace. */
const HOURLY_RENEWAL_MS = { min: 55 * 60_000, max: 75 * 60_000 };
/** Token lifetimes people configure range from minutes to a day. */
const ANY_RENEWAL_MS = { min: 10 * 60_000, max: 26 * 60 * 60_000 };

function item(signal: string, text: string): EvidenceItem {
  return { signal, text };
}

function codes(events: readonly ConnectionEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.resultType} ${e.resultDescription}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([code, n]) => `${n}× ${code}`).join(', ');
}

function alternates(addresses: readonly (string | undefined)[]): boolean {
  const seen = addresses.filter((a): a is string => a !== undefined);
  let switches = 0;
  for (let i = 1; i < seen.length; i++) if (seen[i] !== seen[i - 1]) switches++;
  return switches >= 2;
}

export function diagnoseDuplicateIdentity(device: DeviceSignals): AssessedDevice | undefined {
  const errors = device.duplicateIdentityErrors;
  const addresses = device.duplicateIdentityAddresses;
  const kicked = errors.filter((e) => e.resultType === '400027').length;
  if (errors.length < 2 && !(errors.length === 1 && addresses.length >= 2)) return undefined;
  const pingPong = alternates(
    device.events
      .filter((e) => e.operation === 'deviceConnect' || errors.includes(e))
      .map((e) => e.maskedIpAddress),
  );
  const evidence = [
    item(
      'duplicate-identity-errors',
      `${codes(errors)} for ${device.deviceId} between ${dateTime(errors[0]?.time ?? '')} and ${clock(errors[errors.length - 1]?.time ?? '')}`,
    ),
  ];
  if (addresses.length >= 2) {
    evidence.push(
      item(
        'alternating-addresses',
        `Connections come from ${plural(addresses.length, 'address', 'addresses')}${pingPong ? ', alternating' : ''}: ${addresses.slice(0, 5).join(', ')}`,
      ),
    );
  }
  const confidence = 0.75 + (kicked > 0 ? 0.1 : 0) + (pingPong ? 0.1 : 0);
  return {
    deviceId: device.deviceId,
    cause: 'duplicate-identity',
    confidence,
    summary: `${device.deviceId} keeps being disconnected because another client connects with the same identity (${plural(errors.length, 'time')}${addresses.length >= 2 ? `, from ${addresses.slice(0, 2).join(' and ')}` : ''}).`,
    evidence,
  };
}

export function diagnoseCredentialRejected(device: DeviceSignals): AssessedDevice | undefined {
  const refusals = device.authFailuresAfterDrop;
  if (device.reconnect || refusals.length < 2) return undefined;
  const first = refusals[0];
  const last = refusals[refusals.length - 1];
  if (!first || !last) return undefined;
  const evidence = [
    item(
      'auth-refused',
      `${plural(refusals.length, 'connection attempt')} refused with 401003 IoTHubUnauthorized between ${clock(first.time)} and ${clock(last.time)}`,
    ),
    item(
      'no-reconnect',
      device.alertDrop
        ? `No successful reconnect in the ${duration(device.observedAfterDropMs ?? 0)} of logs after the drop at ${dateTime(device.alertDrop.time)}`
        : 'No successful connect in the logs read',
    ),
  ];
  return {
    deviceId: device.deviceId,
    cause: 'credential-rejected',
    confidence: 0.8 + Math.min(0.15, refusals.length * 0.02),
    summary: `${device.deviceId}${device.alertDrop ? ` dropped at ${clock(device.alertDrop.time)} and` : ''} cannot get back in: the hub refused ${plural(refusals.length, 'reconnect')} with 401003 (unauthorized) and it has not reconnected.`,
    evidence,
  };
}

export function diagnoseSasTokenExpiry(device: DeviceSignals): AssessedDevice | undefined {
  const drop = device.alertDrop;
  if (!drop) return undefined;
  const periodic = device.periodicity;
  const regular =
    periodic?.regular === true &&
    periodic.medianMs >= ANY_RENEWAL_MS.min &&
    periodic.medianMs <= ANY_RENEWAL_MS.max;
  const hourly =
    regular &&
    periodic.medianMs >= HOURLY_RENEWAL_MS.min &&
    periodic.medianMs <= HOURLY_RENEWAL_MS.max;
  const quick =
    device.reconnectDelayMs !== undefined && device.reconnectDelayMs <= QUICK_RECONNECT_MS;
  const companion = device.authCompanion !== undefined;
  // Needs the clock, or an expiry seen directly (401003 beside the drop) followed by a quick return.
  if (!(regular && (quick || companion)) && !(companion && quick)) return undefined;

  const evidence: EvidenceItem[] = [];
  if (regular) {
    evidence.push(
      item(
        'periodic-disconnects',
        `404104 repeats every ~${duration(periodic.medianMs)} (${plural(periodic.intervals.length + 1, 'drop')}, intervals within ${duration(periodic.spreadMs)} of each other)`,
      ),
    );
  }
  if (companion) {
    evidence.push(
      item(
        'auth-expired',
        `401003 IoTHubUnauthorized at ${clock(device.authCompanion.time)}, next to the drop: the token expired`,
      ),
    );
  }
  if (quick) {
    evidence.push(
      item(
        'quick-reconnect',
        `Reconnected ${duration(device.reconnectDelayMs)} after the drop at ${clock(drop.time)}`,
      ),
    );
  }
  const sdk = assessSdk(device.sdkVersion);
  if (sdk)
    evidence.push(
      item('sdk', `${sdk.name} ${sdk.version}${device.protocol ? ` over ${device.protocol}` : ''}`),
    );

  const confidence =
    0.55 + (regular ? 0.15 : 0) + (hourly ? 0.1 : 0) + (companion ? 0.1 : 0) + (quick ? 0.05 : 0);
  const cadence = regular ? `; its disconnects repeat every ~${duration(periodic.medianMs)}` : '';
  return {
    deviceId: device.deviceId,
    cause: 'sas-token-expiry',
    confidence,
    summary: `${device.deviceId} dropped at ${clock(drop.time)}${quick ? ` and reconnected ${duration(device.reconnectDelayMs)} later` : ''}${cadence}: the hub closed the connection when its SAS token expired and the SDK renewed it. Expected behaviour, no action needed.`,
    evidence,
  };
}

export function diagnoseDeviceOrNetwork(device: DeviceSignals): AssessedDevice | undefined {
  const drop = device.alertDrop;
  if (!drop) return undefined;
  const evidence: EvidenceItem[] = [];
  let confidence = 0.55;
  const periodic = device.periodicity;
  if (periodic && !periodic.regular) {
    const minutes = periodic.intervals.map((ms) => Math.round(ms / 60_000));
    evidence.push(
      item(
        'irregular-disconnects',
        `${plural(device.drops.length, 'disconnect')} at irregular intervals (${minutes.slice(0, 8).join(', ')} min apart)`,
      ),
    );
    confidence += 0.1;
  }
  if (device.reconnectDelayMs === undefined) {
    evidence.push(
      item(
        'no-reconnect',
        `Not reconnected in the ${duration(device.observedAfterDropMs ?? 0)} of logs after the drop at ${clock(drop.time)}`,
      ),
    );
    confidence += 0.05;
  } else if (device.reconnectDelayMs > QUICK_RECONNECT_MS) {
    evidence.push(
      item(
        'slow-reconnect',
        `Offline ${duration(device.reconnectDelayMs)} after the drop at ${clock(drop.time)}`,
      ),
    );
    confidence += 0.1;
  } else {
    evidence.push(
      item(
        'quick-reconnect',
        `Reconnected ${duration(device.reconnectDelayMs)} after the drop at ${clock(drop.time)} (no 401003: not a token expiry)`,
      ),
    );
  }
  if (device.addressBefore && device.addressAfter && device.addressBefore !== device.addressAfter) {
    evidence.push(
      item(
        'address-changed',
        `Came back from another address: ${device.addressBefore} → ${device.addressAfter}`,
      ),
    );
    confidence += 0.05;
  }
  const sdk = assessSdk(device.sdkVersion);
  if (sdk?.outdated) {
    evidence.push(
      item(
        'outdated-sdk',
        `${sdk.name} ${sdk.version} is older than ${sdk.minimum}: old SDKs can drop TCP without an MQTT DISCONNECT`,
      ),
    );
    confidence += 0.05;
  } else if (device.sdkVersion) {
    evidence.push(item('sdk', `SDK: ${device.sdkVersion}`));
  }
  const offline =
    device.reconnectDelayMs === undefined
      ? 'has not reconnected yet'
      : `was offline ${duration(device.reconnectDelayMs)}`;
  return {
    deviceId: device.deviceId,
    cause: 'device-or-network',
    confidence: Math.min(confidence, 0.85),
    summary: `${device.deviceId} dropped at ${clock(drop.time)} and ${offline}, with no token expiry and no sign of trouble elsewhere on the hub: the device's network, power or app, not the hub.`,
    evidence,
  };
}
