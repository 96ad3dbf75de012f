/**
 * A simulated clock that runs in real time from where it was set, and can only jump forward: work
 * takes the time it really takes, while waits (a reconnect grace) are skipped.
 */
export class RunningClock {
  private offsetMs: number;

  constructor(start: number) {
    this.offsetMs = start - Date.now();
  }

  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  /** Jumps to `target` (epoch ms) unless the clock is already past it. */
  jumpTo(target: number): void {
    const ahead = target - (Date.now() + this.offsetMs);
    if (ahead > 0) this.offsetMs += ahead;
  }
}
