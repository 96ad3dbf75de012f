/**
 * The use case: alert → evidence → diagnosis → incident policy → messages, through ports.
 * Evidence failures make an honest "unknown" message, never a lost alert; delivery failures are
 * thrown so the queue retries and finally dead-letters the message (poison queue) for replay.
 */

import type { Alert } from './alerts/alert';
import { diagnose } from './diagnose/diagnose';
import type { EnrichedAlert } from './enrichment';
import { type EvidenceSources, gatherEvidence } from './evidence/gatherEvidence';
import { planEvidenceQueries } from './evidence/kql';
import type { IncidentSettings } from './incidents/incident';
import { confirmDelivered, planAlertMessages, tickIncidents } from './incidents/incidentFlow';
import type { IncidentStore } from './incidents/incidentStore';
import type { Logger } from './logger';
import type { Notifier } from './notify/notifier';
import { alertMessage, type OutgoingMessage } from './outgoingMessage';

export interface EnrichmentServices {
  readonly sources: EvidenceSources;
  readonly notifiers: readonly Notifier[];
  readonly lookbackMinutes: number;
  readonly log: Logger;
  readonly now: () => Date;
  /** The incident policy; without it every alert posts its own full card. */
  readonly incidents?: { readonly store: IncidentStore; readonly settings: IncidentSettings };
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
  message: OutgoingMessage,
  notifiers: readonly Notifier[],
  log: Logger,
): Promise<void> {
  const results = await Promise.allSettled(notifiers.map((n) => n.send(message)));
  const failures = results
    .map((result, i) => ({ result, name: notifiers[i]?.name ?? 'unknown' }))
    .filter(({ result }) => result.status === 'rejected')
    .map(({ result, name }) => {
      const reason = result.status === 'rejected' ? (result.reason as unknown) : undefined;
      return `${name}: ${reason instanceof Error ? reason.message : 'failed'}`;
    });
  if (failures.length === 0) return;
  log.error(`Delivery failed for message ${message.id}: ${failures.join('; ')}`);
  // Retrying when another channel succeeded would post twice there; retry only a total failure.
  if (failures.length === notifiers.length) {
    throw new DeliveryFailedError(
      `No channel accepted message ${message.id}: ${failures.join('; ')}`,
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
  const incidents = services.incidents && {
    ...services.incidents,
    log: services.log,
    now: services.now,
  };
  const messages = incidents
    ? (await planAlertMessages(report, incidents)).messages
    : [alertMessage(report)];
  for (const message of messages) {
    await deliver(message, services.notifiers, services.log);
    if (incidents) await confirmDelivered(message, incidents);
  }
  return report;
}

/**
 * The incident timer's use case: updates and closing cards for open incidents, which no new
 * alert triggers. Returns how many messages it delivered.
 */
export async function runIncidentTimer(services: EnrichmentServices): Promise<number> {
  if (!services.incidents) return 0;
  return tickIncidents({
    ...services.incidents,
    log: services.log,
    now: services.now,
    ...(services.sources.metrics && { metrics: services.sources.metrics }),
    deliver: (message) => deliver(message, services.notifiers, services.log),
  });
}
