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
  /** How long the first question of a batch waits for others to join it. */
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

interface Batch<T> {
  readonly key: string;
  readonly first: EvidenceQuery;
  readonly waiting: Waiting<T>[];
  readonly devices: Set<string>;
  /** The union of the members' spans. */
  span: { start: number; end: number };
  sent: boolean;
}

/** A question joins a batch whose first span differs from its own by at most this at each end. */
const JOIN_TOLERANCE_MS = SHARE_BIN_MINUTES * 60_000;

function spanOf(query: EvidenceQuery): { start: number; end: number } {
  return { start: Date.parse(query.timespan.start), end: Date.parse(query.timespan.end) };
}

/**
 * The questions of one hub asked within `delayMs` of each other (over spans that differ by at
 * most 5 minutes at either end) are read in one query for up to 50 devices, over the union of
 * their spans rounded out to 5-minute bins, and the answer is split back per alert. A batch of one
 * sends the alert's own query unchanged. What a batched query reads and how it splits is the
 * `BatchKind`'s business.
 */
export class DeviceBatcher<T> {
  /** Open batches per hub set. */
  private readonly open = new Map<string, Batch<T>[]>();
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
    const key = hubsKey(query.filter.hubResourceIds);
    let batch = this.open.get(key)?.find((open) => fits(open, span));
    if (batch !== undefined && this.wouldOverflow(batch, devices)) {
      this.send(batch);
      batch = undefined;
    }
    batch ??= this.start(key, query);
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

  private wouldOverflow(batch: Batch<T>, devices: readonly string[]): boolean {
    const added = devices.filter((device) => !batch.devices.has(device)).length;
    return batch.devices.size + added > this.maxDevices;
  }

  private start(key: string, first: EvidenceQuery): Batch<T> {
    const batch: Batch<T> = {
      key,
      first,
      waiting: [],
      devices: new Set(),
      span: spanOf(first),
      sent: false,
    };
    this.open.set(key, [...(this.open.get(key) ?? []), batch]);
    void this.options.clock.sleep(this.options.delayMs).then(() => {
      this.send(batch);
    });
    return batch;
  }

  private send(batch: Batch<T>): void {
    if (batch.sent) return;
    batch.sent = true;
    const others = (this.open.get(batch.key) ?? []).filter((open) => open !== batch);
    if (others.length === 0) this.open.delete(batch.key);
    else this.open.set(batch.key, others);
    const only = batch.waiting.length === 1 ? batch.waiting[0] : undefined;
    if (only !== undefined) {
      this.singleQueries++;
      this.read(only.query).then(only.resolve, only.reject);
      return;
    }
    this.batchedQueries++;
    let query: EvidenceQuery;
    try {
      query = this.kind.batchQuery(
        batch.first.filter.hubResourceIds,
        [...batch.devices],
        alignToBins({
          start: new Date(batch.span.start).toISOString(),
          end: new Date(batch.span.end).toISOString(),
        }),
      );
    } catch (error: unknown) {
      for (const waiting of batch.waiting) waiting.reject(error);
      return;
    }
    this.read(query).then(
      (answer) => {
        for (const waiting of batch.waiting) {
          waiting.resolve(this.kind.split(waiting.query, answer));
        }
      },
      (reason: unknown) => {
        for (const waiting of batch.waiting) waiting.reject(reason);
      },
    );
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
