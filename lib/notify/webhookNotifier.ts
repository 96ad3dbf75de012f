/** Posts the versioned webhook JSON, signed when a secret is configured. */

import type { EnrichedAlert } from '../enrichment';
import { renderWebhookPayload } from '../render/webhookPayload';
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

  async send(report: EnrichedAlert): Promise<void> {
    const body = JSON.stringify(renderWebhookPayload(report));
    const headers: Record<string, string> = {};
    if (this.secret !== undefined) {
      const timestamp = String(Math.floor(this.now().getTime() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhookBody(this.secret, timestamp, body);
    }
    await postJson('Webhook', this.url, body, headers, this.options);
  }
}
