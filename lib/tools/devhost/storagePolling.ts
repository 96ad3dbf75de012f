/**
 * With `STATE_STORE=azure-storage` the dev host polls the real queues as the Functions host's
 * queue triggers would: the alert queue, and the reconnect-grace checks' queue. Loaded only then,
 * since it brings the Storage SDKs (and, with service URIs, a developer sign-in).
 */

import type { Config } from '../../config/loadConfig';
import type { Logger } from '../../common/logger';
import type { ServiceProvider } from '../../app/services';
import { createStorageClients } from '../../state/azure/azureStorageState';
import { checkPoisonQueue } from './checkPoisonQueue';
import { type CheckWorker, storageCheckWorker } from './checkWorker';
import type { DevClock } from './devClock';
import { type MessageHandler, StorageQueuePoller } from './storageQueuePoller';

export interface StoragePolling {
  /** The alert queue's poller, started. */
  readonly alerts: StorageQueuePoller;
  readonly checks: CheckWorker;
}

export async function startStoragePolling(options: {
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly retryDelayMs: number;
  /** What the alert queue's trigger does with one message. */
  readonly work: MessageHandler;
  readonly clock: DevClock;
  readonly services: ServiceProvider;
}): Promise<StoragePolling> {
  const { config } = options;
  // A connection string needs no credential (nor MSAL); service URIs use a developer sign-in.
  const identity =
    config.storage.connectionString === undefined
      ? (await import('../../app/credential.js')).createCredential(config.azureClientId)
      : undefined;
  const credential = () => {
    if (identity === undefined) throw new Error('Storage asked for a credential it was not given');
    return identity;
  };
  const clients = createStorageClients(config.storage, credential);
  const poison = checkPoisonQueue(config.storage, credential);
  const polling = { retryDelayMs: options.retryDelayMs, log: options.log };
  const alerts = new StorageQueuePoller(clients.queue, clients.poison, options.work, polling);
  // Checks are delayed by minutes anyway: a second between polls of an empty queue will do.
  const checks = storageCheckWorker(
    (handle) =>
      new StorageQueuePoller(clients.connectionChecks, poison, handle, {
        ...polling,
        idleMs: 1000,
        label: 'check queue',
      }),
    options.clock,
    options.services,
  );
  alerts.start();
  return { alerts, checks };
}
