/**
 * Versions and revisions: the optimistic-concurrency envelope of a stored record, the write a
 * decision asks for, and the numbering of an incident's messages (1 = opening card). Pure.
 */

import type { IncidentSettings } from './incidentSettings';
import { type IncidentMessage, incidentMessageId } from './outgoingMessage';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { IncidentRecord } from './incident';

export interface Versioned<T> {
  readonly value: T;
  /** Opaque version (the Table ETag); writes succeed only while it is current. */
  readonly etag: string;
}

export type IncidentWrite =
  | { readonly kind: 'insert'; readonly record: IncidentRecord }
  | { readonly kind: 'replace'; readonly record: IncidentRecord; readonly etag: string };

/** The next revision's message; `record` already carries the new revision. */
export function incidentMessage(
  record: IncidentRecord,
  event: IncidentMessage['event'],
  report?: EnrichedAlert,
): IncidentMessage {
  return {
    kind: 'incident',
    id: incidentMessageId(record, record.revision),
    event,
    incident: record,
    ...(report && { report }),
  };
}

/** Marks a new revision as decided (posted once delivery confirms it). */
export function nextRevision(record: IncidentRecord, now: Date): IncidentRecord {
  return {
    ...record,
    revision: record.revision + 1,
    lastPostedAt: now.toISOString(),
    previousDeviceCount: record.devicesAtLastPost,
    previousSiteCount: record.sitesAtLastPost,
    previousPostedAt: record.lastPostedAt,
    devicesAtLastPost: record.deviceCount,
    sitesAtLastPost: record.sites.length,
  };
}

export function updateDue(record: IncidentRecord, settings: IncidentSettings, now: Date): boolean {
  const grown =
    record.deviceCount > record.devicesAtLastPost || record.sites.length > record.sitesAtLastPost;
  const waited = now.getTime() - Date.parse(record.lastPostedAt) >= settings.updateMinutes * 60_000;
  // An undelivered revision is re-sent by the timer before a new one is decided. Once someone
  // acknowledged the incident, its updates collapse: only the closing card comes.
  return (
    grown &&
    waited &&
    record.postedRevision === record.revision &&
    record.acknowledged === undefined
  );
}
