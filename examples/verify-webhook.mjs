// Verifying iothub-alert-enricher webhooks: a receiver in plain Node.js (18 or later), with no
// dependencies. Copy `verifyEnricherWebhook` into your receiver, or run this file to try it:
//
//   WEBHOOK_SECRET=... PORT=8080 node examples/verify-webhook.mjs
//
// The enricher sends (when WEBHOOK_SECRET is set on its side):
//   X-Enricher-Timestamp: Unix seconds when the request was signed
//   X-Enricher-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + raw body))
// A request is genuine when the signature matches the RAW body (verify before parsing JSON) and
// fresh when the timestamp is within the replay window (default 5 minutes either way; keep the
// receiver's clock in sync). Within the window an exact replay is refused by remembering the
// signatures seen. Each delivery attempt is signed anew, so a retry is never mistaken for one.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

export const TOLERANCE_SECONDS = 300;

/**
 * @param {object} request
 * @param {string} request.secret        the shared WEBHOOK_SECRET
 * @param {string | undefined} request.timestamp  the X-Enricher-Timestamp header
 * @param {string | undefined} request.signature  the X-Enricher-Signature header
 * @param {string | Buffer} request.rawBody       the body exactly as received
 * @param {number} [request.nowSeconds]           the receiver's clock, Unix seconds
 * @param {number} [request.toleranceSeconds]     the replay window, seconds
 * @param {Map<string, number>} [request.seen]    signatures already accepted (replay guard)
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function verifyEnricherWebhook({
  secret,
  timestamp,
  signature,
  rawBody,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = TOLERANCE_SECONDS,
  seen,
}) {
  if (!secret) return { ok: false, reason: 'no secret configured' };
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'missing or malformed X-Enricher-Timestamp' };
  }
  if (typeof signature !== 'string') return { ok: false, reason: 'missing X-Enricher-Signature' };
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`,
  );
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'signature does not match' };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: 'timestamp outside the replay window' };
  }
  if (seen) {
    for (const [old, at] of seen) if (nowSeconds - at > toleranceSeconds) seen.delete(old);
    if (seen.has(signature)) return { ok: false, reason: 'replayed request' };
    seen.set(signature, Number(timestamp));
  }
  return { ok: true };
}

/** A receiver that answers 204 to verified posts and 401 (with the reason) to the rest. */
export function startReceiver({
  secret,
  port = 8080,
  host = '127.0.0.1',
  onMessage = () => undefined,
}) {
  const seen = new Map();
  const server = createServer((request, response) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size <= 1024 * 1024) chunks.push(chunk);
    });
    request.on('end', () => {
      if (request.method !== 'POST' || size > 1024 * 1024) {
        response.writeHead(request.method === 'POST' ? 413 : 405).end();
        return;
      }
      const rawBody = Buffer.concat(chunks);
      const verdict = verifyEnricherWebhook({
        secret,
        timestamp: request.headers['x-enricher-timestamp'],
        signature: request.headers['x-enricher-signature'],
        rawBody,
        seen,
      });
      if (!verdict.ok) {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: verdict.reason }));
        return;
      }
      onMessage(JSON.parse(rawBody.toString('utf8')));
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      resolve(server);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('Set WEBHOOK_SECRET to the secret the enricher signs with.');
    process.exit(2);
  }
  const server = await startReceiver({
    secret,
    port: Number(process.env.PORT ?? 8080),
    onMessage: (message) => {
      console.log(`verified: ${message.diagnosis?.cause ?? 'alert'} ${message.alert?.id ?? ''}`);
    },
  });
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
}
