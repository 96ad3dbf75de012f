/**
 * Applies one connection event to its identity's record: one read, at most one write and at most
 * one scheduled check (a lost write race reads again). The check is scheduled before the record
 * is written: a crash in between leaves a check with no record, which the check still honours
 * (docs/connection-events.md), whereas the other order would lose the drop, because Event Grid's
 * retry of the event would find it already recorded.
 */

import { identityLabel, type DeviceConnectionEvent } from '../connections/connectionEvent';
import { applyConnectionEvent } from '../connections/identityState';
import type { Logger } from '../common/logger';
import type { ActivityLedger } from '../state/activityLedger';
import type { ConnectionCheckQueue, ConnectionStateStore } from '../state/connectionStates';

export interface ConnectionIntakeServices {
  readonly states: ConnectionStateStore;
  readonly checks: ConnectionCheckQueue;
  /** Where blips are counted for the digest (bookkeeping: never fails an event). */
  readonly activity?: ActivityLedger;
  /** Lower-cased hub IDs whose events are taken; empty takes every hub. */
  readonly watchedHubs: readonly string[];
  /** The hub's reconnect grace, in seconds. */
  readonly graceSecondsOf: (hubResourceId: string) => number;
  readonly log: Logger;
  readonly now: () => Date;
}

export type AcceptOutcome = 'recorded' | 'duplicate' | 'stale' | 'other-hub';

/** Lost races are rare (two events of one identity at once); a few re-reads settle them. */
const MAX_WRITE_ATTEMPTS = 5;

export async function acceptConnectionEvent(
  event: DeviceConnectionEvent,
  services: ConnectionIntakeServices,
): Promise<AcceptOutcome> {
  const { watchedHubs } = services;
  if (watchedHubs.length > 0 && !watchedHubs.includes(event.hubResourceId)) return 'other-hub';
  const grace = services.graceSecondsOf(event.hubResourceId);
  let scheduledDrop: string | undefined;
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const stored = await services.states.read(event);
    const now = services.now();
    const outcome = applyConnectionEvent(stored?.state, event, grace, now);
    if (outcome.kind !== 'recorded') return outcome.kind;
    const { check } = outcome;
    const key = check && `${check.kind}|${check.dropSequence}`;
    if (check && key !== scheduledDrop) {
      const delay = Math.max(0, (Date.parse(check.dueAt) - now.getTime()) / 1000);
      await services.checks.schedule(check, delay);
      scheduledDrop = key;
    }
    if (!(await services.states.write(outcome.next, stored?.etag))) continue;
    if (outcome.blip) await recordBlip(event, services);
    return 'recorded';
  }
  throw new Error(
    `The record of ${identityLabel(event)} kept changing under ${MAX_WRITE_ATTEMPTS} attempts`,
  );
}

async function recordBlip(
  event: DeviceConnectionEvent,
  services: ConnectionIntakeServices,
): Promise<void> {
  services.log.info(
    `${identityLabel(event)} on ${event.hubName}: connected again with a new sequence number (a blip between two snapshots)`,
  );
  try {
    await services.activity?.record({
      kind: 'connection-blip',
      hubResourceId: event.hubResourceId,
      at: event.eventTime,
      key: `${identityLabel(event)}|${event.sequenceNumber}`,
    });
  } catch (error: unknown) {
    services.log.warn(
      `Activity ledger: could not count a blip (${error instanceof Error ? error.name : 'unknown error'})`,
    );
  }
}
