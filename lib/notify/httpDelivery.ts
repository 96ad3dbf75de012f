/**
 * POSTs JSON with retries, each attempt under one total deadline (an abort signal over connect,
 * headers and body), so that a receiver that drips its answer cannot hold it. Errors never carry
 * the URL (Teams and webhook URLs are secrets).
 */

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    /** HTTP status of the last attempt, when there was a response. */
    readonly status: number | undefined,
    /** False for a permanent refusal (a 4xx other than 408/429, a redirect): never retried. */
    readonly retryable: boolean,
    /** Posts made, including ones whose outcome is unknown. */
    readonly posts = 0,
    readonly unknownOutcomes = 0,
    /** The last attempt's outcome is unknown: the channel may have taken the post. */
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}

export interface PostReceipt {
  readonly status: number;
  readonly posts: number;
  /** Earlier attempts of this post whose outcome was unknown (time-out, reset). */
  readonly unknownOutcomes: number;
}

export interface DeliveryOptions {
  /** Total deadline of one attempt: connect, headers and body. */
  readonly timeoutMs: number;
  readonly attempts?: number;
  /** First back-off step; doubles each retry. */
  readonly baseDelayMs?: number;
  /** Longest wait honoured from a Retry-After header. */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Retry after an unknown outcome (time-out, reset). Only for channels that deduplicate on the
   * idempotency key; otherwise the post is not repeated and the error says the outcome is unknown.
   */
  readonly retryUnknown?: boolean;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
/** Errors that prove nothing was sent; anything else after a request started is "unknown". */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The network error's code (never its message, which may hold the URL). Duck-typed: errors from
 * the runtime's fetch may come from another realm, where `instanceof Error` is false.
 */
function networkCode(error: unknown): string {
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT';
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}

/**
 * Sends once per attempt until a 2xx; returns the final status and what it took. Time-outs,
 * connection errors, 408, 429 and 5xx are retried with back-off and jitter, honouring
 * Retry-After. A time-out or a reset is an *unknown* outcome (the receiver may have taken the
 * post), counted; it is retried (with a longer deadline) only with `retryUnknown`.
 */
export async function postJson(
  channel: string,
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  options: DeliveryOptions,
): Promise<PostReceipt> {
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const sleep = options.sleep ?? realSleep;
  let unknownOutcomes = 0;
  let failure = new DeliveryError(`${channel}: not attempted`, undefined, true);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = base * 2 ** (attempt - 1) * (0.5 + Math.random());
    // After an unknown outcome the receiver may just be slow: give the next attempt longer.
    const deadlineMs = options.timeoutMs * Math.min(4, 2 ** unknownOutcomes);
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        redirect: 'manual',
        signal,
      });
      // The status is the answer; the body is not needed, and a dripping one must not hold us.
      void response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        return { status: response.status, posts: attempt, unknownOutcomes };
      }
      const retryable = RETRYABLE.has(response.status);
      failure = new DeliveryError(
        `${channel} answered HTTP ${response.status}`,
        response.status,
        retryable,
        attempt,
        unknownOutcomes,
      );
      if (!retryable) throw failure;
      wait = Math.max(wait, retryAfterMs(response.headers.get('retry-after')) ?? 0);
    } catch (error: unknown) {
      if (error instanceof DeliveryError) throw error;
      const code = networkCode(error);
      const unknown = !NOT_SENT.has(code);
      if (unknown) unknownOutcomes++;
      const what =
        code === 'TIMEOUT'
          ? `did not answer within ${deadlineMs} ms (outcome unknown)`
          : unknown
            ? `failed (${code}; outcome unknown)`
            : `could not be reached (${code})`;
      const retryable = !unknown || options.retryUnknown !== false;
      failure = new DeliveryError(
        `${channel} ${what}`,
        undefined,
        retryable,
        attempt,
        unknownOutcomes,
        unknown,
      );
      if (!retryable) throw failure;
    }
    if (attempt < attempts) await sleep(Math.min(wait, maxDelay));
  }
  throw failure;
}
