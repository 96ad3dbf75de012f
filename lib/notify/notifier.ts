/** A channel that receives outgoing messages. Adapters: `TeamsNotifier`, `WebhookNotifier`. */

import type { OutgoingMessage } from '../outgoingMessage';

export interface Notifier {
  /** A name for logs; never the URL, which is a secret. */
  readonly name: string;
  send(message: OutgoingMessage): Promise<void>;
}
