/**
 * `npm start`: the dev host on the bundled sample workspace, delivering to its own inbox.
 * Any setting in the environment wins over these defaults (e.g. point it at a real workspace).
 * `npm start -- --routes FILE` (or `ROUTES_FILE=FILE npm start`): the route list of FILE, each
 * receiver delivering to its own inbox on the dev host.
 */

import { parseArgs } from 'node:util';

import type { Environment } from '../../config/configKeys';
import { devHostPort, loadConfig, processEnvironment } from '../../config/loadConfig';
import { hasRouteList } from '../../config/routeSettings';
import { consoleLogger } from '../../common/logger';
import { startDevHost } from './devHost';
import { DEV_CLOCK_PATH } from './devClockRoute';
import { CONNECTION_EVENTS_FUNCTION, EVENT_GRID_PATH } from './eventGridRoute';
import { DEV_INBOX_PATH, inboxReceivers } from './inboxReceivers';
import { repoRoot } from './repoRoot';
import { devHostEnvironment } from './sampleEnvironment';

/** The environment with `--routes FILE` as `ROUTES_FILE` (refused beside `ROUTES`, as ever). */
export function withRoutesFlag(env: Environment, args: readonly string[]): Environment {
  const { values } = parseArgs({
    args: [...args],
    options: { routes: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  return values.routes === undefined ? env : { ...env, ROUTES_FILE: values.routes };
}

async function main(): Promise<void> {
  const env = withRoutesFlag(processEnvironment(), process.argv.slice(2));
  const port = devHostPort(env);
  const withDefaults = devHostEnvironment(env, repoRoot(), port);
  const config = loadConfig(withDefaults);
  const host = await startDevHost({
    config,
    env: withDefaults,
    port,
    log: consoleLogger,
  });
  const evidence =
    withDefaults.EVIDENCE_SOURCE === 'export-files'
      ? `${withDefaults.EVIDENCE_SOURCE} (${withDefaults.EXPORT_LOGS_PATH})`
      : withDefaults.EVIDENCE_SOURCE;
  const { routing } = config;
  const routes = !hasRouteList(routing)
    ? []
    : [
        `  routes:  ${routing.routes.length} from ${routing.source === 'ROUTES_FILE' ? (withDefaults.ROUTES_FILE ?? '') : 'ROUTES'}, default → ${routing.defaultReceivers.join(', ')}`,
        // Names only: a URL set in the environment is never printed.
        `  inboxes: ${inboxReceivers(routing, host.url)
          .map(
            (r) =>
              `${r.name} (${r.type}${r.signed ? ', signed' : ''}${r.inbox ? '' : ', to its own URL'})`,
          )
          .join(
            ', ',
          )}; POST ${host.url}${DEV_INBOX_PATH}<receiver>; one receiver: ${host.url}/#receiver=<receiver>`,
      ];
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
      ...routes,
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
