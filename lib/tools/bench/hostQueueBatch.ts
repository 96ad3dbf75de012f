/** host.json's queue `batchSize`: how many messages the Functions host takes per request. */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The Functions host's default when host.json sets none. */
const DEFAULT_BATCH_SIZE = 16;

export async function queueBatchSize(root: string): Promise<number> {
  const host = JSON.parse(await readFile(join(root, 'host.json'), 'utf8')) as {
    extensions?: { queues?: { batchSize?: number } };
  };
  return host.extensions?.queues?.batchSize ?? DEFAULT_BATCH_SIZE;
}
