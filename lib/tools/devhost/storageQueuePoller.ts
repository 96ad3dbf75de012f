/**
 * The dev host's stand-in for a Functions queue trigger when `STATE_STORE=azure-storage`: it
 * receives from the real queue (Azurite or Azure), hands each message to the worker with its
 * message id, deletes it on success, makes it visible again after a failure, and moves it to the
 * poison queue after `maxDequeueCount` failures — as the host does (host.json). One poller per
 * queue: the alert queue and the connection-check queue.
 */

import type { QueueClient } from '@azure/storage-queue';

import type { Logger } from '../../common/logger';
import { within } from '../../state/azure/storageDeadlines';

export type MessageHandler = (message: unknown, messageId: string) => Promise<void>;

export interface PollerOptions {
  readonly maxDequeueCount?: number;
  /** How long a failed message stays invisible before its retry. */
  readonly retryDelayMs?: number;
  /** Wait between polls of an empty queue. */
  readonly idleMs?: number;
  /** Names the queue in log lines. */
  readonly label?: string;
  readonly log: Logger;
}

/** Longer than any one invocation; a crashed dev host's message comes back after it. */
const VISIBILITY_SECONDS = 300;

export class StorageQueuePoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private inFlight = 0;
  /** Polls started so far, and the latest one that found nothing visible with nothing in flight. */
  private polls = 0;
  private lastEmptyPoll = 0;

  constructor(
    private readonly queue: QueueClient,
    private readonly poison: QueueClient,
    private readonly handle: MessageHandler,
    private readonly options: PollerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves once the queue holds no message (visible or not) and nothing is in flight. */
  async drain(): Promise<void> {
    for (;;) {
      const { approximateMessagesCount } = await this.queue.getProperties(within(5000));
      if ((approximateMessagesCount ?? 0) === 0 && this.inFlight === 0) return;
      await sleep(50);
    }
  }

  /**
   * Resolves true once a poll that started after this call found no visible message and nothing
   * was in flight: messages still within their visibility delay (delayed checks) do not count.
   * False after `timeoutMs`, or at once when the poller is not running.
   */
  async whenIdle(timeoutMs = 30_000): Promise<boolean> {
    const after = this.polls;
    const deadline = Date.now() + timeoutMs;
    while (this.running && this.lastEmptyPoll <= after) {
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
    return this.running;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const poll = ++this.polls;
      let received = 0;
      let failed = false;
      try {
        await this.queue.createIfNotExists(within(5000));
        const { receivedMessageItems } = await this.queue.receiveMessages({
          numberOfMessages: 4,
          visibilityTimeout: VISIBILITY_SECONDS,
          ...within(5000),
        });
        received = receivedMessageItems.length;
        this.inFlight += received;
        await Promise.all(
          receivedMessageItems.map((item) =>
            this.process(item).finally(() => {
              this.inFlight--;
            }),
          ),
        );
      } catch (error: unknown) {
        failed = true;
        this.options.log.warn(`Dev host ${this.label} poll failed: ${errorName(error)}`);
      }
      if (received === 0 && !failed && this.inFlight === 0) this.lastEmptyPoll = poll;
      if (received === 0) await sleep(this.options.idleMs ?? 250);
    }
  }

  private get label(): string {
    return this.options.label ?? 'queue';
  }

  private async process(item: {
    messageId: string;
    popReceipt: string;
    messageText: string;
    dequeueCount: number;
  }): Promise<void> {
    try {
      await this.handle(decode(item.messageText), item.messageId);
      await this.queue.deleteMessage(item.messageId, item.popReceipt, within(5000));
    } catch (error: unknown) {
      const max = this.options.maxDequeueCount ?? 5;
      if (item.dequeueCount >= max) {
        this.options.log.error(
          `Message ${item.messageId} failed ${item.dequeueCount} times; moved to ${this.poison.name}: ${errorName(error)}`,
        );
        await this.poison.createIfNotExists(within(5000));
        await this.poison.sendMessage(item.messageText, within(5000));
        await this.queue.deleteMessage(item.messageId, item.popReceipt, within(5000));
        return;
      }
      this.options.log.warn(`Message ${item.messageId} failed; retrying: ${errorName(error)}`);
      await this.queue
        .updateMessage(
          item.messageId,
          item.popReceipt,
          item.messageText,
          Math.ceil((this.options.retryDelayMs ?? 1000) / 1000),
          within(5000),
        )
        .catch(() => undefined); // it comes back anyway once its visibility ends
    }
  }
}

/** Base64 JSON, as intake writes it; anything else is handed over as text and fails parsing. */
function decode(text: string): unknown {
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    return text;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'unknown';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
