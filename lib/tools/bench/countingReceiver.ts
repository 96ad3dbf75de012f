/** A local HTTP endpoint standing in for Teams or a webhook: answers 202 and counts the posts. */

import { createServer } from 'node:http';
import { closeNow, listenLocally } from './localServer';

export interface CountingReceiver {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  posts(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingReceiver(): Promise<CountingReceiver> {
  let posts = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.method === 'POST') posts++;
      response.writeHead(202, { 'content-type': 'text/plain' });
      response.end('202');
    });
  });
  const port = await listenLocally(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    posts: () => posts,
    reset() {
      posts = 0;
    },
    close: () => closeNow(server),
  };
}
