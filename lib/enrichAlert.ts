/**
 * The use case: alert → evidence → diagnosis → messages, through ports. Evidence failures make
 * an honest "unknown" message, never a lost alert. Delivery goes through the per-channel ledger:
 * while a channel is still pending this throws, and the queue's retry posts only to the channels
 * that have not taken the message; a channel that keeps failing is dead-lettered on its own.
 */

import { type Alert, idempotencyKey } from './alerts/alert';
import { diagnose } from './diagnose/diagnose';
import type { EnrichedAlert } from './enrichment';
import { type EvidenceSources, gatherEvidence } from './evidence/gatherEvidence';
import { planEvidenceQueries } from './evidence/kql';
import type { Logger } from './logger';
import { deliver, isSettled } from './notify/deliver';
import type { Notifier } from './notify/notifier';
import { renderMessageBody } from './render/messageBody';
import type { WorkerState } from './state/ledger';

export interface EnrichmentServices {
  readonly sources: EvidenceSources;
  readonly notifiers: readonly Notifier[];
  readonly lookbackMinutes: number;
  readonly log: Logger;
  readonly now: () => Date;
  /** Processing lease, delivery ledger and dead letters. */
  readonly state: WorkerState;
}

/** The id of the one message the enricher posts per alert and condition. */
export const ENRICHED_MESSAGE_ID = 'enriched';

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

/** A retry after a crash past delivery need not query again. */
async function alreadyDelivered(sourceKey: string, services: EnrichmentServices): Promise<boolean> {
  const records = await Promise.all(
    services.notifiers.map((n) =>
      services.state.deliveries.getDelivery({
        sourceKey,
        messageId: ENRICHED_MESSAGE_ID,
        channel: n.name,
      }),
    ),
  );
  return records.every((r) => r !== undefined && r.state !== 'pending');
}

export async function enrichAlert(
  alert: Alert,
  services: EnrichmentServices,
): Promise<EnrichedAlert> {
  const started = Date.now();
  const sourceKey = idempotencyKey(alert);
  if (await alreadyDelivered(sourceKey, services)) {
    services.log.info(`Alert ${alert.id}: every channel already has it; not enriched again`);
    return { alert, enrichedAt: services.now().toISOString() };
  }
  const report = await buildReportOrNotice(alert, services);
  const verdict = report.diagnosis
    ? `${report.diagnosis.cause} (${report.diagnosis.scope}, confidence ${report.diagnosis.confidence})`
    : (report.notEnrichedReason ?? 'not a disconnect alert');
  services.log.info(`Alert ${alert.id}: ${verdict} in ${Date.now() - started} ms`);
  const outcomes = await deliver(
    {
      sourceKey,
      messageId: ENRICHED_MESSAGE_ID,
      bodyFor: (format) => renderMessageBody(format, report),
    },
    services.notifiers,
    {
      ledger: services.state.deliveries,
      deadLetters: services.state.deadLetters,
      log: services.log,
      now: services.now,
    },
  );
  if (!isSettled(outcomes)) {
    const pending = outcomes
      .filter((o) => o.result === 'pending')
      .map((o) => `${o.channel}: ${o.error ?? 'failed'}`);
    throw new DeliveryFailedError(
      `Alert ${alert.id} not yet delivered to ${pending.join('; ')}; the queue will retry`,
    );
  }
  return report;
}
