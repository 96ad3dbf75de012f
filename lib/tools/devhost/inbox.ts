/**
 * The dev host's inbox: messages "delivered" to its receivers (Teams, the webhook, or those a
 * route list declares), kept in memory, each with the receiver it was posted to.
 */

import type { InboxMessage } from './inboxRoutes';

/** Oldest messages are dropped past this, so a long-running dev host stays small. */
export const INBOX_CAPACITY = 200;

export class Inbox {
  private readonly messages: InboxMessage[] = [];

  add(
    channel: InboxMessage['channel'],
    body: unknown,
    now = new Date(),
    receiver: string = channel,
    signature?: InboxMessage['signature'],
  ): InboxMessage {
    const message: InboxMessage = {
      id: crypto.randomUUID(),
      receivedAt: now.toISOString(),
      channel,
      receiver,
      ...(signature !== undefined && { signature }),
      body,
    };
    this.messages.unshift(message);
    this.messages.length = Math.min(this.messages.length, INBOX_CAPACITY);
    return message;
  }

  /** Newest first; only one receiver's when `receiver` is given. */
  list(receiver?: string): readonly InboxMessage[] {
    return receiver === undefined
      ? this.messages
      : this.messages.filter((m) => m.receiver === receiver);
  }

  clear(): void {
    this.messages.length = 0;
  }
}
