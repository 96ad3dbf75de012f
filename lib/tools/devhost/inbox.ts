/** The dev host's inbox: messages "delivered" to Teams or the webhook, kept in memory. */

import type { InboxMessage } from './inboxRoutes';

/** Oldest messages are dropped past this, so a long-running dev host stays small. */
export const INBOX_CAPACITY = 200;

export class Inbox {
  private readonly messages: InboxMessage[] = [];

  add(channel: InboxMessage['channel'], body: unknown, now = new Date()): InboxMessage {
    const message: InboxMessage = {
      id: crypto.randomUUID(),
      receivedAt: now.toISOString(),
      channel,
      body,
    };
    this.messages.unshift(message);
    this.messages.length = Math.min(this.messages.length, INBOX_CAPACITY);
    return message;
  }

  /** Newest first. */
  list(): readonly InboxMessage[] {
    return this.messages;
  }

  clear(): void {
    this.messages.length = 0;
  }
}
