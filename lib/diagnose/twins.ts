/**
 * Identities that fail together: one cause on several identities is a `subset`, naming them, not
 * one device's fault.
 */

import type { DisconnectedDevice, Evidence } from '../evidence/evidence';
import type { DeviceSignals } from './deviceSignals';
import type { Verdict } from './diagnosis';
import { LISTED_DEVICES } from './fleetRules';
import { nearestDrop, sdkKey } from './cohorts';
import { type FleetSignals, usualDropsPerMinute } from './fleetSignals';
import { WINDOW_MARGIN_MINUTES } from '../evidence/kql';
import { plural } from './format';

/** Twins drop within this long of the device's drop. */
const TWIN_SPREAD_MS = 2 * 60_000;
/** Other identities needed (three in all): two devices at once can be chance. */
const MIN_OTHER_TWINS = 2;
/** Twins stand this many times above what chance puts near the drop. */
const TWIN_RATE_FACTOR = 3;

/**
 * Devices that dropped with this one and, like it, never came back: devices that renew at the
 * same minute reconnect within seconds, so two or more still out at the same minute are not
 * chance. For a device that did come back, twins share its SDK or address, beyond chance.
 */
function droppedTogether(
  device: DeviceSignals,
  fleet: FleetSignals,
  evidence: Evidence,
): DisconnectedDevice[] {
  const drop = device.alertDrop;
  if (!drop) return [];
  const others = evidence.disconnectedDevices.filter(
    (d) =>
      d.deviceId !== device.deviceId &&
      Math.abs(nearestDrop(d, drop.ms) - drop.ms) <= TWIN_SPREAD_MS,
  );
  if (device.reconnect === undefined) {
    // The window's rows say whether a device came back: no connect after its last drop.
    const stillOut = others.filter(
      (d) => d.lastConnect === undefined || d.lastConnect < d.lastDisconnect,
    );
    return stillOut.length >= MIN_OTHER_TWINS ? stillOut : [];
  }
  const address = device.addressBefore ?? device.addressAfter;
  const sdk = sdkKey(device.sdkVersion);
  const alike = (d: DisconnectedDevice): boolean =>
    (address !== undefined && d.maskedIpAddress === address) ||
    (Boolean(sdk) && sdkKey(d.sdkVersion) === sdk);
  const near = others.filter(alike);
  if (near.length < MIN_OTHER_TWINS) return [];
  const all = evidence.disconnectedDevices.filter((d) => d.deviceId !== device.deviceId);
  const share = (all.filter(alike).length + 0.5) / (all.length + 1);
  const byChance = usualDropsPerMinute(fleet, evidence) * ((2 * TWIN_SPREAD_MS) / 60_000) * share;
  return near.length >= TWIN_RATE_FACTOR * byChance ? near : [];
}

/**
 * Other identities kicked from the addresses this device's kicks come from: the hub logged more
 * kicks in the window than this device's own, and other devices behind those addresses dropped.
 */
function kickedAlike(
  device: DeviceSignals,
  fleet: FleetSignals,
  evidence: Evidence,
): DisconnectedDevice[] {
  const addresses = new Set(device.duplicateIdentityAddresses);
  if (addresses.size === 0) return [];
  const margin = WINDOW_MARGIN_MINUTES * 60_000;
  const from = Date.parse(evidence.alertWindow.start) - margin;
  const to = Date.parse(evidence.alertWindow.end) + margin;
  const own = device.duplicateIdentityErrors.filter((e) => e.ms >= from && e.ms <= to).length;
  if (fleet.kicksInWindow < own + 2 * MIN_OTHER_TWINS) return [];
  const others = evidence.disconnectedDevices.filter(
    (d) =>
      d.deviceId !== device.deviceId &&
      d.maskedIpAddress !== undefined &&
      addresses.has(d.maskedIpAddress),
  );
  // The extra kicks say other identities are fighting too; one of them dropping behind the same
  // addresses names it.
  return others.length >= 1 ? others : [];
}

/**
 * Two shapes come from real fleets:
 * - devices provisioned or started together, whose tokens expire together and which then stop
 *   reconnecting (or are refused together): they drop in the same minute and share an SDK or
 *   an address (`droppedTogether`);
 * - leaf identities that all flip between the same two gateway addresses: other identities are
 *   kicked from the addresses this device's kicks come from (`kickedAlike`).
 */
export function widenToTwins(
  verdict: Verdict,
  device: DeviceSignals,
  fleet: FleetSignals,
  evidence: Evidence,
): Verdict {
  if (verdict.scope !== 'device') return verdict;
  const twins =
    verdict.cause === 'duplicate-identity'
      ? kickedAlike(device, fleet, evidence)
      : droppedTogether(device, fleet, evidence);
  if (twins.length === 0) return verdict;
  const ids = [device.deviceId, ...twins.map((t) => t.deviceId)];
  const how =
    verdict.cause === 'duplicate-identity'
      ? `behind the same ${plural(device.duplicateIdentityAddresses.length, 'address', 'addresses')} (${device.duplicateIdentityAddresses.slice(0, 2).join(', ')})`
      : device.reconnect === undefined
        ? 'in the same two minutes, none of them back'
        : 'in the same two minutes, with the same SDK or address';
  return {
    ...verdict,
    scope: 'subset',
    devices: ids.slice(0, LISTED_DEVICES),
    summary: `${plural(ids.length, 'identity', 'identities')} fail the same way ${how}: ${ids.slice(0, 6).join(', ')}${ids.length > 6 ? ` and ${ids.length - 6} more` : ''}. ${verdict.summary}`,
    evidence: [
      {
        signal: 'same-identities',
        text: `${plural(twins.length, 'other identity', 'other identities')} dropped ${how}: ${twins
          .slice(0, 8)
          .map((t) => t.deviceId)
          .join(', ')}${twins.length > 8 ? ', …' : ''}`,
      },
      ...(verdict.cause === 'duplicate-identity'
        ? [
            {
              signal: 'kicks-elsewhere',
              text: `${fleet.kicksInWindow} kicks (400027/409002) hub-wide in the window, more than ${device.deviceId}'s own: other identities are being kicked too`,
            },
          ]
        : []),
      ...verdict.evidence,
    ],
  };
}
