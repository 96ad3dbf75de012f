/**
 * The exact body each channel format posts for a daily digest, and the key that makes a retried
 * post the same delivery: the `digest.daily` event's id for both formats.
 */

import type { DigestReport } from '../digest/digestReport';
import type { MessageFormat } from '../notify/notifier';
import { renderDigestTeamsMessage } from './digestCard';
import { renderDigestWebhookEvent } from './digestWebhook';

export interface DigestBody {
  readonly body: string;
  readonly idempotencyKey: string;
}

export function renderDigestBody(
  format: MessageFormat,
  report: DigestReport,
  sentAt: string,
): DigestBody {
  const event = renderDigestWebhookEvent(report, sentAt);
  return {
    body: JSON.stringify(format === 'teams' ? renderDigestTeamsMessage(report) : event),
    idempotencyKey: event.id,
  };
}
