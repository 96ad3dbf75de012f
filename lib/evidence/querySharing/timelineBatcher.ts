/**
 * Micro-batched device timelines (`DeviceBatcher`): one query for up to 50 devices of one hub,
 * the latest 1,000 events per device, split back per alert and span.
 */

import type { ConnectionEvent } from '../evidence';
import type { SourceAnswer } from '../evidenceSource';
import {
  buildDeviceTimelinesQuery,
  literalDeviceId,
  MAX_BATCHED_ROWS_PER_DEVICE,
} from '../batchedTimelineKql';
import type { EvidenceQuery } from '../kql';
import {
  batchQueryOf,
  type BatchKind,
  DeviceBatcher,
  type DeviceBatcherOptions,
  type DeviceBatcherStats,
  type ReadDevices,
} from './deviceBatcher';
import { isWithin } from './evidenceBins';

export type ReadTimeline = ReadDevices<ConnectionEvent[]>;
export type TimelineBatcherOptions = DeviceBatcherOptions;
export type TimelineBatcherStats = DeviceBatcherStats;

export const timelineBatch: BatchKind<ConnectionEvent[]> = {
  batchQuery: batchQueryOf('deviceTimeline', buildDeviceTimelinesQuery),
  split: splitFor,
};

export class TimelineBatcher extends DeviceBatcher<ConnectionEvent[]> {
  constructor(read: ReadTimeline, options: TimelineBatcherOptions) {
    super(read, timelineBatch, options);
  }

  timeline(query: EvidenceQuery): Promise<SourceAnswer<ConnectionEvent[]>> {
    return this.ask(query);
  }
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
