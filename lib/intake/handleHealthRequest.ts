/**
 * `GET /api/health`: configuration status by key *name* — never a value — and the routes by
 * receiver name, never a URL.
 */

import type { Environment } from '../config/configKeys';
import { reportConfig } from '../config/healthReport';
import { watchedHubs } from '../config/loadConfig';
import { routeWarnings } from '../routing/routeWarnings';
import { routingView } from '../routing/routingView';
import type { HandlerResponse } from './httpResult';

export function handleHealthRequest(env: Environment): HandlerResponse {
  const report = reportConfig(env);
  const { config } = report;
  const hubNames = config ? watchedHubs(config).map((id) => id.split('/').pop() ?? '') : [];
  const routeNotes = config ? routeWarnings(config.routing, hubNames) : [];
  return {
    status: report.ok ? 200 : 503,
    body: {
      status: report.ok ? 'ok' : 'misconfigured',
      keys: report.keys,
      problems: report.problems,
      // Added beside the existing fields so that readers of the old shape keep working.
      warnings: [
        ...report.warnings,
        ...routeNotes.map((w) => ({
          key: config?.routing.source ?? 'ROUTES',
          warning: `${w.path} ${w.warning}`,
        })),
      ],
      ...(config && { routes: routingView(config.routing) }),
    },
  };
}
