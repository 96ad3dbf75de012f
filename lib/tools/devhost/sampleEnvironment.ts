/**
 * What `npm start` runs on unless told otherwise: the bundled sample workspace, the in-memory
 * queue and the dev host's own inbox (one per receiver with a route list).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Environment, readKey } from '../../config/configKeys';
import type { ReadText } from '../../config/policySettings';
import { devHostBase, INBOX_TEAMS_PATH, inboxReceiverSettings } from './inboxReceivers';

/** The IoT hub of the bundled sample workspace (`samples/README.md`). */
export const SAMPLE_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

/**
 * The environment `npm start` runs with: the sample workspace and the inbox, unless overridden.
 * Without a route list, Teams posts to the inbox unless a channel is configured; with one
 * (`ROUTES`, `ROUTES_FILE`), each receiver without a URL posts to its own inbox.
 */
export function devHostEnvironment(
  env: Environment,
  root: string,
  port: number,
  readText: ReadText = (path) => readFileSync(path, 'utf8'),
): Environment {
  const routed = readKey(env, 'ROUTES') !== undefined || readKey(env, 'ROUTES_FILE') !== undefined;
  const deliversElsewhere = routed || Boolean(env.TEAMS_WORKFLOW_URL ?? env.WEBHOOK_URL);
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
    ...(!deliversElsewhere && { TEAMS_WORKFLOW_URL: `${devHostBase(port)}${INBOX_TEAMS_PATH}` }),
    ...(routed && inboxReceiverSettings(env, port, readText)),
    ...env,
  };
}
