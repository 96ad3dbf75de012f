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

/** A table with a bold header row, one equal-width column per heading. */
export function table(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): CardElement {
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
