/**
 * The generic webhook body: versioned JSON described by `schemas/webhook-v1.schema.json`.
 * Additive changes keep `version: 1`; anything else gets a new schema file and version.
 */

import { type Urgency, urgencyOf } from '../diagnose/diagnosis';
import type { EnrichedAlert } from '../enrichment';
import { type Link, linksFor } from './links';
import { headline, noDiagnosisNote } from './summaryFacts';
import { timelineOf } from './timeline';

export const WEBHOOK_SCHEMA =
  'https://github.com/iothub-alert-enricher/schemas/webhook-v1.schema.json';

export interface WebhookPayload {
  readonly $schema: string;
  readonly version: 1;
  readonly title: string;
  readonly alert: {
    readonly id: string;
    readonly rule: string;
    readonly severity: string;
    readonly condition: string;
    readonly signal: string;
    readonly monitoringService: string;
    readonly firedAt: string;
    readonly resolvedAt: string | null;
    readonly window: { readonly start: string; readonly end: string };
    readonly hubResourceIds: readonly string[];
    readonly deviceIds: readonly string[];
    readonly customProperties: Readonly<Record<string, string>>;
  };
  readonly diagnosis: {
    readonly cause: string;
    readonly scope: string;
    readonly confidence: number;
    readonly devices: readonly string[];
    readonly summary: string;
    readonly evidence: readonly { readonly signal: string; readonly text: string }[];
    readonly actions: readonly string[];
    /** `critical` for a token that expired without a way back, else the cause's urgency. */
    readonly urgency: Urgency;
    /** `false`: no reconnect after the drop in the logs read; `null` when not about one device. */
    readonly reconnected: boolean | null;
    /** When confidence is low: the signal that would have changed the verdict. */
    readonly wouldChange: string | null;
  } | null;
  readonly timeline: {
    readonly title: string;
    readonly columns: readonly string[];
    readonly rows: readonly (readonly string[])[];
  } | null;
  readonly links: readonly Link[];
  /** Why there is no diagnosis (not a disconnect alert, or enrichment failed); null otherwise. */
  readonly notice: string | null;
  readonly enrichedAt: string;
}

export function renderWebhookPayload(report: EnrichedAlert): WebhookPayload {
  const { alert, diagnosis } = report;
  return {
    $schema: WEBHOOK_SCHEMA,
    version: 1,
    title: headline(report),
    alert: {
      id: alert.id,
      rule: alert.rule,
      severity: alert.severity,
      condition: alert.condition,
      signal: alert.signal,
      monitoringService: alert.monitoringService,
      firedAt: alert.firedAt,
      resolvedAt: alert.resolvedAt ?? null,
      window: alert.window,
      hubResourceIds: alert.hubResourceIds,
      deviceIds: alert.deviceIds,
      customProperties: alert.customProperties,
    },
    diagnosis: diagnosis
      ? {
          cause: diagnosis.cause,
          scope: diagnosis.scope,
          confidence: diagnosis.confidence,
          devices: diagnosis.devices,
          summary: diagnosis.summary,
          evidence: diagnosis.evidence,
          actions: diagnosis.actions,
          urgency: urgencyOf(diagnosis),
          reconnected: diagnosis.reconnected ?? null,
          wouldChange: diagnosis.wouldChange ?? null,
        }
      : null,
    timeline: timelineOf(report, 50) ?? null,
    links: linksFor(alert),
    notice: noDiagnosisNote(report) ?? null,
    enrichedAt: report.enrichedAt,
  };
}
