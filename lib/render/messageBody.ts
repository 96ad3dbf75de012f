/** The exact body each channel format posts for an enriched alert. */

import type { EnrichedAlert } from '../enrichment';
import type { MessageFormat } from '../notify/notifier';
import { renderTeamsMessage } from './teamsCard';
import { renderWebhookPayload } from './webhookPayload';

export function renderMessageBody(format: MessageFormat, report: EnrichedAlert): string {
  return JSON.stringify(
    format === 'teams' ? renderTeamsMessage(report) : renderWebhookPayload(report),
  );
}
