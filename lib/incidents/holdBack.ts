/**
 * Silences and acknowledgements over the policy's decisions. Pure. A held message is still
 * decided, logged, counted and kept in the incident record: it is only not posted.
 *
 * - An alert's card, compact line or follow-up that an active silence holds: not posted; its
 *   memo remembers the silences, so its Resolved stays quiet too.
 * - An incident's card held by a silence: the revision is marked as handled (the timer does not
 *   re-send it) and the record remembers what held it. When no silence holds the incident any
 *   more and it is still open, the timer posts its state once.
 */

import { parseSdkVersion } from '../diagnose/sdkFamilies';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { Silence } from '../silences/silence';
import { type SilenceSubject, silencesHolding } from '../silences/silenceMatching';
import type { AlertImpact } from './alertImpact';
import type { IncidentRecord } from './incident';
import type { IncidentWrite } from './revisions';
import type { OutgoingMessage } from './outgoingMessage';

/** What the subject of an alert's messages is, in the silences' terms. */
export function alertSubject(
  report: EnrichedAlert,
  impact: AlertImpact,
  /** The SDKs are read from every evidence row: only when some silence asks about them. */
  withSdks = true,
): SilenceSubject {
  const { alert, diagnosis } = report;
  const sdks = withSdks ? sdksOf(report) : [];
  return {
    ...(impact.hubResourceId !== undefined && { hub: impact.hubResourceId.toLowerCase() }),
    devices: alert.deviceIds,
    modules: alert.connection?.moduleId === undefined ? [] : [alert.connection.moduleId],
    sites: impact.sites,
    sdks,
    ...(diagnosis && { cause: diagnosis.cause, scope: diagnosis.scope }),
    alertRule: alert.rule,
    severity: alert.severity.toLowerCase(),
  };
}

function sdksOf(report: EnrichedAlert): SilenceSubject['sdks'] {
  const devices = new Set(report.alert.deviceIds);
  const texts = new Set<string>();
  for (const event of report.evidence?.deviceEvents ?? []) {
    if (event.sdkVersion !== undefined && devices.has(event.deviceId)) texts.add(event.sdkVersion);
  }
  return [...texts].map((text) => ({
    family: parseSdkVersion(text)?.family.id ?? '',
    version: text,
  }));
}

/** An incident's subject: its hub, devices, sites, cause and scope. */
export function incidentSubject(record: IncidentRecord): SilenceSubject {
  return {
    hub: record.hubResourceId.toLowerCase(),
    devices: record.devices,
    modules: [],
    sites: record.sites,
    sdks: [],
    cause: record.cause,
    scope: record.scope,
  };
}

/** The record with this revision held back: handled, not posted, and by what. */
export function heldRecord(
  record: IncidentRecord,
  silences: readonly Silence[],
  now: Date,
): IncidentRecord {
  return {
    ...record,
    postedRevision: record.revision,
    heldBack: {
      silences: silences.map((s) => s.id).slice(0, 20),
      since: record.heldBack?.since ?? now.toISOString(),
    },
  };
}

export interface Holding {
  readonly messages: readonly OutgoingMessage[];
  readonly write?: IncidentWrite;
  /** The silences that held something back (empty: nothing held). */
  readonly heldBy: readonly string[];
}

/**
 * Applies the active silences to a decision's messages. Alert messages are held by the silences
 * holding the alert; incident messages by those holding the incident.
 */
export function holdBack(
  decision: { readonly messages: readonly OutgoingMessage[]; readonly write?: IncidentWrite },
  alert: SilenceSubject | undefined,
  silences: readonly Silence[],
  now: Date,
): Holding {
  if (silences.length === 0 || decision.messages.length === 0) {
    return { ...decision, heldBy: [] };
  }
  const kept: OutgoingMessage[] = [];
  const heldBy = new Set<string>();
  let write = decision.write;
  for (const message of decision.messages) {
    const holders =
      message.kind === 'incident'
        ? silencesHolding(silences, incidentSubject(message.incident), now)
        : alert
          ? silencesHolding(silences, alert, now)
          : [];
    if (holders.length === 0) {
      kept.push(message);
      continue;
    }
    for (const s of holders) heldBy.add(s.id);
    if (message.kind === 'incident' && write?.record.id === message.incident.id) {
      write = { ...write, record: heldRecord(write.record, holders, now) };
    }
  }
  return { messages: kept, ...(write && { write }), heldBy: [...heldBy] };
}
