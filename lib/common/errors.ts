/**
 * Errors that carry the HTTP status they map to. Exactly one place per transport turns them into
 * responses; anything else thrown is a bug and maps to a generic 500 body.
 */

export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Dotted path of the offending field in the request body, '' for the whole body. */
    readonly path = '',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is not something the enricher can read: not JSON, not an object, not an alert. */
export class BadRequestError extends AppError {
  constructor(message: string, path = '') {
    super(message, 400, path);
  }
}

/** A recognised alert payload that the enricher refuses: wrong types, or a legacy schema. */
export class UnprocessableAlertError extends AppError {
  constructor(message: string, path = '') {
    super(message, 422, path);
  }
}

/** The caller did not prove who it is (a missing or invalid bearer token). */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(message, 401);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(`Body is larger than ${limitBytes} bytes`, 413);
  }
}

/** A dependency (storage, queue) failed in a way the sender should retry. */
export class UnavailableError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 503, '', options);
  }
}

/** Turns anything thrown into an `Error`, without ever stringifying secrets it does not know of. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (thrown === null || thrown === undefined) return new Error('Unknown error');
  if (typeof thrown === 'string') return new Error(thrown);
  return new Error(`Non-error thrown: ${typeof thrown}`);
}
