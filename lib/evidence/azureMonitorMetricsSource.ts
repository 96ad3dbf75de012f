/**
 * `connectedDeviceCount` from the Azure Monitor metrics API (ARM,
 * `GET {hub}/providers/Microsoft.Insights/metrics`). The metric is not exported to Log Analytics
 * (multi-dimensional platform metrics are flattened), so this is the only place it can be read.
 */

import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type InternalPipelineOptions,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';

import type { TimeWindow } from '../alerts/alert';
import type { MetricPoint } from './evidence';
import type { MetricsSource, SourceAnswer } from './evidenceSource';
import { sumSeries } from './metricsFile';

export const CONNECTED_DEVICE_COUNT = 'connectedDeviceCount';
/** Metrics - List, the GA version that takes `metricnamespace` and several aggregations. */
export const METRICS_API_VERSION = '2023-10-01';
/** Per attempt: a stuck answer must not hold the enrichment past the function's time-out. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface AzureMonitorMetricsOptions extends Pick<
  InternalPipelineOptions,
  'retryOptions' | 'tlsOptions'
> {
  readonly credential: TokenCredential;
  /** The ARM endpoint (`https://management.azure.com`); the token audience follows it. */
  readonly endpoint: string;
}

interface MetricsResponse {
  readonly value?: readonly {
    readonly name?: { readonly value?: string };
    readonly timeseries?: readonly {
      readonly data?: readonly {
        readonly timeStamp: string;
        readonly average?: number;
        readonly minimum?: number;
        readonly maximum?: number;
      }[];
    }[];
  }[];
}

/** The points of the connectedDeviceCount series in one response. */
export function pointsOf(response: MetricsResponse): MetricPoint[] {
  // Read defensively: the body comes off the wire, typed only by this file's wishes.
  const list = <T>(value: readonly T[] | undefined): readonly T[] =>
    Array.isArray(value) ? (value as readonly T[]) : [];
  return list(response.value)
    .filter((metric) => metric.name?.value === CONNECTED_DEVICE_COUNT)
    .flatMap((metric) => list(metric.timeseries))
    .flatMap((series) => list(series.data))
    .flatMap((d) => {
      const time = new Date(d.timeStamp);
      if (Number.isNaN(time.getTime())) return [];
      return [
        {
          time: time.toISOString(),
          ...(typeof d.average === 'number' && { average: d.average }),
          ...(typeof d.minimum === 'number' && { minimum: d.minimum }),
          ...(typeof d.maximum === 'number' && { maximum: d.maximum }),
        },
      ];
    });
}

/** A failed metrics read: the HTTP status and ARM's error code, never the token or the body. */
export class MetricsRequestError extends Error {
  override name = 'MetricsRequestError';
  constructor(
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super([statusCode, code].filter((v) => v !== undefined).join(' ') || 'no answer', options);
  }
}

function errorCodeOf(body: string | null | undefined): string | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as { error?: { code?: unknown } };
    return typeof parsed.error?.code === 'string' ? parsed.error.code.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof MetricsRequestError) return error.message;
  if (!(error instanceof Error)) return 'unknown error';
  // Transport errors (RestError without a status): their code says enough (ECONNREFUSED, ...).
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : error.message.slice(0, 200);
}

/**
 * One GET per hub through an Azure SDK pipeline (`@azure/core-rest-pipeline`: bearer token,
 * retries, TLS options, redacted logging). Why not a metrics SDK: `@azure/arm-monitor` is the
 * whole management SDK (about 220 ms to load) for this one GET; `@azure/monitor-query-metrics`
 * queries the regional data-plane batch API (`https://<region>.metrics.monitor.azure.com`), which
 * needs the hub's region, another token audience and read access at subscription scope, where the
 * app holds Monitoring Reader on each hub only.
 */
export class AzureMonitorMetricsSource implements MetricsSource {
  private readonly endpoint: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient = createDefaultHttpClient();

  constructor(options: AzureMonitorMetricsOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.pipeline = createPipelineFromOptions({
      ...(options.retryOptions && { retryOptions: options.retryOptions }),
      ...(options.tlsOptions && { tlsOptions: options.tlsOptions }),
      userAgentOptions: { userAgentPrefix: 'iothub-alert-enricher' },
    });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({
        credential: options.credential,
        scopes: `${this.endpoint}/.default`,
      }),
    );
  }

  async connectedDeviceCount(
    hubResourceIds: readonly string[],
    span: TimeWindow,
  ): Promise<SourceAnswer<MetricPoint[]>> {
    const results = await Promise.allSettled(hubResourceIds.map((hub) => this.read(hub, span)));
    const series = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
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

  private async read(hub: string, span: TimeWindow): Promise<MetricPoint[]> {
    const query = new URLSearchParams({
      'api-version': METRICS_API_VERSION,
      timespan: `${span.start}/${span.end}`,
      interval: 'PT1M',
      metricnames: CONNECTED_DEVICE_COUNT,
      aggregation: 'average,minimum,maximum',
      metricnamespace: 'Microsoft.Devices/IotHubs',
    });
    // Resource IDs are paths of their own: one leading slash, segments kept as they are.
    const path = `/${hub.replace(/^\/+/, '')}/providers/Microsoft.Insights/metrics`;
    const request = createPipelineRequest({
      url: `${this.endpoint}${encodeURI(path)}?${query.toString()}`,
      method: 'GET',
      timeout: REQUEST_TIMEOUT_MS,
    });
    request.headers.set('accept', 'application/json');
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    if (response.status !== 200) {
      throw new MetricsRequestError(response.status, errorCodeOf(response.bodyAsText));
    }
    let body: MetricsResponse;
    try {
      body = JSON.parse(response.bodyAsText ?? '') as MetricsResponse;
    } catch (error: unknown) {
      throw new MetricsRequestError(200, 'MalformedResponse', { cause: error });
    }
    return pointsOf(body);
  }
}
