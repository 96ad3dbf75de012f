/**
 * A counting HTTP proxy in front of Azurite's queue and table endpoints: every storage request the
 * SDK clients make (retries included) passes through it and is counted by what it does, so that a
 * benchmark can say how many storage operations its work cost, as the storage account bills them.
 */

import {
  Agent,
  createServer,
  request as forward,
  type IncomingMessage,
  type Server,
} from 'node:http';

import { developmentConnectionString } from './benchAzurite';
import { closeNow, listenLocally } from './localServer';

export type StorageOperation =
  | 'table read'
  | 'table write'
  | 'table query'
  | 'table create'
  | 'queue send'
  | 'queue receive'
  | 'queue delete'
  | 'queue other';

export interface CountingStorageProxy {
  /** The development account, through the proxy. */
  readonly connectionString: string;
  counts(): Readonly<Partial<Record<StorageOperation, number>>>;
  reset(): void;
  close(): Promise<void>;
}

function tableOperation(request: IncomingMessage): StorageOperation {
  const path = request.url?.split('?')[0] ?? '';
  const method = request.method ?? 'GET';
  if (/\/Tables(\(|$)/.test(path)) return method === 'POST' ? 'table create' : 'table query';
  const entity = path.includes('(PartitionKey=');
  if (method === 'GET') return entity ? 'table read' : 'table query';
  return 'table write';
}

function queueOperation(request: IncomingMessage): StorageOperation {
  const path = request.url?.split('?')[0] ?? '';
  const method = request.method ?? 'GET';
  if (path.endsWith('/messages')) {
    if (method === 'POST') return 'queue send';
    if (method === 'GET' && !(request.url ?? '').includes('peekonly=true')) return 'queue receive';
  }
  if (/\/messages\/[^/]+$/.test(path) && method === 'DELETE') return 'queue delete';
  return 'queue other';
}

async function proxy(
  targetPort: number,
  classify: (request: IncomingMessage) => StorageOperation,
  count: (operation: StorageOperation) => void,
): Promise<{ server: Server; port: number }> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((request, response) => {
    count(classify(request));
    const upstream = forward(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(upstream);
  });
  server.on('close', () => {
    agent.destroy();
  });
  return { server, port: await listenLocally(server) };
}

export async function startCountingStorageProxy(target: {
  readonly queuePort: number;
  readonly tablePort: number;
}): Promise<CountingStorageProxy> {
  let counts: Partial<Record<StorageOperation, number>> = {};
  const count = (operation: StorageOperation): void => {
    counts[operation] = (counts[operation] ?? 0) + 1;
  };
  const queue = await proxy(target.queuePort, queueOperation, count);
  const table = await proxy(target.tablePort, tableOperation, count);
  return {
    connectionString: developmentConnectionString(queue.port, table.port),
    counts: () => ({ ...counts }),
    reset() {
      counts = {};
    },
    close: async () => {
      await Promise.all([closeNow(queue.server), closeNow(table.server)]);
    },
  };
}
