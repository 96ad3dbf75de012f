/**
 * Micro-batching of device timelines: the timelines of one hub asked for within `delayMs` of
 * each other (over spans that differ by at most 5 minutes at either end) are read in one query
 * for up to 50 devices, over the union of their spans rounded out to 5-minute bins, and the rows
 * are split back per alert and span. A batch of one sends the alert's own query unchanged.
 */

import type { ConnectionEvent } from '../evidence';
import type { SourceAnswer } from '../evidenceSource';
import {
  buildDeviceTimelinesQuery,
  literalDeviceId,
  MAX_BATCHED_ROWS_PER_DEVICE,
  MAX_DEVICES_PER_BATCH,
} from '../batchedTimelineKql';
import type { EvidenceQuery } from '../kql';
import { alignToBins, hubsKey, isWithin, SHARE_BIN_MINUTES } from './evidenceBins';
import type { Clock } from './queryLimiter';

export type ReadTimeline = (query: EvidenceQuery) => Promise<SourceAnswer<ConnectionEvent[]>>;

export interface TimelineBatcherOptions {
  /** How long the first timeline of a batch waits for others to join it. */
  readonly delayMs: number;
  /** Devices per batch (default and maximum 50). */
  readonly maxDevices?: number;
  readonly clock: Clock;
}

export interface TimelineBatcherStats {
  /** Timelines asked for. */
  readonly requested: number;
  /** Queries sent that read several alerts' devices. */
  readonly batchedQueries: number;
  /** Queries sent for one alert alone. */
  readonly singleQueries: number;
}

interface Waiting {
  readonly query: EvidenceQuery;
  readonly resolve: (answer: SourceAnswer<ConnectionEvent[]>) => void;
  readonly reject: (reason: unknown) => void;
}

interface Batch {
  readonly key: string;
  readonly first: EvidenceQuery;
  readonly waiting: Waiting[];
  readonly devices: Set<string>;
  /** The union of the members' spans. */
  span: { start: number; end: number };
  sent: boolean;
}

/** A timeline joins a batch whose first span differs from its own by at most this at each end. */
const JOIN_TOLERANCE_MS = SHARE_BIN_MINUTES * 60_000;

function spanOf(query: EvidenceQuery): { start: number; end: number } {
  return { start: Date.parse(query.timespan.start), end: Date.parse(query.timespan.end) };
}

export class TimelineBatcher {
  /** Open batches per hub set. */
  private readonly open = new Map<string, Batch[]>();
  private readonly maxDevices: number;
  private requested = 0;
  private batchedQueries = 0;
  private singleQueries = 0;

  constructor(
    private readonly read: ReadTimeline,
    private readonly options: TimelineBatcherOptions,
  ) {
    this.maxDevices = Math.min(options.maxDevices ?? MAX_DEVICES_PER_BATCH, MAX_DEVICES_PER_BATCH);
  }

  timeline(query: EvidenceQuery): Promise<SourceAnswer<ConnectionEvent[]>> {
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
    const answer = new Promise<SourceAnswer<ConnectionEvent[]>>((resolve, reject) => {
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

  stats(): TimelineBatcherStats {
    return {
      requested: this.requested,
      batchedQueries: this.batchedQueries,
      singleQueries: this.singleQueries,
    };
  }

  private wouldOverflow(batch: Batch, devices: readonly string[]): boolean {
    const added = devices.filter((device) => !batch.devices.has(device)).length;
    return batch.devices.size + added > this.maxDevices;
  }

  private start(key: string, first: EvidenceQuery): Batch {
    const batch: Batch = {
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

  private send(batch: Batch): void {
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
    const deviceIds = [...batch.devices];
    const { hubResourceIds } = batch.first.filter;
    let query: EvidenceQuery;
    try {
      query = {
        name: 'deviceTimeline',
        query: buildDeviceTimelinesQuery(hubResourceIds, deviceIds),
        timespan: alignToBins({
          start: new Date(batch.span.start).toISOString(),
          end: new Date(batch.span.end).toISOString(),
        }),
        filter: { hubResourceIds, deviceIds },
      };
    } catch (error: unknown) {
      for (const waiting of batch.waiting) waiting.reject(error);
      return;
    }
    this.read(query).then(
      (answer) => {
        for (const waiting of batch.waiting) waiting.resolve(splitFor(waiting.query, answer));
      },
      (reason: unknown) => {
        for (const waiting of batch.waiting) waiting.reject(reason);
      },
    );
  }
}

/** Spans of alerts fired within minutes of each other fit; a replayed old alert does not. */
function fits(batch: Batch, span: { start: number; end: number }): boolean {
  const first = spanOf(batch.first);
  return (
    Math.abs(span.start - first.start) <= JOIN_TOLERANCE_MS &&
    Math.abs(span.end - first.end) <= JOIN_TOLERANCE_MS
  );
}

/** One alert's share of a batched answer: its devices, inside its own span. */
function splitFor(
  query: EvidenceQuery,
  answer: SourceAnswer<ConnectionEvent[]>,
): SourceAnswer<ConnectionEvent[]> {
  const names = new Set(query.filter.deviceIds.flatMap((id) => [id, literalDeviceId(id)]));
  const mine = answer.value.filter((event) => names.has(event.deviceId));
  const perDevice = new Map<string, number>();
  for (const event of mine) perDevice.set(event.deviceId, (perDevice.get(event.deviceId) ?? 0) + 1);
  const truncated = [...perDevice]
    .filter(([, count]) => count >= MAX_BATCHED_ROWS_PER_DEVICE)
    .map(([device]) => device);
  const warnings = [
    ...(answer.warning === undefined ? [] : [answer.warning]),
    ...(truncated.length === 0
      ? []
      : [
          `only the latest ${MAX_BATCHED_ROWS_PER_DEVICE} events were read for ${truncated.join(', ')}`,
        ]),
  ];
  const value = mine.filter((event) => isWithin(event.time, query.timespan));
  return warnings.length === 0 ? { value } : { value, warning: warnings.join('; ') };
}
