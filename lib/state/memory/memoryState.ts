/** In-memory state for one process: the dev host and tests. Not shared between instances. */

import type { AlertQueue, QueuedAlert } from '../alertQueue';
import type { AlertStore } from '../alertStore';
import type { DeadLetter, DeadLetterStore } from '../deadLetters';
import type { DeliveryLedger, DeliveryRecord, DeliveryRef } from '../deliveryLedger';
import {
  leaseDecision,
  PROCESSING_LEASE_MS,
  type ProcessingLedger,
  type ProcessingStart,
} from '../processingLease';
import type { WorkerState } from '../workerState';

/** Entries kept per in-memory map: the oldest are forgotten first, so a long run stays small. */
export const MEMORY_STATE_CAPACITY = 10_000;

/** A Map that forgets its oldest entries past `capacity`. */
export class BoundedMap<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  values(): V[] {
    return [...this.entries.values()];
  }
  get size(): number {
    return this.entries.size;
  }
}

export class InMemoryAlertStore implements AlertStore {
  private readonly keys: BoundedMap<true>;

  constructor(capacity = MEMORY_STATE_CAPACITY) {
    this.keys = new BoundedMap(capacity);
  }

  wasQueued(key: string): Promise<boolean> {
    return Promise.resolve(this.keys.get(key) === true);
  }

  markQueued(key: string): Promise<void> {
    this.keys.set(key, true);
    return Promise.resolve();
  }
}

interface Lease {
  readonly state: 'processing' | 'done';
  readonly holder: string;
  readonly leaseUntil: string;
}

/** The processing and delivery ledgers in memory. */
export class InMemoryLedger implements ProcessingLedger, DeliveryLedger {
  private readonly leases: BoundedMap<Lease>;
  private readonly deliveries: BoundedMap<DeliveryRecord>;

  constructor(capacity = MEMORY_STATE_CAPACITY) {
    this.leases = new BoundedMap(capacity);
    this.deliveries = new BoundedMap(capacity);
  }

  startProcessing(key: string, holder: string, now: Date): Promise<ProcessingStart> {
    const decision = leaseDecision(this.leases.get(key), holder, now);
    if (decision === 'go') {
      const leaseUntil = new Date(now.getTime() + PROCESSING_LEASE_MS).toISOString();
      this.leases.set(key, { state: 'processing', holder, leaseUntil });
    }
    return Promise.resolve(decision);
  }

  finishProcessing(key: string, holder: string, now: Date): Promise<void> {
    this.leases.set(key, { state: 'done', holder, leaseUntil: now.toISOString() });
    return Promise.resolve();
  }

  abandonProcessing(key: string, holder: string, now: Date): Promise<void> {
    const lease = this.leases.get(key);
    if (lease?.state === 'processing' && lease.holder === holder) {
      this.leases.set(key, { ...lease, leaseUntil: now.toISOString() });
    }
    return Promise.resolve();
  }

  wasProcessed(key: string): Promise<boolean> {
    return Promise.resolve(this.leases.get(key)?.state === 'done');
  }

  getDelivery(ref: DeliveryRef): Promise<DeliveryRecord | undefined> {
    return Promise.resolve(this.deliveries.get(refKey(ref)));
  }

  putDelivery(ref: DeliveryRef, record: DeliveryRecord): Promise<void> {
    this.deliveries.set(refKey(ref), record);
    return Promise.resolve();
  }
}

export class InMemoryDeadLetters implements DeadLetterStore {
  private readonly letters: BoundedMap<DeadLetter>;

  constructor(capacity = MEMORY_STATE_CAPACITY) {
    this.letters = new BoundedMap(capacity);
  }

  addDeadLetter(letter: DeadLetter): Promise<void> {
    this.letters.set(refKey(letter.ref), letter);
    return Promise.resolve();
  }

  listDeadLetters(channel?: string): Promise<DeadLetter[]> {
    return Promise.resolve(
      this.letters.values().filter((l) => channel === undefined || l.ref.channel === channel),
    );
  }

  removeDeadLetter(ref: DeliveryRef): Promise<void> {
    this.letters.delete(refKey(ref));
    return Promise.resolve();
  }

  get size(): number {
    return this.letters.size;
  }
}

export function inMemoryWorkerState(): WorkerState {
  const ledger = new InMemoryLedger();
  return { processing: ledger, deliveries: ledger, deadLetters: new InMemoryDeadLetters() };
}

function refKey(ref: DeliveryRef): string {
  return JSON.stringify([ref.sourceKey, ref.messageId, ref.channel]);
}

/** The queue message's id is the processing lease's holder: stable over the message's retries. */
export type QueueConsumer = (message: QueuedAlert, messageId: string) => Promise<void>;

export interface PoisonMessage {
  readonly message: QueuedAlert;
  readonly error: string;
}

/** Poison messages kept by the in-memory queue (oldest forgotten first). */
export const POISON_CAPACITY = 500;

/**
 * A queue that hands each message to a consumer, retrying like the Functions host does
 * (`maxDequeueCount` attempts) and keeping what still fails as a poison message.
 */
export class InMemoryAlertQueue implements AlertQueue {
  readonly deadLetters: PoisonMessage[] = [];
  private consumer: QueueConsumer | undefined;
  private readonly pending: { id: string; message: QueuedAlert }[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly maxDequeueCount = 5,
    private readonly retryDelayMs = 1000,
  ) {}

  enqueue(message: QueuedAlert): Promise<void> {
    // A real queue stores a copy; so does this one, so consumers cannot see later mutation.
    const copy = JSON.parse(JSON.stringify(message)) as QueuedAlert;
    // The global Web Crypto: importing node:crypto would cost every cold start, not just the first enqueue.
    const item = { id: crypto.randomUUID(), message: copy };
    if (this.consumer) this.dispatch(item, this.consumer);
    else this.pending.push(item);
    return Promise.resolve();
  }

  /** Starts delivering messages, including any that arrived before. */
  consume(consumer: QueueConsumer): void {
    this.consumer = consumer;
    for (const item of this.pending.splice(0)) this.dispatch(item, consumer);
  }

  /** Resolves when every message handed out so far has been processed or dead-lettered. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private dispatch(item: { id: string; message: QueuedAlert }, consumer: QueueConsumer): void {
    const work = this.process(item, consumer).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async process(
    { id, message }: { id: string; message: QueuedAlert },
    consumer: QueueConsumer,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer(message, id);
        return;
      } catch (error: unknown) {
        if (attempt >= this.maxDequeueCount) {
          this.deadLetters.push({
            message,
            error: error instanceof Error ? error.message : String(error),
          });
          this.deadLetters.splice(0, Math.max(0, this.deadLetters.length - POISON_CAPACITY));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
      }
    }
  }
}
