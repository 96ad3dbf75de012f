/** `GET /api/health`: configuration status by key *name* — never a value. */

import type { Environment } from '../config/configKeys';
import { reportConfig } from '../config/healthReport';
import type { HandlerResponse } from './httpResult';

export function handleHealthRequest(env: Environment): HandlerResponse {
  const report = reportConfig(env);
  return {
    status: report.ok ? 200 : 503,
    body: {
      status: report.ok ? 'ok' : 'misconfigured',
      keys: report.keys,
      problems: report.problems,
      // Added beside the existing fields so that readers of the old shape keep working.
      warnings: report.warnings,
    },
  };
}
