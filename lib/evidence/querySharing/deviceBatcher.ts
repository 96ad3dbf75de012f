/**
 * Micro-batching of per-device questions (timelines, drop histories), so that a storm of
 * one-device alerts of one hub reads its devices in a few queries instead of one per alert.
 */

import type { TimeWindow } from '../../alerts/alert';
import { MAX_DEVICES_PER_BATCH } from '../batchedTimelineKql';
import type { SourceAnswer } from '../evidenceSource';
import type { EvidenceQuery } from '../kql';
import { alignToBins, hubsKey, SHARE_BIN_MINUTES } from './evidenceBins';
import type { Clock } from './queryLimiter';

export type ReadDevices<T> = (query: EvidenceQuery) => Promise<SourceAnswer<T>>;

/** What one kind of per-device question needs to be batched. */
export interface BatchKind<T> {
  /** The query for the batch's devices over its span (throws when it cannot be built). */
  batchQuery(
    hubResourceIds: readonly string[],
    deviceIds: readonly string[],
    span: TimeWindow,
  ): EvidenceQuery;
  /** One alert's share of a batched answer. */
  split(query: EvidenceQuery, answer: SourceAnswer<T>): SourceAnswer<T>;
}

/** A kind's `batchQuery`: the named query over the batch's devices and span. */
export function batchQueryOf(
  name: EvidenceQuery['name'],
  build: (hubResourceIds: readonly string[], deviceIds: readonly string[]) => string,
): BatchKind<unknown>['batchQuery'] {
  return (hubResourceIds, deviceIds, span) => ({
    name,
    query: build(hubResourceIds, deviceIds),
    timespan: span,
    filter: { hubResourceIds, deviceIds },
  });
}

export interface DeviceBatcherOptions {
  /**
   * How long a question waits for others while its hubs are busy (a query of theirs in flight,
   * or answered less than this long ago); a question of quiet hubs does not wait.
   */
  readonly delayMs: number;
  /** Devices per batch (default and maximum 50). */
  readonly maxDevices?: number;
  readonly clock: Clock;
}

export interface DeviceBatcherStats {
  /** Questions asked. */
  readonly requested: number;
  /** Queries sent that read several alerts' devices. */
  readonly batchedQueries: number;
  /** Queries sent for one alert alone. */
  readonly singleQueries: number;
}

interface Waiting<T> {
  readonly query: EvidenceQuery;
  readonly resolve: (answer: SourceAnswer<T>) => void;
  readonly reject: (reason: unknown) => void;
}

/** One hub set: its queries in flight, its recent answers and its waiting batches. */
interface Hubs<T> {
  readonly key: string;
  inFlight: number;
  /** Answers received so far (each one restarts the waits of the batches open then). */
  answers: number;
  /** Whether an answer came less than `delayMs` ago. */
  recent: boolean;
  readonly open: Batch<T>[];
}

interface Batch<T> {
  readonly hubs: Hubs<T>;
  readonly first: EvidenceQuery;
  readonly waiting: Waiting<T>[];
  readonly devices: Set<string>;
  /** The union of the members' spans. */
  span: { start: number; end: number };
  sent: boolean;
  /** Which of the batch's waits counts: an answer starts a new one. */
  wait: number;
}

/** A question joins a batch whose first span differs from its own by at most this at each end. */
const JOIN_TOLERANCE_MS = SHARE_BIN_MINUTES * 60_000;

function spanOf(query: EvidenceQuery): { start: number; end: number } {
  return { start: Date.parse(query.timespan.start), end: Date.parse(query.timespan.end) };
}

/**
 * Questions of one hub set (over spans within 5 minutes of each other at either end) are read in
 * one query for up to 50 devices, over the union of their spans rounded out to 5-minute bins, and
 * the answer is split back per alert. A batch of one sends the alert's own query unchanged. What a
 * batched query reads and how it splits is the `BatchKind`'s business.
 *
 * When a batch goes (timed by the clock's `sleep` alone: the app's `now` may be a fixed test time):
 * - Quiet hubs (nothing in flight, no answer in the last `delayMs`): at the end of the current
 *   turn of the event loop, with whatever else was asked in that turn; no timer. A lone alert
 *   costs one round trip.
 * - Busy hubs: `delayMs` after the later of the batch's opening and the hubs' last answer, at
 *   most twice `delayMs` after its opening, or at once when full. Not as soon as the query in
 *   flight is answered: a storm's alerts ask for their next devices over the tens of milliseconds
 *   after an answer (each is diagnosed and delivered in turn), so sending on every answer paces
 *   the queries by the service's round trip instead of by the alerts, and splits the alerts into
 *   groups that each wait for the other's answer (against the local server: about one query per
 *   alert with 429s when it answers at once, twice the queries at 300 ms). Waiting `delayMs`
 *   from the last answer gathers the alerts that answer woke, so a storm still makes one batch
 *   per round.
 */
export class DeviceBatcher<T> {
  /** Hub sets that are not quiet. */
  private readonly hubs = new Map<string, Hubs<T>>();
  private readonly maxDevices: number;
  private requested = 0;
  private batchedQueries = 0;
  private singleQueries = 0;

  constructor(
    private readonly read: ReadDevices<T>,
    private readonly kind: BatchKind<T>,
    private readonly options: DeviceBatcherOptions,
  ) {
    this.maxDevices = Math.min(options.maxDevices ?? MAX_DEVICES_PER_BATCH, MAX_DEVICES_PER_BATCH);
  }

  ask(query: EvidenceQuery): Promise<SourceAnswer<T>> {
    this.requested++;
    const devices = query.filter.deviceIds;
    const span = spanOf(query);
    if (
      devices.length === 0 ||
      devices.length > this.maxDevices ||
      query.filter.hubResourceIds.length === 0 ||
      !Number.isFinite(span.start) ||
      !Number.isFinite(span.end)
    ) {
      this.singleQueries++;
      return this.read(query);
    }
    const hubs = this.hubsOf(hubsKey(query.filter.hubResourceIds));
    let batch = hubs.open.find((open) => fits(open, span));
    if (batch !== undefined && this.wouldOverflow(batch, devices)) {
      this.send(batch);
      batch = undefined;
    }
    batch ??= this.start(hubs, query);
    const joined = batch;
    const answer = new Promise<SourceAnswer<T>>((resolve, reject) => {
      joined.waiting.push({ query, resolve, reject });
    });
    for (const device of devices) joined.devices.add(device);
    joined.span = {
      start: Math.min(joined.span.start, span.start),
      end: Math.max(joined.span.end, span.end),
    };
    if (joined.devices.size >= this.maxDevices) this.send(joined);
    return answer;
  }

  stats(): DeviceBatcherStats {
    return {
      requested: this.requested,
      batchedQueries: this.batchedQueries,
      singleQueries: this.singleQueries,
    };
  }

  private hubsOf(key: string): Hubs<T> {
    let hubs = this.hubs.get(key);
    if (hubs === undefined) {
      hubs = { key, inFlight: 0, answers: 0, recent: false, open: [] };
      this.hubs.set(key, hubs);
    }
    return hubs;
  }

  private wouldOverflow(batch: Batch<T>, devices: readonly string[]): boolean {
    const added = devices.filter((device) => !batch.devices.has(device)).length;
    return batch.devices.size + added > this.maxDevices;
  }

  private start(hubs: Hubs<T>, first: EvidenceQuery): Batch<T> {
    const batch: Batch<T> = {
      hubs,
      first,
      waiting: [],
      devices: new Set(),
      span: spanOf(first),
      sent: false,
      wait: 0,
    };
    hubs.open.push(batch);
    if (hubs.inFlight === 0 && !hubs.recent) {
      // Not a wait: what is asked in this same turn (one alert's devices, a burst) joins it.
      setImmediate(() => {
        this.send(batch);
      });
      return batch;
    }
    this.waitFor(batch);
    void this.options.clock.sleep(2 * this.options.delayMs).then(() => {
      this.send(batch);
    });
    return batch;
  }

  /** Sends the batch `delayMs` from now unless an answer of its hubs comes first. */
  private waitFor(batch: Batch<T>): void {
    const wait = ++batch.wait;
    void this.options.clock.sleep(this.options.delayMs).then(() => {
      if (batch.wait === wait) this.send(batch);
    });
  }

  private send(batch: Batch<T>): void {
    if (batch.sent) return;
    batch.sent = true;
    const { hubs } = batch;
    hubs.open.splice(hubs.open.indexOf(batch), 1);
    hubs.inFlight++;
    void this.answer(batch);
  }

  /** Reads the batch and settles its members; never rejects. */
  private async answer(batch: Batch<T>): Promise<void> {
    const { hubs, waiting } = batch;
    const only = waiting.length === 1 ? waiting[0] : undefined;
    if (only !== undefined) this.singleQueries++;
    else this.batchedQueries++;
    let answer: SourceAnswer<T>;
    try {
      answer = await this.read(only?.query ?? this.batchQuery(batch));
    } catch (error: unknown) {
      this.answered(hubs);
      for (const member of waiting) member.reject(error);
      return;
    }
    this.answered(hubs);
    if (only !== undefined) {
      only.resolve(answer);
      return;
    }
    for (const member of waiting) {
      try {
        member.resolve(this.kind.split(member.query, answer));
      } catch (error: unknown) {
        member.reject(error);
      }
    }
  }

  /** The batch's query (throws when the kind cannot build it). */
  private batchQuery(batch: Batch<T>): EvidenceQuery {
    return this.kind.batchQuery(
      batch.first.filter.hubResourceIds,
      [...batch.devices],
      alignToBins({
        start: new Date(batch.span.start).toISOString(),
        end: new Date(batch.span.end).toISOString(),
      }),
    );
  }

  /** An answer (or failure) came: the alerts it wakes may ask again within `delayMs`. */
  private answered(hubs: Hubs<T>): void {
    hubs.inFlight--;
    const answers = ++hubs.answers;
    hubs.recent = true;
    for (const batch of hubs.open) this.waitFor(batch);
    void this.options.clock.sleep(this.options.delayMs).then(() => {
      if (hubs.answers !== answers) return;
      hubs.recent = false;
      if (hubs.inFlight === 0 && hubs.open.length === 0 && this.hubs.get(hubs.key) === hubs) {
        this.hubs.delete(hubs.key);
      }
    });
  }
}

/** Spans of alerts fired within minutes of each other fit; a replayed old alert does not. */
function fits<T>(batch: Batch<T>, span: { start: number; end: number }): boolean {
  const first = spanOf(batch.first);
  return (
    Math.abs(span.start - first.start) <= JOIN_TOLERANCE_MS &&
    Math.abs(span.end - first.end) <= JOIN_TOLERANCE_MS
  );
}
