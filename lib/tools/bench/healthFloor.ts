/**
 * The least a process can do to answer `GET /api/health` the way the dev host does (Node's HTTP
 * server, the configuration and the health handler, on the sample settings), so that
 * `npm run bench` (`coldStart.ts`) can read off what the dev host's own wiring adds.
 * Run as `PORT=<port> node dist/lib/tools/bench/healthFloor.js`.
 */

import { createServer } from 'node:http';

import { devHostPort, processEnvironment } from '../../config/loadConfig';
import { repoRoot } from '../devhost/repoRoot';
import { devHostEnvironment } from '../devhost/sampleEnvironment';
import { handleHealthRequest } from '../../intake/handleHealthRequest';

const processEnv = processEnvironment();
const port = devHostPort(processEnv);
const env = devHostEnvironment(processEnv, repoRoot(), port);

createServer((_request, response) => {
  const result = handleHealthRequest(env);
  response.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(result.body));
}).listen(port, '127.0.0.1');
