/**
 * `POST /api/alerts`: validate, normalise, deduplicate, enqueue, record, answer 202 — in well under
 * a second, because action groups time out quickly and retry only 408/429/503/504. 2xx means
 * durably queued; any storage fault is a 503 (bounded by the adapters' client-side deadlines).
 */

import { idempotencyKey } from '../alerts/alert';
import { type ParseOptions, parseAlert } from '../alerts/parseAlert';
import { AppError, PayloadTooLargeError, UnavailableError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { AlertQueue } from '../state/alertQueue';
import type { AlertStore } from '../state/alertStore';
import type { CallerCheck } from './entraIdCallerCheck';
import { errorResponse, type HandlerResponse, parseJsonBody } from './httpResult';

export const MAX_ALERT_BODY_BYTES = 1024 * 1024;

export interface IntakeRequest {
  /** The `Authorization` header, when the client sent one. */
  readonly authorization?: string;
  /** The `Content-Length` header, when the client sent one. */
  readonly declaredLength?: number;
  /** Reads the raw body; called only when the declared length is acceptable. */
  readBody(): Promise<Uint8Array>;
}

export interface IntakeServices {
  readonly queue: AlertQueue;
  readonly store: AlertStore;
  readonly parseOptions: ParseOptions;
  /** Checks the caller's credentials before anything is read (Entra ID tokens); absent = none. */
  readonly checkCaller?: CallerCheck;
  readonly log: Logger;
  readonly now: () => Date;
}

export async function handleAlertRequest(
  request: IntakeRequest,
  services: IntakeServices,
): Promise<HandlerResponse> {
  try {
    await services.checkCaller?.(request.authorization);
    if (request.declaredLength !== undefined && request.declaredLength > MAX_ALERT_BODY_BYTES) {
      throw new PayloadTooLargeError(MAX_ALERT_BODY_BYTES);
    }
    const bytes = await request.readBody();
    if (bytes.byteLength > MAX_ALERT_BODY_BYTES)
      throw new PayloadTooLargeError(MAX_ALERT_BODY_BYTES);
    const alert = parseAlert(parseJsonBody(bytes, 'a JSON alert'), services.parseOptions);

    // The sequence and its crash points: docs/reliability.md.
    const key = idempotencyKey(alert);
    if (await wasQueued(key, services)) {
      services.log.info(`Alert ${alert.id} (${alert.condition}) already queued; not queued again`);
      return { status: 202, body: { id: alert.id, duplicate: true } };
    }
    try {
      await services.queue.enqueue({
        version: 1,
        alert,
        receivedAt: services.now().toISOString(),
      });
    } catch (error: unknown) {
      // Nothing was recorded, so the action group's retry is queued.
      if (error instanceof AppError && error.status < 500) throw error;
      throw new UnavailableError('The alert queue is unavailable; retry later', { cause: error });
    }
    // Durably queued: the answer is 2xx whatever happens to the record. Without it a retry is
    // queued again, and the worker's processing ledger drops the second message.
    await services.store.markQueued(key).catch((error: unknown) => {
      services.log.warn(
        `Alert ${alert.id} queued, but its idempotency record was not written (${errorName(error)}); a retry will be dropped by the worker`,
      );
    });
    services.log.info(
      `Accepted alert ${alert.id} (${alert.condition}, ${alert.signal}, ${alert.deviceIds.length} device(s))`,
    );
    return { status: 202, body: { id: alert.id } };
  } catch (error: unknown) {
    return errorResponse(error, services.log);
  }
}

/**
 * A failed read does not block intake: the queue is what matters, and a duplicate it lets through
 * is dropped by the worker. The store's own deadline bounds the wait.
 */
async function wasQueued(key: string, services: IntakeServices): Promise<boolean> {
  try {
    return await services.store.wasQueued(key);
  } catch (error: unknown) {
    services.log.warn(`Idempotency record unreadable (${errorName(error)}); queueing anyway`);
    return false;
  }
}

/** A name for logs; storage errors can carry URLs with SAS tokens, so never the message. */
function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return 'unknown error';
}
