/**
 * POSTs JSON with retries: back-off with jitter on time-outs, connection errors, 408, 429 and
 * 5xx, honouring Retry-After. Errors never carry the URL (Teams and webhook URLs are secrets).
 */

import axios, { type AxiosInstance, isAxiosError } from 'axios';

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    /** HTTP status of the last attempt, when there was a response. */
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface DeliveryOptions {
  readonly timeoutMs: number;
  readonly attempts?: number;
  /** First back-off step; doubles each retry. */
  readonly baseDelayMs?: number;
  /** Longest wait honoured from a Retry-After header. */
  readonly maxDelayMs?: number;
  readonly http?: AxiosInstance;
  readonly sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Sends once per attempt until a 2xx; returns the final status. */
export async function postJson(
  channel: string,
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  options: DeliveryOptions,
): Promise<number> {
  const http = options.http ?? axios;
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const sleep = options.sleep ?? realSleep;
  let failure = new DeliveryError(`${channel}: not attempted`, undefined, true);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = base * 2 ** (attempt - 1) * (0.5 + Math.random());
    try {
      const response = await http.post(url, body, {
        headers: { 'content-type': 'application/json', ...headers },
        timeout: options.timeoutMs,
        validateStatus: () => true,
        maxRedirects: 0,
        transformRequest: [(data: unknown) => data],
        responseType: 'text',
      });
      if (response.status >= 200 && response.status < 300) return response.status;
      const retryable = RETRYABLE.has(response.status);
      failure = new DeliveryError(
        `${channel} answered HTTP ${response.status}`,
        response.status,
        retryable,
      );
      if (!retryable) throw failure;
      wait = Math.max(wait, retryAfterMs(response.headers['retry-after']) ?? 0);
    } catch (error: unknown) {
      if (error instanceof DeliveryError) throw error;
      const code = isAxiosError(error) ? (error.code ?? 'network error') : 'network error';
      failure = new DeliveryError(`${channel} could not be reached (${code})`, undefined, true);
    }
    if (attempt < attempts) await sleep(Math.min(wait, maxDelay));
  }
  throw failure;
}
