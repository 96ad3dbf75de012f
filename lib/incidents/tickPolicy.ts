/**
 * What the incident timer decides for one open incident, with no new alert: re-send a revision
 * whose delivery was not confirmed, post a due update, or close. Pure.
 *
 * Closing needs both: no new alert for the quiet period, and the devices back: `connectedDeviceCount`
 * back near its baseline, or the hub-level alert resolved, or (without metrics) every device's
 * Resolved folded in. Without any of those signals it closes after the quiet period and
 * says that recovery was not measured; devices that stay away keep it open up to a day.
 */

import type { IncidentSettings } from './incidentSettings';
import type { MetricPoint } from '../evidence/evidence';
import type { Silence } from '../silences/silence';
import { silencesHolding } from '../silences/silenceMatching';
import { heldRecord, incidentSubject } from './holdBack';
import type { IncidentMessage } from './outgoingMessage';
import { BACK_SHARE, type IncidentRecord, MAX_QUIET_HOURS } from './incident';
import {
  incidentMessage,
  type IncidentWrite,
  nextRevision,
  updateDue,
  type Versioned,
} from './revisions';

/** `connectedDeviceCount` around the incident. */
export interface Recovery {
  readonly baseline: number;
  readonly lowest: number;
  readonly latest: number;
  readonly back: boolean;
  /** First sample after the low point at or above the back share of the baseline. */
  readonly backAt?: string;
}

/** How long before the incident's start the baseline is read. */
export const BASELINE_MINUTES = 30;

export function recoveryFrom(
  points: readonly MetricPoint[],
  startedAt: string,
): Recovery | undefined {
  const start = Date.parse(startedAt);
  const valued = points
    .map((p) => ({ time: p.time, ms: Date.parse(p.time), value: p.average ?? p.minimum }))
    .filter((p): p is { time: string; ms: number; value: number } => p.value !== undefined)
    .sort((a, b) => a.time.localeCompare(b.time));
  const before = valued.filter((p) => p.ms < start && p.ms >= start - BASELINE_MINUTES * 60_000);
  const after = valued.filter((p) => p.ms >= start);
  if (before.length === 0 || after.length === 0) return undefined;
  const baseline = Math.max(...before.map((p) => p.value));
  const lowestPoint = after.reduce((low, p) => (p.value < low.value ? p : low));
  const threshold = baseline * BACK_SHARE;
  const backPoint = after.find((p) => p.time > lowestPoint.time && p.value >= threshold);
  const latest = after[after.length - 1]?.value ?? lowestPoint.value;
  return {
    baseline,
    lowest: lowestPoint.value,
    latest,
    back: latest >= threshold,
    ...(backPoint && { backAt: backPoint.time }),
  };
}

export interface TickDecision {
  readonly write?: IncidentWrite;
  /** Absent when a silence holds the card back. */
  readonly message?: IncidentMessage;
  readonly note: string;
  readonly heldBy?: readonly string[];
}

interface Back {
  readonly back: boolean;
  readonly at?: string;
  readonly how: string;
}

function backSignal(record: IncidentRecord, recovery: Recovery | undefined): Back | undefined {
  const metric = recovery && {
    back: recovery.back,
    ...(recovery.backAt !== undefined && { at: recovery.backAt }),
    how: `connected devices back to ${Math.round(recovery.latest)} of a ${Math.round(recovery.baseline)} baseline`,
  };
  if (metric?.back === true) return metric;
  if (record.hubAlertResolvedAt !== undefined) {
    return { back: true, at: record.hubAlertResolvedAt, how: 'the hub-level alert resolved' };
  }
  if (metric) return metric;
  if (record.resolvedCount > 0 && record.resolvedCount >= record.deviceCount * BACK_SHARE) {
    return {
      back: true,
      ...(record.lastResolvedAt !== undefined && { at: record.lastResolvedAt }),
      how: 'every device resolved',
    };
  }
  return undefined;
}

/**
 * The timer's decision for one incident, under the active silences: a card they hold is decided
 * and recorded but not posted; an open incident whose silences have all ended posts its state
 * once.
 */
export function decideTick(
  current: Versioned<IncidentRecord>,
  settings: IncidentSettings,
  now: Date,
  recovery: Recovery | undefined,
  silences: readonly Silence[] = [],
): TickDecision | undefined {
  const record = current.value;
  const holders = (r: IncidentRecord): Silence[] =>
    silencesHolding(silences, incidentSubject(r), now);
  if (record.heldBack !== undefined && record.status === 'open' && holders(record).length === 0) {
    const { heldBack, ...released } = record;
    const posted = nextRevision(released, now);
    return {
      write: { kind: 'replace', record: posted, etag: current.etag },
      message: incidentMessage(posted, 'updated'),
      note: `incident ${record.id}: its silences ended (held since ${heldBack.since}); posting its state once`,
    };
  }
  const decision = decideUnsilenced(current, settings, now, recovery);
  const message = decision?.message;
  if (!decision?.write || !message) return decision;
  const holding = holders(message.incident);
  if (holding.length === 0) return decision;
  return {
    write: { ...decision.write, record: heldRecord(decision.write.record, holding, now) },
    note: `${decision.note}; held back by silence ${holding.map((s) => s.id).join(', ')}`,
    heldBy: holding.map((s) => s.id),
  };
}

function decideUnsilenced(
  current: Versioned<IncidentRecord>,
  settings: IncidentSettings,
  now: Date,
  recovery: Recovery | undefined,
): TickDecision | undefined {
  const record = current.value;
  const sinceDecided = now.getTime() - Date.parse(record.lastPostedAt);
  // A revision decided but never confirmed (the worker failed to deliver): send it again.
  if (record.revision > record.postedRevision && record.revision > 1 && sinceDecided >= 60_000) {
    // Claimed by a conditional write first, so two overlapping timer runs do not both re-send.
    const claimed = { ...record, lastPostedAt: now.toISOString() };
    return {
      write: { kind: 'replace', record: claimed, etag: current.etag },
      message: incidentMessage(record, record.status === 'closed' ? 'closed' : 'updated'),
      note: `re-sending revision ${record.revision} of incident ${record.id}`,
    };
  }
  if (record.status !== 'open') return undefined;

  const quietMs = now.getTime() - Date.parse(record.lastAlertAt);
  if (quietMs >= settings.quietMinutes * 60_000) {
    const back = backSignal(record, recovery);
    const giveUp = quietMs >= MAX_QUIET_HOURS * 3_600_000;
    if (back === undefined || back.back || giveUp) {
      const reason =
        back === undefined
          ? `no alert for ${settings.quietMinutes} min; recovery not measured (no metrics, no hub-level alert)`
          : back.back
            ? `no alert for ${settings.quietMinutes} min and ${back.how}`
            : `no alert for ${MAX_QUIET_HOURS} h, though ${back.how}`;
      const closed = nextRevision(
        {
          ...record,
          status: 'closed',
          closedAt: now.toISOString(),
          closeReason: reason,
          ...(back?.back === true && back.at !== undefined && { backAt: back.at }),
        },
        now,
      );
      return {
        write: { kind: 'replace', record: closed, etag: current.etag },
        message: incidentMessage(closed, 'closed'),
        note: `closing incident ${record.id}: ${reason}`,
      };
    }
  }
  if (updateDue(record, settings, now)) {
    const updated = nextRevision(record, now);
    return {
      write: { kind: 'replace', record: updated, etag: current.etag },
      message: incidentMessage(updated, 'updated'),
      note: `update ${updated.revision} of incident ${record.id} (${record.deviceCount} devices)`,
    };
  }
  return undefined;
}
