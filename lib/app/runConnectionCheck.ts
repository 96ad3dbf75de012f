/**
 * The check worker's use case (queue `connection-checks`): when an identity's reconnect grace
 * ends, it is either back (counted, no message) or still away, and then it becomes an alert that
 * goes through the same pipeline as any other: evidence, diagnosis, incident policy, render,
 * deliver. When it comes back after its alert, the follow-up goes the same way.
 */

import { idempotencyKey } from '../alerts/alert';
import { identityLabel } from '../connections/connectionEvent';
import { decideGraceCheck, type GraceVerdict } from '../connections/graceCheck';
import type { ConnectionCheck, IdentityState } from '../connections/identityState';
import { offlineAlert, returnedAlert } from '../connections/offlineAlert';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { ConnectionCheckQueue, ConnectionStateStore } from '../state/connectionStates';
import { buildReportOrNotice, type EnrichmentServices } from './enrichAlert';
import { processQueuedAlert } from './processQueuedAlert';

export interface ConnectionCheckServices extends EnrichmentServices {
  readonly connections: {
    readonly states: ConnectionStateStore;
    readonly checks: ConnectionCheckQueue;
  };
}

/**
 * The drop's Connections rows reach the workspace 1 to 5 minutes after it (ingestion plus the
 * resource-log delay): the check looks again every minute, five times at most, and then posts,
 * saying that the logs had not arrived.
 */
export const LOG_WAIT_SECONDS = 60;
export const MAX_LOG_WAITS = 5;
/** The hub's drop row is at most a snapshot (60 s) before the event's time, or shortly after. */
const DROP_ROW_TOLERANCE_MS = { before: 5 * 60_000, after: 2 * 60_000 };

export type CheckResult =
  | 'waiting'
  | 'back'
  | 'back-before-card'
  | 'waiting-for-logs'
  | 'alerted'
  | 'followed-up'
  | 'already-done';

/** Does the evidence hold the drop's own row (a disconnect of the device near the event)? */
export function dropLogged(report: EnrichedAlert, check: ConnectionCheck): boolean {
  const at = Date.parse(check.droppedAt);
  return (report.evidence?.deviceEvents ?? []).some(
    (event) =>
      event.deviceId === check.deviceId &&
      event.operation === 'deviceDisconnect' &&
      event.ms >= at - DROP_ROW_TOLERANCE_MS.before &&
      event.ms <= at + DROP_ROW_TOLERANCE_MS.after,
  );
}

/** Waiting helps only when the logs could be read and simply lack the row. */
function worthWaiting(report: EnrichedAlert): boolean {
  const evidence = report.evidence;
  return (
    evidence !== undefined &&
    !evidence.gaps.some((gap) => gap.startsWith('deviceTimeline: query failed'))
  );
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'unseen' : `${Math.round(ms / 1000)} s`;
}

async function countReturn(
  check: ConnectionCheck,
  verdict: Extract<GraceVerdict, { kind: 'back' }>,
  services: ConnectionCheckServices,
): Promise<void> {
  services.log.info(
    `${identityLabel(check)} on ${check.hubName} back within its ${check.graceSeconds} s grace (likely ${verdict.reason}, away ${seconds(verdict.awayMs)}): no message`,
  );
  try {
    await services.activity?.record({
      kind: 'reconnected-in-grace',
      hubResourceId: check.hubResourceId,
      at: check.droppedAt,
      key: `${identityLabel(check)}|${check.dropSequence}`,
    });
  } catch (error: unknown) {
    services.log.warn(
      `Activity ledger: could not count a return (${error instanceof Error ? error.name : 'unknown error'})`,
    );
  }
}

/**
 * Marks the drop as alerted before anything is posted, so that the identity's return is
 * followed up even if this worker dies mid-delivery. False when the record changed meanwhile.
 */
async function markAlerted(
  state: IdentityState | undefined,
  etag: string | undefined,
  check: ConnectionCheck,
  alertId: string,
  services: ConnectionCheckServices,
): Promise<boolean> {
  // No record (its write was lost): write one that remembers this drop.
  const next: IdentityState =
    state?.drop?.sequenceNumber === check.dropSequence
      ? { ...state, drop: { ...state.drop, alertId } }
      : {
          hubResourceId: check.hubResourceId,
          deviceId: check.deviceId,
          ...(check.moduleId !== undefined && { moduleId: check.moduleId }),
          hubName: check.hubName,
          sequenceNumber: check.dropSequence,
          state: 'disconnected',
          at: check.droppedAt,
          drop: { sequenceNumber: check.dropSequence, at: check.droppedAt, alertId },
        };
  return services.connections.states.write(next, state === undefined ? undefined : etag);
}

/** Lost races with the identity's own events are retried a few times, then by the queue. */
const MAX_ATTEMPTS = 4;

/**
 * A follow-up whose card is not processed yet looks again every minute, this many times at most
 * (counted in the check's `logWaits`): longer than the card's message stays invisible after its
 * worker died (10 min) plus the queue's retries of it. Then the queue's own retries, then poison.
 */
export const FOLLOW_UP_WAIT_SECONDS = 60;
export const MAX_FOLLOW_UP_WAITS = 15;

/** Was the check's drop marked alerted, and has the identity come back from it since? */
function markedThenBack(state: IdentityState | undefined, check: ConnectionCheck): boolean {
  const back = state?.lastReturn;
  return back?.dropSequence === check.dropSequence && back.alertId !== undefined;
}

async function checkGrace(
  check: ConnectionCheck,
  holder: string,
  services: ConnectionCheckServices,
): Promise<CheckResult> {
  const { states, checks } = services.connections;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await states.read(check);
    const now = services.now();
    const verdict = decideGraceCheck(stored?.state, check, now);
    if (verdict.kind !== 'wait' && markedThenBack(stored?.state, check)) {
      // The drop was marked alerted and the identity came back before the card went out (the
      // worker died in between): its return scheduled the follow-up, which waits for the card.
      // The card goes now (once: the pipeline's lease and ledger), not a return within the grace.
      return deliver(offlineAlert(check, now, true), holder, services);
    }
    switch (verdict.kind) {
      case 'wait':
        await checks.schedule(check, verdict.delaySeconds);
        return 'waiting';
      case 'back':
        await countReturn(check, verdict, services);
        return 'back';
      case 'back-before-card':
        services.log.info(
          `${identityLabel(check)} on ${check.hubName} came back after ${seconds(verdict.awayMs)}, before its card (the logs were late): no message`,
        );
        return 'back-before-card';
      case 'away':
        break;
    }
    const alert = offlineAlert(check, now, true);
    if (verdict.alertId !== undefined) {
      // A retry after the decision: the pipeline's lease and ledger make it post once, and the
      // card still says whether the drop's rows had arrived.
      const retried = await buildReportOrNotice(alert, services);
      const told = dropLogged(retried, check)
        ? retried
        : { ...retried, alert: offlineAlert(check, now, false) };
      return deliver(told.alert, holder, services, told);
    }
    const report = await buildReportOrNotice(alert, services);
    const logged = dropLogged(report, check);
    if (!logged && worthWaiting(report) && check.logWaits < MAX_LOG_WAITS) {
      await checks.schedule({ ...check, logWaits: check.logWaits + 1 }, LOG_WAIT_SECONDS);
      services.log.info(
        `${identityLabel(check)} still away; its drop is not in the logs yet (wait ${check.logWaits + 1} of ${MAX_LOG_WAITS})`,
      );
      return 'waiting-for-logs';
    }
    if (!(await markAlerted(stored?.state, stored?.etag, check, alert.id, services))) continue;
    const final: EnrichedAlert = logged
      ? report
      : { ...report, alert: offlineAlert(check, now, false) };
    return deliver(final.alert, holder, services, final);
  }
  throw new Error(`The record of ${identityLabel(check)} kept changing; the queue retries`);
}

async function deliver(
  alert: EnrichedAlert['alert'],
  holder: string,
  services: ConnectionCheckServices,
  report?: EnrichedAlert,
): Promise<CheckResult> {
  const result = await processQueuedAlert(
    { version: 1, alert, receivedAt: services.now().toISOString() },
    holder,
    services,
    report,
  );
  return result === 'processed' ? 'alerted' : 'already-done';
}

/**
 * The identity came back after its alert: the Resolved goes through the policy, which names the
 * original message (or counts the device back in its incident). It waits for the Fired to be
 * processed, so that the follow-up never comes before the card it follows.
 */
async function followUp(
  check: ConnectionCheck,
  holder: string,
  services: ConnectionCheckServices,
): Promise<CheckResult> {
  const fired = offlineAlert(check, new Date(check.droppedAt), true);
  const firedKey = idempotencyKey(fired);
  // Read only: taking the card's lease here could make its own retry drop it.
  if (!(await services.state.processing.wasProcessed(firedKey))) {
    // The card's worker may have died after marking the drop or after posting: its message comes
    // back only when the queue's visibility ends, later than the queue's retries of this one
    // (30 s apart) would end in the poison queue. Wait for it.
    if (check.logWaits < MAX_FOLLOW_UP_WAITS) {
      await services.connections.checks.schedule(
        { ...check, logWaits: check.logWaits + 1 },
        FOLLOW_UP_WAIT_SECONDS,
      );
      services.log.info(
        `${identityLabel(check)} is back; its offline alert is not processed yet (wait ${check.logWaits + 1} of ${MAX_FOLLOW_UP_WAITS})`,
      );
      return 'waiting';
    }
    throw new Error(`The offline alert of ${identityLabel(check)} is not processed yet; retry`);
  }
  const alert = returnedAlert(check, services.now());
  // No evidence: the follow-up needs only the memo of the Fired and the connection's own times.
  const report: EnrichedAlert = { alert, enrichedAt: services.now().toISOString() };
  const result = await processQueuedAlert(
    { version: 1, alert, receivedAt: services.now().toISOString() },
    holder,
    services,
    report,
  );
  return result === 'processed' ? 'followed-up' : 'already-done';
}

export async function runConnectionCheck(
  check: ConnectionCheck,
  holder: string,
  services: ConnectionCheckServices,
): Promise<CheckResult> {
  return check.kind === 'returned'
    ? followUp(check, holder, services)
    : checkGrace(check, holder, services);
}
