/**
 * Posts the versioned webhook JSON, signed when a secret is configured (signed at send time, so
 * a replay carries a fresh timestamp), with an `Idempotency-Key` header that stays the same over
 * every retry and replay of one delivery: receivers deduplicate on it.
 */

import { type DeliveryOptions, type PostReceipt, postJson } from './httpDelivery';
import type { Notifier, PostOptions } from './notifier';
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './webhookSignature';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export class WebhookNotifier implements Notifier {
  readonly format = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly options: DeliveryOptions,
    private readonly now: () => Date = () => new Date(),
    /** The receiver's name: the ledger's key and what logs say (never the URL). */
    readonly name = 'webhook',
  ) {}

  post(body: string, { idempotencyKey }: PostOptions): Promise<PostReceipt> {
    const headers: Record<string, string> = { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey };
    if (this.secret !== undefined) {
      const timestamp = String(Math.floor(this.now().getTime() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhookBody(this.secret, timestamp, body);
    }
    return postJson(
      this.name === 'webhook' ? 'Webhook' : `Webhook (${this.name})`,
      this.url,
      body,
      headers,
      this.options,
    );
  }
}
