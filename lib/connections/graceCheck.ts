/**
 * The reconnect grace's verdict: when a drop's check comes due, is the device back (no message),
 * or still away (an alert through the pipeline)? Pure: the check worker reads the identity's
 * record and acts on the answer.
 */

import { compareSequence } from './connectionEvent';
import type { ConnectionCheck, IdentityState } from './identityState';

/** Why a device that came back within the grace most likely dropped. */
export type ReturnReason = 'renewal' | 'brief drop' | 'blip';

export type GraceVerdict =
  /** Fired early (a clock or a queue ahead of time): check again after the rest of the grace. */
  | { readonly kind: 'wait'; readonly delaySeconds: number }
  /** Back within the grace: counted for the digest, no message. */
  | { readonly kind: 'back'; readonly reason: ReturnReason; readonly awayMs?: number }
  /** Back after the grace, while the check still waited for the logs: no card was posted. */
  | { readonly kind: 'back-before-card'; readonly awayMs: number }
  /** Still away: an offline alert (already decided when `alertId` is set: a retry). */
  | { readonly kind: 'away'; readonly alertId?: string };

/**
 * SAS renewals come back at once, on a steady period: tokens live an hour or more and SDKs renew
 * them a while before they expire. A quick return whose previous drop was 20 min to a day ago
 * is most likely one; a quick return with no such rhythm is a brief drop.
 */
const RENEWAL_PERIOD_MS = { min: 20 * 60_000, max: 25 * 3_600_000 };

function reasonOf(state: IdentityState, droppedAt: string): ReturnReason {
  if (state.previousDropAt === undefined) return 'brief drop';
  const period = Date.parse(droppedAt) - Date.parse(state.previousDropAt);
  return period >= RENEWAL_PERIOD_MS.min && period <= RENEWAL_PERIOD_MS.max
    ? 'renewal'
    : 'brief drop';
}

export function decideGraceCheck(
  state: IdentityState | undefined,
  check: ConnectionCheck,
  now: Date,
): GraceVerdict {
  const early = Date.parse(check.dueAt) - now.getTime();
  if (check.logWaits === 0 && early > 1000) {
    return { kind: 'wait', delaySeconds: Math.ceil(early / 1000) };
  }
  // No record, or one older than the drop: its write was lost after the check was scheduled.
  // The check itself is the evidence of the drop, and nothing says the device came back.
  if (state === undefined || compareSequence(state.sequenceNumber, check.dropSequence) < 0) {
    return { kind: 'away' };
  }
  if (state.drop?.sequenceNumber === check.dropSequence) {
    return state.drop.alertId === undefined
      ? { kind: 'away' }
      : { kind: 'away', alertId: state.drop.alertId };
  }
  const back = state.lastReturn;
  if (back?.dropSequence === check.dropSequence) {
    const awayMs = Math.max(0, Date.parse(back.returnedAt) - Date.parse(back.droppedAt));
    if (check.logWaits > 0 && awayMs > check.graceSeconds * 1000) {
      return { kind: 'back-before-card', awayMs };
    }
    return { kind: 'back', reason: reasonOf(state, check.droppedAt), awayMs };
  }
  // A newer drop has its own check: this one came back in between, unseen by any snapshot.
  return { kind: 'back', reason: 'blip' };
}
