/** Each alerted device's drop history ("is this new for this device?"), worded once. */

import type { DeviceHistoryLabel, HistoryLabelKind } from '../diagnose/deviceHistory';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';

/** Devices the History fact names; the count says the rest (the text render lists them all). */
export const LISTED_HISTORIES = 3;

const ORDER: Readonly<Record<HistoryLabelKind, number>> = {
  recurring: 0,
  rare: 1,
  'first-in-30-days': 2,
};

/** The most telling first: recurring, then rare, then first drops; more drops first. */
export function historiesByInterest(report: EnrichedAlert): DeviceHistoryLabel[] {
  return [...(report.history ?? [])].sort(
    (a, b) =>
      ORDER[a.label] - ORDER[b.label] ||
      b.dropsIn30Days - a.dropsIn30Days ||
      a.deviceId.localeCompare(b.deviceId),
  );
}

/** Why there is no history when one was asked for (a failed or partial query). */
export function historyGap(report: EnrichedAlert): string | undefined {
  const gaps = report.evidence?.historyGaps ?? [];
  return gaps.length === 0 ? undefined : gaps.join('; ');
}

/** The value of the "History" fact; undefined when there is nothing to say. */
export function historyFactValue(report: EnrichedAlert): string | undefined {
  const labels = historiesByInterest(report);
  const gap = historyGap(report);
  if (labels.length === 0) return gap === undefined ? undefined : `not read (${gap})`;
  const only = labels.length === 1 ? labels[0] : undefined;
  if (only !== undefined) return only.text;
  const shown = labels.slice(0, LISTED_HISTORIES).map((l) => `${l.deviceId}: ${l.text}`);
  const more = labels.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}
