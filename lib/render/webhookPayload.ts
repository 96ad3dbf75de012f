/**
 * The generic webhook body: versioned JSON events (`schemas/webhook-v4.schema.json`) in one
 * envelope `{ $schema, version: 4, event, id, title, sentAt, data }`. `id` is the message's stable
 * id, so a retry carries the same one. Additive changes keep the version; anything else gets a new
 * schema file and version (`webhook-v2.schema.json` and `webhook-v3.schema.json` stay for receivers that predate version 4,
 * which added the notice events).
 */

import type { HistoryLabelKind } from '../diagnose/deviceHistory';
import { type Urgency, urgencyOf } from '../diagnose/diagnosis';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { AlertMessage, NoticeEvent, OutgoingMessage } from '../incidents/outgoingMessage';
import { headline, noDiagnosisNote } from './alertFacts';
import { historyGap } from './historyFacts';
import {
  awayMs,
  incidentDurationMs,
  incidentLinks,
  incidentSummary,
  incidentTitle,
  newDevices,
  newSites,
  renewalLine,
  resolvedLinks,
  resolvedSummary,
  resolvedTitle,
} from './incidentFacts';
import type { ActionLink } from './actionLinks';
import { type Link, linksFor } from './links';
import { timelineOf } from './timeline';

export const WEBHOOK_SCHEMA =
  'https://github.com/iothub-alert-enricher/schemas/webhook-v4.schema.json';
export const WEBHOOK_VERSION = 4;

export type WebhookEventName =
  | 'alert.enriched'
  | 'alert.resolved'
  | 'incident.opened'
  | 'incident.updated'
  | 'incident.closed'
  | NoticeEvent;

export interface WebhookEvent {
  readonly $schema: string;
  readonly version: typeof WEBHOOK_VERSION;
  readonly event: WebhookEventName;
  /** Stable message id: the same decision always has the same id. */
  readonly id: string;
  readonly title: string;
  readonly sentAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** `data` of `alert.enriched`: the enriched alert (the whole body of version 1). */
export interface AlertData {
  readonly presentation: 'full' | 'compact';
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
    /** Alerts made from connection events only. */
    readonly connection?: {
      readonly moduleId: string | null;
      readonly droppedAt: string;
      readonly dropSequence: string;
      readonly graceSeconds: number;
      readonly logsArrived: boolean | null;
      readonly returnedAt: string | null;
    };
  };
  readonly diagnosis: {
    readonly cause: string;
    readonly scope: string;
    readonly cohort: { readonly kind: string; readonly value: string } | null;
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
  /** Each alerted device's drop history; null when none was asked for (no devices named). */
  readonly history: HistoryData | null;
  readonly links: readonly Link[];
  /** Why there is no diagnosis (not a disconnect alert, or enrichment failed); null otherwise. */
  readonly notice: string | null;
  readonly enrichedAt: string;
}

/** `data.history`: one entry per alerted device, and why there are none when the read failed. */
export interface HistoryData {
  readonly devices: readonly {
    readonly deviceId: string;
    readonly label: HistoryLabelKind;
    readonly text: string;
    readonly dropsIn30Days: number;
    readonly dropsIn7Days: number;
    readonly firstDrop: string | null;
    readonly lastDrop: string | null;
    readonly busiestHours: {
      readonly startHour: number;
      readonly endHour: number;
      readonly share: number;
    } | null;
    readonly dropsByHourUtc: readonly number[];
    readonly period: { readonly start: string; readonly end: string };
  }[];
  readonly gap: string | null;
}

function historyData(report: EnrichedAlert): HistoryData | null {
  const gap = historyGap(report) ?? null;
  if (report.history === undefined && gap === null) return null;
  return {
    devices: (report.history ?? []).map((h) => ({
      deviceId: h.deviceId,
      label: h.label,
      text: h.text,
      dropsIn30Days: h.dropsIn30Days,
      dropsIn7Days: h.dropsIn7Days,
      firstDrop: h.firstDrop ?? null,
      lastDrop: h.lastDrop ?? null,
      busiestHours: h.busiestHours
        ? {
            startHour: h.busiestHours.startHour,
            endHour: h.busiestHours.endHour,
            share: Math.round(h.busiestHours.share * 100) / 100,
          }
        : null,
      dropsByHourUtc: h.dropsByHourUtc,
      period: h.period,
    })),
    gap,
  };
}

/** The enriched alert as a full card shows it. */
export function alertData(report: EnrichedAlert): AlertData {
  const { alert, diagnosis } = report;
  return {
    presentation: 'full',
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
      ...(alert.connection && {
        connection: {
          moduleId: alert.connection.moduleId ?? null,
          droppedAt: alert.connection.droppedAt,
          dropSequence: alert.connection.dropSequence,
          graceSeconds: alert.connection.graceSeconds,
          logsArrived: alert.connection.logsArrived ?? null,
          returnedAt: alert.connection.returnedAt ?? null,
        },
      }),
    },
    diagnosis: diagnosis
      ? {
          cause: diagnosis.cause,
          scope: diagnosis.scope,
          cohort: diagnosis.cohort ?? null,
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
    history: historyData(report),
    links: linksFor(alert),
    notice: noDiagnosisNote(report) ?? null,
    enrichedAt: report.enrichedAt,
  };
}

/** The alert's data; a quiet renewal keeps every field and titles itself with its one line. */
function alertMessageData(message: AlertMessage): AlertData {
  const data = alertData(message.report);
  return message.presentation === 'compact'
    ? { ...data, presentation: 'compact', title: renewalLine(message) }
    : data;
}

function eventName(message: OutgoingMessage): WebhookEventName {
  if (message.kind === 'alert') return 'alert.enriched';
  if (message.kind === 'resolved') return 'alert.resolved';
  if (message.kind === 'notice') return message.event;
  return `incident.${message.event}`;
}

function dataOf(message: OutgoingMessage): Record<string, unknown> {
  switch (message.kind) {
    case 'notice':
      return { text: message.text, subject: message.subject, by: message.by, at: message.at };
    case 'alert':
      return { ...alertMessageData(message) };
    case 'resolved':
      return {
        summary: resolvedSummary(message),
        alert: alertData(message.report).alert,
        original: message.original
          ? {
              alertId: message.original.alertId,
              rule: message.original.rule,
              firedAt: message.original.firedAt,
              cause: message.original.cause,
              scope: message.original.scope,
              confidence: message.original.confidence,
              summary: message.original.summary,
              incidentId: message.original.incidentId ?? null,
            }
          : null,
        away: message.away.map((a) => ({
          deviceId: a.deviceId,
          droppedAt: a.droppedAt ?? null,
          backAt: a.backAt ?? null,
          awaySeconds: (() => {
            const ms = awayMs(a);
            return ms === undefined ? null : Math.round(ms / 1000);
          })(),
        })),
        diagnosis: alertData(message.report).diagnosis,
        links: resolvedLinks(message),
      };
    case 'incident': {
      const { incident } = message;
      const length = incidentDurationMs(incident);
      return {
        summary: incidentSummary(message),
        incident: {
          id: incident.id,
          revision: incident.revision,
          status: incident.status,
          hubResourceId: incident.hubResourceId,
          cause: incident.cause,
          scope: incident.scope,
          cohort: incident.cohort ?? null,
          diagnosisSummary: incident.summary,
          startedAt: incident.startedAt,
          openedAt: incident.openedAt,
          lastAlertAt: incident.lastAlertAt,
          closedAt: incident.closedAt ?? null,
          backAt: incident.backAt ?? null,
          durationSeconds: length === undefined ? null : Math.round(length / 1000),
          closeReason: incident.closeReason ?? null,
          deviceCount: incident.deviceCount,
          devices: incident.devices,
          newDevices: message.event === 'updated' ? newDevices(incident) : incident.devices,
          sites: incident.sites,
          newSites: message.event === 'updated' ? newSites(incident) : incident.sites,
          alertCount: incident.alertCount,
          resolvedCount: incident.resolvedCount,
          acknowledged: incident.acknowledged ?? null,
          dropCurve: incident.dropCurve.map((p) => ({
            start: p.start,
            devices: p.devices,
            connected: p.connected ?? null,
          })),
        },
        alert: message.report ? alertData(message.report) : null,
        links: incidentLinks(incident),
      };
    }
  }
}

function titleOf(message: OutgoingMessage): string {
  if (message.kind === 'alert') {
    return message.presentation === 'compact' ? renewalLine(message) : headline(message.report);
  }
  if (message.kind === 'notice') return message.text;
  return message.kind === 'resolved' ? resolvedTitle(message) : incidentTitle(message);
}

/** `actions`: the same signed links the card shows, as `data.actions` (only when there are some). */
export function renderWebhookEvent(
  message: OutgoingMessage,
  sentAt: string,
  actions: readonly ActionLink[] = [],
): WebhookEvent {
  const data = dataOf(message);
  return {
    $schema: WEBHOOK_SCHEMA,
    version: WEBHOOK_VERSION,
    event: eventName(message),
    id: message.id,
    title: titleOf(message),
    sentAt,
    data:
      actions.length === 0
        ? data
        : { ...data, actions: actions.map(({ kind, title, url }) => ({ kind, title, url })) },
  };
}
