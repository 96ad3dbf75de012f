/**
 * A local HTTPS server that speaks the Log Analytics query API's wire format, so that the tests
 * and `npm run bench` run the real `LogsQueryClient` against it: `POST /v1/workspaces/{id}/query`
 * with `{query, timespan}`, bearer auth, `Prefer: wait=N`, and the service's success,
 * partial-error, error and throttling (429 with `Retry-After`) answers.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { TestCertificate } from './localCertificate';
import { closeNow, listenLocally, readText } from './localServer';

export type WireColumnType =
  | 'bool'
  | 'datetime'
  | 'dynamic'
  | 'int'
  | 'long'
  | 'real'
  | 'string'
  | 'guid'
  | 'decimal'
  | 'timespan';

export interface WireTable {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: WireColumnType }[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/workspaces/<id>/query`. */
  readonly path: string;
  /** The `{id}` of `/v1/workspaces/{id}/query`, decoded; undefined for other paths. */
  readonly workspaceId: string | undefined;
  /** Lower-cased header names. `authorization` keeps its scheme only: `Bearer [redacted]`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whether the request carried `Authorization: Bearer <the expected token>`. */
  readonly authorized: boolean;
  /** The JSON body, parsed; the raw text when it is not JSON. */
  readonly body: unknown;
  readonly query: string | undefined;
  readonly timespan: string | undefined;
  /** The `wait=N` of the `Prefer` header (the server-side time-out the client asked for). */
  readonly preferWait: number | undefined;
}

export interface Reply {
  readonly status: number;
  /** Sent as JSON; no body when absent. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (a slow query). */
  readonly delayMs?: number;
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

/** A result table, `PrimaryResult` unless named. */
export function table(
  columns: Readonly<Record<string, WireColumnType>>,
  rows: readonly (readonly unknown[])[],
  name = 'PrimaryResult',
): WireTable {
  return {
    name,
    columns: Object.entries(columns).map(([columnName, type]) => ({ name: columnName, type })),
    rows,
  };
}

function oneApiError(
  code: string,
  message: string,
  innererror?: Record<string, unknown>,
): { error: Record<string, unknown> } {
  return {
    error: {
      message,
      code,
      correlationId: randomUUID(),
      ...(innererror === undefined ? {} : { innererror }),
    },
  };
}

/** The answers the service gives, as documented and as seen on the wire. */
export const reply = {
  tables(...tables: readonly WireTable[]): Reply {
    return { status: 200, body: { tables } };
  },
  /** HTTP 200 with rows and an `error` object: the SDK's `PartialFailure`. */
  partial(tables: readonly WireTable[], innerMessage: string): Reply {
    return {
      status: 200,
      body: {
        tables,
        error: {
          code: 'PartialError',
          message: 'There were some errors when processing your query.',
          details: [
            {
              code: 'EngineError',
              message: innerMessage,
              innererror: {
                code: '-2133196797',
                message: `Partial query failure: ${innerMessage}`,
                severity: 2,
                severityName: 'Error',
              },
            },
          ],
        },
      },
    };
  },
  /** 400 `BadArgumentError` → `SyntaxError` → `SYN0002`, as for a query that does not parse. */
  syntaxError(token = '"'): Reply {
    return {
      status: 400,
      body: oneApiError('BadArgumentError', 'The request had some invalid properties', {
        code: 'SyntaxError',
        message: 'A recognition error occurred in the query.',
        innererror: {
          code: 'SYN0002',
          message: `Query could not be parsed at '${token}' on line [1,10]`,
          line: 1,
          pos: 10,
          token,
        },
      }),
    };
  },
  /** 403: the identity has no read access to the workspace. */
  insufficientAccess(): Reply {
    return {
      status: 403,
      body: oneApiError(
        'InsufficientAccessError',
        'The provided credentials have insufficient access to perform the requested operation',
      ),
    };
  },
  unauthorized(): Reply {
    return {
      status: 401,
      body: oneApiError('AuthorizationRequiredError', 'Valid authentication was not provided'),
    };
  },
  error(status: number, code: string, message: string): Reply {
    return { status, body: oneApiError(code, message) };
  },
  /** 204: the workspace holds no data (`@azure/monitor-query-logs` throws a TypeError on this). */
  noContent(): Reply {
    return { status: 204 };
  },
  slow(delayMs: number, then: Reply): Reply {
    return { ...then, delayMs };
  },
  /** 429: too many requests from this caller; `Retry-After` in whole seconds. */
  throttled(retryAfterSeconds: number): Reply {
    return {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: oneApiError(
        'ThrottledError',
        'Your request was throttled: too many requests or concurrent queries from this caller',
      ),
    };
  },
};

/** The service's limits per caller, enforced with 429 answers when set. */
export interface CallerLimits {
  /** Queries running at once (Log Analytics: 5). */
  readonly maxConcurrent?: number;
  /** Queries in any 30 seconds (Log Analytics: about 200). */
  readonly maxPer30s?: number;
  readonly retryAfterSeconds: number;
}

export interface QueryStats {
  /** Query requests received (throttled ones included). */
  readonly queries: number;
  /** Of those, answered 429 by the limits. */
  readonly throttled: number;
  readonly inFlight: number;
  readonly peakInFlight: number;
  /** The most query requests received in any 30-second window. */
  readonly maxPer30s: number;
}

const WINDOW_MS = 30_000;

/** The most times that fall in any window of `windowMs` (times in arrival order). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] ?? 0) - (times[first] ?? 0) >= windowMs) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

export interface LocalLogAnalyticsServer {
  /** Base URL including `/v1`, for `LogsQueryClient`'s `endpoint` (which it uses verbatim). */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Replaces the handler for the requests that follow. */
  handle(handler: Handler): void;
  /** Enforces (or, with undefined, lifts) the per-caller limits for the requests that follow. */
  limit(limits: CallerLimits | undefined): void;
  stats(): QueryStats;
  /** Forgets the recorded requests and counts. */
  reset(): void;
  close(): Promise<void>;
}

export interface LocalLogAnalyticsServerOptions {
  readonly certificate: TestCertificate;
  /** The bearer token requests must carry; others get 401. */
  readonly token: string;
  readonly handler?: Handler;
  readonly limits?: CallerLimits;
}

const QUERY_PATH = /^\/v1\/workspaces\/([^/]+)\/query$/;

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function record(request: IncomingMessage, rawBody: string, token: string): RecordedRequest {
  const url = new URL(request.url ?? '/', 'https://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    headers.authorization = `${authorization.split(' ')[0] ?? ''} [redacted]`;
  }
  let body: unknown = rawBody;
  try {
    body = rawBody === '' ? undefined : JSON.parse(rawBody);
  } catch {
    // keep the raw text
  }
  const workspace = QUERY_PATH.exec(url.pathname)?.[1];
  const wait = /(?:^|[,;\s])wait=(\d+)/.exec(headers.prefer ?? '')?.[1];
  return {
    method: request.method ?? '',
    path: url.pathname,
    workspaceId: workspace === undefined ? undefined : decodeURIComponent(workspace),
    headers,
    authorized: authorization === `Bearer ${token}`,
    body,
    query: field(body, 'query'),
    timespan: field(body, 'timespan'),
    preferWait: wait === undefined ? undefined : Number(wait),
  };
}

function send(response: ServerResponse, answer: Reply): void {
  if (response.destroyed || response.writableEnded) return;
  const json = answer.body === undefined ? undefined : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    ...(json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    ...answer.headers,
  });
  response.end(json);
}

/**
 * Records every request (the token value is never recorded), counts the queries, the most in
 * flight at once and the most in any 30 seconds, can enforce the service's per-caller limits, and
 * answers from a handler the caller supplies; `reply` builds the answers the service gives.
 */
export async function startLocalLogAnalyticsServer(
  options: LocalLogAnalyticsServerOptions,
): Promise<LocalLogAnalyticsServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let handler: Handler = options.handler ?? (() => reply.tables());
  let limits = options.limits;
  let arrivals: number[] = [];
  let throttled = 0;
  let inFlight = 0;
  let peakInFlight = 0;

  const overLimit = (now: number): boolean => {
    if (limits === undefined) return false;
    if (limits.maxConcurrent !== undefined && inFlight > limits.maxConcurrent) return true;
    if (limits.maxPer30s === undefined) return false;
    return arrivals.filter((t) => now - t < WINDOW_MS).length > limits.maxPer30s;
  };

  const answerQuery = async (recorded: RecordedRequest, response: ServerResponse) => {
    const now = Date.now();
    arrivals.push(now);
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.once('close', () => {
      inFlight--;
    });
    if (overLimit(now) && limits !== undefined) {
      throttled++;
      send(response, reply.throttled(limits.retryAfterSeconds));
      return;
    }
    const chosen = await handler(recorded);
    if (chosen.delayMs === undefined || chosen.delayMs <= 0) {
      send(response, chosen);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(response, chosen);
    }, chosen.delayMs);
    timers.add(timer);
  };

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const recorded = record(request, await readText(request), options.token);
    requests.push(recorded);
    if (recorded.workspaceId === undefined) {
      send(response, reply.error(404, 'PathNotFoundError', `The requested path does not exist`));
      return;
    }
    if (recorded.method !== 'POST') {
      send(response, reply.error(405, 'MethodNotAllowed', `${recorded.method} is not supported`));
      return;
    }
    if (!recorded.authorized) {
      send(response, reply.unauthorized());
      return;
    }
    await answerQuery(recorded, response);
  };

  const server: Server = createServer(
    { key: options.certificate.key, cert: options.certificate.cert },
    (request, response) => {
      answer(request, response).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : 'handler failed';
        send(response, reply.error(500, 'InternalServerError', message));
      });
    },
  );
  const port = await listenLocally(server);

  return {
    endpoint: `https://127.0.0.1:${port}/v1`,
    requests,
    handle(next) {
      handler = next;
    },
    limit(next) {
      limits = next;
    },
    stats: () => ({
      queries: arrivals.length,
      throttled,
      inFlight,
      peakInFlight,
      maxPer30s: maxInWindow(arrivals, WINDOW_MS),
    }),
    reset() {
      requests.length = 0;
      arrivals = [];
      throttled = 0;
      peakInFlight = inFlight;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return closeNow(server);
    },
  };
}
