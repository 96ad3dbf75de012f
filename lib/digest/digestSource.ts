/**
 * The port through which the digest reads its aggregated rows, and its export-file adapter.
 * The Log Analytics adapter is `LogAnalyticsDigestSource`.
 */

import type { DigestRow } from './digestFigures';
import type { DigestQuery } from './digestKql';
import { DigestComputation } from './digestComputation';
import type { ConnectionEvent } from '../evidence/evidence';
import type { SourceAnswer } from '../evidence/evidenceSource';

export interface DigestSource {
  /** The rows the query returns (bounded lists plus a `Row == "total"` row). */
  digestRows(query: DigestQuery): Promise<SourceAnswer<DigestRow[]>>;
}

/** The digest over Log Analytics export files: the same rows, computed in memory. */
export class ExportDigestSource implements DigestSource {
  private readonly computations = new Map<string, DigestComputation>();

  constructor(private readonly events: readonly ConnectionEvent[]) {}

  digestRows(query: DigestQuery): Promise<SourceAnswer<DigestRow[]>> {
    const key = `${query.filter.hubResourceId}|${query.timespan.start}|${query.timespan.end}`;
    let computation = this.computations.get(key);
    if (!computation) {
      const start = Date.parse(query.timespan.start);
      const end = Date.parse(query.timespan.end);
      const inSpan = this.events.filter((e) => {
        const time = Date.parse(e.time);
        return time >= start && time < end;
      });
      computation = new DigestComputation(inSpan, query.filter, query.timespan.end);
      this.computations.set(key, computation);
    }
    return Promise.resolve({ value: computation.rows(query.name) });
  }
}

/** The end of an export's day: its last event of the hub, to the next whole minute. */
export function endOfExport(
  events: readonly ConnectionEvent[],
  hubResourceId: string,
): Date | undefined {
  const hub = hubResourceId.toLowerCase();
  let last: number | undefined;
  for (const e of events) {
    if (e.hubResourceId !== hub) continue;
    const time = Date.parse(e.time);
    if (last === undefined || time > last) last = time;
  }
  return last === undefined ? undefined : new Date(Math.ceil((last + 1) / 60_000) * 60_000);
}
