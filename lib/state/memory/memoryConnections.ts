/** The connection-event path's state in memory: one process (the dev host, tests). */

import { type DeviceIdentity, identityKey } from '../../connections/connectionEvent';
import type { ConnectionCheck, IdentityState } from '../../connections/identityState';
import type {
  ConnectionCheckQueue,
  ConnectionStateStore,
  StoredIdentity,
} from '../connectionStates';
import { BoundedMap, POISON_CAPACITY } from './memoryState';

/** Identities remembered: a large demo fleet fits, a long run stays bounded. */
export const MEMORY_IDENTITY_CAPACITY = 200_000;

export class InMemoryConnectionStates implements ConnectionStateStore {
  private readonly records: BoundedMap<{ state: IdentityState; version: number }>;
  private versions = 0;

  constructor(capacity = MEMORY_IDENTITY_CAPACITY) {
    this.records = new BoundedMap(capacity);
  }

  read(identity: DeviceIdentity): Promise<StoredIdentity | undefined> {
    const record = this.records.get(identityKey(identity));
    return Promise.resolve(
      record && { state: structuredClone(record.state), etag: String(record.version) },
    );
  }

  write(state: IdentityState, etag: string | undefined): Promise<boolean> {
    const key = identityKey(state);
    const current = this.records.get(key);
    if (current === undefined ? etag !== undefined : String(current.version) !== etag) {
      return Promise.resolve(false);
    }
    this.records.set(key, { state: structuredClone(state), version: ++this.versions });
    return Promise.resolve(true);
  }

  get size(): number {
    return this.records.size;
  }
}

/** The check worker; `messageId` is stable over one message's retries (the lease holder). */
export type CheckConsumer = (check: ConnectionCheck, messageId: string) => Promise<void>;

interface Waiting {
  readonly id: string;
  readonly check: ConnectionCheck;
  /** Epoch ms the check becomes visible. */
  readonly dueAt: number;
  readonly timer?: ReturnType<typeof setTimeout>;
}

export interface CheckQueueOptions {
  readonly maxDequeueCount?: number;
  readonly retryDelayMs?: number;
  /**
   * Simulated time (tests, the demo's replay of a recorded day): no timers; `fireDue` hands over
   * the checks due by this clock. Without it, each check waits on a real timer.
   */
  readonly clock?: () => Date;
}

/**
 * Holds each check for its delay (as the queue's visibility time-out does), then hands it to the
 * consumer, retrying like the Functions host (`maxDequeueCount`) and keeping what still fails as
 * a poison message.
 */
export class InMemoryCheckQueue implements ConnectionCheckQueue {
  readonly poison: { check: ConnectionCheck; error: string }[] = [];
  private consumer: CheckConsumer | undefined;
  private readonly waiting = new Map<string, Waiting>();
  private readonly ready: { id: string; check: ConnectionCheck }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxDequeueCount: number;
  private readonly retryDelayMs: number;
  /** Checks scheduled so far (a figure for benchmarks). */
  scheduled = 0;

  constructor(private readonly options: CheckQueueOptions = {}) {
    this.maxDequeueCount = options.maxDequeueCount ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  schedule(check: ConnectionCheck, delaySeconds: number): Promise<void> {
    this.scheduled++;
    const id = crypto.randomUUID();
    const delayMs = Math.max(0, delaySeconds) * 1000;
    const now = this.options.clock?.().getTime() ?? Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (!this.options.clock) {
      timer = setTimeout(() => {
        this.release(id);
      }, delayMs);
      timer.unref();
    }
    this.waiting.set(id, {
      id,
      check: structuredClone(check),
      dueAt: now + delayMs,
      ...(timer && { timer }),
    });
    return Promise.resolve();
  }

  consume(consumer: CheckConsumer): void {
    this.consumer = consumer;
    for (const item of this.ready.splice(0)) this.dispatch(item, consumer);
  }

  /** Checks still within their delay. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** When the earliest waiting check becomes visible (epoch ms), if any waits. */
  get nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const { dueAt } of this.waiting.values())
      if (next === undefined || dueAt < next) next = dueAt;
    return next;
  }

  /** Hands over the checks due by now (the simulated clock, or real time) and waits for them. */
  async fireDue(): Promise<void> {
    const now = this.options.clock?.().getTime() ?? Date.now();
    for (const item of [...this.waiting.values()]) if (item.dueAt <= now) this.release(item.id);
    await this.drain();
  }

  /** Hands every waiting check over at once, however early, and waits for them. */
  async fireAll(): Promise<void> {
    for (const id of [...this.waiting.keys()]) this.release(id);
    await this.drain();
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Forgets waiting checks (closing a host). */
  clear(): void {
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }

  private release(id: string): void {
    const item = this.waiting.get(id);
    if (!item) return;
    clearTimeout(item.timer);
    this.waiting.delete(id);
    if (this.consumer) this.dispatch(item, this.consumer);
    else this.ready.push(item);
  }

  private dispatch(item: { id: string; check: ConnectionCheck }, consumer: CheckConsumer): void {
    const work = this.process(item, consumer).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async process(
    { id, check }: { id: string; check: ConnectionCheck },
    consumer: CheckConsumer,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer(check, id);
        return;
      } catch (error: unknown) {
        if (attempt >= this.maxDequeueCount) {
          this.poison.push({
            check,
            error: error instanceof Error ? error.message : String(error),
          });
          this.poison.splice(0, Math.max(0, this.poison.length - POISON_CAPACITY));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
      }
    }
  }
}
