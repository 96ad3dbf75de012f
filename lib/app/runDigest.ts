/**
 * The timer's use case: one digest per watched hub, posted to the receivers its route names
 * (`kind=digest`, the hub), or to every channel without a route list. One hub's failure
 * does not stop the others; the run fails (so the host logs it) only when nothing was delivered.
 */

import type { Logger } from '../common/logger';
import { buildDigestReport, type DigestReport } from '../digest/digestReport';
import { type DigestSources, gatherDigest } from '../digest/gatherDigest';
import type { Notifier } from '../notify/notifier';
import type { RoutingSettings } from '../config/routeSettings';
import { notifiersForDigest } from '../routing/deliveryRoute';
import { renderDigestBody } from '../render/digestBody';

export interface DigestServices {
  readonly sources: DigestSources;
  readonly notifiers: readonly Notifier[];
  readonly routing?: RoutingSettings;
  /** Lower-cased IoT hub ARM resource IDs. */
  readonly hubResourceIds: readonly string[];
  readonly log: Logger;
  readonly now: () => Date;
}

export interface DigestOutcome {
  readonly hubResourceId: string;
  readonly report?: DigestReport;
  readonly delivered: readonly string[];
  readonly failures: readonly string[];
}

export class DigestFailedError extends Error {
  override name = 'DigestFailedError';
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : 'failed';
}

/** `until` picks the end of each hub's day (replays, export files); default: now. */
export async function runDailyDigests(
  services: DigestServices,
  until: (hubResourceId: string) => Date = () => services.now(),
): Promise<DigestOutcome[]> {
  const { log } = services;
  if (services.hubResourceIds.length === 0) {
    log.warn('Digest: no hub to report on (set IOTHUB_RESOURCE_IDS or DEFAULT_IOTHUB_RESOURCE_ID)');
    return [];
  }
  const outcomes: DigestOutcome[] = [];
  for (const hubResourceId of services.hubResourceIds) {
    const started = Date.now();
    let report: DigestReport;
    try {
      const now = services.now();
      report = buildDigestReport(
        await gatherDigest(hubResourceId, until(hubResourceId), services.sources, now),
        now,
      );
    } catch (error: unknown) {
      log.error(`Digest of ${hubResourceId} failed: ${reason(error)}`);
      outcomes.push({ hubResourceId, delivered: [], failures: [`digest: ${reason(error)}`] });
      continue;
    }
    const sentAt = services.now().toISOString();
    const { targets } = notifiersForDigest(hubResourceId, services.notifiers, services.routing);
    const results = await Promise.allSettled(
      targets.map((notifier) => {
        const { body, idempotencyKey } = renderDigestBody(notifier.format, report, sentAt);
        return notifier.post(body, { idempotencyKey });
      }),
    );
    const delivered: string[] = [];
    const failures: string[] = [];
    results.forEach((result, i) => {
      const name = targets[i]?.name ?? 'unknown';
      if (result.status === 'fulfilled') delivered.push(name);
      else failures.push(`${name}: ${reason(result.reason)}`);
    });
    if (failures.length > 0) log.error(`Digest of ${hubResourceId}: ${failures.join('; ')}`);
    log.info(
      `Digest of ${hubResourceId} delivered to ${delivered.join(', ') || 'no channel'} in ${Date.now() - started} ms${report.gaps.length > 0 ? ` (${report.gaps.length} gaps)` : ''}`,
    );
    outcomes.push({ hubResourceId, report, delivered, failures });
  }
  if (outcomes.every((o) => o.delivered.length === 0)) {
    throw new DigestFailedError(
      `No digest was delivered: ${outcomes.flatMap((o) => o.failures).join('; ')}`,
    );
  }
  return outcomes;
}
