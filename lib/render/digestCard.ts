/**
 * The digest as a Teams message: a Workflows webhook body carrying one Adaptive Card 1.5, kept
 * under the 26 KB budget whatever the fleet size by listing fewer lines per section ("and N
 * more"), then dropping the per-line query links, in a fixed order.
 */

import type { DigestReport, DigestSection } from '../digest/digestReport';
import {
  adaptiveCard,
  byteSize,
  type CardElement,
  clip,
  envelope,
  TEAMS_MAX_BYTES,
  type TeamsMessage,
} from './adaptiveCard';

const PORTAL_RESOURCE = 'https://portal.azure.com/#@/resource';

/** Device IDs and addresses may hold Markdown characters; show them as written. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]~]/g, (c) => `\\${c}`);
}

/** A text block as given: digest text is clipped before its Markdown is escaped, never after. */
function textBlock(text: string, extra: CardElement = {}): CardElement {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

interface Detail {
  readonly linesPerSection: number;
  readonly lineLinks: boolean;
}

function sectionElements(section: DigestSection, detail: Detail): CardElement[] {
  const shown = section.fixed ? section.lines : section.lines.slice(0, detail.linesPerSection);
  const more = section.more + section.lines.length - shown.length;
  const items = shown.map((line) => {
    const text = markdownText(clip(line.text, 300));
    // A line shown by the section's own query links through the section, once.
    const own = line.link && line.link.url !== section.link?.url ? line.link : undefined;
    return detail.lineLinks && own ? `- ${text} · [query](${own.url})` : `- ${text}`;
  });
  const summary = markdownText(clip(section.summary));
  if (more > 0) items.push(`- and ${more.toLocaleString('en-US')} more`);
  const elements: CardElement[] = [
    textBlock(section.title, { weight: 'Bolder', spacing: 'Medium', separator: true }),
    textBlock(section.link ? `${summary} · [query](${section.link.url})` : summary, {
      spacing: 'Small',
      isSubtle: true,
    }),
  ];
  if (items.length > 0) elements.push(textBlock(items.join('\n'), { spacing: 'Small' }));
  return elements;
}

function buildCard(report: DigestReport, detail: Detail): CardElement {
  const body: CardElement[] = [
    {
      type: 'Container',
      style: 'emphasis',
      bleed: true,
      items: [
        textBlock(markdownText(report.headline), { size: 'Large', weight: 'Bolder' }),
        textBlock(
          `Daily fleet-health digest · compared with the ${report.week.start.slice(0, 10)} – ${report.week.end.slice(0, 10)} daily average`,
          { isSubtle: true, spacing: 'None' },
        ),
      ],
    },
  ];
  for (const section of report.sections) body.push(...sectionElements(section, detail));
  if (report.gaps.length > 0) {
    body.push(
      textBlock(markdownText(clip(`Not seen: ${report.gaps.slice(0, 3).join('; ')}`)), {
        color: 'Attention',
        size: 'Small',
      }),
    );
  }
  return adaptiveCard(body, [
    { title: 'Open the IoT hub', url: `${PORTAL_RESOURCE}${report.hubResourceId}/overview` },
  ]);
}

const STEPS: readonly Detail[] = [
  { linesPerSection: 8, lineLinks: true },
  { linesPerSection: 5, lineLinks: true },
  { linesPerSection: 3, lineLinks: true },
  { linesPerSection: 5, lineLinks: false },
  { linesPerSection: 3, lineLinks: false },
  { linesPerSection: 1, lineLinks: false },
];

export function renderDigestTeamsMessage(report: DigestReport): TeamsMessage {
  let message = envelope(buildCard(report, STEPS[0] ?? { linesPerSection: 1, lineLinks: false }));
  for (const step of STEPS.slice(1)) {
    if (byteSize(message) <= TEAMS_MAX_BYTES) break;
    message = envelope(buildCard(report, step));
  }
  return message;
}
