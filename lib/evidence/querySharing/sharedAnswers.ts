/**
 * Single-flight with a short memory: callers asking the same question at the same time share one
 * call in flight, and an answer is reused for `ttlMs` after it arrived. A failure is shared with
 * the callers already waiting for it but never remembered, so the next caller asks again.
 * The number of remembered answers is bounded; the oldest go first.
 */

export interface SharedAnswersOptions {
  /** How long an answer is reused after it arrived. */
  readonly ttlMs: number;
  /** At most this many answers (and calls in flight) are held. */
  readonly maxEntries: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  readonly now: () => number;
}

export interface SharedAnswersStats {
  /** Calls made to the source. */
  readonly calls: number;
  /** Questions answered by a call already in flight. */
  readonly joined: number;
  /** Questions answered from memory. */
  readonly reused: number;
}

interface Entry {
  readonly answer: Promise<unknown>;
  /** Set once the answer arrived; until then the call is in flight. */
  expiresAt?: number;
}

export class SharedAnswers {
  private readonly entries = new Map<string, Entry>();
  private calls = 0;
  private joined = 0;
  private reused = 0;

  constructor(private readonly options: SharedAnswersOptions) {
    if (!(options.ttlMs >= 0) || !(options.maxEntries >= 1)) {
      throw new Error('SharedAnswers needs ttlMs >= 0 and maxEntries >= 1');
    }
  }

  /** The answer to `key`: shared, remembered, or fetched with `ask`. */
  get<T>(key: string, ask: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt === undefined) {
        this.joined++;
        return entry.answer as Promise<T>;
      }
      if (this.options.now() < entry.expiresAt) {
        this.reused++;
        return entry.answer as Promise<T>;
      }
      this.entries.delete(key);
    }
    this.calls++;
    const answer = ask();
    const fresh: Entry = { answer };
    this.entries.set(key, fresh);
    this.evictOldest();
    answer.then(
      () => {
        fresh.expiresAt = this.options.now() + this.options.ttlMs;
      },
      () => {
        if (this.entries.get(key) === fresh) this.entries.delete(key);
      },
    );
    return answer;
  }

  stats(): SharedAnswersStats {
    return { calls: this.calls, joined: this.joined, reused: this.reused };
  }

  /** Answers held now (in flight or remembered, expired ones included until touched). */
  get size(): number {
    return this.entries.size;
  }

  private evictOldest(): void {
    // A Map iterates in insertion order: the first key is the oldest.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) return;
      this.entries.delete(key);
    }
  }
}
