/** Posts the versioned webhook JSON, signed when a secret is configured. */

import type { OutgoingMessage } from '../outgoingMessage';
import { renderWebhookEvent } from '../render/webhookPayload';
import { type DeliveryOptions, postJson } from './httpDelivery';
import type { Notifier } from './notifier';
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './webhookSignature';

export class WebhookNotifier implements Notifier {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly options: DeliveryOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    const now = this.now();
    const body = JSON.stringify(renderWebhookEvent(message, now.toISOString()));
    const headers: Record<string, string> = {};
    if (this.secret !== undefined) {
      const timestamp = String(Math.floor(now.getTime() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhookBody(this.secret, timestamp, body);
    }
    await postJson('Webhook', this.url, body, headers, this.options);
  }
}
