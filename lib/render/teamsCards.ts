/**
 * One Teams card per outgoing message: the full alert card, the one-line SAS renewal, the
 * incident's opening, update and closing cards, and the short Resolved follow-up. Each stays
 * under the Teams byte budget: the lists are capped and the alert card sheds detail on its own.
 */

import { urgencyOf } from '../diagnose/diagnosis';
import { clock } from '../diagnose/format';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type {
  CompactAlertMessage,
  IncidentMessage,
  NoticeMessage,
  OutgoingMessage,
  ResolvedMessage,
} from '../incidents/outgoingMessage';
import type { ActionLink } from './actionLinks';
import {
  actionSet,
  adaptiveCard,
  byteSize,
  type CardElement,
  envelope,
  factSet,
  header,
  literalMarkdown,
  section,
  table,
  TEAMS_MAX_BYTES,
  type TeamsMessage,
  textBlock,
  verticalBarChart,
} from './adaptiveCard';
import {
  alertFacts,
  connectionNote,
  headline,
  noDiagnosisNote,
  wouldChangeNote,
} from './alertFacts';
import {
  dropCurveRows,
  incidentFacts,
  incidentLinks,
  incidentSummary,
  incidentTitle,
  renewalLine,
  resolvedFacts,
  resolvedLinks,
  resolvedSummary,
  resolvedTitle,
} from './incidentFacts';
import { linksFor } from './links';
import { timelineOf, TIMELINE_ROWS } from './timeline';

const CONTAINER_STYLE = { info: 'good', warning: 'warning', critical: 'attention' } as const;

/** How much of the alert card's detail is shown: shed step by step until it fits. */
interface Detail {
  readonly evidenceLines: number;
  readonly timelineRows: number;
}

function alertCardContent(
  report: EnrichedAlert,
  detail: Detail,
  banner: readonly CardElement[],
  actions: readonly ActionLink[],
): CardElement {
  const { alert, diagnosis } = report;
  const urgency = diagnosis ? urgencyOf(diagnosis) : 'warning';
  const style = alert.condition === 'Resolved' ? 'good' : CONTAINER_STYLE[urgency];
  const subtitle = `${alert.rule} · ${alert.severity} · ${alert.condition} · ${alert.firedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const body: CardElement[] = [header(headline(report), subtitle, style)];
  body.push(...banner);
  const heard = connectionNote(report);
  if (heard) body.push(textBlock(heard, { spacing: 'Medium', weight: 'Bolder' }));
  body.push(textBlock(diagnosis?.summary ?? noDiagnosisNote(report) ?? '', { spacing: 'Medium' }));
  // On a phone only the first screen is read: what happened, the buttons, then what to do.
  body.push(...actionSet(actions));
  if (diagnosis) body.push(...section('What to do', diagnosis.actions, true));
  const unsure = wouldChangeNote(report);
  if (unsure) body.push(textBlock(unsure, { isSubtle: true, spacing: 'Small', size: 'Small' }));
  body.push(factSet(alertFacts(report)));

  if (diagnosis) {
    const evidence = diagnosis.evidence.filter((e) => e.signal !== 'gap').map((e) => e.text);
    body.push(...section('Evidence', evidence.slice(0, detail.evidenceLines), false));
    const gaps = diagnosis.evidence.filter((e) => e.signal === 'gap').map((e) => e.text);
    if (gaps.length > 0) {
      body.push(
        textBlock(`Not seen: ${gaps.slice(0, 3).join('; ')}`, {
          color: 'Attention',
          size: 'Small',
        }),
      );
    }
  }

  const timeline = detail.timelineRows > 0 ? timelineOf(report, detail.timelineRows) : undefined;
  if (timeline) {
    body.push(textBlock(timeline.title, { weight: 'Bolder', spacing: 'Medium' }));
    body.push(table(timeline.columns, timeline.rows));
  }

  return adaptiveCard(body, linksFor(alert));
}

/**
 * The full alert card, shedding timeline rows, then evidence lines, until it fits. `banner` goes
 * under the headline (an incident's opening card says which incident this is).
 */
export function renderAlertCard(
  report: EnrichedAlert,
  banner: readonly CardElement[] = [],
  actions: readonly ActionLink[] = [],
): TeamsMessage {
  const steps: Detail[] = [
    { evidenceLines: 12, timelineRows: TIMELINE_ROWS },
    { evidenceLines: 12, timelineRows: 6 },
    { evidenceLines: 6, timelineRows: 0 },
    { evidenceLines: 3, timelineRows: 0 },
  ];
  let message = envelope(
    alertCardContent(report, steps[0] ?? { evidenceLines: 0, timelineRows: 0 }, banner, actions),
  );
  for (const step of steps.slice(1)) {
    if (byteSize(message) <= TEAMS_MAX_BYTES) break;
    message = envelope(alertCardContent(report, step, banner, actions));
  }
  return message;
}

/** A quiet SAS renewal: its one line, and the logs link. */
function compactCard(message: CompactAlertMessage): TeamsMessage {
  const logs = linksFor(message.report.alert).filter((link) => link.title === 'Open the logs');
  return envelope(adaptiveCard([textBlock(renewalLine(message), { isSubtle: true })], logs));
}

/** The policy keeps 12 five-minute bins; more would only be a longer record. */
const MAX_CURVE_ROWS = 24;

/** Teams draws the curve as bars; other hosts (and the schema) fall back to the table. */
function dropCurve(message: IncidentMessage): CardElement[] {
  // The curve is drawn three ways (chart, table, rows): keep the card within its byte budget.
  const rows = dropCurveRows(message.incident).slice(-MAX_CURVE_ROWS);
  if (rows.length === 0) return [];
  const title = 'Drop curve (404104 devices per 5 min)';
  const points = rows.map(([time = '', devices = '0']) => ({
    x: time.replace(/ UTC$/, ''),
    y: Number(devices),
  }));
  return [
    textBlock(title, { weight: 'Bolder', spacing: 'Medium' }),
    verticalBarChart(
      title,
      { x: 'Time (UTC)', y: 'Devices dropped' },
      points,
      table(['Time', 'Devices dropped', 'Connected'], rows),
    ),
  ];
}

/** Who is on it, once someone acknowledged the incident. */
function acknowledgedLine(message: IncidentMessage): CardElement[] {
  const ack = message.incident.acknowledged;
  if (ack === undefined) return [];
  return [
    textBlock(`Acknowledged by ${literalMarkdown(ack.by)} at ${clock(ack.at)}`, {
      weight: 'Bolder',
      color: 'Good',
      spacing: 'Small',
    }),
  ];
}

/** The opening card: the opening alert's full card, with the incident named under its headline. */
function openingCard(message: IncidentMessage, actions: readonly ActionLink[]): TeamsMessage {
  const banner: CardElement[] = [
    textBlock(`Incident opened: ${message.incident.id}`, { weight: 'Bolder', spacing: 'Medium' }),
    textBlock(incidentSummary(message), { isSubtle: true, spacing: 'None' }),
    ...acknowledgedLine(message),
  ];
  if (message.report) return renderAlertCard(message.report, banner, actions);
  return incidentCard(message, actions);
}

function incidentCard(message: IncidentMessage, actions: readonly ActionLink[]): TeamsMessage {
  const { incident } = message;
  const style = message.event === 'closed' ? 'good' : 'attention';
  const subtitle = `${incident.id} · revision ${incident.revision} · ${clock(incident.lastPostedAt)}`;
  return envelope(
    adaptiveCard(
      [
        header(incidentTitle(message), subtitle, style),
        textBlock(incidentSummary(message), { spacing: 'Medium' }),
        ...acknowledgedLine(message),
        ...actionSet(actions),
        factSet(incidentFacts(message)),
        ...dropCurve(message),
      ],
      incidentLinks(incident),
    ),
  );
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

/** `actions`: the message's signed action links (see `actionLinksFor`), shown near the top. */
export function renderTeamsCard(
  message: OutgoingMessage,
  actions: readonly ActionLink[] = [],
): TeamsMessage {
  switch (message.kind) {
    case 'alert':
      return message.presentation === 'compact'
        ? compactCard(message)
        : renderAlertCard(message.report, [], actions);
    case 'incident':
      return message.event === 'opened'
        ? openingCard(message, actions)
        : incidentCard(message, actions);
    case 'resolved':
      return resolvedCard(message);
    case 'notice':
      return noticeCard(message);
  }
}

/** One line: why the channel went quiet, or who is on it. */
function noticeCard(message: NoticeMessage): TeamsMessage {
  return envelope(adaptiveCard([textBlock(literalMarkdown(message.text))], []));
}
