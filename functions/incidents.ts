import { app, type InvocationContext, type Timer } from '@azure/functions';

import { tickIncidentTimer } from '../lib/app/triggers';

/**
 * Timer trigger, every minute: incident updates and closing cards, which need no new alert.
 * The host runs a timer on one instance at a time (a blob lease), and every write is
 * ETag-conditional, so an overlapping run cannot post twice.
 */
export async function incidents(_timer: Timer, context: InvocationContext): Promise<void> {
  await tickIncidentTimer(context);
}

app.timer('incidents', { schedule: '0 */1 * * * *', handler: incidents });
