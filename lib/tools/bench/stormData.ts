/**
 * A generated hub incident for the storm benchmark: a fleet on one hub, most of it dropped with
 * 404104 within three minutes (server errors on the first reconnect attempts, back 5–15 minutes
 * later), and one split-by-device alert per dropped device, all fired within one minute. Seeded,
 * so every run sees the same storm.
 */

import type { Alert } from '../../alerts/alert';
import { connectionEventOf } from './connectionEventOf';
import type { ConnectionEvent } from '../../evidence/evidence';
import { mulberry32 } from './seededRandom';

export const STORM_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
/** The incident starts at 05:12; alert windows end within the minute around 05:15. */
const INCIDENT_START = Date.parse('2026-11-20T05:12:00Z');
const FIRST_WINDOW_END = Date.parse('2026-11-20T05:14:30Z');
const WINDOW_MS = 15 * 60_000;
/** Devices that stay connected through the incident. */
export const QUIET_DEVICES = 200;

export interface Storm {
  readonly events: readonly ConnectionEvent[];
  readonly alerts: readonly Alert[];
  /** Connected devices at a minute, for the metrics endpoint. */
  readonly connectedAt: (minuteStart: number) => number;
}

function eventAt(
  time: number,
  deviceId: string,
  kind: 'connect' | '404104' | '500001',
): ConnectionEvent {
  const base = {
    ms: time,
    hubResourceId: STORM_HUB,
    deviceId,
    protocol: 'Mqtt',
    maskedIpAddress: `81.2.${deviceId.length % 200}.XXX`,
    sdkVersion: 'python/2.12.0 (azure-iot-device)',
  };
  return connectionEventOf(base, kind === '500001' ? '500001-connect' : kind);
}

/** `dropped` devices of the hub each get one alert; `base` is a real alert to vary. */
export function generateStorm(dropped: number, base: Alert, seed = 7): Storm {
  const next = mulberry32(seed);
  const events: ConnectionEvent[] = [];
  const away: { from: number; to: number }[] = [];
  const alerts: Alert[] = [];
  const fleet = dropped + QUIET_DEVICES;
  for (let i = 0; i < fleet; i++) {
    const deviceId = `sensor-${String(i + 1).padStart(4, '0')}`;
    events.push(eventAt(INCIDENT_START - (30 + next() * 330) * 60_000, deviceId, 'connect'));
    if (i >= dropped) continue;
    const drop = INCIDENT_START + next() * 165_000;
    const back = drop + (5 + next() * 10) * 60_000;
    events.push(eventAt(drop, deviceId, '404104'));
    if (next() < 0.6) events.push(eventAt(drop + (10 + next() * 50) * 1000, deviceId, '500001'));
    events.push(eventAt(back, deviceId, 'connect'));
    away.push({ from: drop, to: back });
    const windowEnd = FIRST_WINDOW_END + Math.floor(next() * 60_000);
    alerts.push({
      ...base,
      id: `${base.id}-storm-${deviceId}`,
      firedAt: new Date(windowEnd + 45_000).toISOString(),
      window: {
        start: new Date(windowEnd - WINDOW_MS).toISOString(),
        end: new Date(windowEnd).toISOString(),
      },
      hubResourceIds: [STORM_HUB],
      deviceIds: [deviceId],
      dimensions: [
        { name: 'DeviceId', value: deviceId },
        { name: '_ResourceId', value: STORM_HUB },
      ],
    });
  }
  events.sort((a, b) => a.time.localeCompare(b.time));
  const connected = new Map<number, number>();
  return {
    events,
    alerts,
    connectedAt(minute) {
      let count = connected.get(minute);
      if (count === undefined) {
        count = fleet - away.filter((a) => a.from <= minute && minute < a.to).length;
        connected.set(minute, count);
      }
      return count;
    },
  };
}
