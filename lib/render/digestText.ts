/** The digest as plain text: the CLI's `--format text` and any channel without cards. */

import type { DigestReport } from '../digest/digestReport';

export function renderDigestText(report: DigestReport, withLinks = true): string {
  const lines: string[] = [report.headline, ''];
  for (const section of report.sections) {
    lines.push(section.title, `  ${section.summary}`);
    for (const line of section.lines) {
      lines.push(`  - ${line.text}`);
      if (withLinks && line.link) lines.push(`    ${line.link.url}`);
    }
    if (section.more > 0) lines.push(`  - and ${section.more.toLocaleString('en-US')} more`);
    lines.push('');
  }
  if (report.gaps.length > 0) {
    lines.push('Not seen:', ...report.gaps.map((gap) => `  - ${gap}`), '');
  }
  return lines.join('\n');
}
