/**
 * The use case: alert → evidence → diagnosis → messages, through ports. Evidence failures make
 * an honest "unknown" message, never a lost alert; delivery failures are thrown so the queue
 * retries and finally dead-letters the message (poison queue) for replay.
 */

import type { Alert } from './alerts/alert';
import { diagnose } from './diagnose/diagnose';
import type { EnrichedAlert } from './enrichment';
import { type EvidenceSources, gatherEvidence } from './evidence/gatherEvidence';
import { planEvidenceQueries } from './evidence/kql';
import type { Logger } from './logger';
import type { Notifier } from './notify/notifier';
import { type ActivityLedger, recordAlertActivity } from './state/activityLedger';

export interface EnrichmentServices {
  readonly sources: EvidenceSources;
  readonly notifiers: readonly Notifier[];
  readonly lookbackMinutes: number;
  /** Where "card posted" is counted for the daily digest (optional: bookkeeping only). */
  readonly activity?: ActivityLedger;
  readonly log: Logger;
  readonly now: () => Date;
}

export class DeliveryFailedError extends Error {
  override name = 'DeliveryFailedError';
}

/** Gathers evidence and diagnoses; no delivery. Also what the CLI runs. */
export async function buildReport(
  alert: Alert,
  services: Pick<EnrichmentServices, 'sources' | 'lookbackMinutes' | 'now'>,
): Promise<EnrichedAlert> {
  if (!alert.isDisconnectAlert) return { alert, enrichedAt: services.now().toISOString() };
  const plan = planEvidenceQueries(alert, { lookbackMinutes: services.lookbackMinutes });
  const evidence = await gatherEvidence(plan, services.sources);
  return {
    alert,
    diagnosis: diagnose(alert, evidence),
    evidence,
    enrichedAt: services.now().toISOString(),
  };
}

/** Sends to every channel; one broken channel does not hide the others. */
export async function deliver(
  report: EnrichedAlert,
  notifiers: readonly Notifier[],
  log: Logger,
): Promise<void> {
  const results = await Promise.allSettled(notifiers.map((n) => n.send(report)));
  const failures = results
    .map((result, i) => ({ result, name: notifiers[i]?.name ?? 'unknown' }))
    .filter(({ result }) => result.status === 'rejected')
    .map(({ result, name }) => {
      const reason = result.status === 'rejected' ? (result.reason as unknown) : undefined;
      return `${name}: ${reason instanceof Error ? reason.message : 'failed'}`;
    });
  if (failures.length === 0) return;
  log.error(`Delivery failed for alert ${report.alert.id}: ${failures.join('; ')}`);
  // Retrying when another channel succeeded would post twice there; retry only a total failure.
  if (failures.length === notifiers.length) {
    throw new DeliveryFailedError(
      `No channel accepted alert ${report.alert.id}: ${failures.join('; ')}`,
    );
  }
}

/**
 * Evidence failures are already gaps inside the report; this catches anything else (a bug, a
 * corrupt export) so that the alert still reaches the channel, plainly, instead of being lost.
 */
async function buildReportOrNotice(
  alert: Alert,
  services: EnrichmentServices,
): Promise<EnrichedAlert> {
  try {
    return await buildReport(alert, services);
  } catch (error: unknown) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    services.log.error(
      `Enrichment of alert ${alert.id} failed; delivering it un-enriched: ${reason}`,
    );
    return {
      alert,
      notEnrichedReason: reason.slice(0, 300),
      enrichedAt: services.now().toISOString(),
    };
  }
}

export async function enrichAlert(
  alert: Alert,
  services: EnrichmentServices,
): Promise<EnrichedAlert> {
  const started = Date.now();
  const report = await buildReportOrNotice(alert, services);
  const verdict = report.diagnosis
    ? `${report.diagnosis.cause} (${report.diagnosis.scope}, confidence ${report.diagnosis.confidence})`
    : (report.notEnrichedReason ?? 'not a disconnect alert');
  services.log.info(`Alert ${alert.id}: ${verdict} in ${Date.now() - started} ms`);
  await deliver(report, services.notifiers, services.log);
  // Digest bookkeeping, after a delivery at least one channel accepted; never throws.
  await recordAlertActivity(services.activity, 'card-posted', alert, services.now(), services.log);
  return report;
}
