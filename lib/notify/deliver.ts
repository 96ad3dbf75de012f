/**
 * Delivers one outgoing message to every channel, once per channel, through the delivery ledger:
 * a channel that already took the message (on an earlier queue attempt) is skipped; one that
 * refuses it for good (4xx other than 408/429), or keeps failing for `maxFailedRounds` queue
 * attempts, is dead-lettered with the exact body to replay, without re-posting to the others.
 */

import { createHash } from 'node:crypto';

import type { Logger } from '../common/logger';
import type { DeadLetterStore } from '../state/deadLetters';
import type { DeliveryLedger, DeliveryRecord, DeliveryRef } from '../state/deliveryLedger';
import { DeliveryError } from './httpDelivery';
import type { MessageFormat, Notifier } from './notifier';

export interface Delivery {
  /** The idempotency key of the queued alert this message answers. */
  readonly sourceKey: string;
  /** Stable id of the message: the same on every retry of the queue message. */
  readonly messageId: string;
  /** The exact body for a channel's format (rendered once per channel that still needs it). */
  readonly bodyFor: (format: MessageFormat) => string;
}

export interface DeliveryPorts {
  readonly ledger: DeliveryLedger;
  readonly deadLetters: DeadLetterStore;
  readonly log: Logger;
  readonly now: () => Date;
  /** Queue attempts a channel may fail before its delivery is dead-lettered. */
  readonly maxFailedRounds?: number;
}

/**
 * Below the queue's `maxDequeueCount` (5, host.json): a failing channel is dead-lettered by
 * itself before the whole queue message would go to the poison queue.
 */
export const MAX_FAILED_ROUNDS = 3;

export type ChannelResult =
  'accepted' | 'already-accepted' | 'dead-lettered' | 'already-dead-lettered' | 'pending';

export interface ChannelOutcome {
  readonly channel: string;
  readonly result: ChannelResult;
  /** Posts made in this call. */
  readonly posts: number;
  /** Posts in this call whose outcome was unknown (time-out, reset). */
  readonly unknownOutcomes: number;
  readonly status?: number;
  readonly error?: string;
}

/** Same for every retry and replay of one channel's delivery of one message. */
export function deliveryIdempotencyKey(ref: DeliveryRef): string {
  return createHash('sha256')
    .update(`${ref.sourceKey}\n${ref.messageId}\n${ref.channel}`)
    .digest('hex')
    .slice(0, 32);
}

/** True when every channel has either taken the message or holds it as a dead letter. */
export function isSettled(outcomes: readonly ChannelOutcome[]): boolean {
  return outcomes.every((o) => o.result !== 'pending');
}

export async function deliver(
  message: Delivery,
  notifiers: readonly Notifier[],
  ports: DeliveryPorts,
): Promise<ChannelOutcome[]> {
  // Channels are independent; a ledger failure in one throws, and the queue retries all,
  // which the ledger makes safe.
  return Promise.all(notifiers.map((notifier) => deliverTo(message, notifier, ports)));
}

async function deliverTo(
  message: Delivery,
  notifier: Notifier,
  ports: DeliveryPorts,
): Promise<ChannelOutcome> {
  const ref: DeliveryRef = {
    sourceKey: message.sourceKey,
    messageId: message.messageId,
    channel: notifier.name,
  };
  const before = await ports.ledger.getDelivery(ref);
  const base = { channel: notifier.name, posts: 0, unknownOutcomes: 0 };
  if (before?.state === 'accepted') return { ...base, result: 'already-accepted' };
  if (before?.state === 'dead-lettered') return { ...base, result: 'already-dead-lettered' };

  const body = message.bodyFor(notifier.format);
  const record = (
    state: DeliveryRecord['state'],
    extra: Partial<DeliveryRecord>,
  ): DeliveryRecord => ({
    state,
    posts: (before?.posts ?? 0) + (extra.posts ?? 0),
    failedRounds: before?.failedRounds ?? 0,
    unknownOutcomes: (before?.unknownOutcomes ?? 0) + (extra.unknownOutcomes ?? 0),
    ...(extra.status !== undefined && { status: extra.status }),
    ...(extra.lastError !== undefined && { lastError: extra.lastError }),
    ...(extra.failedRounds !== undefined && { failedRounds: extra.failedRounds }),
    updatedAt: ports.now().toISOString(),
  });

  try {
    const receipt = await notifier.post(body, { idempotencyKey: deliveryIdempotencyKey(ref) });
    await ports.ledger.putDelivery(ref, record('accepted', receipt));
    if (receipt.unknownOutcomes > 0) {
      ports.log.warn(
        `${notifier.name}: message ${message.messageId} accepted after ${receipt.unknownOutcomes} post(s) with unknown outcome; ${notifier.format === 'webhook' ? 'the receiver can deduplicate on Idempotency-Key' : 'the channel may show it more than once'}`,
      );
    }
    return {
      ...base,
      result: 'accepted',
      posts: receipt.posts,
      unknownOutcomes: receipt.unknownOutcomes,
      status: receipt.status,
    };
  } catch (error: unknown) {
    if (!(error instanceof DeliveryError)) throw error;
    const failedRounds = (before?.failedRounds ?? 0) + 1;
    // Not retryable: refused for good, or an unknown outcome on a channel without idempotency.
    const permanent = !error.retryable;
    const giveUp = permanent || failedRounds >= (ports.maxFailedRounds ?? MAX_FAILED_ROUNDS);
    const failure = {
      posts: error.posts,
      unknownOutcomes: error.unknownOutcomes,
      failedRounds,
      lastError: error.message,
      ...(error.status !== undefined && { status: error.status }),
    };
    const outcome = {
      ...base,
      posts: error.posts,
      unknownOutcomes: error.unknownOutcomes,
      error: error.message,
      ...(error.status !== undefined && { status: error.status }),
    };
    if (!giveUp) {
      await ports.ledger.putDelivery(ref, record('pending', failure));
      ports.log.warn(
        `${notifier.name}: ${error.message}; the queue will retry (round ${failedRounds})`,
      );
      return { ...outcome, result: 'pending' };
    }
    // The letter first: a crash before the ledger write only re-posts on the next attempt.
    await ports.deadLetters.addDeadLetter({
      ref,
      payload: body,
      ...(error.status !== undefined && { status: error.status }),
      error: error.message,
      posts: (before?.posts ?? 0) + error.posts,
      deadLetteredAt: ports.now().toISOString(),
    });
    await ports.ledger.putDelivery(ref, record('dead-lettered', failure));
    const why =
      error.outcomeUnknown && permanent
        ? 'outcome unknown; check the channel before replaying'
        : permanent
          ? 'refused'
          : `${failedRounds} failed rounds`;
    ports.log.error(
      `${notifier.name}: message ${message.messageId} dead-lettered (${why}): ${error.message}; replay with \`enricher replay --channel ${notifier.name}\``,
    );
    return { ...outcome, result: 'dead-lettered' };
  }
}

/** Posts a dead letter again to its channel; on success the ledger records it and it is removed. */
export async function replayDeadLetter(
  letter: { readonly ref: DeliveryRef; readonly payload: string },
  notifier: Notifier,
  ports: Pick<DeliveryPorts, 'ledger' | 'deadLetters' | 'now'>,
): Promise<ChannelOutcome> {
  const before = await ports.ledger.getDelivery(letter.ref);
  const receipt = await notifier.post(letter.payload, {
    idempotencyKey: deliveryIdempotencyKey(letter.ref),
  });
  await ports.ledger.putDelivery(letter.ref, {
    state: 'accepted',
    posts: (before?.posts ?? 0) + receipt.posts,
    failedRounds: before?.failedRounds ?? 0,
    unknownOutcomes: (before?.unknownOutcomes ?? 0) + receipt.unknownOutcomes,
    status: receipt.status,
    updatedAt: ports.now().toISOString(),
  });
  await ports.deadLetters.removeDeadLetter(letter.ref);
  return {
    channel: notifier.name,
    result: 'accepted',
    posts: receipt.posts,
    unknownOutcomes: receipt.unknownOutcomes,
    status: receipt.status,
  };
}
