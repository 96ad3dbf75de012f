/** A local endpoint standing in for Teams: answers 202 and keeps each post's body and arrival time. */

import { createServer } from 'node:http';

import { closeNow, listenLocally, readText } from './localServer';

export interface ReceivedPost {
  /** `Date.now()` when the body had arrived. */
  readonly at: number;
  readonly body: string;
}

export interface CardReceiver {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly posts: readonly ReceivedPost[];
  close(): Promise<void>;
}

export async function startCardReceiver(): Promise<CardReceiver> {
  const posts: ReceivedPost[] = [];
  const server = createServer((request, response) => {
    void readText(request).then((body) => {
      if (request.method === 'POST') posts.push({ at: Date.now(), body });
      response.writeHead(202, { 'content-type': 'text/plain' });
      response.end('202');
    });
  });
  const port = await listenLocally(server);
  return { url: `http://127.0.0.1:${port}/`, posts, close: () => closeNow(server) };
}
