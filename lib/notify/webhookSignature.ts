/**
 * HMAC-SHA256 signatures for webhook bodies, so receivers can verify origin and freshness.
 * `examples/verify-webhook.mjs` is the same check for receivers, with no dependencies.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-enricher-timestamp';
export const SIGNATURE_HEADER = 'x-enricher-signature';
/** How far a signature's timestamp may be from the receiver's clock, either way: 5 minutes. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type SignatureVerdict = 'valid' | 'bad-signature' | 'stale' | 'bad-timestamp';

export interface VerifyOptions {
  /** The receiver's clock (default: now). */
  readonly now?: Date;
  /** Replay window in seconds (default `SIGNATURE_TOLERANCE_SECONDS`). */
  readonly toleranceSeconds?: number;
}

/**
 * For receivers (and tests): constant-time check of the signature, and of the timestamp against
 * the replay window, so that a captured request cannot be replayed later.
 */
export function checkWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  options: VerifyOptions = {},
): SignatureVerdict {
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad-timestamp';
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return 'bad-signature';
  }
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  return Math.abs(nowSeconds - Number(timestamp)) <= tolerance ? 'valid' : 'stale';
}

export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  options: VerifyOptions = {},
): boolean {
  return checkWebhookSignature(secret, timestamp, body, signature, options) === 'valid';
}
