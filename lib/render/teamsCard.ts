/**
 * The Teams message: a Workflows webhook body carrying one Adaptive Card (version 1.5, the most
 * Teams renders), kept under 26 KB on the wire by dropping detail in a fixed order.
 */

import { urgencyOf } from '../diagnose/diagnosis';
import type { EnrichedAlert } from '../enrichment';
import { type Link, linksFor } from './links';
import { factsOf, headline, noDiagnosisNote, wouldChangeNote } from './summaryFacts';
import { timelineOf, TIMELINE_ROWS } from './timeline';

/** Teams rejects messages near 28 KB; Workflows counts more than the body, so keep margin. */
export const TEAMS_MAX_BYTES = 26 * 1024;
const MAX_TEXT = 600;

export type CardElement = Record<string, unknown>;

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly {
    readonly contentType: 'application/vnd.microsoft.card.adaptive';
    readonly contentUrl: null;
    readonly content: CardElement;
  }[];
}

const CONTAINER_STYLE = { info: 'good', warning: 'warning', critical: 'attention' } as const;

export function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function textBlock(text: string, extra: CardElement = {}): CardElement {
  return { type: 'TextBlock', text: clip(text), wrap: true, ...extra };
}

function section(title: string, lines: readonly string[], ordered: boolean): CardElement[] {
  if (lines.length === 0) return [];
  const list = lines
    .map((line, i) => `${ordered ? `${i + 1}.` : '-'} ${clip(line, 400)}`)
    .join('\n');
  return [
    textBlock(title, { weight: 'Bolder', spacing: 'Medium' }),
    textBlock(list, { spacing: 'Small' }),
  ];
}

interface Detail {
  readonly evidenceLines: number;
  readonly timelineRows: number;
}

function buildCard(
  report: EnrichedAlert,
  detail: Detail,
  banner: readonly CardElement[],
): CardElement {
  const { alert, diagnosis } = report;
  const urgency = diagnosis ? urgencyOf(diagnosis) : 'warning';
  const style = alert.condition === 'Resolved' ? 'good' : CONTAINER_STYLE[urgency];
  const body: CardElement[] = [
    {
      type: 'Container',
      style,
      bleed: true,
      items: [
        textBlock(headline(report), { size: 'Large', weight: 'Bolder' }),
        textBlock(
          `${alert.rule} · ${alert.severity} · ${alert.condition} · ${alert.firedAt.slice(0, 16).replace('T', ' ')} UTC`,
          {
            isSubtle: true,
            spacing: 'None',
          },
        ),
      ],
    },
  ];
  body.push(...banner);
  body.push(textBlock(diagnosis?.summary ?? noDiagnosisNote(report) ?? '', { spacing: 'Medium' }));
  const unsure = wouldChangeNote(report);
  if (unsure) body.push(textBlock(unsure, { isSubtle: true, spacing: 'Small', size: 'Small' }));
  body.push({
    type: 'FactSet',
    facts: factsOf(report).map((f) => ({ title: f.title, value: clip(f.value, 300) })),
  });

  if (diagnosis) {
    const facts = diagnosis.evidence.filter((e) => e.signal !== 'gap').map((e) => e.text);
    body.push(...section('Evidence', facts.slice(0, detail.evidenceLines), false));
    body.push(...section('What to do', diagnosis.actions, true));
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
    body.push({
      type: 'Table',
      gridStyle: 'default',
      firstRowAsHeader: true,
      showGridLines: false,
      columns: timeline.columns.map(() => ({ width: 1 })),
      rows: [timeline.columns, ...timeline.rows].map((cells, index) => ({
        type: 'TableRow',
        ...(index === 0 && { style: 'emphasis' }),
        cells: cells.map((cell) => ({
          type: 'TableCell',
          items: [textBlock(cell, { size: 'Small', ...(index === 0 && { weight: 'Bolder' }) })],
        })),
      })),
    });
  }

  return adaptiveCard(body, linksFor(alert));
}

/** An Adaptive Card 1.5 as Teams shows it (full width), with one button per link. */
export function adaptiveCard(body: CardElement[], links: readonly Link[]): CardElement {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full' },
    body,
    actions: links.map((link) => ({ type: 'Action.OpenUrl', title: link.title, url: link.url })),
  };
}

export function envelope(card: CardElement): TeamsMessage {
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}

export function byteSize(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength;
}

/**
 * Renders the message, shedding timeline rows, then evidence lines, until it fits. `banner` goes
 * under the headline (an incident's opening card says which incident this is).
 */
export function renderTeamsMessage(
  report: EnrichedAlert,
  banner: readonly CardElement[] = [],
): TeamsMessage {
  const steps: Detail[] = [
    { evidenceLines: 12, timelineRows: TIMELINE_ROWS },
    { evidenceLines: 12, timelineRows: 6 },
    { evidenceLines: 6, timelineRows: 0 },
    { evidenceLines: 3, timelineRows: 0 },
  ];
  let message = envelope(
    buildCard(report, steps[0] ?? { evidenceLines: 0, timelineRows: 0 }, banner),
  );
  for (const step of steps.slice(1)) {
    if (byteSize(message) <= TEAMS_MAX_BYTES) break;
    message = envelope(buildCard(report, step, banner));
  }
  return message;
}
