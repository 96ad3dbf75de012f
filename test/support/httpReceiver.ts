/**
 * A tiny local HTTP server that stands in for a Teams Workflows / webhook endpoint: it records
 * every request body (parsed as JSON when it is JSON) and answers with a configurable status, or
 * misbehaves on purpose: answers late, drips its body, or resets the connection.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeNow, listenLocally, readText } from '../../lib/tools/bench/localServer';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
  /** How the receiver answered it. */
  readonly answer: Answer;
}

/** A request the receiver took: answered 2xx, however late. */
export function wasTaken(request: ReceivedRequest): boolean {
  return (
    request.answer.reset !== true && request.answer.status >= 200 && request.answer.status < 300
  );
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Wait this long before answering (the request is recorded, i.e. taken, at once). */
  readonly delayMs?: number;
  /** Send the headers, then the body one byte per `dripMs`, for `dripBytes` bytes. */
  readonly dripMs?: number;
  readonly dripBytes?: number;
  /** Destroy the socket instead of answering (after recording the request). */
  readonly reset?: boolean;
}

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** Status for the next answers (default 202). */
  status: number;
  /** Answers used one per request, in order, before falling back to `status`. */
  script: Answer[];
  /** Used when the script is empty, instead of `status`. */
  fallback: Answer | undefined;
  close(): Promise<void>;
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function answerWith(
  answer: Answer,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (answer.delayMs !== undefined) await sleep(answer.delayMs);
  if (answer.reset === true) {
    request.socket.destroy();
    return;
  }
  if (response.destroyed) return;
  if (answer.dripMs === undefined) {
    response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    response.end(String(answer.status));
    return;
  }
  response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
  response.flushHeaders();
  // A function, not the property: the client may close the socket while we sleep.
  const open = (): boolean => !response.destroyed;
  for (let i = 0; i < (answer.dripBytes ?? 60) && open(); i++) {
    response.write('.');
    await sleep(answer.dripMs);
  }
  if (open()) response.end();
}

export async function startHttpReceiver(status = 202): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    void readText(request).then((text) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const answer = receiver.script.shift() ?? receiver.fallback ?? { status: receiver.status };
      requests.push({
        method: request.method ?? '',
        path: (request.url ?? '').split('?')[0] ?? '',
        headers: headersOf(request),
        text,
        json,
        answer,
      });
      void answerWith(answer, request, response);
    });
  });
  const port = await listenLocally(server);
  const receiver: HttpReceiver = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    status,
    script: [],
    fallback: undefined,
    close: () => closeNow(server),
  };
  return receiver;
}

/** The requests a receiver took (answered 2xx, however late). */
export function takenBy(receiver: HttpReceiver): ReceivedRequest[] {
  return receiver.requests.filter(wasTaken);
}

/**
 * The distinct deliveries a receiver took: with a key header (a webhook's `idempotency-key`),
 * requests that share a key count once, as a receiver that deduplicates on it shows them.
 */
export function distinctTaken(receiver: HttpReceiver, keyHeader?: string): number {
  const taken = takenBy(receiver);
  if (keyHeader === undefined) return taken.length;
  return new Set(taken.map((r) => r.headers[keyHeader.toLowerCase()] ?? r.text)).size;
}
