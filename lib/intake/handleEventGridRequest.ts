/**
 * An Event Grid webhook delivery of connection events (the dev host's copy of the Functions host's
 * `/runtime/webhooks/eventgrid` endpoint, and any webhook subscription): a batch of events in the
 * Event Grid schema or CloudEvents 1.0, or the subscription handshake.
 *
 * Answers: 200 when every event was taken (recorded, duplicate, stale or ignored); 400 when some
 * could not be read (Event Grid does not retry a 400; the readable ones are kept); 503 when storage
 * failed (Event Grid retries, and the events already recorded are then duplicates).
 */

import {
  AppError,
  BadRequestError,
  PayloadTooLargeError,
  UnavailableError,
} from '../common/errors';
import type { Logger } from '../common/logger';
import {
  compareSequence,
  type DeviceConnectionEvent,
  identityKey,
} from '../connections/connectionEvent';
import {
  type AcceptOutcome,
  acceptConnectionEvent,
  type ConnectionIntakeServices,
} from './acceptConnectionEvent';
import { type EventReading, readEventGridEvent } from './eventGridEvents';
import { errorResponse, type HandlerResponse, parseJsonBody } from './httpResult';

/** Event Grid delivers at most 1 MB per batch. */
export const MAX_EVENT_BATCH_BYTES = 1024 * 1024;
/**
 * Identities applied at once. Each identity's events go in turn (no race on its record); a batch
 * of different identities goes in one round of storage calls, so a delivery answers in about
 * one read, one queue send and one write, whatever its size (Event Grid batches hold at most 5,000).
 */
const CONCURRENCY = 64;

export interface EventGridRequest {
  /** The `aeg-event-type` header: `SubscriptionValidation` or `Notification`. */
  readonly eventType?: string;
  readonly declaredLength?: number;
  readBody(): Promise<Uint8Array>;
}

export interface EventBatchSummary {
  readonly recorded: number;
  readonly duplicates: number;
  readonly stale: number;
  /** Events of hubs outside `IOTHUB_RESOURCE_IDS`: acknowledged, counted, ignored. */
  readonly otherHubs: number;
  /** Events of other types: acknowledged and ignored. */
  readonly otherTypes: number;
  readonly invalid: number;
}

type Tally = Record<AcceptOutcome | 'other-type' | 'invalid', number>;

function summaryOf(tally: Tally): EventBatchSummary {
  return {
    recorded: tally.recorded,
    duplicates: tally.duplicate,
    stale: tally.stale,
    otherHubs: tally['other-hub'],
    otherTypes: tally['other-type'],
    invalid: tally.invalid,
  };
}

/** The log line of a batch: what was taken and what was ignored, never an event's content. */
export function describeBatch(summary: EventBatchSummary): string {
  const parts = [
    `${summary.recorded} recorded`,
    summary.duplicates > 0 && `${summary.duplicates} duplicate`,
    summary.stale > 0 && `${summary.stale} stale`,
    summary.otherHubs > 0 && `${summary.otherHubs} for hubs not watched (ignored)`,
    summary.otherTypes > 0 && `${summary.otherTypes} of other types (ignored)`,
    summary.invalid > 0 && `${summary.invalid} unreadable`,
  ];
  return `Connection events: ${parts.filter(Boolean).join(', ')}`;
}

async function applyAll(
  readings: readonly EventReading[],
  services: ConnectionIntakeServices,
): Promise<Tally> {
  const tally: Tally = {
    recorded: 0,
    duplicate: 0,
    stale: 0,
    'other-hub': 0,
    'other-type': 0,
    invalid: 0,
  };
  // A batch can repeat an event (a retried publish): apply each once, count the rest.
  const seen = new Set<string>();
  const events = readings.flatMap((r) => {
    if (r.kind !== 'connection') return [];
    const key = `${identityKey(r.event)}|${r.event.sequenceNumber}`;
    if (seen.has(key)) {
      tally.duplicate++;
      return [];
    }
    seen.add(key);
    return [r.event];
  });
  for (const r of readings) if (r.kind === 'other-type' || r.kind === 'invalid') tally[r.kind]++;
  const byIdentity = new Map<string, DeviceConnectionEvent[]>();
  for (const event of events) {
    const key = identityKey(event);
    const list = byIdentity.get(key);
    if (list) list.push(event);
    else byIdentity.set(key, [event]);
  }
  // In sequence order: a batch may hold an identity's connect before the disconnect it follows.
  const identities = [...byIdentity.values()].map((own) =>
    own.sort((a, b) => compareSequence(a.sequenceNumber, b.sequenceNumber)),
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let own = identities[next++]; own !== undefined; own = identities[next++]) {
      for (const event of own) tally[await acceptConnectionEvent(event, services)]++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, identities.length) }, worker));
  return tally;
}

export async function handleEventGridRequest(
  request: EventGridRequest,
  services: ConnectionIntakeServices & { readonly log: Logger },
): Promise<HandlerResponse> {
  try {
    if (request.declaredLength !== undefined && request.declaredLength > MAX_EVENT_BATCH_BYTES) {
      throw new PayloadTooLargeError(MAX_EVENT_BATCH_BYTES);
    }
    const bytes = await request.readBody();
    if (bytes.byteLength > MAX_EVENT_BATCH_BYTES)
      throw new PayloadTooLargeError(MAX_EVENT_BATCH_BYTES);
    const body = parseJsonBody(bytes, 'Event Grid events');
    const raw = Array.isArray(body) ? body : [body];
    if (raw.length === 0) throw new BadRequestError('The batch holds no event');
    const readings = await Promise.all(raw.map(readEventGridEvent));

    const validation = readings.find((r) => r.kind === 'validation');
    if (validation?.kind === 'validation') {
      services.log.info('Event Grid subscription validated');
      return { status: 200, body: { validationResponse: validation.validationCode } };
    }
    let tally: Tally;
    try {
      tally = await applyAll(readings, services);
    } catch (error: unknown) {
      if (error instanceof AppError && error.status < 500) throw error;
      throw new UnavailableError('Connection state storage is unavailable; retry later', {
        cause: error,
      });
    }
    const summary = summaryOf(tally);
    services.log.info(describeBatch(summary));
    const firstInvalid = readings.findIndex((r) => r.kind === 'invalid');
    const bad = readings[firstInvalid];
    if (bad?.kind === 'invalid') {
      const path = `[${firstInvalid}]${bad.path === '' ? '' : `.${bad.path}`}`;
      services.log.warn(`Connection events: event ${path} unreadable: ${bad.reason}`);
      return {
        status: 400,
        body: {
          error: `${summary.invalid} of ${raw.length} events could not be read (first: ${bad.reason}); the others were taken`,
          path,
          ...summary,
        },
      };
    }
    return { status: 200, body: summary };
  } catch (error: unknown) {
    return errorResponse(error, services.log);
  }
}
