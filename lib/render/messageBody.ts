/** The exact body each channel format posts for an outgoing message. */

import type { MessageFormat } from '../notify/notifier';
import type { OutgoingMessage } from '../incidents/outgoingMessage';
import { renderTeamsCard } from './teamsCards';
import { renderWebhookEvent } from './webhookPayload';

export function renderMessageBody(
  format: MessageFormat,
  message: OutgoingMessage,
  sentAt: string,
): string {
  return JSON.stringify(
    format === 'teams' ? renderTeamsCard(message) : renderWebhookEvent(message, sentAt),
  );
}
