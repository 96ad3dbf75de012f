/**
 * An HTTP proxy in front of a real service (Azurite) that injects storage faults on request:
 * hang (accept and never answer), reset (destroy the connection), or answer 503 — for every
 * request or only the ones a predicate picks (e.g. table writes only: "failing between writes").
 */

import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { closeNow, listenLocally } from '../../lib/tools/bench/localServer';

export type FaultMode = 'pass' | 'hang' | 'reset' | 'busy';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
}

export interface FaultProxy {
  /** Same shape as the target's URL, e.g. `http://127.0.0.1:<port>/devstoreaccount1`. */
  readonly url: string;
  mode: FaultMode;
  /** When set, only requests it picks get the fault; the rest pass. */
  only: ((request: ProxiedRequest) => boolean) | undefined;
  /** Requests seen, and whether each got the fault. */
  readonly seen: (ProxiedRequest & { faulted: boolean })[];
  close(): Promise<void>;
}

export const isWrite = (r: ProxiedRequest): boolean => r.method !== 'GET' && r.method !== 'HEAD';

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const hung = new Set<IncomingMessage>();
  const server = createServer((request, response) => {
    const seen = { method: request.method ?? 'GET', path: request.url ?? '/' };
    const mode = proxy.only === undefined || proxy.only(seen) ? proxy.mode : 'pass';
    proxy.seen.push({ ...seen, faulted: mode !== 'pass' });
    if (mode === 'hang') {
      hung.add(request);
      request.resume();
      return;
    }
    if (mode === 'reset') {
      request.socket.destroy();
      return;
    }
    if (mode === 'busy') {
      request.resume();
      response.writeHead(503, { 'content-type': 'application/xml' });
      response.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>Injected</Message></Error>',
      );
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      request.socket.destroy();
    });
    request.pipe(upstream);
  });
  const port = await listenLocally(server);
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    mode: 'pass',
    only: undefined,
    seen: [],
    close: () => closeNow(server),
  };
  return proxy;
}

/** The well-known Azurite account's connection string with each service behind its own URL. */
export function connectionStringWith(
  base: string,
  endpoints: { readonly queue?: string; readonly table?: string },
): string {
  let result = base;
  if (endpoints.queue !== undefined)
    result = result.replace(/QueueEndpoint=[^;]+;/, `QueueEndpoint=${endpoints.queue};`);
  if (endpoints.table !== undefined)
    result = result.replace(/TableEndpoint=[^;]+;/, `TableEndpoint=${endpoints.table};`);
  return result;
}
