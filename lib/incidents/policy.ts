/**
 * The incident policy decides what is posted and when, so that a storm of alerts becomes one
 * incident and a harmless renewal stays quiet. Pure: records, memo and clock in; messages, the
 * record to write and a counter out. `incidentFlow.ts` does the storage and retries lost races.
 *
 *   Fired, a drop another alert spoke for  → nothing (one message per drop, whichever intake)
 *   Fired, SAS renewal, every device back  → RENEWAL_POLICY: post | compact | suppress (counted)
 *   Fired, inside an open incident         → fold (no card; an update when one is due)
 *   Fired, scope fleet or subset           → open an incident (one opening card)
 *   Fired, otherwise                       → the full card, as before
 *   Resolved of a quiet renewal            → kept quiet (counted)
 *   Resolved of a same-drop alert          → kept quiet (the other alert's Resolved speaks)
 *   Resolved inside an open incident       → fold (counts devices back)
 *   Resolved, otherwise                    → a short follow-up naming the original alert
 */

import type { IncidentSettings } from './incidentSettings';
import type { Cause } from '../diagnose/diagnosis';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import {
  alertMessage,
  alertMessageId,
  compactAlertMessage,
  type IncidentMessage,
  incidentId,
  type OutgoingMessage,
} from './outgoingMessage';
import { type AlertImpact, cohortOf, impactOf, incidentKey } from './alertImpact';
import { alertSubject, holdBack } from './holdBack';
import { sameDropAs } from './sameDrop';
import type { Silence } from '../silences/silence';
import {
  type AlertMemo,
  type Counter,
  type Handling,
  type IncidentRecord,
  MAX_LISTED_DEVICES,
  MAX_LISTED_SITES,
  MAX_QUIET_HOURS,
} from './incident';
import {
  incidentMessage,
  type IncidentWrite,
  nextRevision,
  updateDue,
  type Versioned,
} from './revisions';

export type { IncidentWrite, Versioned } from './revisions';

export type Outcome =
  'post' | 'compact' | 'suppress' | 'open' | 'fold' | 'follow-up' | 'kept-quiet' | 'same-drop';

export interface AlertDecision {
  readonly outcome: Outcome;
  readonly messages: readonly OutgoingMessage[];
  readonly write?: IncidentWrite;
  /** Remembered for the alert's Resolved (Fired alerts only). */
  readonly memo?: AlertMemo;
  readonly counter?: Counter;
  /** For the log line: what was decided and why. */
  readonly note: string;
  /** Silences that held some of its messages back. */
  readonly heldBy?: readonly string[];
}

export interface AlertDecisionInput {
  readonly report: EnrichedAlert;
  /** The current incident records of the alert's hub (open or closed), with their versions. */
  readonly incidents: readonly Versioned<IncidentRecord>[];
  /** What was decided when this alert fired (for a Resolved). */
  readonly memo?: AlertMemo;
  /**
   * The latest alert handled about this device's drop (one-device alerts): the same drop can come
   * both as a log search alert and from the connection events, and is posted once.
   */
  readonly lastDrop?: AlertMemo;
  /** Silences active now (stored ones and maintenance windows' occurrences). */
  readonly silences?: readonly Silence[];
  readonly settings: IncidentSettings;
  readonly now: Date;
}

/** Faults of one device that no incident explains: they keep their own card. */
const DEVICE_SPECIFIC: readonly Cause[] = ['duplicate-identity', 'credential-rejected'];

export function isOpen(record: IncidentRecord, now: Date): boolean {
  return (
    record.status === 'open' &&
    now.getTime() - Date.parse(record.lastAlertAt) < MAX_QUIET_HOURS * 3_600_000
  );
}

function union(list: readonly string[], more: readonly string[], cap: number): string[] {
  const seen = new Set(list);
  return [...list, ...more.filter((item) => !seen.has(item))].slice(0, cap);
}

/** Does this alert belong to the open incident, whatever key its own verdict gives? */
function joins(record: IncidentRecord, impact: AlertImpact, cause: Cause | undefined): boolean {
  if (cause !== undefined && DEVICE_SPECIFIC.includes(cause)) return false;
  if (impact.devices.some((device) => record.devices.includes(device))) return true;
  const site = record.cohort?.kind === 'site' ? record.cohort.value : undefined;
  return site !== undefined && impact.sites.includes(site);
}

function memoOf(
  report: EnrichedAlert,
  handling: Handling,
  impact: AlertImpact,
  incident?: IncidentRecord,
): AlertMemo | undefined {
  const { alert, diagnosis } = report;
  if (!diagnosis) return undefined;
  const dropAt =
    impact.away.map((a) => a.droppedAt).find((t) => t !== undefined) ?? alert.connection?.droppedAt;
  return {
    alertId: alert.id,
    rule: alert.rule,
    firedAt: alert.firedAt,
    cause: diagnosis.cause,
    scope: diagnosis.scope,
    confidence: diagnosis.confidence,
    summary: diagnosis.summary.slice(0, 600),
    devices: diagnosis.devices.slice(0, 20),
    handling,
    ...(incident && { incidentId: incident.id }),
    ...(dropAt !== undefined && { dropAt }),
  };
}

function fold(
  current: Versioned<IncidentRecord>,
  report: EnrichedAlert,
  impact: AlertImpact,
  input: AlertDecisionInput,
): AlertDecision {
  const record = current.value;
  const { alert } = report;
  const now = input.now.toISOString();
  // A retry of the opening alert: re-send the opening card if it was never confirmed.
  if (record.openerAlertId === alert.id) {
    return {
      outcome: 'open',
      messages: record.postedRevision < 1 ? [incidentMessage(record, 'opened', report)] : [],
      ...withMemo(report, 'opened', impact, record),
      note: `retry of the alert that opened incident ${record.id}`,
    };
  }
  const newDevices = impact.devices.filter((device) => !record.devices.includes(device));
  const newer = alert.firedAt >= record.lastFiredAt;
  let next: IncidentRecord = {
    ...record,
    devices: union(record.devices, impact.devices, MAX_LISTED_DEVICES),
    deviceCount: record.deviceCount + newDevices.length,
    sites: union(record.sites, impact.sites, MAX_LISTED_SITES),
    alertCount: record.alertCount + 1,
    lastAlertAt: now,
    lastFiredAt: newer ? alert.firedAt : record.lastFiredAt,
    dropCurve: newer && impact.dropCurve.length > 0 ? impact.dropCurve : record.dropCurve,
  };
  const messages: IncidentMessage[] = [];
  if (updateDue(next, input.settings, input.now)) {
    next = nextRevision(next, input.now);
    messages.push(incidentMessage(next, 'updated'));
  }
  return {
    outcome: 'fold',
    messages,
    write: { kind: 'replace', record: next, etag: current.etag },
    ...withMemo(report, 'folded', impact, next),
    note: `folded into incident ${record.id} (${next.deviceCount} devices)`,
  };
}

function withMemo(
  report: EnrichedAlert,
  handling: Handling,
  impact: AlertImpact,
  incident?: IncidentRecord,
): { memo?: AlertMemo } {
  const memo = memoOf(report, handling, impact, incident);
  return memo ? { memo } : {};
}

function open(
  report: EnrichedAlert,
  impact: AlertImpact,
  hubResourceId: string,
  key: string,
  replacing: Versioned<IncidentRecord> | undefined,
  input: AlertDecisionInput,
): AlertDecision {
  const { alert } = report;
  const diagnosis = report.diagnosis;
  if (!diagnosis) throw new Error('open() needs a diagnosis');
  const now = input.now.toISOString();
  const devices = (impact.devices.length > 0 ? impact.devices : diagnosis.devices).slice(
    0,
    MAX_LISTED_DEVICES,
  );
  const drops = impact.away.map((a) => a.droppedAt).filter((t): t is string => t !== undefined);
  const startedAt = [...drops].sort()[0] ?? alert.window.start;
  const cohort = cohortOf(report);
  const logsLink =
    alert.logSearch?.linkToFilteredSearchResultsUI ?? alert.logSearch?.linkToSearchResultsUI;
  const record: IncidentRecord = {
    id: incidentId(key, alert.id, now),
    key,
    hubResourceId,
    cause: diagnosis.cause,
    scope: diagnosis.scope,
    ...(cohort && { cohort }),
    status: 'open',
    openerAlertId: alert.id,
    summary: diagnosis.summary.slice(0, 1000),
    startedAt,
    lastFiredAt: alert.firedAt,
    openedAt: now,
    lastAlertAt: now,
    devices,
    deviceCount: devices.length,
    sites: impact.sites.slice(0, MAX_LISTED_SITES),
    alertCount: 1,
    resolvedCount: 0,
    dropCurve: impact.dropCurve,
    revision: 1,
    postedRevision: 0,
    lastPostedAt: now,
    devicesAtLastPost: devices.length,
    sitesAtLastPost: Math.min(impact.sites.length, MAX_LISTED_SITES),
    ...(logsLink !== undefined && logsLink.startsWith('https://') && { logsLink }),
  };
  const opening = incidentMessage(record, 'opened', report);
  const receivers = input.settings.receiversOf?.(opening);
  const routed: IncidentRecord =
    receivers === undefined ? record : { ...record, receivers: [...receivers] };
  return {
    outcome: 'open',
    messages: [incidentMessage(routed, 'opened', report)],
    write: replacing
      ? { kind: 'replace', record: routed, etag: replacing.etag }
      : { kind: 'insert', record: routed },
    ...withMemo(report, 'opened', impact, routed),
    counter: 'incidents-opened',
    note: `opened incident ${record.id} (${key})`,
  };
}

function renewal(
  report: EnrichedAlert,
  impact: AlertImpact,
  input: AlertDecisionInput,
): AlertDecision {
  switch (input.settings.renewalPolicy) {
    case 'post':
      return {
        outcome: 'post',
        messages: [alertMessage(report)],
        ...withMemo(report, 'card', impact),
        counter: 'renewals-posted',
        note: 'SAS renewal, posted in full (RENEWAL_POLICY=post)',
      };
    case 'compact':
      return {
        outcome: 'compact',
        messages: [compactAlertMessage(report, impact.away)],
        ...withMemo(report, 'compact', impact),
        counter: 'renewals-compacted',
        note: 'SAS renewal, device back: one line (RENEWAL_POLICY=compact)',
      };
    case 'suppress':
      return {
        outcome: 'suppress',
        messages: [],
        ...withMemo(report, 'suppressed', impact),
        counter: 'renewals-suppressed',
        note: 'SAS renewal, device back: not posted (RENEWAL_POLICY=suppress)',
      };
  }
}

function decideResolved(
  report: EnrichedAlert,
  impact: AlertImpact,
  input: AlertDecisionInput,
): AlertDecision {
  const { alert, diagnosis } = report;
  const { memo, now } = input;
  const quietRenewal =
    memo === undefined &&
    diagnosis?.cause === 'sas-token-expiry' &&
    impact.allBack &&
    input.settings.renewalPolicy !== 'post';
  if (memo?.heldBy !== undefined && memo.heldBy.length > 0) {
    return {
      outcome: 'kept-quiet',
      messages: [],
      note: `Resolved of an alert held back by silence ${memo.heldBy.join(', ')}: not posted`,
    };
  }
  if (memo?.handling === 'duplicate') {
    return {
      outcome: 'kept-quiet',
      messages: [],
      note: `Resolved of an alert about the same drop as ${memo.sameDropAs ?? 'another alert'}: not posted`,
    };
  }
  if (memo?.handling === 'compact' || memo?.handling === 'suppressed' || quietRenewal) {
    return {
      outcome: 'kept-quiet',
      messages: [],
      counter: 'resolved-kept-quiet',
      note: 'Resolved of a SAS renewal that was kept quiet: not posted',
    };
  }
  const open = input.incidents.filter((v) => isOpen(v.value, now));
  const hub = impact.hubResourceId;
  const target =
    open.find((v) => memo?.incidentId !== undefined && v.value.id === memo.incidentId) ??
    open.find((v) => joins(v.value, impact, memo?.cause ?? diagnosis?.cause)) ??
    (impact.hubLevel && hub !== undefined
      ? open.find((v) => v.value.hubResourceId === hub && v.value.scope === 'fleet')
      : undefined);
  if (target) {
    const resolvedAt = alert.resolvedAt ?? now.toISOString();
    const record = target.value;
    const next: IncidentRecord = {
      ...record,
      resolvedCount: Math.min(record.deviceCount, record.resolvedCount + impact.devices.length),
      lastResolvedAt:
        record.lastResolvedAt !== undefined && record.lastResolvedAt > resolvedAt
          ? record.lastResolvedAt
          : resolvedAt,
      ...(impact.hubLevel && { hubAlertResolvedAt: resolvedAt }),
    };
    return {
      outcome: 'fold',
      messages: [],
      write: { kind: 'replace', record: next, etag: target.etag },
      note: `Resolved folded into incident ${record.id}`,
    };
  }
  if (memo?.incidentId !== undefined) {
    // Its incident closed already: the closing card spoke for every device in it.
    return {
      outcome: 'kept-quiet',
      messages: [],
      counter: 'resolved-kept-quiet',
      note: `Resolved of an alert of incident ${memo.incidentId}, closed already: not posted`,
    };
  }
  return {
    outcome: 'follow-up',
    messages: [
      {
        kind: 'resolved',
        id: alertMessageId(report.alert),
        report,
        ...(memo && { original: memo }),
        away: impact.away,
      },
    ],
    note: memo ? `Resolved of a ${memo.cause} alert: follow-up` : 'Resolved: follow-up',
  };
}

/**
 * The policy's decision, then the active silences over it: what a silence holds is decided,
 * remembered and counted like the rest, and only not posted.
 */
export function decideAlert(input: AlertDecisionInput): AlertDecision {
  const impact = impactOf(input.report);
  const decision = decideUnsilenced(input, impact);
  const silences = input.silences ?? [];
  if (silences.length === 0 || decision.messages.length === 0) return decision;
  const asksSdk = silences.some((s) => s.matchers.some((m) => m.field === 'sdk'));
  const subject = alertSubject(input.report, impact, asksSdk);
  const held = holdBack(decision, subject, silences, input.now);
  if (held.heldBy.length === 0) return decision;
  return {
    ...decision,
    messages: held.messages,
    ...(held.write && { write: held.write }),
    ...(decision.memo && { memo: { ...decision.memo, heldBy: held.heldBy } }),
    heldBy: held.heldBy,
    note: `${decision.note}; held back by silence ${held.heldBy.join(', ')}`,
  };
}

function decideUnsilenced(input: AlertDecisionInput, impact: AlertImpact): AlertDecision {
  const { report, now } = input;
  const diagnosis = report.diagnosis;
  if (report.alert.condition === 'Resolved' && (diagnosis || input.memo)) {
    return decideResolved(report, impact, input);
  }
  if (!diagnosis) {
    return { outcome: 'post', messages: [alertMessage(report)], note: 'no diagnosis: posted' };
  }
  const spokenFor = sameDropAs(report, impact, input.lastDrop);
  if (spokenFor) {
    const memo = memoOf(report, 'duplicate', impact);
    return {
      outcome: 'same-drop',
      messages: [],
      ...(memo && { memo: { ...memo, sameDropAs: spokenFor.alertId } }),
      note: `the same drop of ${impact.devices[0] ?? 'the device'} as alert ${spokenFor.alertId} (${spokenFor.handling}): not posted again`,
    };
  }
  if (diagnosis.cause === 'sas-token-expiry' && impact.allBack) {
    return renewal(report, impact, input);
  }
  const hub = impact.hubResourceId;
  if (hub === undefined) {
    return {
      outcome: 'post',
      messages: [alertMessage(report)],
      ...withMemo(report, 'card', impact),
      note: 'no hub named: posted',
    };
  }
  const key = incidentKey(hub, diagnosis.cause, cohortOf(report));
  const sameKey = input.incidents.find((v) => v.value.key === key);
  const many = diagnosis.scope !== 'device';
  if (many && sameKey && isOpen(sameKey.value, now)) return fold(sameKey, report, impact, input);
  const member = input.incidents.find(
    (v) => isOpen(v.value, now) && joins(v.value, impact, diagnosis.cause),
  );
  if (member) return fold(member, report, impact, input);
  if (many) return open(report, impact, hub, key, sameKey, input);
  return {
    outcome: 'post',
    messages: [alertMessage(report)],
    ...withMemo(report, 'card', impact),
    note: 'posted',
  };
}
