/** Plain text: the CLI's `--format text`, logs, and any channel without cards. */

import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import {
  alertFacts,
  connectionNote,
  headline,
  noDiagnosisNote,
  wouldChangeNote,
} from './alertFacts';
import { historiesByInterest, LISTED_HISTORIES } from './historyFacts';
import { linksFor } from './links';
import { timelineOf } from './timeline';

export function renderText(report: EnrichedAlert): string {
  const lines: string[] = [headline(report), ''];
  const { diagnosis } = report;
  const heard = connectionNote(report);
  if (heard) lines.push(heard, '');
  lines.push(diagnosis?.summary ?? noDiagnosisNote(report) ?? '', '');
  const unsure = wouldChangeNote(report);
  if (unsure) lines.push(unsure, '');
  for (const fact of alertFacts(report)) lines.push(`${fact.title}: ${fact.value}`);
  // The History fact names a few devices; text has room for every one.
  const histories = historiesByInterest(report);
  if (histories.length > LISTED_HISTORIES) {
    lines.push('', 'History per device:', ...histories.map((h) => `  - ${h.deviceId}: ${h.text}`));
  }
  if (diagnosis) {
    lines.push('', 'Evidence:', ...diagnosis.evidence.map((e) => `  - ${e.text}`));
    lines.push('', 'What to do:', ...diagnosis.actions.map((a, i) => `  ${i + 1}. ${a}`));
  }
  const timeline = timelineOf(report);
  if (timeline) {
    lines.push('', `${timeline.title}:`);
    const widths = timeline.columns.map((c, i) =>
      Math.max(c.length, ...timeline.rows.map((r) => (r[i] ?? '').length)),
    );
    for (const row of [timeline.columns, ...timeline.rows]) {
      lines.push(
        `  ${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}`,
      );
    }
  }
  const links = linksFor(report.alert);
  if (links.length > 0) lines.push('', ...links.map((l) => `${l.title}: ${l.url}`));
  return `${lines.join('\n')}\n`;
}
