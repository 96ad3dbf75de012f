/**
 * For the bench only: a minimal HTTPS server that speaks the Log Analytics query API's wire
 * format (`POST /v1/workspaces/{id}/query` → `{"tables":[...]}`), so the real `LogsQueryClient`
 * runs against it. It does not run KQL: the bench answers each query it recognises with the rows
 * the export-file computation gives. The tests' fuller server is `test/support/localLogAnalyticsServer.ts`.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WireTable {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
}

export type QueryAnswerer = (query: string) => Promise<WireTable>;

export interface LocalQueryServer {
  /** Base URL including `/v1`. */
  readonly endpoint: string;
  /** PEM certificate to trust (self-signed, for 127.0.0.1). */
  readonly ca: string;
  /** Response bytes sent so far. */
  bytesSent: number;
  close(): Promise<void>;
}

/** A throwaway self-signed certificate for 127.0.0.1, made with the `openssl` CLI. */
function certificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'enricher-bench-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startLocalQueryServer(answer: QueryAnswerer): Promise<LocalQueryServer> {
  const tls = certificate();
  const state = { bytesSent: 0 };
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let query = '';
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: unknown };
        query = typeof body.query === 'string' ? body.query : '';
      } catch {
        // answered below as a bad request
      }
      answer(query)
        .then((table) => {
          const text = JSON.stringify({ tables: [table] });
          state.bytesSent += Buffer.byteLength(text);
          response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          response.end(text);
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : 'failed';
          response.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
          response.end(JSON.stringify({ error: { code: 'BadArgumentError', message } }));
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}/v1`,
    ca: tls.cert,
    get bytesSent() {
      return state.bytesSent;
    },
    set bytesSent(value: number) {
      state.bytesSent = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
