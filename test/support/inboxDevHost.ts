/**
 * The dev host as the integration tests run it: on a free port, quiet, retrying fast, with its
 * Teams channel pointed at its own inbox wherever it listens (the default URL names port 7071).
 */

import type { Environment } from '../../lib/config/configKeys';
import { loadConfig } from '../../lib/config/loadConfig';
import { type DevHost, type DevHostOptions, startDevHost } from '../../lib/tools/devhost/devHost';
import { silentLogger } from '../../lib/common/logger';
import { TeamsNotifier } from '../../lib/notify/teamsNotifier';
import type { ServiceOverrides } from '../../lib/app/services';

export const TEST_DELIVERY = { timeoutMs: 5000 };

export function startInboxDevHost(
  env: Environment,
  options: {
    readonly incidentTimerMs?: DevHostOptions['incidentTimerMs'];
    /** More overrides, given the host's URL; they win over the inbox notifier. */
    readonly overrides?: (url: string) => ServiceOverrides;
  } = {},
): Promise<DevHost> {
  return startDevHost({
    config: loadConfig(env),
    env,
    port: 0,
    log: silentLogger,
    retryDelayMs: 10,
    ...(options.incidentTimerMs !== undefined && { incidentTimerMs: options.incidentTimerMs }),
    overrides: (url) => ({
      notifiers: [new TeamsNotifier(`${url}/inbox/teams`, TEST_DELIVERY)],
      ...options.overrides?.(url),
    }),
  });
}
