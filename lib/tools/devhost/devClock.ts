/**
 * The dev host's clock: real time plus an offset that `POST /dev/clock` moves, so that a demo can
 * replay a recorded day in seconds while the grace checks, the incident policy and the ledgers
 * all read one time. Every service of the dev host reads it.
 */

export class DevClock {
  private offsetMs = 0;
  /** The latest time handed out: the services never see time go back, even if the system's does. */
  private latest = Number.NEGATIVE_INFINITY;
  private moved = false;

  constructor(private readonly base: () => Date = () => new Date()) {}

  readonly now = (): Date => {
    this.latest = Math.max(this.base().getTime() + this.offsetMs, this.latest);
    return new Date(this.latest);
  };

  /** Whether `POST /dev/clock` has moved it since the host started. */
  get hasMoved(): boolean {
    return this.moved;
  }

  /**
   * Why a move to `target` (epoch ms) is refused, or undefined when it is allowed. The first move
   * may go anywhere, so that a replay can start on a past day (the sample workspace's); after it
   * the clock only goes forward, because checks, leases and incidents already hold later times.
   */
  refusal(target: number): string | undefined {
    if (!Number.isFinite(target)) return 'to must be an ISO 8601 time';
    if (this.moved && target < this.now().getTime()) {
      return `The dev clock only moves forward (it reads ${this.now().toISOString()}); restart the dev host to replay an earlier time`;
    }
    return undefined;
  }

  /**
   * Moves the clock to `target` (epoch ms), or leaves it where it is when it already reads later.
   * A caller that read the clock and asks for that time must not be refused because real time
   * moved on a millisecond in between (under load, it did: the replay then failed with a 500).
   */
  moveForwardTo(target: number): void {
    if (!Number.isFinite(target)) throw new Error('to must be an ISO 8601 time');
    if (this.moved && target <= this.now().getTime()) return;
    this.set(target);
  }

  /** Sets the clock to `target` (epoch ms); never behind what it has already handed out. */
  moveTo(target: number): void {
    const refusal = this.refusal(target);
    if (refusal !== undefined) throw new Error(refusal);
    this.set(target);
  }

  /** `now()` still never hands out a time before one it already did (`latest`). */
  private set(target: number): void {
    if (!this.moved) this.latest = Number.NEGATIVE_INFINITY;
    this.moved = true;
    this.offsetMs = target - this.base().getTime();
  }
}
