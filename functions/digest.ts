import { app, type InvocationContext, type Timer } from '@azure/functions';

import { digestScheduleOf } from '../lib/config/configKeys';
import { processEnvironment } from '../lib/config/loadConfig';
import { runDigestTimer } from '../lib/app/triggers';

/** Timer: the daily fleet-health digest, one per watched hub, to Teams and the webhook. */
export async function digest(_timer: Timer, context: InvocationContext): Promise<void> {
  await runDigestTimer(context);
}

// Registered only when DIGEST_SCHEDULE is on (an invalid value shows on GET /api/health).
const schedule = digestScheduleOf(processEnvironment()).value;
if (schedule !== undefined) {
  app.timer('digest', { schedule, handler: digest });
}
