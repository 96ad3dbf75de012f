/** The enriched alert: everything a message is rendered from. */

import type { Alert } from '../alerts/alert';
import type { DeviceHistoryLabel } from './deviceHistory';
import type { Diagnosis } from './diagnosis';
import type { Evidence } from '../evidence/evidence';

export interface EnrichedAlert {
  readonly alert: Alert;
  /** Absent for alerts that are not about device connections (passed on undiagnosed). */
  readonly diagnosis?: Diagnosis;
  readonly evidence?: Evidence;
  /**
   * Each alerted device's drop against its own last 30 days (first, rare, recurring), when the
   * history was read. Beside the diagnosis, never part of it.
   */
  readonly history?: readonly DeviceHistoryLabel[];
  /** Set when enrichment itself failed: the alert is still delivered, plainly, with the reason. */
  readonly notEnrichedReason?: string;
  /** ISO time the enrichment finished. */
  readonly enrichedAt: string;
}
