/**
 * Empties the Azurite account between two rows of a fault matrix: every table and queue goes, so
 * that each row starts as a new deployment would. Rows must not see each other's state: the
 * incident policy, for one, posts a device's drop once, whichever alert or event brings it.
 */

import { TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

import type { Azurite } from '../support/azurite';

export async function emptyStorage(azurite: Azurite): Promise<void> {
  const { connectionString } = azurite;
  const tables = TableServiceClient.fromConnectionString(connectionString, {
    allowInsecureConnection: true,
  });
  for await (const table of tables.listTables()) {
    if (table.name !== undefined) await tables.deleteTable(table.name);
  }
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  for await (const queue of queues.listQueues()) await queues.deleteQueue(queue.name);
}
