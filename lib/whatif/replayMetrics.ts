/**
 * Metrics for a replay. The simulated incident timer asks `connectedDeviceCount` every simulated
 * minute while an incident waits for its devices, each time from the same start to a later end:
 * hundreds of reads per incident, which against the metrics API would be hundreds of calls. Here
 * the first read of a (hubs, start) fetches the incident's whole window (two days, as far as the
 * timer ever reads) once, and every later read is a slice of it up to its own end: the answers
 * are the same, and nothing after the simulated time is ever handed out.
 */

import type { TimeWindow } from '../alerts/alert';
import type { MetricPoint } from '../evidence/evidence';
import type { MetricsSource, SourceAnswer } from '../evidence/evidenceSource';

/** The incident timer reads at most this far past its start (`tickIncidents`). */
const WINDOW_MS = 48 * 3_600_000;

interface Fetched {
  readonly end: number;
  readonly points: readonly { readonly ms: number; readonly point: MetricPoint }[];
  readonly warning?: string;
}

export function replayMetrics(source: MetricsSource): MetricsSource {
  const fetched = new Map<string, Promise<Fetched>>();

  async function fetch(hubs: readonly string[], start: number, end: number): Promise<Fetched> {
    const answer = await source.connectedDeviceCount(hubs, {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    });
    return {
      end,
      points: answer.value.map((point) => ({ ms: Date.parse(point.time), point })),
      ...(answer.warning !== undefined && { warning: answer.warning }),
    };
  }

  return {
    async connectedDeviceCount(
      hubResourceIds: readonly string[],
      span: TimeWindow,
    ): Promise<SourceAnswer<MetricPoint[]>> {
      const start = Date.parse(span.start);
      const end = Date.parse(span.end);
      if (Number.isNaN(start) || Number.isNaN(end)) {
        return source.connectedDeviceCount(hubResourceIds, span);
      }
      const key = `${[...new Set(hubResourceIds.map((id) => id.toLowerCase()))].sort().join(',')}|${start}`;
      let entry = fetched.get(key);
      if (entry === undefined || (await entry).end < end) {
        entry = fetch(hubResourceIds, start, Math.max(end, start + WINDOW_MS));
        fetched.set(key, entry);
        // A failed read is not kept: the next one asks again, as the timer would.
        entry.catch(() => fetched.delete(key));
      }
      const { points, warning } = await entry;
      const value = points.filter((p) => p.ms < end).map((p) => p.point);
      return warning === undefined ? { value } : { value, warning };
    },
  };
}
