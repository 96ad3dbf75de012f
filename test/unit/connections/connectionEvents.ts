/** Connection events and Event Grid deliveries for the connection-path tests. */

import type { DeviceConnectionEvent } from '../../../lib/connections/connectionEvent';

export const HUB_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/contoso-hub';

/** A 64-digit sequence number whose last digits are `n` in hex. */
export function seq(n: number): string {
  return n.toString(16).toUpperCase().padStart(64, '0');
}

export function connectionEvent(
  state: DeviceConnectionEvent['state'],
  n: number,
  at: string,
  more: Partial<DeviceConnectionEvent> = {},
): DeviceConnectionEvent {
  return {
    eventId: `ev-${state}-${n}`,
    state,
    hubResourceId: HUB_ID,
    hubName: 'contoso-hub',
    deviceId: 'sensor-1',
    sequenceNumber: seq(n),
    eventTime: at,
    ...more,
  };
}

/** The event as Event Grid delivers it (Event Grid schema). */
export function eventGridEvent(
  state: DeviceConnectionEvent['state'],
  n: number,
  at: string,
  more: { deviceId?: string; moduleId?: string; hub?: string; id?: string } = {},
): Record<string, unknown> {
  const deviceId = more.deviceId ?? 'sensor-1';
  return {
    id: more.id ?? `ev-${deviceId}-${n}`,
    topic: (more.hub ?? HUB_ID).toUpperCase(),
    subject: `devices/${deviceId}`,
    eventType:
      state === 'connected'
        ? 'Microsoft.Devices.DeviceConnected'
        : 'Microsoft.Devices.DeviceDisconnected',
    eventTime: at,
    data: {
      deviceConnectionStateEventInfo: { sequenceNumber: seq(n) },
      hubName: (more.hub ?? HUB_ID).split('/').pop(),
      deviceId,
      ...(more.moduleId !== undefined && { moduleId: more.moduleId }),
    },
    dataVersion: '1',
    metadataVersion: '1',
  };
}

/** The same event in the CloudEvents 1.0 schema. */
export function cloudEvent(
  state: DeviceConnectionEvent['state'],
  n: number,
  at: string,
  deviceId = 'sensor-1',
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `ce-${deviceId}-${n}`,
    source: HUB_ID.toUpperCase(),
    subject: `devices/${deviceId}`,
    type:
      state === 'connected'
        ? 'Microsoft.Devices.DeviceConnected'
        : 'Microsoft.Devices.DeviceDisconnected',
    time: at,
    data: {
      deviceConnectionStateEventInfo: { sequenceNumber: seq(n) },
      hubName: 'contoso-hub',
      deviceId,
    },
  };
}
