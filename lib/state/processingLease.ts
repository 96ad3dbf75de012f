/**
 * The worker's processing lease: an alert is processed once, whatever number of queue messages
 * carry it. Kept next to the idempotency record (one table partition per alert key).
 */

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
  /** Reads, never takes: has the alert been processed? */
  wasProcessed(key: string): Promise<boolean>;
}

/**
 * Longer than the function time-out (host.json, 5 min), shorter than the queue's visibility
 * time-out for a crashed invocation (10 min): a dead holder's message comes back after it expired.
 */
export const PROCESSING_LEASE_MS = 6 * 60_000;

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
