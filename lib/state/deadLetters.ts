/** The dead letters: a channel's delivery that kept failing, with the exact body to replay. */

import type { DeliveryRef } from './deliveryLedger';

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

/** Table of dead-lettered channel deliveries (Azure Storage), one partition per channel. */
export const DEAD_LETTER_TABLE_NAME = 'alertdeadletters';
