/**
 * The ports of the connection-event path: each identity's connection record, and the delayed
 * checks that end its reconnect grace. Adapters: `memory/memoryConnections.ts` (one process) and
 * `azure/connectionStorage.ts` (an Azure table and a Storage queue, whose visibility time-out is
 * the delay: a check survives any restart). See docs/connection-events.md.
 */

import type { DeviceIdentity } from '../connections/connectionEvent';
import type { ConnectionCheck, IdentityState } from '../connections/identityState';

export interface StoredIdentity {
  readonly state: IdentityState;
  /** Optimistic concurrency: the version read. */
  readonly etag: string;
}

export interface ConnectionStateStore {
  read(identity: DeviceIdentity): Promise<StoredIdentity | undefined>;
  /**
   * Writes the record if it is unchanged since it was read (`etag`), or, with no etag, if there is
   * none yet. False when another write came first: read again and re-apply.
   */
  write(state: IdentityState, etag: string | undefined): Promise<boolean>;
}

export interface ConnectionCheckQueue {
  /** Durably schedules the check; it is handed to the check worker after `delaySeconds`. */
  schedule(check: ConnectionCheck, delaySeconds: number): Promise<void>;
}

/** Queue of the checks, and the queue trigger that runs them (`functions/connectionChecks.ts`). */
export const CONNECTION_CHECK_QUEUE_NAME = 'connection-checks';
export const CONNECTION_CHECK_POISON_QUEUE_NAME = `${CONNECTION_CHECK_QUEUE_NAME}-poison`;
/** The identities' records (Azure adapter). */
export const CONNECTION_TABLE_NAME = 'enricherconnections';
/** Azure Storage keeps a message invisible for at most 7 days. */
export const MAX_CHECK_DELAY_SECONDS = 7 * 24 * 3600;
