/** In-memory state for one process: the dev host and tests. Not shared between instances. */

import type { AlertQueue, QueuedAlert } from './alertQueue';
import type { AlertStore } from './alertStore';

/** How many idempotency keys the dev host remembers: a bound on memory, not a time window. */
export const MAX_MEMORY_KEYS = 10_000;
/** How many dead letters the dev host keeps (the oldest go first). */
export const MAX_MEMORY_DEAD_LETTERS = 1_000;

export class InMemoryAlertStore implements AlertStore {
  private readonly keys = new Set<string>();

  constructor(private readonly maxKeys = MAX_MEMORY_KEYS) {}

  get size(): number {
    return this.keys.size;
  }

  claim(key: string): Promise<boolean> {
    if (this.keys.has(key)) return Promise.resolve(false);
    this.keys.add(key);
    // A Set iterates in insertion order: the first key is the oldest.
    if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.values().next().value ?? key);
    return Promise.resolve(true);
  }

  release(key: string): Promise<void> {
    this.keys.delete(key);
    return Promise.resolve();
  }
}

export type QueueConsumer = (message: QueuedAlert) => Promise<void>;

export interface DeadLetter {
  readonly message: QueuedAlert;
  readonly error: string;
}

/**
 * A queue that hands each message to a consumer, retrying like the Functions host does
 * (`maxDequeueCount` attempts) and keeping what still fails as a dead letter.
 */
export class InMemoryAlertQueue implements AlertQueue {
  readonly deadLetters: DeadLetter[] = [];
  /** Dead letters dropped to keep the list bounded. */
  droppedDeadLetters = 0;
  private consumer: QueueConsumer | undefined;
  private readonly pending: QueuedAlert[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly maxDequeueCount = 5,
    private readonly retryDelayMs = 1000,
    private readonly maxDeadLetters = MAX_MEMORY_DEAD_LETTERS,
  ) {}

  enqueue(message: QueuedAlert): Promise<void> {
    // A real queue stores a copy; so does this one, so consumers cannot see later mutation.
    const copy = JSON.parse(JSON.stringify(message)) as QueuedAlert;
    if (this.consumer) this.dispatch(copy, this.consumer);
    else this.pending.push(copy);
    return Promise.resolve();
  }

  /** Starts delivering messages, including any that arrived before. */
  consume(consumer: QueueConsumer): void {
    this.consumer = consumer;
    for (const message of this.pending.splice(0)) this.dispatch(message, consumer);
  }

  /** Resolves when every message handed out so far has been processed or dead-lettered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private dispatch(message: QueuedAlert, consumer: QueueConsumer): void {
    const work = this.process(message, consumer).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async process(message: QueuedAlert, consumer: QueueConsumer): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer(message);
        return;
      } catch (error: unknown) {
        if (attempt >= this.maxDequeueCount) {
          this.deadLetters.push({
            message,
            error: error instanceof Error ? error.message : String(error),
          });
          if (this.deadLetters.length > this.maxDeadLetters) {
            this.deadLetters.shift();
            this.droppedDeadLetters++;
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
      }
    }
  }
}
