/**
 * The incident policy's settings. Apart from the record (`incident.ts`): the route callback names
 * the message type, which itself speaks of records.
 */

import type { RenewalPolicy } from './incident';
import type { IncidentMessage } from './outgoingMessage';

export interface IncidentSettings {
  /** At most one update card per this many minutes while devices keep folding in. */
  readonly updateMinutes: number;
  /** No new alert for this long (and devices back) closes an incident. */
  readonly quietMinutes: number;
  readonly renewalPolicy: RenewalPolicy;
  /**
   * The receivers an incident's opening card goes to (the routes); the record keeps them, so its
   * updates and closing card go to the same receivers even if the routes change. Absent: the
   * record keeps none, and each card is routed when it is delivered.
   */
  readonly receiversOf?: (message: IncidentMessage) => readonly string[];
}
