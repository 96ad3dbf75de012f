/**
 * Delivering one outgoing message to every channel through the delivery ledger: what the alert's
 * use case and the incident timer both do with what the incident policy decides to post.
 */

import { idempotencyKey } from '../alerts/alert';
import type { Logger } from '../common/logger';
import type { OutgoingMessage } from '../incidents/outgoingMessage';
import { type ChannelOutcome, deliver, isSettled } from '../notify/deliver';
import type { Notifier } from '../notify/notifier';
import type { RoutingSettings } from '../config/routeSettings';
import { describeRoute, notifiersForMessage } from '../routing/deliveryRoute';
import type { ActionLinkSigner } from '../render/actionLinks';
import { renderMessageBody } from '../render/messageBody';
import type { WorkerState } from '../state/workerState';

export interface DeliveryServices {
  /** One per receiver, named after it. */
  readonly notifiers: readonly Notifier[];
  /** Which receivers each message goes to; without a route list, every notifier takes it. */
  readonly routing?: RoutingSettings;
  readonly log: Logger;
  readonly now: () => Date;
  /** Processing lease, delivery ledger and dead letters. */
  readonly state: WorkerState;
  /** Signs the cards' action links; absent when the deployment signs none. */
  readonly signActionLink?: ActionLinkSigner;
}

export class DeliveryFailedError extends Error {
  override name = 'DeliveryFailedError';
}

/**
 * The ledger key of a message: an incident's messages belong to the incident (the alert that
 * opened it and the timer that updates it deliver the same message), the others to their alert.
 */
function sourceKeyOf(message: OutgoingMessage): string {
  if (message.kind === 'notice') return message.subject;
  return message.kind === 'incident' ? message.incident.id : idempotencyKey(message.report.alert);
}

/**
 * Delivers one message to each receiver its route names, through the ledger; throws while a
 * receiver is pending.
 */
export async function deliverMessage(
  message: OutgoingMessage,
  services: DeliveryServices,
): Promise<ChannelOutcome[]> {
  const routed = notifiersForMessage(message, services.notifiers, services.routing);
  if (routed.route) {
    services.log.info(
      `Message ${message.id} → ${routed.route.receivers.join(', ')} (${describeRoute(routed.route)})`,
    );
  }
  if (routed.missing.length > 0) {
    services.log.error(
      `Message ${message.id}: no notifier for the receiver(s) ${routed.missing.join(', ')}`,
    );
  }
  const sentAt = services.now().toISOString();
  const outcomes = await deliver(
    {
      sourceKey: sourceKeyOf(message),
      messageId: message.id,
      bodyFor: (format) => renderMessageBody(format, message, sentAt, services.signActionLink),
    },
    routed.targets,
    {
      ledger: services.state.deliveries,
      deadLetters: services.state.deadLetters,
      log: services.log,
      now: services.now,
    },
  );
  if (!isSettled(outcomes)) {
    const pending = outcomes
      .filter((o) => o.result === 'pending')
      .map((o) => `${o.channel}: ${o.error ?? 'failed'}`);
    throw new DeliveryFailedError(
      `Message ${message.id} not yet delivered to ${pending.join('; ')}; it will be retried`,
    );
  }
  return outcomes;
}
