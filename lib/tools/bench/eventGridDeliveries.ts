/**
 * Connection events as Event Grid delivers them to the webhook: IoT Hub's events of one hub (one
 * sequence counter for the hub), cut into batches, each batch one POST to the Functions host's
 * Event Grid address.
 */

import { performance } from 'node:perf_hooks';

import type { ConnectionStateKind } from '../../connections/connectionEvent';
import { eventGridEventOf, sequenceNumberOf } from '../devhost/connectionSnapshots';
import { CONNECTION_EVENTS_FUNCTION, EVENT_GRID_PATH } from '../devhost/eventGridRoute';

export interface PlannedEvent {
  readonly deviceId: string;
  readonly state: ConnectionStateKind;
  /** Epoch ms: the event's time. */
  readonly at: number;
}

/** A hub's events in the Event Grid schema, numbered in the order given from `first`. */
export class HubEvents {
  private next: bigint;

  constructor(
    readonly hubResourceId: string,
    first = 1n,
  ) {
    this.next = first;
  }

  /** The event, and its sequence number (the record keeps the newest applied). */
  of(planned: PlannedEvent): { event: unknown; sequenceNumber: string } {
    const sequenceNumber = sequenceNumberOf(this.next++);
    const event = eventGridEventOf(this.hubResourceId, {
      deviceId: planned.deviceId,
      state: planned.state,
      time: new Date(planned.at).toISOString(),
      sequenceNumber,
      blip: false,
    });
    return { event, sequenceNumber };
  }
}

/** Cuts `items` into batches whose sizes `size()` picks (Event Grid batches up to its limits). */
export function batchesOf<T>(items: readonly T[], size: () => number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length;) {
    const end = Math.min(items.length, start + Math.max(1, size()));
    batches.push(items.slice(start, end));
    start = end;
  }
  return batches;
}

export interface DeliveryAnswer {
  readonly status: number;
  /** From the POST to the whole answer read. */
  readonly ms: number;
  /**
   * Events the answer says were taken: recorded, or already recorded by an earlier try (duplicate,
   * stale); 0 when it is not a batch summary.
   */
  readonly taken: number;
}

/**
 * `promise`, marked as handled: a sender that fires deliveries on a schedule awaits them only at
 * the end, and one that failed meanwhile must not end the process as an unhandled rejection.
 */
export function handledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** One delivery: `body` is the batch's JSON text. */
export async function deliver(baseUrl: string, body: string): Promise<DeliveryAnswer> {
  const started = performance.now();
  const response = await fetch(
    `${baseUrl}${EVENT_GRID_PATH}?functionName=${CONNECTION_EVENTS_FUNCTION}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body,
    },
  );
  const text = await response.text();
  const ms = performance.now() - started;
  let taken = 0;
  try {
    const summary = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['recorded', 'duplicates', 'stale']) {
      const count = summary[key];
      if (typeof count === 'number') taken += count;
    }
  } catch {
    // not a summary: an error page
  }
  return { status: response.status, ms, taken };
}

/**
 * Event Grid's retries of a delivery that failed (it retries anything but a 400, 403, 404 or 413):
 * 10 s, then 30 s, then a minute later; its later retries go on for a day.
 */
export const EVENT_GRID_RETRIES_MS: readonly number[] = [10_000, 30_000, 60_000];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One delivery and its retries: every attempt's answer, the last one 200 unless all failed. */
export async function deliverUntilTaken(
  baseUrl: string,
  body: string,
  retriesMs: readonly number[],
): Promise<DeliveryAnswer[]> {
  const attempts = [await deliver(baseUrl, body)];
  for (const wait of retriesMs) {
    const last = attempts[attempts.length - 1];
    if (last === undefined || last.status === 200 || [400, 403, 404, 413].includes(last.status)) {
      break;
    }
    await sleep(wait);
    attempts.push(await deliver(baseUrl, body));
  }
  return attempts;
}

/** Delivers `bodies` in order, `inFlight` at a time (a backlog, untimed), retrying as given. */
export async function deliverAll(
  baseUrl: string,
  bodies: readonly string[],
  inFlight: number,
  retriesMs: readonly number[],
): Promise<DeliveryAnswer[]> {
  const answers: DeliveryAnswer[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let body = bodies[next++]; body !== undefined; body = bodies[next++]) {
      answers.push(...(await deliverUntilTaken(baseUrl, body, retriesMs)));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return answers;
}
