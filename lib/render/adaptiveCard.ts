/**
 * The Adaptive Card toolkit every Teams message is built from: text blocks, sections, fact sets,
 * tables, the card itself (version 1.5, the most Teams renders) and the Workflows envelope that
 * carries it, with the byte budget Teams accepts.
 */

import type { Link } from './links';

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

/** A FactSet row: the same title/value pairs the text render prints as lines. */
export interface Fact {
  readonly title: string;
  readonly value: string;
}

export function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Text a person typed (a name, a comment) shown as written: its Markdown characters escaped. */
export function literalMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]~#>|<]/g, (c) => `\\${c}`);
}

export function textBlock(text: string, extra: CardElement = {}): CardElement {
  return { type: 'TextBlock', text: clip(text), wrap: true, ...extra };
}

/** A bold title over a bulleted (or numbered) list; nothing when the list is empty. */
export function section(title: string, lines: readonly string[], ordered: boolean): CardElement[] {
  if (lines.length === 0) return [];
  const list = lines
    .map((line, i) => `${ordered ? `${i + 1}.` : '-'} ${clip(line, 400)}`)
    .join('\n');
  return [
    textBlock(title, { weight: 'Bolder', spacing: 'Medium' }),
    textBlock(list, { spacing: 'Small' }),
  ];
}

/** The coloured band at the top of a card: title and a subtle subtitle. */
export function header(title: string, subtitle: string, style: string): CardElement {
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

export function factSet(facts: readonly Fact[]): CardElement {
  return {
    type: 'FactSet',
    facts: facts.map((f) => ({ title: f.title, value: clip(f.value, 300) })),
  };
}

/**
 * What a client without tables shows instead: one fact per row, the first cell as its title and
 * the others named by their column (a FactSet also reads well on a phone).
 */
function tableFallback(columns: readonly string[], rows: readonly (readonly string[])[]) {
  return factSet(
    rows.map(([first = '', ...rest]) => ({
      title: first,
      value: rest.map((cell, i) => `${columns[i + 1] ?? ''}: ${cell}`).join(' · '),
    })),
  );
}

/** A table with a bold header row, one equal-width column per heading. */
export function table(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): CardElement {
  return {
    type: 'Table',
    fallback: tableFallback(columns, rows),
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

/** One bar per point; Teams draws it, other hosts render `fallback` (e.g. the same rows' table). */
export function verticalBarChart(
  title: string,
  axes: { readonly x: string; readonly y: string },
  points: readonly { readonly x: string; readonly y: number }[],
  fallback: CardElement,
): CardElement {
  return {
    type: 'Chart.VerticalBar',
    title,
    xAxisTitle: axes.x,
    yAxisTitle: axes.y,
    data: points.map((p) => ({ x: p.x, y: p.y })),
    fallback,
  };
}

/** Buttons inside the body (near the top, where a phone shows them without scrolling). */
export function actionSet(links: readonly Link[]): CardElement[] {
  if (links.length === 0) return [];
  return [
    {
      type: 'ActionSet',
      actions: links.map((link) => ({ type: 'Action.OpenUrl', title: link.title, url: link.url })),
    },
  ];
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

/** The Workflows webhook body that carries one card. */
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
