/**
 * A channel that takes rendered messages. Adapters: `TeamsNotifier`, `WebhookNotifier`. What is
 * posted is decided elsewhere (`deliver` and its callers); a notifier only transports a body.
 */

import type { PostReceipt } from './httpDelivery';

/** Which rendering a channel takes. */
export type MessageFormat = 'teams' | 'webhook';

export interface PostOptions {
  /** Stable over retries and replays of one delivery; receivers that support it deduplicate. */
  readonly idempotencyKey: string;
}

export interface Notifier {
  /** The channel's name in logs and the delivery ledger; never the URL, which is a secret. */
  readonly name: string;
  readonly format: MessageFormat;
  post(body: string, options: PostOptions): Promise<PostReceipt>;
}
