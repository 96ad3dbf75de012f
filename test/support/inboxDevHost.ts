/**
 * The dev host as the integration tests run it: on a free port, quiet, retrying fast, with its
 * Teams channel pointed at its own inbox wherever it listens (the default URL names port 7071).
 * With a route list in `env` (`ROUTES`, `ROUTES_FILE`) the host's own notifiers deliver, one
 * inbox per receiver, as `npm start` does: `env` comes from `devHostEnvironment(..., 7071)`.
 */

import type { Environment } from '../../lib/config/configKeys';
import { loadConfig } from '../../lib/config/loadConfig';
import { type DevHost, type DevHostOptions, startDevHost } from '../../lib/tools/devhost/devHost';
import { devHostBase } from '../../lib/tools/devhost/inboxReceivers';
import { type Logger, silentLogger } from '../../lib/common/logger';
import { TeamsNotifier } from '../../lib/notify/teamsNotifier';
import type { ServiceOverrides } from '../../lib/app/services';

export const TEST_DELIVERY = { timeoutMs: 5000 };

/** The port the tests' `devHostEnvironment` writes into the inbox URLs. */
export const TEST_ENV_PORT = 7071;

export function startInboxDevHost(
  env: Environment,
  options: {
    readonly incidentTimerMs?: DevHostOptions['incidentTimerMs'];
    /** More overrides, given the host's URL; they win over the inbox notifier. */
    readonly overrides?: (url: string) => ServiceOverrides;
    readonly log?: Logger;
  } = {},
): Promise<DevHost> {
  const routed = env.ROUTES !== undefined || env.ROUTES_FILE !== undefined;
  return startDevHost({
    config: loadConfig(env),
    env,
    port: 0,
    log: options.log ?? silentLogger,
    retryDelayMs: 10,
    ...(options.incidentTimerMs !== undefined && { incidentTimerMs: options.incidentTimerMs }),
    ...(routed && { inboxBase: devHostBase(TEST_ENV_PORT) }),
    overrides: (url) => ({
      ...(!routed && { notifiers: [new TeamsNotifier(`${url}/inbox/teams`, TEST_DELIVERY)] }),
      ...options.overrides?.(url),
    }),
  });
}
