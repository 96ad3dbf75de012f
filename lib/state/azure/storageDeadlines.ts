/**
 * Client-side deadlines for Azure Storage calls, and a table that creates itself once. The SDK's
 * `tryTimeoutInMs` only sets the server-side `?timeout=`; only an abort signal cuts a hung
 * endpoint, so every Table and Queue adapter passes one: no storage call can hang intake, the
 * worker or a timer.
 */

import { RestError, type TableClient } from '@azure/data-tables';

export interface StorageDeadlines {
  readonly readMs: number;
  readonly enqueueMs: number;
  readonly writeMs: number;
}

/**
 * Intake's worst case is the sum of its three calls (read, enqueue, record), under 4 s, well
 * inside the action group's ~10 s webhook time-out.
 */
export const INTAKE_DEADLINES: StorageDeadlines = { readMs: 800, enqueueMs: 2000, writeMs: 1000 };
/** The worker has minutes, not seconds; still, no storage call may hang it. */
export const WORKER_DEADLINES: StorageDeadlines = {
  readMs: 5000,
  enqueueMs: 5000,
  writeMs: 5000,
};
/** A listing reads pages; it gets a few reads' worth of time in all. */
export const LISTING_READS = 6;

/** Options for one SDK call with a client-side deadline. */
export function within(ms: number): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(ms) };
}

/** A table client that creates its table once, on first write. */
export class EnsuredTable {
  private ready: Promise<unknown> | undefined;

  constructor(readonly client: TableClient) {}

  async ensure(options: { abortSignal: AbortSignal }): Promise<void> {
    // A failed or aborted create is forgotten, so the next call tries again instead of waiting on it.
    this.ready ??= this.client.createTable(options).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
  }

  /** The entity, or undefined when it (or the table) does not exist. */
  async read(
    partitionKey: string,
    rowKey: string,
    options: { abortSignal: AbortSignal },
  ): Promise<(Record<string, unknown> & { etag: string }) | undefined> {
    try {
      return await this.client.getEntity(partitionKey, rowKey, options);
    } catch (error: unknown) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }
}
