/**
 * `enricher digest --logs LOGS --hub HUB [--metrics M] [--until ISO] --format teams|webhook|text|json`:
 * the daily fleet-health digest over an export, exactly as the timer would post it.
 */

import { buildDigestReport, type DigestReport } from '../../digest/digestReport';
import { gatherDigest } from '../../digest/gatherDigest';
import { endOfExport, ExportDigestSource } from '../../digest/digestSource';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { isIotHubResourceId } from '../../evidence/kql';
import { MetricsFileSource } from '../../evidence/metricsFile';
import { renderDigestTeamsMessage } from '../../render/digestCard';
import { renderDigestText } from '../../render/digestText';
import { renderDigestWebhookEvent } from '../../render/digestWebhook';

export const DIGEST_FORMATS = ['teams', 'webhook', 'text', 'json'] as const;
type DigestFormat = (typeof DIGEST_FORMATS)[number];

export interface DigestOptions {
  readonly logs: string | undefined;
  readonly hub: string | undefined;
  readonly metrics: string | undefined;
  readonly format: string | undefined;
  readonly until: string | undefined;
}

export function renderDigest(report: DigestReport, format: DigestFormat): string {
  switch (format) {
    case 'teams':
      return `${JSON.stringify(renderDigestTeamsMessage(report), null, 2)}\n`;
    case 'webhook':
      // Offline output is reproducible: the digest's own time stands for the time it was sent.
      return `${JSON.stringify(renderDigestWebhookEvent(report, report.generatedAt), null, 2)}\n`;
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'text':
      return renderDigestText(report);
  }
}

/**
 * Validates the options (throwing `usage(message)` for bad usage), then prints the digest.
 * Without `--until`, the digest ends at the last event of the export (an export is history).
 */
export async function runDigestCommand(
  options: DigestOptions,
  load: {
    readonly usage: (message: string) => Error;
    readonly source: <T>(what: string, path: string, read: (p: string) => Promise<T>) => Promise<T>;
    readonly now: () => Date;
  },
): Promise<string> {
  const { usage } = load;
  if (options.format === undefined) {
    throw usage('choose an output: --format teams|webhook|text|json');
  }
  if (!(DIGEST_FORMATS as readonly string[]).includes(options.format)) {
    throw usage(`--format must be one of teams, webhook, text, json (got ${options.format})`);
  }
  if (options.logs === undefined) throw usage('--logs is required');
  if (options.hub === undefined) throw usage('--hub is required');
  const hub = options.hub.toLowerCase();
  if (!isIotHubResourceId(hub)) throw usage('--hub must be an IoT hub ARM resource ID');
  let until: Date | undefined;
  if (options.until !== undefined) {
    until = new Date(options.until);
    if (Number.isNaN(until.getTime())) throw usage('--until must be an ISO 8601 time');
  }
  const evidence = await load.source('logs', options.logs, (p) => ExportFileSource.fromPath(p));
  const metrics =
    options.metrics === undefined
      ? undefined
      : await load.source('metrics', options.metrics, (p) => MetricsFileSource.fromPath(p));
  const end = until ?? endOfExport(evidence.events, hub) ?? load.now();
  const gathered = await gatherDigest(hub, end, {
    digest: new ExportDigestSource(evidence.events),
    evidence,
    ...(metrics && { metrics }),
  });
  return renderDigest(buildDigestReport(gathered, load.now()), options.format as DigestFormat);
}
