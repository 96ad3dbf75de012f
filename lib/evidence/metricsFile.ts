/**
 * `connectedDeviceCount` from Azure Monitor metrics REST responses saved to disk
 * (`GET {hub}/providers/Microsoft.Insights/metrics?metricnames=connectedDeviceCount`).
 */

import { readFile } from 'node:fs/promises';

import type { TimeWindow } from '../alerts/alert';
import type { MetricPoint } from './evidence';
import type { MetricsSource, SourceAnswer } from './evidenceSource';
import { listExportFiles } from './exportFileSource';

interface HubSeries {
  readonly hubResourceId: string;
  readonly points: readonly MetricPoint[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const numberOrUndefined = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Reads the connectedDeviceCount series of one metrics response, per hub. */
export function parseMetricsResponse(json: unknown, source: string): HubSeries[] {
  if (!isRecord(json) || !Array.isArray(json.value)) {
    throw new Error(`${source}: not an Azure Monitor metrics response (no "value" array)`);
  }
  return json.value.flatMap((metric: unknown): HubSeries[] => {
    if (!isRecord(metric) || typeof metric.id !== 'string') return [];
    const name = isRecord(metric.name) ? metric.name.value : undefined;
    if (name !== 'connectedDeviceCount') return [];
    const hubResourceId = metric.id
      .toLowerCase()
      .replace(/\/providers\/microsoft\.insights\/metrics\/.*$/, '');
    const series = Array.isArray(metric.timeseries) ? metric.timeseries : [];
    const points = series.flatMap((s: unknown) =>
      isRecord(s) && Array.isArray(s.data)
        ? s.data.filter(isRecord).flatMap((d): MetricPoint[] => {
            if (typeof d.timeStamp !== 'string') return [];
            const average = numberOrUndefined(d.average);
            const minimum = numberOrUndefined(d.minimum);
            const maximum = numberOrUndefined(d.maximum);
            return [
              {
                time: new Date(d.timeStamp).toISOString(),
                ...(average !== undefined && { average }),
                ...(minimum !== undefined && { minimum }),
                ...(maximum !== undefined && { maximum }),
              },
            ];
          })
        : [],
    );
    return [{ hubResourceId, points }];
  });
}

/** Adds series of several hubs per timestamp (each hub's count is a snapshot). */
export function sumSeries(series: readonly (readonly MetricPoint[])[]): MetricPoint[] {
  const byTime = new Map<string, { average?: number; minimum?: number; maximum?: number }>();
  for (const points of series) {
    for (const point of points) {
      const total = byTime.get(point.time) ?? {};
      for (const key of ['average', 'minimum', 'maximum'] as const) {
        const value = point[key];
        if (value !== undefined) total[key] = (total[key] ?? 0) + value;
      }
      byTime.set(point.time, total);
    }
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([time, values]) => ({ time, ...values }));
}

export class MetricsFileSource implements MetricsSource {
  /** Each hub's points with their times parsed once: the incident timer asks every minute. */
  private readonly byHub = new Map<string, { ms: number; point: MetricPoint }[][]>();

  private constructor(series: readonly HubSeries[]) {
    for (const s of series) {
      const timed = s.points.map((point) => ({ ms: Date.parse(point.time), point }));
      const list = this.byHub.get(s.hubResourceId);
      if (list) list.push(timed);
      else this.byHub.set(s.hubResourceId, [timed]);
    }
  }

  static async fromPath(path: string): Promise<MetricsFileSource> {
    const series: HubSeries[] = [];
    for (const file of await listExportFiles(path)) {
      if (!file.toLowerCase().endsWith('.json')) continue;
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch {
        throw new Error(`${file}: not valid JSON`);
      }
      series.push(...parseMetricsResponse(json, file));
    }
    return new MetricsFileSource(series);
  }

  connectedDeviceCount(
    hubResourceIds: readonly string[],
    span: TimeWindow,
  ): Promise<SourceAnswer<MetricPoint[]>> {
    const start = Date.parse(span.start);
    const end = Date.parse(span.end);
    const inSpan = [...new Set(hubResourceIds.map((id) => id.toLowerCase()))]
      .flatMap((hub) => this.byHub.get(hub) ?? [])
      .map((timed) => timed.filter((p) => p.ms >= start && p.ms < end).map((p) => p.point));
    return Promise.resolve({ value: sumSeries(inSpan) });
  }
}
