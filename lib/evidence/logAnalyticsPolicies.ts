/**
 * The HTTP pipeline policies installed on every `LogsQueryClient`, and the time-outs and
 * `Retry-After` reading that go with them: they make the SDK's answers to 204s, bare error
 * statuses and 429s the ones the adapter and the query limiter expect.
 */

import type { LogsQueryClient } from '@azure/monitor-query-logs';

type Pipeline = LogsQueryClient['pipeline'];
type PipelinePolicy = Parameters<Pipeline['addPolicy']>[0];

/** Sent as `Prefer: wait=N`: the service stops a query after this long. */
export const DEFAULT_SERVER_TIMEOUT_SECONDS = 60;
/** Client-side time-out per HTTP attempt, above the server's. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 90_000;

export const RESPONSE_REPAIR_POLICY_NAME = 'iothubAlertEnricherResponseRepair';

function isOneApiError(text: string | null | undefined): boolean {
  if (text === undefined || text === null || text === '') return false;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return false;
    const error: unknown = (body as { error?: unknown }).error;
    return typeof error === 'object' && error !== null;
  } catch {
    return false;
  }
}

/**
 * Works around the SDK's deserialiser, which reads `body.error` of any non-200 answer and so
 * throws a bare `TypeError` for a 204 ("workspace has no data") or for an error status without a
 * JSON error body. A 204 becomes an empty result, a bare error a OneAPI error with the same
 * status: an empty workspace reads as empty, and a bare 503 still surfaces as a 503.
 */
const responseRepairPolicy: PipelinePolicy = {
  name: RESPONSE_REPAIR_POLICY_NAME,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 204) {
      response.status = 200;
      response.headers.set('content-type', 'application/json');
      response.bodyAsText = '{"tables":[]}';
    } else if (response.status >= 300 && !isOneApiError(response.bodyAsText)) {
      response.headers.set('content-type', 'application/json');
      response.bodyAsText = JSON.stringify({
        error: {
          code: `Http${response.status}`,
          message: `Log Analytics answered HTTP ${response.status} without an error body`,
        },
      });
    }
    return response;
  },
};

export const THROTTLE_HAND_OFF_POLICY_NAME = 'iothubAlertEnricherThrottleHandOff';
const RETRY_AFTER_HEADERS = ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms'];
const HANDED_OFF_PREFIX = 'x-enricher-';

/**
 * A 429 is the query limiter's to retry (`querySharing/queryLimiter.ts`), not the SDK's: the SDK's
 * retry policy would wait any `Retry-After`, however long, while the limiter waits a bounded
 * time and holds its slot meanwhile. Runs inside the retry loop and renames the 429's
 * `Retry-After` headers so the SDK lets the answer through; `retryAfterOf` reads them back.
 */
const throttleHandOffPolicy: PipelinePolicy = {
  name: THROTTLE_HAND_OFF_POLICY_NAME,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 429) {
      for (const header of RETRY_AFTER_HEADERS) {
        const value = response.headers.get(header);
        if (value === undefined) continue;
        response.headers.delete(header);
        response.headers.set(`${HANDED_OFF_PREFIX}${header}`, value);
      }
    }
    return response;
  },
};

/** Installs both policies once: a client may pass through here more than once. */
export function installPolicies(pipeline: Pipeline): void {
  const installed = new Set(pipeline.getOrderedPolicies().map((policy) => policy.name));
  if (!installed.has(RESPONSE_REPAIR_POLICY_NAME)) pipeline.addPolicy(responseRepairPolicy);
  if (!installed.has(THROTTLE_HAND_OFF_POLICY_NAME)) {
    pipeline.addPolicy(throttleHandOffPolicy, { afterPhase: 'Retry' });
  }
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, as milliseconds to wait. */
export function retryAfterOf(
  headers: { get(name: string): string | undefined } | undefined,
  now = Date.now(),
): { retryAfterMs?: number } {
  const header = (name: string): string | undefined =>
    (headers?.get(`${HANDED_OFF_PREFIX}${name}`) ?? headers?.get(name))?.trim();
  const rawMillis = header('retry-after-ms') ?? header('x-ms-retry-after-ms');
  if (rawMillis !== undefined && /^\d+(\.\d+)?$/.test(rawMillis)) {
    return { retryAfterMs: Number(rawMillis) };
  }
  const value = header('retry-after');
  if (value === undefined || value === '') return {};
  if (/^\d+(\.\d+)?$/.test(value)) return { retryAfterMs: Number(value) * 1000 };
  const date = Date.parse(value);
  return Number.isFinite(date) ? { retryAfterMs: Math.max(0, date - now) } : {};
}
