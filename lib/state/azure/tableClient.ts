/** A table's client, from a connection string or the table service URI and an identity. */

import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

import type { StorageSettings } from '../../config/loadConfig';
import { expandDevelopmentStorage } from './azureStorageState';

/** A few quick retries: the callers hold their own deadlines. */
export function createTableClient(
  settings: StorageSettings,
  tableName: string,
  credential: () => TokenCredential,
): TableClient {
  const retryOptions = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 500 };
  if (settings.connectionString !== undefined) {
    const connectionString = expandDevelopmentStorage(settings.connectionString);
    return TableClient.fromConnectionString(connectionString, tableName, {
      allowInsecureConnection: connectionString.includes('http://'),
      retryOptions,
    });
  }
  if (settings.tableServiceUri === undefined) {
    throw new Error('Storage needs a connection string or the table service URI');
  }
  return new TableClient(settings.tableServiceUri, tableName, credential(), { retryOptions });
}
