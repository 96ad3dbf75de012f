/**
 * IoT Hub's connection events made from a device's Connections rows, the way the hub makes them:
 * it does not publish each connect and disconnect, but a snapshot of the device's state every 60
 * seconds, and only when there is something to say (docs/connection-events.md). At each minute
 * boundary it publishes the state when it differs from the last one published, or the same state
 * again when the device changed and changed back inside the minute (a blip, which only the new
 * sequence number tells). Sequence numbers come from one hub-wide counter that grows with time.
 * Used by `npm run demo -- --events` and its tests. Pure.
 */

import { createHash } from 'node:crypto';

import type { ConnectionStateKind } from '../../connections/connectionEvent';
import type { ConnectionEvent } from '../../evidence/evidence';

export const SNAPSHOT_MS = 60_000;

/** One device over one stretch of time: its events are published at the boundaries in (from, to]. */
export interface DeviceSpan {
  readonly deviceId: string;
  /** Epoch ms, on a minute boundary. */
  readonly from: number;
  readonly to: number;
}

export interface SnapshotEvent {
  readonly deviceId: string;
  readonly state: ConnectionStateKind;
  /** ISO 8601: the snapshot's time, which is the event's time. */
  readonly time: string;
  /** 64 upper-case hex digits, zero-padded, as IoT Hub writes them. */
  readonly sequenceNumber: string;
  /** The same state as the last event: the device dropped and came back between two snapshots. */
  readonly blip: boolean;
}

interface Change {
  readonly ms: number;
  readonly state: ConnectionStateKind;
}

/**
 * What a Connections row says of the device's state: any disconnect ends the session, a
 * successful connect starts one, and a refused connect (Level Error) changes nothing.
 */
export function stateAfter(row: ConnectionEvent): ConnectionStateKind | undefined {
  if (row.category !== undefined) return undefined;
  if (row.operation === 'deviceDisconnect') return 'disconnected';
  if (row.operation === 'deviceConnect' && row.level !== 'Error') return 'connected';
  return undefined;
}

/** The device's state changes, oldest first. */
export function changesOf(rows: readonly ConnectionEvent[], deviceId: string): Change[] {
  return rows
    .filter((row) => row.deviceId === deviceId)
    .flatMap((row) => {
      const state = stateAfter(row);
      return state === undefined ? [] : [{ ms: row.ms, state }];
    })
    .sort((a, b) => a.ms - b.ms);
}

/** The state after the last change at or before `ms`; connected when nothing says otherwise. */
function stateAt(changes: readonly Change[], ms: number): ConnectionStateKind {
  let state: ConnectionStateKind = 'connected';
  for (const change of changes) {
    if (change.ms > ms) break;
    state = change.state;
  }
  return state;
}

/**
 * Did the state change inside (start, end]? A second disconnect row (404104 after 401003) is no
 * change: the device was already away.
 */
function changedWithin(changes: readonly Change[], start: number, end: number): boolean {
  let state = stateAt(changes, start);
  let changed = false;
  for (const change of changes) {
    if (change.ms <= start || change.ms > end) continue;
    if (change.state !== state) changed = true;
    state = change.state;
  }
  return changed;
}

type Unnumbered = Omit<SnapshotEvent, 'sequenceNumber'>;

function snapshotsOf(changes: readonly Change[], span: DeviceSpan): Unnumbered[] {
  const published: Unnumbered[] = [];
  // What the hub last said: the state at the span's start, published before it.
  let last = stateAt(changes, span.from);
  for (let boundary = span.from + SNAPSHOT_MS; boundary <= span.to; boundary += SNAPSHOT_MS) {
    const state = stateAt(changes, boundary);
    if (state === last && !changedWithin(changes, boundary - SNAPSHOT_MS, boundary)) continue;
    published.push({
      deviceId: span.deviceId,
      state,
      time: new Date(boundary).toISOString(),
      blip: state === last,
    });
    last = state;
  }
  return published;
}

export function sequenceNumberOf(value: bigint): string {
  return value.toString(16).toUpperCase().padStart(64, '0');
}

/**
 * The events IoT Hub publishes for each span's device, every device of the hub on one counter:
 * in time order, then by device, numbered from `firstSequence`.
 */
export function snapshotEvents(
  rows: readonly ConnectionEvent[],
  spans: readonly DeviceSpan[],
  firstSequence = 1n,
): SnapshotEvent[] {
  const unnumbered = spans.flatMap((span) => snapshotsOf(changesOf(rows, span.deviceId), span));
  unnumbered.sort((a, b) => a.time.localeCompare(b.time) || a.deviceId.localeCompare(b.deviceId));
  return unnumbered.map((event, index) => ({
    ...event,
    sequenceNumber: sequenceNumberOf(firstSequence + BigInt(index)),
  }));
}

/** A stable GUID-shaped event id, so that the same replay sends the same ids. */
function eventIdOf(hubResourceId: string, event: SnapshotEvent): string {
  const hex = createHash('sha256')
    .update(`${hubResourceId}|${event.deviceId}|${event.sequenceNumber}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The event in the Event Grid schema, as IoT Hub's system topic delivers it. */
export function eventGridEventOf(hubResourceId: string, event: SnapshotEvent): unknown {
  const hubName = hubResourceId.split('/').pop() ?? '';
  return {
    id: eventIdOf(hubResourceId, event),
    // IoT Hub names its topic in upper case.
    topic: hubResourceId.toUpperCase(),
    subject: `devices/${event.deviceId}`,
    eventType:
      event.state === 'connected'
        ? 'Microsoft.Devices.DeviceConnected'
        : 'Microsoft.Devices.DeviceDisconnected',
    eventTime: event.time,
    data: {
      deviceConnectionStateEventInfo: { sequenceNumber: event.sequenceNumber },
      hubName,
      deviceId: event.deviceId,
    },
    dataVersion: '',
    metadataVersion: '1',
  };
}
