/**
 * Teams cards for every outgoing message: the full alert card, the one-line SAS renewal, the
 * incident's opening, update and closing cards, and the short Resolved follow-up. Adaptive Card
 * 1.5, under 26 KB (the lists are capped and the full card sheds detail on its own).
 */

import { CAUSE_TITLES } from '../diagnose/diagnosis';
import { clock, duration } from '../diagnose/format';
import type { EnrichedAlert } from '../enrichment';
import { alertFacts } from '../incidents/alertFacts';
import type { IncidentMessage, OutgoingMessage, ResolvedMessage } from '../outgoingMessage';
import {
  awayMs,
  dropCurveRows,
  incidentFacts,
  incidentLinks,
  incidentSummary,
  incidentTitle,
  resolvedFacts,
  resolvedLinks,
  resolvedSummary,
  resolvedTitle,
} from './incidentFacts';
import { hubName, linksFor } from './links';
import type { Fact } from './summaryFacts';
import {
  adaptiveCard,
  type CardElement,
  clip,
  envelope,
  renderTeamsMessage,
  type TeamsMessage,
  textBlock,
} from './teamsCard';

function header(title: string, subtitle: string, style: string): CardElement {
  return {
    type: 'Container',
    style,
    bleed: true,
    items: [
      textBlock(title, { size: 'Large', weight: 'Bolder' }),
      textBlock(subtitle, { isSubtle: true, spacing: 'None' }),
    ],
  };
}

function factSet(facts: readonly Fact[]): CardElement {
  return {
    type: 'FactSet',
    facts: facts.map((f) => ({ title: f.title, value: clip(f.value, 300) })),
  };
}

function table(columns: readonly string[], rows: readonly (readonly string[])[]): CardElement {
  return {
    type: 'Table',
    gridStyle: 'default',
    firstRowAsHeader: true,
    showGridLines: false,
    columns: columns.map(() => ({ width: 1 })),
    rows: [columns, ...rows].map((cells, index) => ({
      type: 'TableRow',
      ...(index === 0 && { style: 'emphasis' }),
      cells: cells.map((cell) => ({
        type: 'TableCell',
        items: [textBlock(cell, { size: 'Small', ...(index === 0 && { weight: 'Bolder' }) })],
      })),
    })),
  };
}

function dropCurve(message: IncidentMessage): CardElement[] {
  const rows = dropCurveRows(message.incident);
  if (rows.length === 0) return [];
  return [
    textBlock('Drop curve (404104 devices per 5 min)', { weight: 'Bolder', spacing: 'Medium' }),
    table(['Time', 'Devices dropped', 'Connected'], rows),
  ];
}

/** The opening card: the opening alert's full card, with the incident named under its headline. */
function openingCard(message: IncidentMessage): TeamsMessage {
  const banner: CardElement[] = [
    textBlock(`Incident opened: ${message.incident.id}`, { weight: 'Bolder', spacing: 'Medium' }),
    textBlock(incidentSummary(message), { isSubtle: true, spacing: 'None' }),
  ];
  if (message.report) return renderTeamsMessage(message.report, banner);
  return incidentCard(message);
}

function incidentCard(message: IncidentMessage): TeamsMessage {
  const { incident } = message;
  const style = message.event === 'closed' ? 'good' : 'attention';
  const subtitle = `${incident.id} · revision ${incident.revision} · ${clock(incident.lastPostedAt)}`;
  return envelope(
    adaptiveCard(
      [
        header(incidentTitle(message), subtitle, style),
        textBlock(incidentSummary(message), { spacing: 'Medium' }),
        factSet(incidentFacts(message)),
        ...dropCurve(message),
      ],
      incidentLinks(incident),
    ),
  );
}

/** One line for a SAS renewal whose device came back. */
export function renewalLine(report: EnrichedAlert): string {
  const away = alertFacts(report).away;
  const hub = hubName(report.alert.hubResourceIds[0] ?? '');
  const devices = away.map((a) => {
    const ms = awayMs(a);
    return ms === undefined
      ? a.deviceId
      : `${a.deviceId} back after ${duration(ms)} (${clock(a.droppedAt ?? '')})`;
  });
  const cause = report.diagnosis ? CAUSE_TITLES[report.diagnosis.cause] : 'SAS token renewal';
  return `${cause}: ${devices.join(', ') || report.alert.rule}${hub ? ` on ${hub}` : ''}`;
}

function compactCard(report: EnrichedAlert): TeamsMessage {
  const logs = linksFor(report.alert).filter((link) => link.title === 'Open the logs');
  return envelope(adaptiveCard([textBlock(renewalLine(report), { isSubtle: true })], logs));
}

function resolvedCard(message: ResolvedMessage): TeamsMessage {
  const { alert } = message.report;
  return envelope(
    adaptiveCard(
      [
        header(resolvedTitle(message), `${alert.rule} · ${alert.severity} · Resolved`, 'good'),
        textBlock(resolvedSummary(message), { spacing: 'Medium' }),
        factSet(resolvedFacts(message)),
      ],
      resolvedLinks(message),
    ),
  );
}

export function renderTeamsFor(message: OutgoingMessage): TeamsMessage {
  switch (message.kind) {
    case 'alert':
      return message.presentation === 'compact'
        ? compactCard(message.report)
        : renderTeamsMessage(message.report);
    case 'incident':
      return message.event === 'opened' ? openingCard(message) : incidentCard(message);
    case 'resolved':
      return resolvedCard(message);
  }
}
