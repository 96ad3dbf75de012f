/**
 * What is posted to each channel. Every message has a stable `id`: the same decision always
 * yields the same id (alert id + condition, or incident id + revision), so a delivery ledger can
 * key on it and a retry never posts a different message.
 */

import { createHash } from 'node:crypto';

import { type Alert, idempotencyKey } from '../alerts/alert';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { AlertMemo, IncidentRecord } from './incident';

/** One alert, enriched: the full card, or one line for a quiet SAS renewal. */
export type AlertMessage = FullAlertMessage | CompactAlertMessage;

export interface FullAlertMessage {
  readonly kind: 'alert';
  readonly id: string;
  readonly presentation: 'full';
  readonly report: EnrichedAlert;
}

/** A SAS renewal whose devices came back: one line naming each device and its return. */
export interface CompactAlertMessage {
  readonly kind: 'alert';
  readonly id: string;
  readonly presentation: 'compact';
  readonly report: EnrichedAlert;
  /** Each alerted device's drop and return, as the incident policy read them. */
  readonly away: readonly DeviceAway[];
}

export type IncidentEvent = 'opened' | 'updated' | 'closed';

/** The incident's lifecycle. `report` is the opening alert's (only on `opened`). */
export interface IncidentMessage {
  readonly kind: 'incident';
  readonly id: string;
  readonly event: IncidentEvent;
  readonly incident: IncidentRecord;
  readonly report?: EnrichedAlert;
}

/** How long a device was away, from its Connections timeline. */
export interface DeviceAway {
  readonly deviceId: string;
  readonly droppedAt?: string;
  readonly backAt?: string;
}

/** A short follow-up for a Resolved that belongs to no incident: it names the original alert. */
export interface ResolvedMessage {
  readonly kind: 'resolved';
  readonly id: string;
  readonly report: EnrichedAlert;
  /** What was decided when the alert fired; absent when it fired before this store existed. */
  readonly original?: AlertMemo;
  readonly away: readonly DeviceAway[];
}

/** What a notice tells the channel: why it went quiet, or that someone is on it. */
export type NoticeEvent =
  'silence.created' | 'silence.ended' | 'incident.acknowledged' | 'alert.acknowledged';

/** One line to the channel the silenced or acknowledged messages go to. */
export interface NoticeMessage {
  readonly kind: 'notice';
  readonly id: string;
  readonly event: NoticeEvent;
  /** The line itself, plain text (never markup). */
  readonly text: string;
  /** What the notice is about: a silence, incident or alert id. */
  readonly subject: string;
  readonly by: string;
  readonly at: string;
  /** Where it goes when that is known (an incident's receivers); otherwise it is routed. */
  readonly receivers?: readonly string[];
}

export type OutgoingMessage = AlertMessage | IncidentMessage | ResolvedMessage | NoticeMessage;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

export function alertMessageId(alert: Alert): string {
  return `alert-${digest(idempotencyKey(alert))}`;
}

/** One notice per event and subject: a retried notice is the same message. */
export function noticeMessageId(event: NoticeEvent, subject: string): string {
  return `notice-${digest(`${event}|${subject}`)}`;
}

export function incidentMessageId(incident: IncidentRecord, revision: number): string {
  return `${incident.id}-r${revision}`;
}

export function alertMessage(report: EnrichedAlert): FullAlertMessage {
  return { kind: 'alert', id: alertMessageId(report.alert), presentation: 'full', report };
}

export function compactAlertMessage(
  report: EnrichedAlert,
  away: readonly DeviceAway[],
): CompactAlertMessage {
  return { kind: 'alert', id: alertMessageId(report.alert), presentation: 'compact', report, away };
}

/** Stable incident id: the key, and the alert and time that opened it. */
export function incidentId(key: string, openerAlertId: string, openedAt: string): string {
  return `inc-${digest(`${key}|${openerAlertId}|${openedAt}`)}`;
}
