/**
 * What the enricher remembers of one identity's connection, and how one event changes it. Pure:
 * the intake reads the record, applies the event here, and writes the result back (one write, and
 * at most one scheduled check, per event).
 *
 * Events arrive at least once and in any order, so only an event with a higher sequence number
 * than the record's changes anything: an equal one is a duplicate, a lower one is stale.
 */

import {
  compareSequence,
  type ConnectionStateKind,
  type DeviceConnectionEvent,
  type DeviceIdentity,
} from './connectionEvent';

/** A drop the device has not come back from yet. */
export interface OpenDrop {
  readonly sequenceNumber: string;
  /** When IoT Hub saw the device disconnected (the event's time). */
  readonly at: string;
  /** The offline alert, once the check decided to post one (written before its card goes out). */
  readonly alertId?: string;
}

/** The device's latest return from a drop. */
export interface Return {
  readonly dropSequence: string;
  readonly droppedAt: string;
  readonly returnedAt: string;
  /** The offline alert of that drop, when one was posted. */
  readonly alertId?: string;
}

export interface IdentityState extends DeviceIdentity {
  readonly hubName: string;
  /** The newest sequence number applied. */
  readonly sequenceNumber: string;
  readonly state: ConnectionStateKind;
  /** The newest applied event's time. */
  readonly at: string;
  readonly drop?: OpenDrop;
  readonly lastReturn?: Return;
  /** When the drop before the open one began: a steady rhythm of quick returns is renewals. */
  readonly previousDropAt?: string;
}

/** A check the intake schedules: the grace after a drop, or the follow-up after a return. */
export interface ConnectionCheck extends DeviceIdentity {
  readonly version: 1;
  readonly kind: 'grace' | 'returned';
  readonly hubName: string;
  readonly dropSequence: string;
  readonly droppedAt: string;
  /** ISO time the check is due (a check that fires early waits for the rest). */
  readonly dueAt: string;
  readonly graceSeconds: number;
  /** Times the check already waited for the drop's log rows (grace checks). */
  readonly logWaits: number;
  /** The offline alert being followed up (returned checks). */
  readonly alertId?: string;
  readonly returnedAt?: string;
}

export type EventOutcome =
  | { readonly kind: 'duplicate' | 'stale' }
  | {
      readonly kind: 'recorded';
      readonly next: IdentityState;
      /** At most one check per event. */
      readonly check?: ConnectionCheck;
      /** Connected after connected: the device dropped and came back between two snapshots. */
      readonly blip: boolean;
    };

function checkOf(
  state: IdentityState,
  fields: Pick<ConnectionCheck, 'kind' | 'dropSequence' | 'droppedAt' | 'dueAt' | 'graceSeconds'> &
    Partial<Pick<ConnectionCheck, 'alertId' | 'returnedAt'>>,
): ConnectionCheck {
  return {
    version: 1,
    hubResourceId: state.hubResourceId,
    deviceId: state.deviceId,
    ...(state.moduleId !== undefined && { moduleId: state.moduleId }),
    hubName: state.hubName,
    logWaits: 0,
    ...fields,
  };
}

/**
 * Applies one event. `graceSeconds` is the hub's reconnect grace; `now` is when the event was
 * received, from which the grace is counted (events arrive up to a minute after their time).
 */
export function applyConnectionEvent(
  current: IdentityState | undefined,
  event: DeviceConnectionEvent,
  graceSeconds: number,
  now: Date,
): EventOutcome {
  if (current !== undefined) {
    const order = compareSequence(event.sequenceNumber, current.sequenceNumber);
    if (order === 0) return { kind: 'duplicate' };
    if (order < 0) return { kind: 'stale' };
  }
  const base: IdentityState = {
    hubResourceId: event.hubResourceId,
    deviceId: event.deviceId,
    ...(event.moduleId !== undefined && { moduleId: event.moduleId }),
    hubName: event.hubName,
    sequenceNumber: event.sequenceNumber,
    state: event.state,
    at: event.eventTime,
    ...(current?.lastReturn && { lastReturn: current.lastReturn }),
  };

  if (event.state === 'disconnected') {
    // Disconnected again: it came back and dropped again between two snapshots. The open drop
    // goes on (its check is pending, or its card is out), so no second check.
    if (current?.drop !== undefined) {
      const next: IdentityState = {
        ...base,
        drop: current.drop,
        ...(current.previousDropAt !== undefined && { previousDropAt: current.previousDropAt }),
      };
      return { kind: 'recorded', next, blip: true };
    }
    const drop: OpenDrop = { sequenceNumber: event.sequenceNumber, at: event.eventTime };
    const previousDropAt = current?.lastReturn?.droppedAt;
    const next: IdentityState = {
      ...base,
      drop,
      ...(previousDropAt !== undefined && { previousDropAt }),
    };
    const check = checkOf(next, {
      kind: 'grace',
      dropSequence: drop.sequenceNumber,
      droppedAt: drop.at,
      dueAt: new Date(now.getTime() + graceSeconds * 1000).toISOString(),
      graceSeconds,
    });
    return { kind: 'recorded', next, check, blip: false };
  }

  // Connected.
  if (current?.drop === undefined) {
    const next: IdentityState = {
      ...base,
      ...(current?.previousDropAt !== undefined && { previousDropAt: current.previousDropAt }),
    };
    return { kind: 'recorded', next, blip: current?.state === 'connected' };
  }
  const { drop } = current;
  const lastReturn: Return = {
    dropSequence: drop.sequenceNumber,
    droppedAt: drop.at,
    returnedAt: event.eventTime,
    ...(drop.alertId !== undefined && { alertId: drop.alertId }),
  };
  const next: IdentityState = {
    ...base,
    lastReturn,
    ...(current.previousDropAt !== undefined && { previousDropAt: current.previousDropAt }),
  };
  if (drop.alertId === undefined) return { kind: 'recorded', next, blip: false };
  // Its card is out: a follow-up says it is back, and after how long.
  const check = checkOf(next, {
    kind: 'returned',
    dropSequence: drop.sequenceNumber,
    droppedAt: drop.at,
    dueAt: now.toISOString(),
    graceSeconds,
    alertId: drop.alertId,
    returnedAt: event.eventTime,
  });
  return { kind: 'recorded', next, check, blip: false };
}
