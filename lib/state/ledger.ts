/**
 * The worker's ledgers, kept next to the idempotency record (one table partition per alert key):
 * - `ProcessingLedger`: processed once, whatever number of queue messages carry the alert;
 * - `DeliveryLedger`: per (alert key, outgoing message id, channel), what the channel has taken;
 * - `DeadLetterStore`: a channel's delivery that kept failing, with the exact body to replay.
 * Keys are generic strings: any policy that posts messages with stable ids can use them.
 */

/** One channel's delivery of one outgoing message caused by one queued alert. */
export interface DeliveryRef {
  /** The idempotency key of the queued alert (alert id + condition). */
  readonly sourceKey: string;
  /** Stable id of the outgoing message; one alert may cause several messages. */
  readonly messageId: string;
  /** The channel's name (`teams`, `webhook`). */
  readonly channel: string;
}

export type DeliveryState = 'pending' | 'accepted' | 'dead-lettered';

export interface DeliveryRecord {
  readonly state: DeliveryState;
  /** HTTP posts made so far, over every queue attempt. */
  readonly posts: number;
  /** Queue attempts (rounds) that tried this channel and failed. */
  readonly failedRounds: number;
  /** Posts whose outcome is unknown (time-out, reset): the channel may have taken them. */
  readonly unknownOutcomes: number;
  readonly status?: number;
  readonly lastError?: string;
  /** ISO time. */
  readonly updatedAt: string;
}

export interface DeliveryLedger {
  getDelivery(ref: DeliveryRef): Promise<DeliveryRecord | undefined>;
  putDelivery(ref: DeliveryRef, record: DeliveryRecord): Promise<void>;
}

/** `go`: this worker processes the alert; `done`: already processed; `busy`: another message holds it. */
export type ProcessingStart = 'go' | 'done' | 'busy';

export interface ProcessingLedger {
  /**
   * Takes the processing lease for `key`. `holder` is the queue message's id, stable over that
   * message's retries: a retry of the holder takes the lease back at once; another message
   * waits for the lease to expire.
   */
  startProcessing(key: string, holder: string, now: Date): Promise<ProcessingStart>;
  /** Marks the alert processed: every later message for it is dropped. */
  finishProcessing(key: string, holder: string, now: Date): Promise<void>;
  /** Gives the lease up after a failure, so the queue's retry (any message) can take it. */
  abandonProcessing(key: string, holder: string, now: Date): Promise<void>;
}

/**
 * Longer than the function time-out (host.json, 5 min), shorter than the queue's visibility
 * time-out for a crashed invocation (10 min): a dead holder's message comes back after it expired.
 */
export const PROCESSING_LEASE_MS = 6 * 60_000;

export interface DeadLetter {
  readonly ref: DeliveryRef;
  /** The exact body that was posted, so a replay posts the same message. */
  readonly payload: string;
  readonly status?: number;
  readonly error: string;
  readonly posts: number;
  /** ISO time. */
  readonly deadLetteredAt: string;
}

export interface DeadLetterStore {
  addDeadLetter(letter: DeadLetter): Promise<void>;
  /** Oldest first; only `channel`'s when given. */
  listDeadLetters(channel?: string): Promise<DeadLetter[]>;
  removeDeadLetter(ref: DeliveryRef): Promise<void>;
}

/** What the worker needs besides evidence and channels. */
export interface WorkerState {
  readonly processing: ProcessingLedger;
  readonly deliveries: DeliveryLedger;
  readonly deadLetters: DeadLetterStore;
}

/** Decides a lease from the stored record; shared by the adapters. */
export function leaseDecision(
  record:
    { readonly state: string; readonly holder: string; readonly leaseUntil: string } | undefined,
  holder: string,
  now: Date,
): ProcessingStart {
  if (record === undefined) return 'go';
  if (record.state === 'done') return 'done';
  if (record.holder === holder || Date.parse(record.leaseUntil) <= now.getTime()) return 'go';
  return 'busy';
}

/** Table of dead-lettered channel deliveries (Azure Storage), one partition per channel. */
export const DEAD_LETTER_TABLE_NAME = 'alertdeadletters';
