/** Idempotency: one delivery per alert instance and condition, however often Azure sends it. */

export interface AlertStore {
  /** Records the key; false when it was already recorded (a retry or a re-fire). */
  claim(key: string): Promise<boolean>;
  /** Forgets the key, so that a retry after a failed hand-off is processed. */
  release(key: string): Promise<void>;
}

/** Table used by `TableAlertStore`. */
export const IDEMPOTENCY_TABLE_NAME = 'alertdedupe';
