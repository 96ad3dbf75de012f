/**
 * `npm start`: the dev host on the bundled sample workspace, delivering to its own inbox.
 * Any setting in the environment wins over these defaults (e.g. point it at a real workspace).
 */

import { devHostPort, loadConfig, processEnvironment } from '../../config/loadConfig';
import { consoleLogger } from '../../common/logger';
import { startDevHost } from './devHost';
import { DEV_CLOCK_PATH } from './devClockRoute';
import { CONNECTION_EVENTS_FUNCTION, EVENT_GRID_PATH } from './eventGridRoute';
import { repoRoot } from './repoRoot';
import { devHostEnvironment } from './sampleEnvironment';

async function main(): Promise<void> {
  const env = processEnvironment();
  const port = devHostPort(env);
  const withDefaults = devHostEnvironment(env, repoRoot(), port);
  const host = await startDevHost({
    config: loadConfig(withDefaults),
    env: withDefaults,
    port,
    log: consoleLogger,
  });
  const evidence =
    withDefaults.EVIDENCE_SOURCE === 'export-files'
      ? `${withDefaults.EVIDENCE_SOURCE} (${withDefaults.EXPORT_LOGS_PATH})`
      : withDefaults.EVIDENCE_SOURCE;
  // One write: each console.log is a write of its own.
  console.log(
    [
      `iothub-alert-enricher dev host on ${host.url}`,
      `  inbox:   ${host.url}/`,
      `  intake:  POST ${host.url}/api/alerts   (try: npm run demo)`,
      `  health:  GET  ${host.url}/api/health`,
      `  digest:  POST ${host.url}/api/digest   (try: npm run demo -- --digest)`,
      `  events:  POST ${host.url}${EVENT_GRID_PATH}?functionName=${CONNECTION_EVENTS_FUNCTION}   (try: npm run demo -- --events)`,
      `  clock:   POST ${host.url}${DEV_CLOCK_PATH}   {"to": ISO}: moves this host's clock (dev only)`,
      `  links:   ${host.url}/api/act   (the cards' Acknowledge and Mute links${host.actionLinks.throwaway ? '; signed with a throwaway key made at start: set ACTION_SIGNING_KEYS to keep links across restarts' : ''})`,
      `  evidence: ${evidence ?? ''}`,
    ].join('\n'),
  );
  const stop = (): void => {
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(
      `Dev host failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  });
}
