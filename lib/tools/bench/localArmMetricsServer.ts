/**
 * A local HTTPS endpoint that speaks the Azure Monitor metrics API
 * (`GET /{resourceUri}/providers/Microsoft.Insights/metrics`), so that tests and benchmarks run
 * the real metrics pipeline (`AzureMonitorMetricsSource`) against it.
 */

import { createServer, type Server } from 'node:https';

import type { TestCertificate } from './localCertificate';
import { closeNow, listenLocally } from './localServer';

export interface LocalArmMetricsServer {
  /** `https://127.0.0.1:<port>`, for `AzureMonitorMetricsSource`'s endpoint. */
  readonly endpoint: string;
  /** Metrics calls received (one per hub asked). */
  calls(): number;
  reset(): void;
  close(): Promise<void>;
}

export interface LocalArmMetricsServerOptions {
  readonly certificate: TestCertificate;
  readonly token: string;
  /** Connected devices at the start of the minute (ms since the epoch). */
  readonly connectedAt: (minuteStart: number) => number;
}

const METRICS_PATH = /^(\/subscriptions\/.+)\/providers\/microsoft\.insights\/metrics$/i;

function metricsBody(resourceId: string, start: number, end: number, count: (t: number) => number) {
  const data = [];
  for (let t = Math.floor(start / 60_000) * 60_000; t < end; t += 60_000) {
    const value = count(t);
    data.push({
      timeStamp: new Date(t).toISOString(),
      average: value,
      minimum: value,
      maximum: value,
    });
  }
  return {
    cost: data.length,
    timespan: `${new Date(start).toISOString()}/${new Date(end).toISOString()}`,
    interval: 'PT1M',
    value: [
      {
        id: `${resourceId}/providers/Microsoft.Insights/metrics/connectedDeviceCount`,
        type: 'Microsoft.Insights/metrics',
        name: { value: 'connectedDeviceCount', localizedValue: 'Connected devices' },
        unit: 'Count',
        timeseries: [{ metadatavalues: [], data }],
        errorCode: 'Success',
      },
    ],
    namespace: 'Microsoft.Devices/IotHubs',
    resourceregion: 'westeurope',
  };
}

/**
 * Bearer auth, the `timespan` query parameter, and the REST response shape: it answers
 * `connectedDeviceCount` at PT1M from a function of time, and counts the calls.
 */
export async function startLocalArmMetricsServer(
  options: LocalArmMetricsServerOptions,
): Promise<LocalArmMetricsServer> {
  let calls = 0;
  const server: Server = createServer(
    { key: options.certificate.key, cert: options.certificate.cert },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      const answer = (status: number, body: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.headers.authorization !== `Bearer ${options.token}`) {
        answer(401, { error: { code: 'InvalidAuthenticationToken', message: 'Bad token' } });
        return;
      }
      const resourceId = METRICS_PATH.exec(url.pathname)?.[1];
      const [start, end] = (url.searchParams.get('timespan') ?? '').split('/').map(Date.parse);
      if (resourceId === undefined || !Number.isFinite(start) || !Number.isFinite(end)) {
        answer(400, { error: { code: 'BadRequest', message: 'Expected a metrics request' } });
        return;
      }
      calls++;
      answer(200, metricsBody(resourceId, start ?? 0, end ?? 0, options.connectedAt));
    },
  );
  const port = await listenLocally(server);
  return {
    endpoint: `https://127.0.0.1:${port}`,
    calls: () => calls,
    reset() {
      calls = 0;
    },
    close: () => closeNow(server),
  };
}
