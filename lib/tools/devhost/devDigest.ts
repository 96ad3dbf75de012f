/**
 * `POST /api/digest` on the dev host: the timer's digest on demand. Over export files the day
 * ends at each hub's last logged event (the samples are history), unless `until` says otherwise.
 */

import { type DigestServices, runDailyDigests } from '../../app/runDigest';
import { ExportDigestSource, endOfExport } from '../../digest/digestSource';
import { ExportFileSource } from '../../evidence/exportFileSource';
import type { HandlerResponse } from '../../intake/httpResult';

export async function runDigestNow(
  services: DigestServices,
  untilText: string | null,
): Promise<HandlerResponse> {
  let until: Date | undefined;
  if (untilText !== null) {
    until = new Date(untilText);
    if (Number.isNaN(until.getTime())) {
      return { status: 400, body: { error: 'until must be an ISO 8601 time', path: 'until' } };
    }
  }
  const { evidence, digest } = services.sources;
  const fromExport = evidence instanceof ExportFileSource && digest instanceof ExportDigestSource;
  try {
    const outcomes = await runDailyDigests(
      services,
      (hub) =>
        until ?? (fromExport ? endOfExport(evidence.events, hub) : undefined) ?? services.now(),
    );
    return {
      status: 200,
      body: {
        digests: outcomes.map((o) => ({
          hubResourceId: o.hubResourceId,
          delivered: o.delivered,
          failures: o.failures,
        })),
      },
    };
  } catch (error: unknown) {
    return {
      status: 502,
      body: { error: error instanceof Error ? error.message : 'digest failed', path: '' },
    };
  }
}
