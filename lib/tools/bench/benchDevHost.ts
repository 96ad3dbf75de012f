/**
 * The dev host in a process of its own, for the connection-event benchmarks: configured from its
 * environment as `npm start` is, signed in to the local stand-ins with a fixed token (no Azure
 * sign-in), and reporting its own peak memory when told to stop. Run by `devHostProcess.ts`.
 */

import type { TokenCredential } from '@azure/identity';

import type { Logger } from '../../common/logger';
import { loadConfig, processEnvironment } from '../../config/loadConfig';
import { startDevHost } from '../devhost/devHost';

/** Problems only: the benchmark prints them; a batch's routine line is not one. */
const problems: Logger = {
  info: () => undefined,
  warn: (...args) => process.stderr.write(`warn ${args.map(String).join(' ')}\n`),
  error: (...args) => process.stderr.write(`error ${args.map(String).join(' ')}\n`),
};

async function main(): Promise<void> {
  const env = processEnvironment();
  const token = env.BENCH_TOKEN ?? '';
  const credential: TokenCredential = {
    getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  const host = await startDevHost({
    config: loadConfig(env),
    env,
    port: 0,
    log: problems,
    overrides: () => ({ credential }),
  });
  process.stdout.write(`listening ${host.url}\n`);
  process.once('SIGTERM', () => {
    void host.close().finally(() => {
      // Linux and macOS give kilobytes.
      process.stdout.write(`maxRssKb ${process.resourceUsage().maxRSS}\n`, () => process.exit(0));
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`error ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
