/**
 * Channels that receive the daily digest: the Teams Workflows webhook (Adaptive Card) and the
 * generic webhook (`digest.daily` event, signed like every webhook body). Same delivery and
 * retries as the alert messages (`postJson`); errors never carry the URL.
 */

import type { DigestReport } from '../digest/digestReport';
import { renderDigestTeamsMessage } from '../render/digestCard';
import { renderDigestWebhookEvent } from '../render/digestWebhook';
import { type DeliveryOptions, postJson } from './httpDelivery';
import { WebhookNotifier } from './webhookNotifier';

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

/** The `digest.daily` event, posted by the alerts' webhook notifier: same signature and key. */
export class WebhookDigestNotifier implements DigestNotifier {
  readonly name = 'webhook';
  private readonly webhook: WebhookNotifier;

  constructor(
    url: string,
    secret: string | undefined,
    options: DeliveryOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.webhook = new WebhookNotifier(url, secret, options, now);
  }

  async sendDigest(report: DigestReport): Promise<void> {
    const event = renderDigestWebhookEvent(report, this.now().toISOString());
    // The event id is the idempotency key: a receiver that deduplicates drops a retried digest.
    await this.webhook.post(JSON.stringify(event), { idempotencyKey: event.id });
  }
}
