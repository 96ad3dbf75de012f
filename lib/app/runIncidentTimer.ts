/** The incident timer's use case, run every minute by its trigger and by the dev host. */

import { tickIncidents } from '../incidents/incidentFlow';
import { deliverMessage } from './deliverMessage';
import type { EnrichmentServices } from './enrichAlert';

/**
 * The incident timer's use case: updates and closing cards for open incidents, which no new
 * alert triggers, and re-sends of incident messages not yet confirmed. Returns how many messages
 * it delivered.
 */
export async function runIncidentTimer(services: EnrichmentServices): Promise<number> {
  if (!services.incidents) return 0;
  return tickIncidents({
    ...services.incidents,
    log: services.log,
    now: services.now,
    ...(services.sources.metrics && { metrics: services.sources.metrics }),
    deliver: async (message) => {
      await deliverMessage(message, services);
    },
  });
}
