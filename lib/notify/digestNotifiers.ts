/**
 * Channels that receive the daily digest: the Teams Workflows webhook (Adaptive Card) and the
 * generic webhook (`digest.daily` event, signed like every webhook body). Same delivery and
 * retries as the alert messages (`postJson`); errors never carry the URL.
 */

import type { DigestReport } from '../digest/digestReport';
import { renderDigestTeamsMessage } from '../render/digestCard';
import { renderDigestWebhookEvent } from '../render/digestWebhook';
import { type DeliveryOptions, postJson } from './httpDelivery';
import { IDEMPOTENCY_KEY_HEADER } from './webhookNotifier';
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './webhookSignature';

export interface DigestNotifier {
  /** A name for logs; never the URL, which is a secret. */
  readonly name: string;
  sendDigest(report: DigestReport): Promise<void>;
}

export class TeamsDigestNotifier implements DigestNotifier {
  readonly name = 'teams';

  constructor(
    private readonly workflowUrl: string,
    private readonly options: DeliveryOptions,
  ) {}

  async sendDigest(report: DigestReport): Promise<void> {
    const body = JSON.stringify(renderDigestTeamsMessage(report));
    await postJson('Teams', this.workflowUrl, body, {}, this.options);
  }
}

export class WebhookDigestNotifier implements DigestNotifier {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly options: DeliveryOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sendDigest(report: DigestReport): Promise<void> {
    const event = renderDigestWebhookEvent(report, this.now().toISOString());
    const body = JSON.stringify(event);
    // The same key as alert events: a receiver that deduplicates on it drops a retried digest.
    const headers: Record<string, string> = { [IDEMPOTENCY_KEY_HEADER]: event.id };
    if (this.secret !== undefined) {
      const timestamp = String(Math.floor(this.now().getTime() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhookBody(this.secret, timestamp, body);
    }
    await postJson('Webhook', this.url, body, headers, this.options);
  }
}
