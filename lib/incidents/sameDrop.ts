/**
 * One message per drop: the same drop of one device can come as a log search alert and from the
 * connection events. Pure.
 */

import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { AlertImpact } from './alertImpact';
import type { AlertMemo, Handling } from './incident';

/** Drops of one device this close together are one drop seen twice (snapshot and log times). */
export const SAME_DROP_MS = 5 * 60_000;
/** What another alert did about a drop that makes posting it again redundant. */
const SPOKEN: readonly Handling[] = ['card', 'compact', 'opened', 'folded'];

export function sameDropAs(
  report: EnrichedAlert,
  impact: AlertImpact,
  last: AlertMemo | undefined,
): AlertMemo | undefined {
  if (last === undefined || last.alertId === report.alert.id || last.dropAt === undefined) {
    return undefined;
  }
  if (!SPOKEN.includes(last.handling) || impact.devices.length !== 1) return undefined;
  const dropAt = impact.away[0]?.droppedAt ?? report.alert.connection?.droppedAt;
  if (dropAt === undefined) return undefined;
  return Math.abs(Date.parse(dropAt) - Date.parse(last.dropAt)) <= SAME_DROP_MS ? last : undefined;
}
