/**
 * What the enricher itself did, per hub: the "what the enricher did" section of the daily digest.
 *
 * A port with two adapters (`InMemoryActivityLedger` here, `TableActivityLedger` on Azure Table
 * storage). Recording is idempotent by `key` (a queue retry does not count an alert twice), and a
 * figure this deployment does not record is `undefined` in the summary, never 0: the digest then
 * says it is not tracked instead of claiming nothing happened.
 */

import type { Alert } from '../alerts/alert';
import type { Logger } from '../logger';

export const ACTIVITY_KINDS = [
  'alert-received',
  'incident-opened',
  'card-posted',
  'renewal-kept-quiet',
  'dead-lettered',
  'dead-letter-replayed',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/**
 * The kinds this code base records: the worker (alerts received), the use case (cards posted,
 * incidents opened, renewals kept quiet by `RENEWAL_POLICY`). Dead letters are not recorded here:
 * the digest counts the ones waiting in the dead-letter store itself.
 */
export const RECORDED_ACTIVITY_KINDS: readonly ActivityKind[] = [
  'alert-received',
  'card-posted',
  'incident-opened',
  'renewal-kept-quiet',
];

export interface ActivityEvent {
  readonly kind: ActivityKind;
  /** Lower-cased IoT hub ARM resource ID. */
  readonly hubResourceId: string;
  /** ISO 8601 UTC. */
  readonly at: string;
  /** Same kind and key twice counts once (retries, re-deliveries). */
  readonly key: string;
}

export interface ActivitySummary {
  readonly alertsReceived?: number;
  readonly incidentsOpened?: number;
  readonly cardsPosted?: number;
  readonly renewalsKeptQuiet?: number;
  /** Dead letters recorded in the period and not replayed since. */
  readonly deadLettersWaiting?: number;
}

export interface ActivityLedger {
  record(event: ActivityEvent): Promise<void>;
  /** Counts over [since, until) for one hub; figures of kinds not tracked are absent. */
  summarise(hubResourceId: string, since: string, until: string): Promise<ActivitySummary>;
}

/** Counts a window's events into a summary, given which kinds are tracked. */
export function summariseEvents(
  events: readonly Pick<ActivityEvent, 'kind' | 'key'>[],
  tracked: readonly ActivityKind[],
): ActivitySummary {
  const keys = (kind: ActivityKind): Set<string> =>
    new Set(events.filter((e) => e.kind === kind).map((e) => e.key));
  const countOf = (kind: ActivityKind): number | undefined =>
    tracked.includes(kind) ? keys(kind).size : undefined;
  const replayed = keys('dead-letter-replayed');
  const waiting =
    tracked.includes('dead-lettered') && tracked.includes('dead-letter-replayed')
      ? [...keys('dead-lettered')].filter((key) => !replayed.has(key)).length
      : undefined;
  const summary: Record<string, number | undefined> = {
    alertsReceived: countOf('alert-received'),
    incidentsOpened: countOf('incident-opened'),
    cardsPosted: countOf('card-posted'),
    renewalsKeptQuiet: countOf('renewal-kept-quiet'),
    deadLettersWaiting: waiting,
  };
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined));
}

export class InMemoryActivityLedger implements ActivityLedger {
  private readonly events = new Map<string, ActivityEvent>();

  constructor(private readonly tracked: readonly ActivityKind[] = RECORDED_ACTIVITY_KINDS) {}

  record(event: ActivityEvent): Promise<void> {
    const hub = event.hubResourceId.toLowerCase();
    this.events.set(`${hub}|${event.kind}|${event.key}`, { ...event, hubResourceId: hub });
    return Promise.resolve();
  }

  summarise(hubResourceId: string, since: string, until: string): Promise<ActivitySummary> {
    const hub = hubResourceId.toLowerCase();
    const start = Date.parse(since);
    const end = Date.parse(until);
    const inWindow = [...this.events.values()].filter((e) => {
      const at = Date.parse(e.at);
      return e.hubResourceId === hub && at >= start && at < end;
    });
    return Promise.resolve(summariseEvents(inWindow, this.tracked));
  }
}

/**
 * Records one event per hub the alert names. Never throws: the ledger is bookkeeping, and a
 * storage hiccup must not fail (and so re-post) an alert.
 */
export async function recordAlertActivity(
  ledger: ActivityLedger | undefined,
  kind: ActivityKind,
  alert: Pick<Alert, 'id' | 'condition' | 'hubResourceIds'>,
  at: Date,
  log: Logger,
): Promise<void> {
  if (!ledger) return;
  const key = `${alert.id.toLowerCase()}|${alert.condition}`;
  try {
    await Promise.all(
      alert.hubResourceIds.map((hubResourceId) =>
        ledger.record({ kind, hubResourceId, at: at.toISOString(), key }),
      ),
    );
  } catch (error: unknown) {
    log.warn(
      `Activity ledger: could not record ${kind} for alert ${alert.id}: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  }
}
