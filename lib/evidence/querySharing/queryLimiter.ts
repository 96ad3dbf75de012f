/**
 * Caps the queries in flight from one instance (Log Analytics allows a caller 5 concurrent
 * queries) and retries a throttled query (HTTP 429) after the `Retry-After` the service named.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
};

export interface QueryLimiterOptions {
  /** Queries in flight at most (default 5, the Log Analytics limit per caller). */
  readonly maxInFlight?: number;
  /** Attempts per query, the first included (default 3). */
  readonly maxAttempts?: number;
  /** The longest `Retry-After` honoured; a longer one is a gap at once (default 30 s). */
  readonly maxRetryAfterMs?: number;
  /** The wait when a 429 names none, doubled per attempt (default 1 s). */
  readonly defaultRetryAfterMs?: number;
  readonly clock?: Clock;
}

export const DEFAULT_MAX_IN_FLIGHT = 5;

export interface QueryLimiterStats {
  readonly started: number;
  readonly inFlight: number;
  readonly peakInFlight: number;
  readonly throttled: number;
  readonly retried: number;
}

/** What a throttled error carries: `statusCode` 429 and, when the service named it, the wait. */
interface ThrottleSignal {
  readonly statusCode?: unknown;
  readonly retryAfterMs?: unknown;
}

/** The wait a 429 asks for (undefined when it named none); undefined too for any other error. */
export function throttleOf(error: unknown): { retryAfterMs: number | undefined } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const signal = error as ThrottleSignal;
  if (signal.statusCode !== 429) return undefined;
  const wait = signal.retryAfterMs;
  return { retryAfterMs: typeof wait === 'number' && wait >= 0 ? wait : undefined };
}

export class QueryLimiter {
  private readonly maxInFlight: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly defaultRetryAfterMs: number;
  private readonly clock: Clock;
  private readonly waiting: (() => void)[] = [];
  private inFlight = 0;
  private peakInFlight = 0;
  private started = 0;
  private throttled = 0;
  private retried = 0;

  constructor(options: QueryLimiterOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? 1000;
    this.clock = options.clock ?? systemClock;
    if (!(this.maxInFlight >= 1) || !(this.maxAttempts >= 1)) {
      throw new Error('QueryLimiter needs maxInFlight >= 1 and maxAttempts >= 1');
    }
  }

  /**
   * Runs `query` when a slot is free, retrying it while it is throttled. The slot is kept while
   * waiting: the service asked this caller to slow down, so it does not start another query in
   * its place. A wait longer than `maxRetryAfterMs`, or too many attempts, ends in the original
   * error, which the evidence gatherer turns into a stated gap.
   */
  async run<T>(query: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      for (let attempt = 1; ; attempt++) {
        this.started++;
        try {
          return await query();
        } catch (error: unknown) {
          const throttle = throttleOf(error);
          if (throttle === undefined) throw error;
          this.throttled++;
          const wait = throttle.retryAfterMs ?? this.defaultRetryAfterMs * 2 ** (attempt - 1);
          if (attempt >= this.maxAttempts || wait > this.maxRetryAfterMs) throw error;
          this.retried++;
          await this.clock.sleep(wait);
        }
      }
    } finally {
      this.release();
    }
  }

  stats(): QueryLimiterStats {
    return {
      started: this.started,
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
      throttled: this.throttled,
      retried: this.retried,
    };
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.take();
        resolve();
      });
    });
  }

  private take(): void {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
  }

  private release(): void {
    this.inFlight--;
    // First come, first served: the slot passes straight to the longest waiter.
    this.waiting.shift()?.();
  }
}
