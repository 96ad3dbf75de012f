/**
 * Idempotency at intake: a record that an alert instance and condition is durably queued. A
 * duplicate that slips through is dropped by the worker's processing lease. The sequence and its
 * crash points are in docs/reliability.md.
 */

export interface AlertStore {
  /** True when an earlier request for this key was durably queued. */
  wasQueued(key: string): Promise<boolean>;
  /**
   * Records that the key is durably queued; call only after the enqueue succeeded, so that a
   * retry after any failure is queued again.
   */
  markQueued(key: string): Promise<void>;
}

/** Table used by `TableAlertStore`, and next to it the processing and delivery ledgers. */
export const IDEMPOTENCY_TABLE_NAME = 'alertdedupe';
