/**
 * The `connection-checks` queue on a simulated clock: a day cannot wait for the queue's real
 * visibility time-outs, so each check is sent through the real adapter to the real queue but
 * visible at once, and the benchmark's stand-in for the queue trigger receives it and holds it
 * until the simulated time it would have become visible. Every send, receive and delete is still
 * a real storage request.
 */

import type { QueueClient } from '@azure/storage-queue';

import type { CheckResult } from '../../app/runConnectionCheck';
import type { ConnectionCheck } from '../../connections/identityState';
import { parseConnectionCheck } from '../../state/connectionCheckMessage';
import type { ConnectionCheckQueue } from '../../state/connectionStates';

/** Sends through `real` with no delay, remembering when each check was due to become visible. */
export class SimulatedVisibility implements ConnectionCheckQueue {
  private readonly visibleAt = new Map<string, number[]>();

  constructor(
    private readonly real: ConnectionCheckQueue,
    private readonly now: () => Date,
  ) {}

  schedule(check: ConnectionCheck, delaySeconds: number): Promise<void> {
    // The adapter sends this very text (base64), so the receiver can find it again.
    const text = JSON.stringify(check);
    const times = this.visibleAt.get(text) ?? [];
    times.push(this.now().getTime() + Math.max(0, delaySeconds) * 1000);
    this.visibleAt.set(text, times);
    return this.real.schedule(check, 0);
  }

  /** When the check sent as `text` was due to become visible (oldest first), forgotten once read. */
  take(text: string): number | undefined {
    const times = this.visibleAt.get(text);
    const at = times?.shift();
    if (times?.length === 0) this.visibleAt.delete(text);
    return at;
  }
}

interface Held {
  readonly check: ConnectionCheck;
  readonly messageId: string;
  readonly popReceipt: string;
  readonly visibleAt: number;
}

/** Longer in real time than any check is held (a few simulated minutes take well under a second). */
const HOLD_SECONDS = 600;

/**
 * The queue trigger's stand-in: receives what the queue holds, `batchSize` messages per request as
 * the Functions host does, and runs each check once the simulated clock reaches its visibility,
 * deleting its message afterwards.
 */
export class SimulatedCheckTrigger {
  private held: Held[] = [];
  private readonly counts: Record<string, number> = {};

  constructor(
    private readonly queue: QueueClient,
    private readonly visibility: SimulatedVisibility,
    private readonly run: (check: ConnectionCheck, messageId: string) => Promise<CheckResult>,
    private readonly batchSize: number,
  ) {}

  /** Creates the queue if need be, as the Functions host does when it starts the trigger. */
  async start(): Promise<void> {
    await this.queue.createIfNotExists();
  }

  /** Receives until the queue is empty, then runs the checks visible by `now` (epoch ms). */
  async runDue(now: number): Promise<void> {
    for (;;) {
      const { receivedMessageItems } = await this.queue.receiveMessages({
        numberOfMessages: this.batchSize,
        visibilityTimeout: HOLD_SECONDS,
      });
      if (receivedMessageItems.length === 0) break;
      for (const item of receivedMessageItems) {
        const text = Buffer.from(item.messageText, 'base64').toString('utf8');
        const check = parseConnectionCheck(text);
        this.held.push({
          check,
          messageId: item.messageId,
          popReceipt: item.popReceipt,
          visibleAt: this.visibility.take(text) ?? Date.parse(check.dueAt),
        });
      }
    }
    const due = this.held.filter((h) => h.visibleAt <= now);
    this.held = this.held.filter((h) => h.visibleAt > now);
    await Promise.all(
      due.map(async (h) => {
        let result: CheckResult | 'failed' = 'failed';
        try {
          result = await this.run(h.check, h.messageId);
          await this.queue.deleteMessage(h.messageId, h.popReceipt);
        } catch {
          // The host would retry it; counted instead, so that the figure shows it.
        }
        this.counts[result] = (this.counts[result] ?? 0) + 1;
      }),
    );
  }

  /** Checks received and not yet due. */
  get waiting(): number {
    return this.held.length;
  }

  /** How the checks ended (`failed`: threw, as the host would retry). */
  tally(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }
}
