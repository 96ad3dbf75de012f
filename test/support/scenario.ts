/** Builds small synthetic Connections histories and runs the real pipeline over them. */

import type { Alert } from '../../lib/alerts/alert';
import { buildReport } from '../../lib/enrichAlert';
import type { EnrichedAlert } from '../../lib/enrichment';
import type { ConnectionEvent } from '../../lib/evidence/evidence';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { testAlert } from './testAlert';

export const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

export const BASE = Date.parse('2026-11-20T00:00:00Z');

export function at(minutes: number): string {
  return new Date(BASE + minutes * 60_000).toISOString();
}

type Kind =
  'connect' | 'renew' | '404104' | '401003' | '401003-connect' | '400027' | '500001-connect';

export function event(
  deviceId: string,
  minutes: number,
  kind: Kind,
  ip = '24.9.142.XXX',
): ConnectionEvent {
  const base = {
    time: at(minutes),
    ms: Date.parse(at(minutes)),
    hubResourceId: HUB,
    deviceId,
    maskedIpAddress: ip,
    protocol: 'Mqtt',
  };
  switch (kind) {
    case 'connect':
      return {
        ...base,
        operation: 'deviceConnect',
        level: 'Information',
        resultType: '',
        resultDescription: '',
        sdkVersion: '.NET/1.42.3 (.NET 8.0.11; Linux; X64)',
      };
    case 'renew':
      return {
        ...base,
        operation: 'deviceDisconnect',
        level: 'Information',
        resultType: '',
        resultDescription: '',
      };
    case '404104':
      return {
        ...base,
        operation: 'deviceDisconnect',
        level: 'Error',
        resultType: '404104',
        resultDescription: 'DeviceConnectionClosedRemotely',
      };
    case '401003':
      return {
        ...base,
        operation: 'deviceDisconnect',
        level: 'Error',
        resultType: '401003',
        resultDescription: 'IoTHubUnauthorized',
      };
    case '401003-connect':
      return {
        ...base,
        operation: 'deviceConnect',
        level: 'Error',
        resultType: '401003',
        resultDescription: 'IoTHubUnauthorized',
      };
    case '400027':
      return {
        ...base,
        operation: 'deviceDisconnect',
        level: 'Error',
        resultType: '400027',
        resultDescription: 'ConnectionForcefullyClosedOnNewConnection',
      };
    case '500001-connect':
      return {
        ...base,
        operation: 'deviceConnect',
        level: 'Error',
        resultType: '500001',
        resultDescription: 'ServerError',
      };
  }
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
