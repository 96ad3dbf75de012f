/**
 * A hub outage for the fleet-outage figure: a fleet connected for hours, most of which drops with
 * 404104 within one minute, its first reconnects refused with 500001, and nobody back. Seeded, so
 * every run sees the same outage. IoT Hub reports every drop in the snapshot at the minute's end.
 */

import type { ConnectionEvent } from '../../evidence/evidence';
import { connectionEventOf } from './connectionEventOf';
import { mulberry32 } from './seededRandom';

export const OUTAGE_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-bench/providers/microsoft.devices/iothubs/outage-bench-hub';

export interface Outage {
  /** The workspace's Connections rows, oldest first. */
  readonly rows: readonly ConnectionEvent[];
  /** The dropped devices, in the order their events are delivered. */
  readonly dropped: readonly string[];
  /** The snapshot that reports every drop (epoch ms): the events' time. */
  readonly reportedAt: number;
  /** Connected devices at a minute, for the metrics API. */
  readonly connectedAt: (minuteStart: number) => number;
}

/** `dropped` of `dropped + quiet` devices go down in the minute from `start` (a minute boundary). */
export function generateOutage(dropped: number, quiet: number, start: number, seed = 5): Outage {
  const random = mulberry32(seed);
  const rows: ConnectionEvent[] = [];
  const dropTimes: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < dropped + quiet; i++) {
    const deviceId = `fleet-${String(i + 1).padStart(5, '0')}`;
    const base = {
      hubResourceId: OUTAGE_HUB,
      deviceId,
      maskedIpAddress: `81.${2 + (i % 50)}.${Math.floor(i / 50) % 250}.XXX`,
      protocol: i % 3 === 0 ? 'Amqp' : 'Mqtt',
      sdkVersion: 'python/2.12.0 (azure-iot-device)',
    };
    rows.push(
      connectionEventOf({ ...base, ms: start - (0.5 + random() * 5) * 3_600_000 }, 'connect'),
    );
    if (i >= dropped) continue;
    const drop = start + random() * 60_000;
    dropTimes.push(drop);
    ids.push(deviceId);
    rows.push(connectionEventOf({ ...base, ms: drop }, '404104'));
    if (random() < 0.6) {
      const retry = drop + (10 + random() * 40) * 1000;
      rows.push(connectionEventOf({ ...base, ms: retry }, '500001-connect'));
    }
  }
  rows.sort((a, b) => a.ms - b.ms);
  dropTimes.sort((a, b) => a - b);
  const fleet = dropped + quiet;
  return {
    rows,
    dropped: ids,
    reportedAt: start + 60_000,
    connectedAt: (minute) => fleet - dropTimes.filter((t) => t < minute + 60_000).length,
  };
}
