/**
 * `npm start`: the dev host on the bundled sample workspace, delivering to its own inbox.
 * Any setting in the environment wins over these defaults (e.g. point it at a real workspace).
 */

import { join } from 'node:path';

import { devHostPort, type Environment, loadConfig, processEnvironment } from '../config';
import { consoleLogger } from '../logger';
import { startDevHost } from './devHost';
import { repoRoot } from './repoRoot';

export { repoRoot };

/** The IoT hub of the bundled sample workspace (`samples/README.md`). */
export const SAMPLE_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

/** The environment `npm start` runs with: the sample workspace and the inbox, unless overridden. */
export function devHostEnvironment(env: Environment, root: string, port: number): Environment {
  const deliversElsewhere = Boolean(env.TEAMS_WORKFLOW_URL ?? env.WEBHOOK_URL);
  return {
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: join(root, 'samples', 'workspace'),
    EXPORT_METRICS_PATH: join(root, 'samples', 'metrics'),
    STATE_STORE: 'memory',
    // A demo-sized clock, so that `npm run demo -- --storm` shows an update and the closing card.
    INCIDENT_UPDATE_MINUTES: '1',
    INCIDENT_QUIET_MINUTES: '1',
    // The sample workspace's hub, so that the digest (`npm run demo -- --digest`) has one to report on.
    IOTHUB_RESOURCE_IDS: SAMPLE_HUB,
    ...(!deliversElsewhere && { TEAMS_WORKFLOW_URL: `http://localhost:${port}/inbox/teams` }),
    ...env,
  };
}

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
