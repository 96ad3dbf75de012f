/**
 * The worker's delivery ledger: per (alert key, outgoing message id, channel), what the channel
 * has taken, so that a retry posts only to the channels that have not. Keys are generic strings:
 * any policy that posts messages with stable ids can use it.
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
