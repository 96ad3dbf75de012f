/**
 * The dev host's stand-in for the check queue's trigger (`functions/connectionChecks.ts`): the
 * reconnect-grace checks run with the dev host's own services, on its clock. In memory the
 * checks wait in an `InMemoryCheckQueue` on that clock (a ticker hands over those due in real
 * time; a clock move hands over those due by then, in due order); with Azure Storage they wait in
 * the real `connection-checks` queue and a poller takes them as they become visible.
 */

import type { Logger } from '../../common/logger';
import type { ConnectionCheck } from '../../connections/identityState';
import type { ServiceProvider } from '../../app/services';
import type { CheckResult } from '../../app/runConnectionCheck';
import type { InMemoryCheckQueue } from '../../state/memory/memoryConnections';
import type { DevClock } from './devClock';
import type { MessageHandler, StorageQueuePoller } from './storageQueuePoller';

/** How many checks ended each way. */
export type CheckTally = Partial<Record<CheckResult, number>>;

export interface CheckWorker {
  /** Moves the clock to `target` (epoch ms), running every check due on the way at its time. */
  advanceTo(target: number): Promise<void>;
  /** Resolves once no check is running (nor, with Storage, visible in the queue). */
  settle(): Promise<void>;
  /** What the checks have done since the host started. */
  tally(): CheckTally;
  close(): Promise<void>;
}

/** The worker's use case, loaded with the first check: the host's first answers need none of it. */
class CheckRunner {
  private readonly counts: Record<string, number> = {};

  constructor(private readonly services: ServiceProvider) {}

  async run(check: ConnectionCheck, messageId: string): Promise<void> {
    const [{ runConnectionCheck }, services] = await Promise.all([
      import('../../app/runConnectionCheck.js'),
      this.services.connectionChecks(),
    ]);
    const result = await runConnectionCheck(check, messageId, services);
    this.counts[result] = (this.counts[result] ?? 0) + 1;
  }

  /** For the poller: a queue message is validated first, as the trigger does. */
  readonly handle: MessageHandler = async (message, messageId) => {
    const { parseConnectionCheck } = await import('../../state/connectionCheckMessage.js');
    await this.run(parseConnectionCheck(message), messageId);
  };

  tally(): CheckTally {
    return { ...this.counts };
  }
}

/** How often the ticker hands over the checks that came due in real time. */
const TICK_MS = 1000;

/** Forward to `target`, or anywhere on the clock's first move (see `DevClock.refusal`). */
function step(clock: DevClock, target: number): void {
  clock.moveForwardTo(target);
}

export function memoryCheckWorker(
  queue: InMemoryCheckQueue,
  clock: DevClock,
  services: ServiceProvider,
  log: Logger,
): CheckWorker {
  const runner = new CheckRunner(services);
  queue.consume((check, id) => runner.run(check, id));
  let ticking = false;
  const ticker = setInterval(() => {
    if (ticking) return;
    ticking = true;
    queue
      .fireDue()
      .catch((error: unknown) => {
        log.error(`Check ticker failed: ${error instanceof Error ? error.message : 'unknown'}`);
      })
      .finally(() => {
        ticking = false;
      });
  }, TICK_MS);
  ticker.unref();
  return {
    async advanceTo(target) {
      // Each check runs at its own due time, so that what it schedules (a wait for the logs, a
      // follow-up) is due after it, and a return delivered before the move counts as on time.
      for (let due = queue.nextDueAt; due !== undefined && due <= target; due = queue.nextDueAt) {
        step(clock, due);
        await queue.fireDue();
      }
      step(clock, target);
      await queue.fireDue();
    },
    settle: () => queue.drain(),
    tally: () => runner.tally(),
    close: async () => {
      clearInterval(ticker);
      queue.clear();
      await queue.drain();
    },
  };
}

/**
 * With Azure Storage the checks' delays are the queue's own visibility time-outs, in real time:
 * moving the clock makes a check that becomes visible find its grace over, but cannot make it
 * visible sooner.
 */
export function storageCheckWorker(
  createPoller: (handle: MessageHandler) => StorageQueuePoller,
  clock: DevClock,
  services: ServiceProvider,
): CheckWorker {
  const runner = new CheckRunner(services);
  const poller = createPoller(runner.handle);
  poller.start();
  return {
    async advanceTo(target) {
      step(clock, target);
      await poller.whenIdle();
    },
    settle: async () => {
      await poller.whenIdle();
    },
    tally: () => runner.tally(),
    close: () => poller.stop(),
  };
}
