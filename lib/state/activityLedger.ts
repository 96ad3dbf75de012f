/**
 * What the enricher itself did, per hub: the "what the enricher did" section of the daily digest.
 * Recording is idempotent by `key`, so a queue retry does not count an alert twice.
 */

export const ACTIVITY_KINDS = [
  'alert-received',
  'incident-opened',
  'card-posted',
  'renewal-kept-quiet',
  'dead-lettered',
  'dead-letter-replayed',
  'reconnected-in-grace',
  'connection-blip',
  'held-by-silence',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/**
 * The kinds this code base records: the worker (alerts received), the use case (cards posted,
 * incidents opened, renewals kept quiet by `RENEWAL_POLICY`), the connection-event path (returns
 * within the reconnect grace, blips). Dead letters are not recorded here:
 * the digest counts the ones waiting in the dead-letter store itself.
 */
export const RECORDED_ACTIVITY_KINDS: readonly ActivityKind[] = [
  'alert-received',
  'card-posted',
  'incident-opened',
  'renewal-kept-quiet',
  'reconnected-in-grace',
  'connection-blip',
  'held-by-silence',
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

/**
 * A figure this deployment does not record is `undefined`, never 0: the digest then says it is
 * not tracked instead of claiming nothing happened.
 */
export interface ActivitySummary {
  readonly alertsReceived?: number;
  readonly incidentsOpened?: number;
  readonly cardsPosted?: number;
  readonly renewalsKeptQuiet?: number;
  /** Dead letters recorded in the period and not replayed since. */
  readonly deadLettersWaiting?: number;
  /** Connection events: drops the identity came back from within its reconnect grace. */
  readonly reconnectsInGrace?: number;
  /** Connection events: a connected snapshot after a connected one (a drop nobody saw). */
  readonly connectionBlips?: number;
  /** Alerts whose messages silences or maintenance windows held back. */
  readonly heldBySilences?: number;
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
    reconnectsInGrace: countOf('reconnected-in-grace'),
    connectionBlips: countOf('connection-blip'),
    heldBySilences: countOf('held-by-silence'),
  };
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined));
}
