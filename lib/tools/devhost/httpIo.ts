/** The dev host's two HTTP chores, shared by its routes: reading a bounded body and answering. */

import type { IncomingMessage, ServerResponse } from 'node:http';

import { PayloadTooLargeError } from '../../common/errors';

/** Reads a request body, refusing to buffer more than `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new PayloadTooLargeError(limit));
        request.pause();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    request.on('error', reject);
  });
}

/** JSON for anything but a string, which is sent as HTML (the inbox page). */
export function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type':
      typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** The `Content-Length` a client declared, when it is a plain number. */
export function declaredLength(request: IncomingMessage): number | undefined {
  const length = request.headers['content-length'];
  return length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
}
