/**
 * The use case: alert → evidence → diagnosis → incident policy → messages, through ports.
 * Evidence failures make an honest "unknown" message, never a lost alert.
 */

import type { IncidentSettings } from '../incidents/incidentSettings';
import { type Alert, idempotencyKey } from '../alerts/alert';
import { labelDeviceHistory } from '../diagnose/deviceHistory';
import { diagnose } from '../diagnose/diagnose';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import { type EvidenceSources, gatherEvidence } from '../evidence/gatherEvidence';
import { planEvidenceQueries } from '../evidence/kql';
import type { Counter } from '../incidents/incident';
import { confirmDelivered, planAlertMessages } from '../incidents/incidentFlow';
import type { IncidentStore } from '../incidents/incidentStore';
import type { SilenceSource } from '../incidents/incidentFlow';
import { alertMessage, alertMessageId } from '../incidents/outgoingMessage';
import type { ActivityKind, ActivityLedger } from '../state/activityLedger';
import { type DeliveryServices, deliverMessage } from './deliverMessage';
import { recordAlertActivity } from './recordAlertActivity';

export interface EnrichmentServices extends DeliveryServices {
  readonly sources: EvidenceSources;
  readonly lookbackMinutes: number;
  /** Where "card posted" is counted for the daily digest (optional: bookkeeping only). */
  readonly activity?: ActivityLedger;
  /** The incident policy; without it every alert posts its own full card. */
  readonly incidents?: {
    readonly store: IncidentStore;
    readonly settings: IncidentSettings;
    /** Silences and maintenance windows; without them nothing is held back. */
    readonly silences?: SilenceSource;
  };
}

/** What the daily digest counts of the incident policy's decisions. */
const ACTIVITY_OF_COUNTER: Partial<Record<Counter, ActivityKind>> = {
  'incidents-opened': 'incident-opened',
  'renewals-compacted': 'renewal-kept-quiet',
  'renewals-suppressed': 'renewal-kept-quiet',
};

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
    ...(evidence.deviceHistory && { history: evidence.deviceHistory.map(labelDeviceHistory) }),
    enrichedAt: services.now().toISOString(),
  };
}

/**
 * Evidence failures are already gaps inside the report; this catches anything else (a bug, a
 * corrupt export) so that the alert still reaches the channel, plainly, instead of being lost.
 */
export async function buildReportOrNotice(
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
async function alreadyDelivered(alert: Alert, services: EnrichmentServices): Promise<boolean> {
  const sourceKey = idempotencyKey(alert);
  const messageId = alertMessageId(alert);
  const records = await Promise.all(
    services.notifiers.map((n) =>
      services.state.deliveries.getDelivery({ sourceKey, messageId, channel: n.name }),
    ),
  );
  return records.every((r) => r !== undefined && r.state !== 'pending');
}

/**
 * Enriches one alert and delivers what the incident policy decides to post: a card of its own,
 * one line for a quiet renewal, an incident card, a Resolved follow-up, or nothing when the alert
 * folds into an open incident. While a channel is still pending this throws, and the queue's
 * retry posts only to the channels that have not taken the message; a channel that keeps failing
 * is dead-lettered on its own.
 */
export async function enrichAlert(
  alert: Alert,
  services: EnrichmentServices,
  /** A report the caller already built for this alert (the connection checks do). */
  built?: EnrichedAlert,
): Promise<EnrichedAlert> {
  const started = Date.now();
  if (await alreadyDelivered(alert, services)) {
    services.log.info(`Alert ${alert.id}: every channel already has it; not enriched again`);
    return { alert, enrichedAt: services.now().toISOString() };
  }
  const report = built ?? (await buildReportOrNotice(alert, services));
  const verdict = report.diagnosis
    ? `${report.diagnosis.cause} (${report.diagnosis.scope}, confidence ${report.diagnosis.confidence})`
    : (report.notEnrichedReason ?? 'not a disconnect alert');
  services.log.info(`Alert ${alert.id}: ${verdict} in ${Date.now() - started} ms`);
  const incidents = services.incidents && {
    ...services.incidents,
    log: services.log,
    now: services.now,
  };
  const decision = incidents ? await planAlertMessages(report, incidents) : undefined;
  const messages = decision ? decision.messages : [alertMessage(report)];
  const kind = decision?.counter && ACTIVITY_OF_COUNTER[decision.counter];
  if (kind) await recordAlertActivity(services.activity, kind, alert, services.now(), services.log);
  if (decision?.heldBy && decision.heldBy.length > 0) {
    await recordAlertActivity(
      services.activity,
      'held-by-silence',
      alert,
      services.now(),
      services.log,
    );
  }
  for (const message of messages) {
    await deliverMessage(message, services);
    if (incidents) await confirmDelivered(message, incidents);
  }
  // Digest bookkeeping, once every message of this alert was delivered; never throws.
  if (messages.length > 0) {
    await recordAlertActivity(
      services.activity,
      'card-posted',
      alert,
      services.now(),
      services.log,
    );
  }
  return report;
}
