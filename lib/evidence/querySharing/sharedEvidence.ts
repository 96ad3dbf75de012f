/**
 * Shared evidence: a layer over the `EvidenceSource` and `MetricsSource` ports, so that a storm
 * of per-device alerts for one hub costs a handful of queries instead of four per alert. Any
 * adapter benefits (Log Analytics, export files).
 */

import type { TimeWindow } from '../../alerts/alert';
import type {
  CappedRows,
  ConnectionEvent,
  DeviceHistory,
  DisconnectedDevice,
  FleetActivityBin,
  MetricPoint,
} from '../evidence';
import type { EvidenceSource, MetricsSource, SourceAnswer } from '../evidenceSource';
import type { EvidenceSources } from '../gatherEvidence';
import type { EvidenceQuery } from '../kql';
import {
  alignToBins,
  hubsKey,
  isWithin,
  metricsKey,
  questionKey,
  SHARE_BIN_MINUTES,
} from './evidenceBins';
import { SharedAnswers, type SharedAnswersStats } from './sharedAnswers';
import {
  type Clock,
  QueryLimiter,
  type QueryLimiterOptions,
  type QueryLimiterStats,
  systemClock,
} from './queryLimiter';
import { DeviceBatcher, type DeviceBatcherStats } from './deviceBatcher';
import { historyBatch } from './historyBatcher';
import { TimelineBatcher, type TimelineBatcherStats } from './timelineBatcher';

export interface SharingOptions {
  /** How long a hub-wide answer is reused after it arrived (default 60 s). */
  readonly ttlMs?: number;
  /** Answers remembered at most, per source (default 500). */
  readonly maxEntries?: number;
  /**
   * How long a device timeline or history waits for others of its hub while the hub is busy
   * (default 250 ms); a quiet hub's question goes at once (`DeviceBatcher`).
   */
  readonly batchDelayMs?: number;
  readonly limiter?: Omit<QueryLimiterOptions, 'clock'>;
  readonly clock?: Clock;
}

export const DEFAULT_SHARE_TTL_MS = 60_000;
export const DEFAULT_SHARE_MAX_ENTRIES = 500;
export const DEFAULT_BATCH_DELAY_MS = 250;

export interface SharedEvidenceStats {
  readonly hubWide: SharedAnswersStats;
  readonly timelines: TimelineBatcherStats;
  readonly histories: DeviceBatcherStats;
  readonly queries: QueryLimiterStats;
}

/**
 * - Hub-wide questions (hub activity, fleet size, dropped devices) are asked once per hub and
 *   5-minute bin: identical questions in flight share one call, and an answer is reused for
 *   `ttlMs`.
 * - Device timelines, and device drop histories, of one hub are read in one query for up to 50
 *   devices (one batcher per kind): a quiet hub's question goes at once, with whatever was asked
 *   in the same turn; while the hub is busy, questions wait about `batchDelayMs` for others.
 * - Every evidence query passes one `QueryLimiter`: at most 5 in flight, 429 retried after its
 *   `Retry-After`.
 *
 * Shared answers cover the alert's span rounded out to whole 5-minute bins (the edge activity
 * bins come complete); dropped devices are trimmed back to the alert's own span.
 */
export class SharedEvidenceSource implements EvidenceSource {
  private readonly answers: SharedAnswers;
  private readonly limiter: QueryLimiter;
  private readonly batcher: TimelineBatcher;
  private readonly histories: DeviceBatcher<DeviceHistory[]>;

  constructor(
    /** The adapter underneath (exposed for inspection; callers use this layer). */
    readonly inner: EvidenceSource,
    options: SharingOptions = {},
  ) {
    const clock = options.clock ?? systemClock;
    this.answers = new SharedAnswers({
      ttlMs: options.ttlMs ?? DEFAULT_SHARE_TTL_MS,
      maxEntries: options.maxEntries ?? DEFAULT_SHARE_MAX_ENTRIES,
      now: () => clock.now(),
    });
    this.limiter = new QueryLimiter({ ...options.limiter, clock });
    this.batcher = new TimelineBatcher(
      (query) => this.limiter.run(() => inner.deviceTimeline(query)),
      { delayMs: options.batchDelayMs ?? DEFAULT_BATCH_DELAY_MS, clock },
    );
    this.histories = new DeviceBatcher(
      (query) => this.limiter.run(() => inner.deviceHistory(query)),
      historyBatch,
      { delayMs: options.batchDelayMs ?? DEFAULT_BATCH_DELAY_MS, clock },
    );
  }

  deviceTimeline(query: EvidenceQuery): Promise<SourceAnswer<ConnectionEvent[]>> {
    return this.batcher.timeline(query);
  }

  fleetActivity(query: EvidenceQuery): Promise<SourceAnswer<FleetActivityBin[]>> {
    // Activity bins are 5-minute bins too: rounding adds no bin, it only completes the edge bins.
    return this.shared(query, (q) => this.inner.fleetActivity(q));
  }

  fleetSize(query: EvidenceQuery): Promise<SourceAnswer<number>> {
    return this.shared(query, (q) => this.inner.fleetSize(q));
  }

  async disconnectedDevices(
    query: EvidenceQuery,
  ): Promise<SourceAnswer<CappedRows<DisconnectedDevice>>> {
    const answer = await this.shared(query, (q) => this.inner.disconnectedDevices(q));
    const start = Date.parse(query.timespan.start);
    const end = Date.parse(query.timespan.end);
    // Devices whose drops all fall in the rounding margin are not this alert's.
    const rows = answer.value.rows.filter(
      (device) =>
        Date.parse(device.lastDisconnect) >= start && Date.parse(device.firstDisconnect) < end,
    );
    // The uncapped count loses the margin devices it can see; beyond the cap it cannot tell.
    const total = Math.max(
      rows.length,
      answer.value.total - (answer.value.rows.length - rows.length),
    );
    return { ...answer, value: { rows, total } };
  }

  deviceHistory(query: EvidenceQuery): Promise<SourceAnswer<DeviceHistory[]>> {
    return this.histories.ask(query);
  }

  stats(): SharedEvidenceStats {
    return {
      hubWide: this.answers.stats(),
      timelines: this.batcher.stats(),
      histories: this.histories.stats(),
      queries: this.limiter.stats(),
    };
  }

  /** The question over the aligned span, asked once per key and reused. */
  private shared<T>(
    query: EvidenceQuery,
    ask: (query: EvidenceQuery) => Promise<SourceAnswer<T>>,
  ): Promise<SourceAnswer<T>> {
    const aligned: EvidenceQuery = { ...query, timespan: alignToBins(query.timespan) };
    return this.answers.get(questionKey(query), () => this.limiter.run(() => ask(aligned)));
  }
}

/**
 * The connectedDeviceCount series, read once per hub per TTL: a read covers the span rounded out
 * to 5-minute bins plus one bin either side, and every later request whose span it covers (the
 * alerts of the next minutes) is answered from it, trimmed to its own span.
 */
export class SharedMetricsSource implements MetricsSource {
  private readonly answers: SharedAnswers;
  /** Recently read spans per hub set, newest last. */
  private readonly reads = new Map<string, TimeWindow[]>();

  constructor(
    readonly inner: MetricsSource,
    options: Pick<SharingOptions, 'ttlMs' | 'maxEntries' | 'clock'> = {},
  ) {
    const clock = options.clock ?? systemClock;
    this.answers = new SharedAnswers({
      ttlMs: options.ttlMs ?? DEFAULT_SHARE_TTL_MS,
      maxEntries: options.maxEntries ?? DEFAULT_SHARE_MAX_ENTRIES,
      now: () => clock.now(),
    });
  }

  async connectedDeviceCount(
    hubResourceIds: readonly string[],
    span: TimeWindow,
  ): Promise<SourceAnswer<MetricPoint[]>> {
    const hubs = hubsKey(hubResourceIds);
    const known = this.reads.get(hubs) ?? [];
    let read = known.find((candidate) => covers(candidate, span));
    if (read === undefined) {
      read = widenByOneBin(alignToBins(span));
      this.reads.set(hubs, [...known.slice(-(MAX_READS_PER_HUBS - 1)), read]);
    }
    const fetched = read;
    const answer = await this.answers.get(metricsKey(hubResourceIds, fetched), () =>
      this.inner.connectedDeviceCount(hubResourceIds, fetched),
    );
    return { ...answer, value: answer.value.filter((point) => isWithin(point.time, span)) };
  }

  stats(): SharedAnswersStats {
    return this.answers.stats();
  }
}

const MAX_READS_PER_HUBS = 8;
const BIN_MS = SHARE_BIN_MINUTES * 60_000;

function widenByOneBin(span: TimeWindow): TimeWindow {
  return {
    start: new Date(Date.parse(span.start) - BIN_MS).toISOString(),
    end: new Date(Date.parse(span.end) + BIN_MS).toISOString(),
  };
}

function covers(outer: TimeWindow, inner: TimeWindow): boolean {
  return (
    Date.parse(outer.start) <= Date.parse(inner.start) &&
    Date.parse(inner.end) <= Date.parse(outer.end)
  );
}

/** The composition: both sources behind the sharing layer. */
export function shareEvidence(
  sources: EvidenceSources,
  options: SharingOptions = {},
): { evidence: SharedEvidenceSource; metrics?: SharedMetricsSource } {
  return {
    evidence: new SharedEvidenceSource(sources.evidence, options),
    ...(sources.metrics && { metrics: new SharedMetricsSource(sources.metrics, options) }),
  };
}
