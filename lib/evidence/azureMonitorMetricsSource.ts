/**
 * `connectedDeviceCount` from the Azure Monitor metrics API (ARM, `Microsoft.Insights/metrics`),
 * through the real `MonitorClient`. The metric is not exported to Log Analytics (multi-dimensional
 * platform metrics are flattened), so this is the only place it can be read in Azure.
 */

import { MonitorClient, type MonitorClientOptionalParams } from '@azure/arm-monitor';
import type { TokenCredential } from '@azure/identity';

import type { TimeWindow } from '../alerts/alert';
import type { MetricPoint } from './evidence';
import type { MetricsSource, SourceAnswer } from './evidenceSource';
import { sumSeries } from './metricsFile';

export const CONNECTED_DEVICE_COUNT = 'connectedDeviceCount';

export function createMonitorClient(
  credential: TokenCredential,
  endpoint: string,
  options: Omit<MonitorClientOptionalParams, 'endpoint'> = {},
): MonitorClient {
  return new MonitorClient(credential, { ...options, endpoint });
}

interface MetricsResponse {
  readonly value: readonly {
    readonly name: { readonly value: string };
    readonly timeseries?: readonly {
      readonly data?: readonly {
        readonly timeStamp: Date;
        readonly average?: number;
        readonly minimum?: number;
        readonly maximum?: number;
      }[];
    }[];
  }[];
}

/** The points of the connectedDeviceCount series in one response. */
export function pointsOf(response: MetricsResponse): MetricPoint[] {
  return response.value
    .filter((metric) => metric.name.value === CONNECTED_DEVICE_COUNT)
    .flatMap((metric) => metric.timeseries ?? [])
    .flatMap((series) => series.data ?? [])
    .map((d) => ({
      time: new Date(d.timeStamp).toISOString(),
      ...(d.average !== undefined && { average: d.average }),
      ...(d.minimum !== undefined && { minimum: d.minimum }),
      ...(d.maximum !== undefined && { maximum: d.maximum }),
    }));
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  // RestError messages can quote the service's answer; keep them short and never the token.
  const detail = [statusCode, code]
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .join(' ');
  return detail === '' ? error.message.slice(0, 200) : detail;
}

export class AzureMonitorMetricsSource implements MetricsSource {
  constructor(private readonly client: MonitorClient) {}

  async connectedDeviceCount(
    hubResourceIds: readonly string[],
    span: TimeWindow,
  ): Promise<SourceAnswer<MetricPoint[]>> {
    const results = await Promise.allSettled(
      hubResourceIds.map((hub) =>
        // The path template is `/{+resourceUri}/...`: a leading slash would double.
        this.client.metrics.list(hub.replace(/^\/+/, ''), {
          timespan: `${span.start}/${span.end}`,
          interval: 'PT1M',
          metricnames: CONNECTED_DEVICE_COUNT,
          aggregation: 'average,minimum,maximum',
          metricnamespace: 'Microsoft.Devices/IotHubs',
        }),
      ),
    );
    const series = results.flatMap((r) => (r.status === 'fulfilled' ? [pointsOf(r.value)] : []));
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected'
        ? [`${hubResourceIds[i]?.split('/').pop() ?? 'hub'}: ${reasonOf(r.reason)}`]
        : [],
    );
    if (series.length === 0 && failures.length > 0) {
      throw new Error(`Azure Monitor metrics unavailable (${failures.join('; ')})`);
    }
    return {
      value: sumSeries(series),
      ...(failures.length > 0 && { warning: `metrics missing for ${failures.join('; ')}` }),
    };
  }
}
