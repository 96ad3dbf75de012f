/**
 * One rule per device-level cause. Each returns a verdict with the facts behind it, or
 * `undefined` when its evidence is absent, so the caller can try the next rule. The SAS-token
 * rules live in `tokenRules.ts`.
 */

import type { DeviceSignals, TimedEvent } from './deviceSignals';
import { QUICK_RECONNECT_MS } from './thresholds';
import type { AssessedDevice, EvidenceItem } from './diagnosis';
import { clock, dateTime, duration, plural, timeRange } from './format';
import { sdkLabel } from './sdkFamilies';
import { notTokenReason } from './tokenRules';

/**
 * Kicks not explained by reconnect races that mean a second client, whatever the addresses: a
 * race is one kick after a real network drop; a kick that keeps recurring is another client.
 */
const RECURRING_KICKS = 3;

function item(signal: string, text: string): EvidenceItem {
  return { signal, text };
}

function codes(events: readonly TimedEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.resultType} ${e.resultDescription}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([code, n]) => `${n}× ${code}`).join(', ');
}

/** The kicks that are not explained by a reconnect race. */
function repeatedKicks(device: DeviceSignals): readonly TimedEvent[] {
  const races = new Set(device.reconnectRaces);
  return device.duplicateIdentityErrors.filter((e) => !races.has(e));
}

/** Evidence that the kicks were reconnect races, for the verdict that stands instead. */
export function reconnectRaceNote(device: DeviceSignals): EvidenceItem | undefined {
  const errors = device.duplicateIdentityErrors;
  const first = errors[0];
  if (!first || repeatedKicks(device).length >= 2) return undefined;
  return item(
    'reconnect-race',
    errors.length === 1
      ? `${codes(errors)} at ${clock(first.time)}, right after a reconnect: the hub closing the old connection it had not noticed was dead, not a second client`
      : `${codes(errors)} since ${dateTime(first.time)}, each right after the device came back from a drop: the hub closing old connections it had not noticed were dead, not a second client`,
  );
}

export function diagnoseDuplicateIdentity(device: DeviceSignals): AssessedDevice | undefined {
  const errors = repeatedKicks(device);
  if (errors.length < 2) return undefined;
  const addresses = device.duplicateIdentityAddresses;
  const switches = device.addressSwitches;
  const pingPong = switches >= 2;
  // Two clients often share one address (two programs on one machine, a test rig, a tool using the
  // device's own connection string): a kick that keeps coming back is a second client whatever
  // the address, since a reconnect race needs a drop of this device before each kick.
  const recurring = errors.length >= RECURRING_KICKS;
  if (!pingPong && !recurring) return undefined;
  const kicked = errors.filter((e) => e.resultType === '400027').length;
  const twoSdks = device.clientSdks.length >= 2;
  const evidence = [
    item(
      'duplicate-identity-errors',
      `${codes(errors)} for ${device.deviceId} ${timeRange(errors[0]?.time ?? '', errors[errors.length - 1]?.time ?? '')}, none after a drop of its own`,
    ),
  ];
  if (addresses.length >= 2) {
    evidence.push(
      item(
        'alternating-addresses',
        `Connections come from ${plural(addresses.length, 'address', 'addresses')}, alternating ${plural(switches, 'time')}: ${addresses.slice(0, 5).join(', ')}`,
      ),
    );
  } else if (addresses.length === 1) {
    evidence.push(
      item(
        'one-address',
        `Every connect and kick comes from ${addresses[0] ?? ''}: both clients sit behind one address (two programs on one machine, a test rig, a tool using the device's connection string)`,
      ),
    );
  }
  if (twoSdks) {
    evidence.push(
      item(
        'two-client-sdks',
        `Connects announce ${plural(device.clientSdks.length, 'different SDK')}: ${device.clientSdks.slice(0, 2).join(' and ')}`,
      ),
    );
  }
  const confidence = pingPong
    ? 0.8 + (kicked > 0 ? 0.05 : 0) + (errors.length >= 4 ? 0.1 : 0)
    : 0.72 + (errors.length >= 6 ? 0.08 : 0) + (twoSdks ? 0.1 : 0);
  const where =
    addresses.length >= 2
      ? `, from ${addresses.slice(0, 2).join(' and ')}`
      : addresses.length === 1
        ? `, both from ${addresses[0] ?? ''}`
        : '';
  return {
    deviceId: device.deviceId,
    cause: 'duplicate-identity',
    confidence,
    summary: `${device.deviceId} keeps being disconnected because another client connects with the same identity (${plural(errors.length, 'kick')}${where}).`,
    evidence,
    wouldChange:
      'Kicks only right after the device came back from its own drops would make them reconnect races, not a second client.',
  };
}

/** What a regular period with this reconnect behaviour most likely is. */
export function periodMeaning(periodMs: number, quick: boolean): string {
  const minutes = Math.round(periodMs / 60_000);
  if (!quick) {
    return `every ~${minutes} min with a slow return: a scheduled restart on the device (watchdog reboot, cron job) or a network path that goes down on a schedule`;
  }
  if (minutes <= 35) {
    return `every ~${minutes} min with an instant reconnect: an idle time-out on the network path (NAT, firewall, carrier) or an MQTT keep-alive longer than the hub allows (at most 1,177 s)`;
  }
  return `every ~${minutes} min with an instant reconnect: a scheduled job or restart on the device (watchdog, cron) or an idle time-out on the network path`;
}

export function diagnoseDeviceOrNetwork(device: DeviceSignals): AssessedDevice | undefined {
  const drop = device.alertDrop;
  if (!drop) return undefined;
  const evidence: EvidenceItem[] = [];
  let confidence = 0.5;
  const periodic = device.periodicity;
  const quick =
    device.reconnectDelayMs !== undefined && device.reconnectDelayMs <= QUICK_RECONNECT_MS;
  let meaning: string | undefined;
  if (periodic?.regular) {
    const reason = notTokenReason(device);
    meaning = periodMeaning(periodic.medianMs, quick);
    evidence.push(
      item(
        'periodic-not-token',
        `404104 repeats ${meaning}. Not a token expiry: ${reason ?? 'no 401003 beside the drops and the period is not a token lifetime'}`,
      ),
    );
    confidence += 0.15;
  } else if (periodic) {
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
  } else if (!quick) {
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
        `Reconnected ${duration(device.reconnectDelayMs)} after the drop at ${clock(drop.time)}${device.authCompanion ? '' : ' (no 401003: not a token expiry)'}`,
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
  const sdk = device.sdk;
  if (sdk?.outdated) {
    evidence.push(
      item(
        'outdated-sdk',
        `${sdkLabel(sdk)} is older than ${sdk.family.minimum?.join('.') ?? 'the current release'}: old SDKs can drop TCP without an MQTT DISCONNECT`,
      ),
    );
    confidence += 0.05;
  } else if (device.sdkVersion) {
    evidence.push(item('sdk', `SDK: ${device.sdkVersion}`));
  }
  const race = reconnectRaceNote(device);
  if (race) evidence.push(race);
  const offline =
    device.reconnectDelayMs === undefined
      ? 'has not reconnected yet'
      : `was offline ${duration(device.reconnectDelayMs)}`;
  const tokenNote = device.authCompanion
    ? `a 401003 sits beside the drop at ${clock(device.authCompanion.time)}, but the drop does not behave like a token expiry`
    : 'no token expiry';
  const summary = meaning
    ? `${device.deviceId} drops ${meaning}; it dropped at ${clock(drop.time)} and ${offline}. ${device.authCompanion ? `Although ${tokenNote}, this is` : 'No token expiry:'} the device's network path or its own schedule, not the hub.`
    : `${device.deviceId} dropped at ${clock(drop.time)} and ${offline}, with ${tokenNote}: the device's network, power or app, not the hub.`;
  return {
    deviceId: device.deviceId,
    cause: 'device-or-network',
    confidence: Math.min(confidence, 0.85),
    reconnected: device.reconnect !== undefined,
    summary,
    evidence,
    wouldChange:
      device.reconnectDelayMs === undefined
        ? 'A 401003 beside the drop would make this a token that expired without a way back; a reconnect in the next minutes would make it a short network outage.'
        : 'A 401003 beside the drop, or drops repeating one token lifetime (60–76 min) apart, would make this a SAS token renewal; other devices dropping at the same moment would make it a shared network or a hub incident.',
  };
}
