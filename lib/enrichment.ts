/** The enriched alert: everything a message is rendered from. */

import type { Alert } from './alerts/alert';
import type { Diagnosis } from './diagnose/diagnosis';
import type { Evidence } from './evidence/evidence';

export interface EnrichedAlert {
  readonly alert: Alert;
  /** Absent for alerts that are not about device connections (passed on undiagnosed). */
  readonly diagnosis?: Diagnosis;
  readonly evidence?: Evidence;
  /** Set when enrichment itself failed: the alert is still delivered, plainly, with the reason. */
  readonly notEnrichedReason?: string;
  /** ISO time the enrichment finished. */
  readonly enrichedAt: string;
}
