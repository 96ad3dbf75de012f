/**
 * IoT Hub's connection events (Event Grid `Microsoft.Devices.DeviceConnected` and
 * `DeviceDisconnected`) as the domain sees them, whichever schema they came in. IoT Hub publishes
 * the state as a 60-second snapshot: an event says what the state was, not that it just changed.
 */

export type ConnectionStateKind = 'connected' | 'disconnected';

/** A device identity, or a module identity (an IoT Edge module): each has its own connection. */
export interface DeviceIdentity {
  /** Lower-cased IoT hub ARM resource ID. */
  readonly hubResourceId: string;
  readonly deviceId: string;
  readonly moduleId?: string;
}

export interface DeviceConnectionEvent extends DeviceIdentity {
  /** Event Grid's event id (duplicates of one delivery share it). */
  readonly eventId: string;
  readonly state: ConnectionStateKind;
  readonly hubName: string;
  /** `deviceConnectionStateEventInfo.sequenceNumber`: hex, only ever increasing. */
  readonly sequenceNumber: string;
  /** ISO 8601 UTC: when IoT Hub published the snapshot. */
  readonly eventTime: string;
}

/** One key per identity: a module is not its device. */
export function identityKey(identity: DeviceIdentity): string {
  return JSON.stringify([identity.hubResourceId, identity.deviceId, identity.moduleId ?? null]);
}

/** How a person names the identity: `device` or `device/module`. */
export function identityLabel(identity: Pick<DeviceIdentity, 'deviceId' | 'moduleId'>): string {
  return identity.moduleId === undefined
    ? identity.deviceId
    : `${identity.deviceId}/${identity.moduleId}`;
}

export const SEQUENCE_NUMBER = /^[0-9A-Fa-f]{1,128}$/;

/**
 * Orders two sequence numbers. IoT Hub's are zero-padded hex of one length and "compare as
 * strings"; comparing the length first keeps that true for an unpadded one too.
 */
export function compareSequence(a: string, b: string): number {
  const left = a.replace(/^0+/, '').toUpperCase();
  const right = b.replace(/^0+/, '').toUpperCase();
  if (left.length !== right.length) return left.length - right.length;
  return left < right ? -1 : left > right ? 1 : 0;
}
