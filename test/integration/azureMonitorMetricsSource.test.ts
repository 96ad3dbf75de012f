import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';

import {
  AzureMonitorMetricsSource,
  METRICS_API_VERSION,
} from '../../lib/evidence/azureMonitorMetricsSource';
import { closedPort } from '../support/azurite';
import { repoPath } from '../support/fixtures';
import { HUB } from '../support/scenario';
import { createTestCertificate, type TestCertificate } from '../support/tls';
import { listenLocally } from '../../lib/tools/bench/localServer';

const TOKEN = 'arm-test-token-0123456789';
const OTHER_HUB = HUB.replace('contoso-fleet-hub', 'contoso-lab-hub');
const SPAN = { start: '2026-11-20T05:00:00.000Z', end: '2026-11-20T05:30:00.000Z' };

interface Seen {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
}

let certificate: TestCertificate;
let server: Server;
let endpoint: string;
const seen: Seen[] = [];
/** Hubs (lower-case) the fake ARM refuses with 403. */
const forbidden = new Set<string>();
/** Answers served before the normal ones, in order (status and raw body). */
const scripted: { status: number; body: string }[] = [];

beforeAll(async () => {
  certificate = createTestCertificate();
  const sample = readFileSync(repoPath('samples/metrics/connectedDeviceCount.json'), 'utf8');
  server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://localhost');
    seen.push({
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.authorization,
    });
    const hub = url.pathname
      .replace(/\/providers\/Microsoft\.Insights\/metrics$/i, '')
      .toLowerCase();
    const error = (status: number, code: string) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code, message: `${code} for ${hub}` } }));
    };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      error(401, 'InvalidAuthenticationToken');
      return;
    }
    const next = scripted.shift();
    if (next !== undefined) {
      response.writeHead(next.status, { 'content-type': 'application/json' });
      response.end(next.body);
      return;
    }
    if (forbidden.has(hub)) {
      error(403, 'AuthorizationFailed');
      return;
    }
    if (!url.pathname.endsWith('/providers/Microsoft.Insights/metrics')) {
      error(404, 'NotFound');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    // The sample is the fleet hub's answer; any other hub answers the same series under its own ID.
    response.end(hub === HUB ? sample : sample.replace(/contoso-fleet-hub/gi, 'contoso-lab-hub'));
  });
  endpoint = `https://127.0.0.1:${await listenLocally(server)}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  forbidden.clear();
  scripted.length = 0;
  scopes.length = 0;
});

/** The scopes the credential was asked for. */
const scopes: string[] = [];

function source(maxRetries = 0): AzureMonitorMetricsSource {
  const credential = {
    getToken: async (scope: string | string[]) => {
      scopes.push(...[scope].flat());
      return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return new AzureMonitorMetricsSource({
    credential,
    endpoint: `${endpoint}/`,
    tlsOptions: { ca: certificate.cert },
    retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
  });
}

describe('AzureMonitorMetricsSource (Azure SDK pipeline over HTTPS)', () => {
  test('asks ARM for connectedDeviceCount of the hub at PT1M and maps the points', async () => {
    const answer = await source().connectedDeviceCount([HUB], SPAN);
    expect(seen).toHaveLength(1);
    const request = seen[0];
    expect(request?.path.toLowerCase()).toBe(`${HUB}/providers/microsoft.insights/metrics`);
    expect(request?.path.startsWith('//')).toBe(false);
    expect(request?.query.get('metricnames')).toBe('connectedDeviceCount');
    expect(request?.query.get('interval')).toBe('PT1M');
    expect(request?.query.get('aggregation')).toBe('average,minimum,maximum');
    expect(request?.query.get('timespan')).toBe(`${SPAN.start}/${SPAN.end}`);
    expect(request?.query.get('api-version')).toBe(METRICS_API_VERSION);
    expect(request?.query.get('metricnamespace')).toBe('Microsoft.Devices/IotHubs');
    // The token is for the configured ARM endpoint (sovereign clouds change both together).
    expect(scopes).toEqual([`${endpoint}/.default`]);
    expect(answer.warning).toBeUndefined();
    // The response covers the sample's whole day: the adapter keeps what ARM returned.
    expect(answer.value.length).toBeGreaterThan(30);
    const dip = answer.value.find((p) => p.time === '2026-11-20T05:14:00.000Z');
    expect(dip?.minimum).toBeLessThan(60);
  });

  test('several hubs are summed per minute', async () => {
    const one = (await source().connectedDeviceCount([HUB], SPAN)).value;
    const two = (await source().connectedDeviceCount([HUB, OTHER_HUB], SPAN)).value;
    expect(two[0]?.average).toBeCloseTo((one[0]?.average ?? 0) * 2);
  });

  test('one hub refused: the other still answers, with a warning naming the refusal', async () => {
    forbidden.add(OTHER_HUB);
    const answer = await source().connectedDeviceCount([HUB, OTHER_HUB], SPAN);
    expect(answer.value.length).toBeGreaterThan(0);
    expect(answer.warning).toMatch(/contoso-lab-hub: 403/);
  });

  test('every hub refused: a clear error without the token', async () => {
    forbidden.add(HUB);
    const error = (await source()
      .connectedDeviceCount([HUB], SPAN)
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/Azure Monitor metrics unavailable \(contoso-fleet-hub: 403/);
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(TOKEN);
  });

  test('a 503 is retried by the pipeline, then the answer is used', async () => {
    scripted.push({ status: 503, body: '{"error":{"code":"ServiceUnavailable"}}' });
    const answer = await source(1).connectedDeviceCount([HUB], SPAN);
    expect(seen).toHaveLength(2);
    expect(answer.value.length).toBeGreaterThan(30);
  });

  test('an answer that is not metrics JSON is a clear error, not a crash', async () => {
    scripted.push({ status: 200, body: '<html>proxy error</html>' });
    await expect(source().connectedDeviceCount([HUB], SPAN)).rejects.toThrow(
      /contoso-fleet-hub: 200 MalformedResponse/,
    );
    scripted.push({ status: 200, body: '{"value":{"not":"a list"}}' });
    expect((await source().connectedDeviceCount([HUB], SPAN)).value).toEqual([]);
  });

  test('an error without a JSON body still names its status', async () => {
    scripted.push({ status: 404, body: 'not found' });
    await expect(source().connectedDeviceCount([HUB], SPAN)).rejects.toThrow(
      /contoso-fleet-hub: 404\)/,
    );
  });

  test('an unreachable endpoint is a clear error', async () => {
    const closed = new AzureMonitorMetricsSource({
      credential: {
        getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 1e6 }),
      },
      endpoint: `https://127.0.0.1:${await closedPort()}`,
      retryOptions: { maxRetries: 0 },
    });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await expect(closed.connectedDeviceCount([HUB], SPAN)).rejects.toThrow(
      /Azure Monitor metrics unavailable \(contoso-fleet-hub: /,
    );
    // The request's 30 s time-out is cleared with it: before @typespec/ts-http-runtime 0.3.11 a
    // refused connection left it running, and a CLI run would wait that long to exit.
    expect(timers()).toBe(before);
  });
});
