/** A clock the test moves by hand: `sleep` resolves only when `advance` passes its deadline. */

import type { Clock } from '../../lib/evidence/querySharing/queryLimiter';

export class ManualClock implements Clock {
  private readonly sleepers: { until: number; wake: () => void }[] = [];
  /** Every sleep asked for, in milliseconds, in order. */
  readonly slept: number[] = [];

  constructor(private time = Date.parse('2026-11-20T05:15:00Z')) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    return new Promise((resolve) => {
      this.sleepers.push({ until: this.time + ms, wake: resolve });
    });
  }

  /** Moves time on, wakes the sleepers that are due, and lets the woken work run. */
  async advance(ms: number): Promise<void> {
    // Work already under way gets to ask for its sleeps before time moves.
    await settle();
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    for (const sleeper of due) {
      this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
      sleeper.wake();
    }
    await settle();
  }
}

/** Lets every promise callback that is ready run (several turns of the event loop). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
