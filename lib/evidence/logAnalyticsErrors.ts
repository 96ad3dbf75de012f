/**
 * What a failed Log Analytics query becomes: an `EvidenceQueryError` that keeps the HTTP status,
 * the innermost service error code (`SYN0002`, `InsufficientAccessError`) and whether a retry may
 * help, and never carries the bearer token; and the warning a partial answer becomes.
 */

import { AppError } from '../common/errors';
import type { QueryName } from './kql';
import { retryAfterOf } from './logAnalyticsPolicies';

/** Service messages are quoted into errors up to this length (a parse error quotes the body). */
const MAX_QUOTED_MESSAGE = 500;

/** A Log Analytics query that failed outright (no rows at all). */
export class EvidenceQueryError extends AppError {
  constructor(
    message: string,
    readonly queryName: QueryName,
    /** HTTP status of the answer; absent when none arrived (time-out, TLS, network). */
    readonly statusCode: number | undefined,
    /** The innermost service error code (`SYN0002`, `InsufficientAccessError`), or ours. */
    readonly code: string,
    /** Whether trying again later may succeed (throttling, 5xx, time-outs, network). */
    readonly retryable: boolean,
    options?: ErrorOptions & { readonly retryAfterMs?: number },
  ) {
    super(message, retryable ? 503 : 502, '', options);
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** The wait a throttled (429) answer asked for, from its `Retry-After`; undefined if none. */
  readonly retryAfterMs: number | undefined;
}

export interface PartialError {
  readonly code?: string;
  readonly message?: string;
  readonly details?: readonly { readonly code?: string; readonly message?: string }[];
  readonly innererror?: PartialError;
}

export function partialWarning(queryName: QueryName, error: PartialError): string {
  const parts = [`${error.code ?? 'PartialError'}: ${error.message ?? 'no message'}`];
  for (const detail of error.details ?? []) {
    if (detail.message !== undefined && detail.message !== error.message) {
      parts.push(detail.code === undefined ? detail.message : `${detail.code}: ${detail.message}`);
    }
  }
  return `Log Analytics answered the ${queryName} query only in part (${parts.join('; ')})`;
}

interface ServiceError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly innererror?: ServiceError;
}

function innermost(error: ServiceError | undefined): ServiceError | undefined {
  let current = error;
  for (let depth = 0; current?.innererror !== undefined && depth < 10; depth++) {
    current = current.innererror;
  }
  return current;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function clip(message: string): string {
  return message.length <= MAX_QUOTED_MESSAGE
    ? message
    : `${message.slice(0, MAX_QUOTED_MESSAGE)}… (${message.length - MAX_QUOTED_MESSAGE} more characters)`;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function toEvidenceQueryError(
  error: unknown,
  queryName: QueryName,
  clientTimeoutMs: number,
): EvidenceQueryError {
  const prefix = `Log Analytics query ${queryName} failed`;
  if (!(error instanceof Error)) {
    return new EvidenceQueryError(
      `${prefix}: ${typeof error} thrown`,
      queryName,
      undefined,
      'Unknown',
      false,
    );
  }
  if (error.name === 'AbortError') {
    return new EvidenceQueryError(
      `${prefix}: no answer within ${clientTimeoutMs} ms`,
      queryName,
      undefined,
      'ClientTimeout',
      true,
      { cause: error },
    );
  }
  if (error.name === 'RestError') {
    const rest = error as Error & {
      statusCode?: number;
      code?: string;
      details?: { error?: ServiceError };
      response?: { headers?: { get(name: string): string | undefined } };
    };
    const top = rest.details?.error;
    const inner = innermost(top);
    const code = text(inner?.code) ?? text(top?.code) ?? text(rest.code) ?? 'Unknown';
    const statusCode = rest.statusCode;
    const messages = [clip(text(top?.message) ?? rest.message)];
    const innerMessage = text(inner?.message);
    if (innerMessage !== undefined && innerMessage !== messages[0])
      messages.push(clip(innerMessage));
    const status = statusCode === undefined ? '' : `HTTP ${statusCode} `;
    return new EvidenceQueryError(
      `${prefix} (${status}${code}): ${messages.join(' ')}`,
      queryName,
      statusCode,
      code,
      statusCode === undefined ? true : isRetryableStatus(statusCode),
      { cause: error, ...retryAfterOf(rest.response?.headers) },
    );
  }
  // The SDK deserialises with bare property reads, so a malformed answer surfaces as a TypeError.
  const code = error instanceof TypeError ? 'MalformedResponse' : 'Unknown';
  return new EvidenceQueryError(
    `${prefix} (${code}): ${clip(error.message)}`,
    queryName,
    undefined,
    code,
    false,
    {
      cause: error,
    },
  );
}
