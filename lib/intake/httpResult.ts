/** Transport-neutral request/response shapes, and the one place errors become responses. */

import { AppError, BadRequestError, toError } from '../common/errors';
import type { Logger } from '../common/logger';

export interface HandlerResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface ErrorBody {
  readonly error: string;
  readonly path: string;
}

/** Maps a thrown value to a response: `AppError`s say what is wrong; anything else is generic. */
export function errorResponse(thrown: unknown, log: Logger): HandlerResponse {
  if (thrown instanceof AppError) {
    if (thrown.status >= 500) log.warn(`Intake unavailable: ${thrown.message}`);
    return { status: thrown.status, body: { error: thrown.message, path: thrown.path } };
  }
  const error = toError(thrown);
  log.error(`Unexpected intake failure: ${error.name}: ${error.message}`);
  // 503, not 500: action groups retry 503 and never retry 500.
  return {
    status: 503,
    body: { error: 'The enricher could not accept the alert right now; retry later', path: '' },
  };
}

/** Decodes and parses a JSON body; what is wrong is named, the body is never echoed. */
export function parseJsonBody(bytes: Uint8Array, expected: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError('Body is not valid UTF-8 text');
  }
  if (text.trim() === '') throw new BadRequestError(`Body is empty; expected ${expected}`);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error: unknown) {
    // Name the position, never echo the body back.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new BadRequestError(
      `Body is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`,
    );
  }
}
