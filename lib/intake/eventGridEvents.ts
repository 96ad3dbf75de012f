/**
 * Reads one Event Grid event (Event Grid schema or CloudEvents 1.0) with the maintained Azure
 * library: its deserializer checks the envelope, `isSystemEvent` recognises IoT Hub's
 * `DeviceConnected` / `DeviceDisconnected`; the data's own fields are checked here. Each event is
 * read on its own, so one malformed event in a batch never costs the others.
 */

import {
  type CloudEvent,
  type EventGridEvent,
  EventGridDeserializer,
  isSystemEvent,
} from '@azure/eventgrid';

import {
  type ConnectionStateKind,
  type DeviceConnectionEvent,
  SEQUENCE_NUMBER,
} from '../connections/connectionEvent';

export const SUBSCRIPTION_VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';

export type EventReading =
  | { readonly kind: 'connection'; readonly event: DeviceConnectionEvent }
  /** Another event type: acknowledged and ignored. */
  | { readonly kind: 'other-type'; readonly eventType: string }
  /** Event Grid's subscription handshake (webhook endpoints). */
  | { readonly kind: 'validation'; readonly validationCode: string }
  /** `path` names the offending field, relative to the event. */
  | { readonly kind: 'invalid'; readonly reason: string; readonly path: string };

const deserializer = new EventGridDeserializer();
const IOTHUB_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.devices\/iothubs\/[^/]+$/i;
/** IoT Hub device and module IDs are at most 128 characters. */
const MAX_ID_LENGTH = 128;

function invalid(reason: string, path: string): EventReading {
  return { kind: 'invalid', reason, path };
}

function isCloudEvent(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'specversion' in raw;
}

/** The library's own message, without echoing any value it quotes. */
function envelopeProblem(error: unknown): string {
  const text = error instanceof Error ? error.message : 'not an event';
  return text.replace(/"[^"]*"/g, '…').slice(0, 200);
}

async function deserialize(
  raw: Record<string, unknown>,
): Promise<EventGridEvent<unknown> | CloudEvent<unknown>> {
  const [event] = isCloudEvent(raw)
    ? await deserializer.deserializeCloudEvents(raw)
    : await deserializer.deserializeEventGridEvents(raw);
  if (event === undefined) throw new Error('no event');
  return event;
}

function stateOf(
  event: EventGridEvent<unknown> | CloudEvent<unknown>,
): ConnectionStateKind | undefined {
  if ('eventType' in event) {
    if (isSystemEvent('Microsoft.Devices.DeviceConnected', event)) return 'connected';
    if (isSystemEvent('Microsoft.Devices.DeviceDisconnected', event)) return 'disconnected';
    return undefined;
  }
  if (isSystemEvent('Microsoft.Devices.DeviceConnected', event)) return 'connected';
  if (isSystemEvent('Microsoft.Devices.DeviceDisconnected', event)) return 'disconnected';
  return undefined;
}

function identifier(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

export async function readEventGridEvent(raw: unknown): Promise<EventReading> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return invalid('an event must be a JSON object', '');
  }
  let event: EventGridEvent<unknown> | CloudEvent<unknown>;
  try {
    event = await deserialize(raw as Record<string, unknown>);
  } catch (error: unknown) {
    return invalid(`not an Event Grid or CloudEvents event: ${envelopeProblem(error)}`, '');
  }
  const eventType = 'eventType' in event ? event.eventType : event.type;
  if (eventType === SUBSCRIPTION_VALIDATION_EVENT) {
    const code = (event.data as { validationCode?: unknown } | undefined)?.validationCode;
    return typeof code === 'string' && code.length <= 200
      ? { kind: 'validation', validationCode: code }
      : invalid('the validation event has no validationCode', 'data.validationCode');
  }
  const state = stateOf(event);
  if (state === undefined) return { kind: 'other-type', eventType: eventType.slice(0, 200) };

  const hub = 'eventType' in event ? event.topic : event.source;
  const hubPath = 'eventType' in event ? 'topic' : 'source';
  if (typeof hub !== 'string' || !IOTHUB_ID.test(hub)) {
    return invalid('the event does not name an IoT hub', hubPath);
  }
  const time = 'eventType' in event ? event.eventTime : event.time;
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
    return invalid('the event has no valid time', 'eventType' in event ? 'eventTime' : 'time');
  }
  const data: unknown = event.data;
  if (typeof data !== 'object' || data === null) return invalid('the event has no data', 'data');
  return connectionEventOf(event.id, state, hub, time, data as Record<string, unknown>);
}

function connectionEventOf(
  eventId: string,
  state: ConnectionStateKind,
  hub: string,
  time: Date,
  data: Record<string, unknown>,
): EventReading {
  const sequenceNumber = (
    data.deviceConnectionStateEventInfo as { sequenceNumber?: unknown } | undefined
  )?.sequenceNumber;
  if (typeof sequenceNumber !== 'string' || !SEQUENCE_NUMBER.test(sequenceNumber)) {
    return invalid(
      'sequenceNumber must be a hex string',
      'data.deviceConnectionStateEventInfo.sequenceNumber',
    );
  }
  if (!identifier(data.deviceId))
    return invalid('deviceId is missing or too long', 'data.deviceId');
  if (
    data.moduleId !== undefined &&
    data.moduleId !== null &&
    data.moduleId !== '' &&
    !identifier(data.moduleId)
  ) {
    return invalid('moduleId is too long or not a string', 'data.moduleId');
  }
  const hubName = typeof data.hubName === 'string' ? data.hubName : (hub.split('/').pop() ?? '');
  return {
    kind: 'connection',
    event: {
      eventId: eventId.slice(0, 200),
      state,
      hubResourceId: hub.toLowerCase(),
      hubName: hubName.slice(0, 200),
      deviceId: data.deviceId,
      ...(identifier(data.moduleId) && { moduleId: data.moduleId }),
      sequenceNumber: sequenceNumber.toUpperCase(),
      eventTime: time.toISOString(),
    },
  };
}
