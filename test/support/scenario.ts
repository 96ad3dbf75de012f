/** Builds small synthetic Connections histories and runs the real pipeline over them. */

import type { Alert } from '../../lib/alerts/alert';
import { buildReport } from '../../lib/app/enrichAlert';
import type { EnrichedAlert } from '../../lib/diagnose/enrichedAlert';
import type { ConnectionEvent } from '../../lib/evidence/evidence';
import { connectionEventOf, type EventKind } from '../../lib/tools/bench/connectionEventOf';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { testAlert } from './testAlert';

export const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

export const BASE = Date.parse('2026-11-20T00:00:00Z');

export function at(minutes: number): string {
  return new Date(BASE + minutes * 60_000).toISOString();
}

export function event(
  deviceId: string,
  minutes: number,
  kind: EventKind,
  ip = '24.9.142.XXX',
): ConnectionEvent {
  return connectionEventOf(
    {
      ms: Date.parse(at(minutes)),
      hubResourceId: HUB,
      deviceId,
      maskedIpAddress: ip,
      protocol: 'Mqtt',
      sdkVersion: '.NET/1.42.3 (.NET 8.0.11; Linux; X64)',
    },
    kind,
  );
}

/** A quiet fleet: devices that connect once and stay up. */
export function quietFleet(count: number, prefix = 'quiet'): ConnectionEvent[] {
  return Array.from({ length: count }, (_, i) =>
    event(`${prefix}-${String(i).padStart(3, '0')}`, i % 60, 'connect'),
  );
}

export function deviceAlert(
  deviceIds: string[],
  windowStartMinutes: number,
  windowEndMinutes: number,
): Alert {
  return testAlert({
    id: `/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/providers/Microsoft.AlertsManagement/alerts/${deviceIds.join('-') || 'fleet'}`,
    rule: 'iothub-device-disconnected-404104',
    firedAt: at(windowEndMinutes),
    window: { start: at(windowStartMinutes), end: at(windowEndMinutes) },
    hubResourceIds: [HUB],
    deviceIds,
    dimensions: deviceIds.map((value) => ({ name: 'DeviceId', value })),
  });
}

export async function reportFor(
  alert: Alert,
  events: ConnectionEvent[],
  lookbackMinutes = 480,
): Promise<EnrichedAlert> {
  return buildReport(alert, {
    sources: { evidence: ExportFileSource.fromEvents(events) },
    lookbackMinutes,
    now: () => new Date(BASE + 24 * 3_600_000),
  });
}
