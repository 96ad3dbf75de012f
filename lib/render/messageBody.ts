/** The exact body each channel format posts for an outgoing message. */

import type { MessageFormat } from '../notify/notifier';
import type { OutgoingMessage } from '../incidents/outgoingMessage';
import { type ActionLinkSigner, actionLinksFor } from './actionLinks';
import { renderTeamsCard } from './teamsCards';
import { renderWebhookEvent } from './webhookPayload';

/**
 * `sign`, when the deployment signs action links, makes the card's Acknowledge and Mute links;
 * the card and the webhook event carry the same ones.
 */
export function renderMessageBody(
  format: MessageFormat,
  message: OutgoingMessage,
  sentAt: string,
  sign?: ActionLinkSigner,
): string {
  const actions = actionLinksFor(message, sign);
  return JSON.stringify(
    format === 'teams'
      ? renderTeamsCard(message, actions)
      : renderWebhookEvent(message, sentAt, actions),
  );
}
