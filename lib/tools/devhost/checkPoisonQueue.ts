/**
 * The check queue's poison queue, where the dev host's poller moves a check that keeps failing
 * (the Functions host does so itself, so `createStorageClients` has no client for it). Built the
 * way that function builds its queues: a connection string, or the queue service URI and a
 * credential. Loaded only when the dev host polls real queues.
 */

import type { TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';

import type { StorageSettings } from '../../config/loadConfig';
import { CONNECTION_CHECK_POISON_QUEUE_NAME } from '../../state/connectionStates';
import { expandDevelopmentStorage } from '../../state/azure/azureStorageState';

export function checkPoisonQueue(
  settings: StorageSettings,
  credential: () => TokenCredential,
): QueueClient {
  if (settings.connectionString !== undefined) {
    return new QueueClient(
      expandDevelopmentStorage(settings.connectionString),
      CONNECTION_CHECK_POISON_QUEUE_NAME,
    );
  }
  if (settings.queueServiceUri === undefined) {
    throw new Error('Storage needs a connection string or a queue service URI');
  }
  return new QueueClient(
    `${settings.queueServiceUri.replace(/\/$/, '')}/${CONNECTION_CHECK_POISON_QUEUE_NAME}`,
    credential(),
  );
}
