/** The use case's digest bookkeeping: what it did, recorded on the activity ledger. */

import type { Alert } from '../alerts/alert';
import type { Logger } from '../common/logger';
import type { ActivityKind, ActivityLedger } from '../state/activityLedger';

/**
 * Records one event per hub the alert names. Never throws: the ledger is bookkeeping, and a
 * storage hiccup must not fail (and so re-post) an alert.
 */
export async function recordAlertActivity(
  ledger: ActivityLedger | undefined,
  kind: ActivityKind,
  alert: Pick<Alert, 'id' | 'condition' | 'hubResourceIds'>,
  at: Date,
  log: Logger,
): Promise<void> {
  if (!ledger) return;
  const key = `${alert.id.toLowerCase()}|${alert.condition}`;
  try {
    await Promise.all(
      alert.hubResourceIds.map((hubResourceId) =>
        ledger.record({ kind, hubResourceId, at: at.toISOString(), key }),
      ),
    );
  } catch (error: unknown) {
    log.warn(
      `Activity ledger: could not record ${kind} for alert ${alert.id}: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
  }
}
