/**
 * The workspace behind the grace-to-card figure: a quiet hub (its fleet connected for hours) where
 * a handful of devices each drop once, each behind its own address and on its own SDK version, so
 * that each drop is that device's own and gets a card of its own. Each drop row is logged shortly
 * before its `DeviceDisconnected` (the snapshot that reports it), so the first check finds it.
 */

import type { ConnectionEvent } from '../../evidence/evidence';
import { connectionEventOf } from './connectionEventOf';
import { mulberry32 } from './seededRandom';

export const GRACE_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-bench/providers/microsoft.devices/iothubs/grace-bench-hub';
/** Devices that stay connected. */
export const QUIET_FLEET = 300;
/** The hub logs a drop up to a snapshot (60 s) before the event that reports it. */
const ROW_LEAD_MS = 15_000;

export const awayDeviceId = (index: number): string =>
  `away-device-${String(index + 1).padStart(2, '0')}`;

/** Rows for the quiet fleet and for each away device, whose events are at `dropsAt` (epoch ms). */
export function awayDevicesWorkspace(dropsAt: readonly number[], seed = 2): ConnectionEvent[] {
  const random = mulberry32(seed);
  const now = Math.min(...dropsAt);
  const connectedAt = (): number => now - (1 + random() * 4) * 3_600_000;
  const rows: ConnectionEvent[] = [];
  const base = (deviceId: string, ms: number, index: number) => ({
    ms,
    hubResourceId: GRACE_HUB,
    deviceId,
    maskedIpAddress: `10.${20 + (index % 200)}.${Math.floor(index / 200)}.XXX`,
    protocol: 'Mqtt',
    sdkVersion: `python/2.${index % 40}.${Math.floor(index / 40)} (azure-iot-device)`,
  });
  for (let i = 0; i < QUIET_FLEET; i++) {
    rows.push(
      connectionEventOf(
        base(`quiet-device-${String(i + 1).padStart(3, '0')}`, connectedAt(), i),
        'connect',
      ),
    );
  }
  dropsAt.forEach((at, i) => {
    const index = QUIET_FLEET + i;
    rows.push(connectionEventOf(base(awayDeviceId(i), connectedAt(), index), 'connect'));
    rows.push(connectionEventOf(base(awayDeviceId(i), at - ROW_LEAD_MS, index), '404104'));
  });
  return rows.sort((a, b) => a.ms - b.ms);
}
