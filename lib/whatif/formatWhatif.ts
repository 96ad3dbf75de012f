/**
 * The what-if report as text (a terminal), Markdown (a pull-request comment) or JSON (scripts).
 * Names receivers and silences, never a URL. Pure.
 */

import type { AlertDifference, CardChange, Pair, WhatifReport } from './compare';

export const WHATIF_FORMATS = ['text', 'md', 'json'] as const;
export type WhatifFormat = (typeof WHATIF_FORMATS)[number];

/** Lists are capped in text and Markdown; JSON has them all. */
const MAX_LISTED = 50;

function change(pair: Pair): string {
  const delta = pair.candidate - pair.deployed;
  return delta === 0 ? '0' : delta > 0 ? `+${delta}` : String(delta);
}

function rows(report: WhatifReport): [string, Pair][] {
  return [
    ['messages', report.messages],
    ...Object.entries(report.messagesPerReceiver).map(([receiver, pair]): [string, Pair] => [
      `  to ${receiver}`,
      pair,
    ]),
    ['incidents opened', report.incidentsOpened],
    ['renewals kept quiet: one line', report.renewalsAsOneLine],
    ['renewals kept quiet: not posted', report.renewalsNotPosted],
    ...Object.entries(report.heldBySilence).map(([id, pair]): [string, Pair] => [
      `held back by ${id}`,
      pair,
    ]),
  ];
}

function shortId(alertId: string): string {
  return alertId.split('/').pop() ?? alertId;
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function about(d: AlertDifference): string {
  const devices =
    d.devices.length === 0
      ? ''
      : ` ${d.devices.slice(0, 3).join(', ')}${d.devices.length > 3 ? '…' : ''}`;
  return `${when(d.at)} ${d.rule}${devices} (${d.condition}${d.cause ? `, ${d.cause}` : ''}) ${shortId(d.alertId)}`;
}

function cardLine(card: CardChange): string {
  const noun =
    card.kind === 'alert'
      ? 'card'
      : card.kind === 'renewal'
        ? 'renewal line'
        : card.kind === 'resolved'
          ? 'follow-up'
          : card.kind;
  return `${noun}: ${card.about} → ${card.receivers.join(', ')}`;
}

function capped<T>(items: readonly T[], line: (item: T) => string, indent: string): string[] {
  const lines = items.slice(0, MAX_LISTED).map((item) => `${indent}${line(item)}`);
  if (items.length > MAX_LISTED)
    lines.push(`${indent}… and ${items.length - MAX_LISTED} more (--format json lists all)`);
  return lines;
}

export function whatifText(report: WhatifReport): string {
  const { deployed, candidate } = report.labels;
  const table = rows(report);
  const width = Math.max(...table.map(([name]) => name.length), 10);
  const head = `${''.padEnd(width)}  ${deployed.padStart(10)}  ${candidate.padStart(10)}  ${'change'.padStart(7)}`;
  const lines = [
    `What-if over ${report.alerts} alert(s): ${deployed} vs ${candidate}`,
    '',
    head,
    ...table.map(
      ([name, pair]) =>
        `${name.padEnd(width)}  ${String(pair.deployed).padStart(10)}  ${String(pair.candidate).padStart(10)}  ${change(pair).padStart(7)}`,
    ),
  ];
  if (report.cardsAppearing.length > 0) {
    lines.push('', `Cards that would appear (${report.cardsAppearing.length}):`);
    lines.push(...capped(report.cardsAppearing, cardLine, '  + '));
  }
  if (report.cardsDisappearing.length > 0) {
    lines.push('', `Cards that would disappear (${report.cardsDisappearing.length}):`);
    lines.push(...capped(report.cardsDisappearing, cardLine, '  - '));
  }
  lines.push('');
  if (report.differences.length === 0) lines.push('Every alert is handled the same way.');
  else {
    lines.push(`Alerts handled differently (${report.differences.length}):`);
    for (const d of report.differences.slice(0, MAX_LISTED)) {
      lines.push(
        `  ${about(d)}`,
        `      ${deployed}: ${d.deployed}`,
        `      ${candidate}: ${d.candidate}`,
      );
    }
    if (report.differences.length > MAX_LISTED)
      lines.push(
        `  … and ${report.differences.length - MAX_LISTED} more (--format json lists all)`,
      );
  }
  if (report.skipped.length > 0)
    lines.push('', `Not replayed (${report.skipped.length}): see the errors above.`);
  return `${lines.join('\n')}\n`;
}

/** Table cells: a pipe or a line break would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

export function whatifMarkdown(report: WhatifReport): string {
  const { deployed, candidate } = report.labels;
  const lines = [
    `### What-if: ${cell(deployed)} vs ${cell(candidate)} over ${report.alerts} alert(s)`,
    '',
    `| | ${cell(deployed)} | ${cell(candidate)} | change |`,
    '|---|---:|---:|---:|',
    ...rows(report).map(
      ([name, pair]) =>
        `| ${cell(name.trim())} | ${pair.deployed} | ${pair.candidate} | ${change(pair)} |`,
    ),
  ];
  const cards = (title: string, list: readonly CardChange[], sign: string): void => {
    if (list.length === 0) return;
    lines.push('', `**${title} (${list.length})**`, '');
    lines.push(...capped(list, (c) => cell(cardLine(c)), `- ${sign} `));
  };
  cards('Cards that would appear', report.cardsAppearing, '+');
  cards('Cards that would disappear', report.cardsDisappearing, '−');
  lines.push('');
  if (report.differences.length === 0) lines.push('Every alert is handled the same way.');
  else {
    lines.push(
      `<details><summary>Alerts handled differently (${report.differences.length})</summary>`,
      '',
      `| alert | ${cell(deployed)} | ${cell(candidate)} |`,
      '|---|---|---|',
      ...report.differences
        .slice(0, MAX_LISTED)
        .map((d) => `| ${cell(about(d))} | ${cell(d.deployed)} | ${cell(d.candidate)} |`),
    );
    if (report.differences.length > MAX_LISTED)
      lines.push('', `… and ${report.differences.length - MAX_LISTED} more.`);
    lines.push('', '</details>');
  }
  if (report.skipped.length > 0)
    lines.push('', `${report.skipped.length} alert(s) could not be replayed.`);
  return `${lines.join('\n')}\n`;
}

export function formatWhatif(report: WhatifReport, format: WhatifFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return format === 'md' ? whatifMarkdown(report) : whatifText(report);
}
