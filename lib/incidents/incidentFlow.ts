/**
 * The incident policy over its ports: read the hub's incident records, decide (pure), write with
 * optimistic concurrency and decide again when another worker won the race, then remember the
 * alert and count. Delivery stays outside: callers deliver the messages and confirm them here.
 */

import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { MetricsSource } from '../evidence/evidenceSource';
import type { Logger } from '../common/logger';
import type { Silence, SilenceTarget } from '../silences/silence';
import type { OutgoingMessage } from './outgoingMessage';
import type { IncidentSettings } from './incidentSettings';
import { type IncidentStore, utcDay } from './incidentStore';
import { type AlertDecision, decideAlert, type IncidentWrite } from './policy';
import { BASELINE_MINUTES, decideTick, type Recovery, recoveryFrom } from './tickPolicy';

export interface IncidentServices {
  readonly store: IncidentStore;
  readonly settings: IncidentSettings;
  readonly log: Logger;
  readonly now: () => Date;
  /** Silences and maintenance windows; without them nothing is held back. */
  readonly silences?: SilenceSource;
}

/** The silences the policy applies, as the composition root provides them. */
export interface SilenceSource {
  /**
   * The silences active now. Throws when they cannot be read: the alert is then retried rather
   * than posted past a silence or dropped (docs/silences.md).
   */
  active(now: Date): Promise<readonly Silence[]>;
  /** Counts what each silence held back (bookkeeping: never throws). */
  noteHeld(ids: readonly string[]): Promise<void>;
  /** An incident closed or an alert resolved: its until-resolved silences end (never throws). */
  resolved?(target: SilenceTarget): Promise<void>;
}

export class IncidentContentionError extends Error {
  override name = 'IncidentContentionError';
}

/** Lost races are retried this often; a queue retry follows if every attempt loses. */
const MAX_ATTEMPTS = 25;

function pause(attempt: number): Promise<void> {
  // Jittered and growing, so that racing workers spread out instead of colliding again.
  const ms = Math.min(500, 5 * attempt) + Math.random() * 20 * attempt;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function apply(store: IncidentStore, write: IncidentWrite): Promise<boolean> {
  return write.kind === 'insert'
    ? store.insert(write.record)
    : store.replace(write.record, write.etag);
}

/** Decides what this report posts; the incident write has succeeded when this returns. */
export async function planAlertMessages(
  report: EnrichedAlert,
  services: IncidentServices,
): Promise<AlertDecision> {
  const { store, log } = services;
  const { alert } = report;
  const hub = alert.hubResourceIds[0] ?? report.evidence?.hubResourceIds[0];
  const memo = alert.condition === 'Resolved' ? await store.recall(alert.id) : undefined;
  const silences = services.silences ? await services.silences.active(services.now()) : [];
  // One message per drop: a one-device alert checks what was last done about the device's drop.
  const device =
    alert.condition === 'Fired' && alert.deviceIds.length === 1 ? alert.deviceIds[0] : undefined;
  const lastDrop =
    hub !== undefined && device !== undefined ? await store.lastDrop(hub, device) : undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const now = services.now();
    const incidents = hub === undefined ? [] : await store.incidentsOf(hub);
    const decision = decideAlert({
      report,
      incidents,
      ...(memo && { memo }),
      ...(lastDrop && { lastDrop }),
      silences,
      settings: services.settings,
      now,
    });
    if (decision.write && !(await apply(store, decision.write))) {
      await pause(attempt);
      continue;
    }
    if (decision.memo) {
      await store.remember(decision.memo);
      const spoken = decision.memo.handling !== 'duplicate' && decision.memo.dropAt !== undefined;
      if (spoken && hub !== undefined && device !== undefined) {
        await store.rememberDrop(hub, device, decision.memo);
      }
    }
    if (decision.counter && hub !== undefined) {
      await store.count(hub, utcDay(now), decision.counter);
    }
    if (decision.heldBy && decision.heldBy.length > 0) {
      await services.silences?.noteHeld(decision.heldBy);
    }
    if (alert.condition === 'Resolved') {
      await services.silences?.resolved?.({ kind: 'alert', id: alert.id });
    }
    const verdict = report.diagnosis
      ? `${report.diagnosis.cause} (${report.diagnosis.scope}, confidence ${report.diagnosis.confidence})`
      : 'no diagnosis';
    log.info(`Alert ${alert.id} ${alert.condition}: ${verdict}: ${decision.note}`);
    return decision;
  }
  throw new IncidentContentionError(
    `Incident record for alert ${alert.id} kept changing under ${MAX_ATTEMPTS} attempts`,
  );
}

/** Records that a message reached a channel: the incident revision, and the daily count. */
export async function confirmDelivered(
  message: OutgoingMessage,
  services: IncidentServices,
): Promise<void> {
  const { store } = services;
  if (message.kind === 'notice') return;
  const hub =
    message.kind === 'incident'
      ? message.incident.hubResourceId
      : message.report.alert.hubResourceIds[0];
  if (hub !== undefined) await store.count(hub, utcDay(services.now()), 'messages-posted');
  if (message.kind !== 'incident') return;
  const { incident } = message;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = (await store.incidentsOf(hub ?? '')).find(
      (v) => v.value.key === incident.key && v.value.id === incident.id,
    );
    if (!current || current.value.postedRevision >= incident.revision) return;
    const confirmed = { ...current.value, postedRevision: incident.revision };
    if (await store.replace(confirmed, current.etag)) return;
    await pause(attempt);
  }
}

export interface TimerServices extends IncidentServices {
  readonly metrics?: MetricsSource;
  /** Delivers one message to every channel; throws when none accepted it. */
  readonly deliver: (message: OutgoingMessage) => Promise<void>;
}

async function recoveryOf(
  hubResourceId: string,
  startedAt: string,
  services: TimerServices,
): Promise<Recovery | undefined> {
  if (!services.metrics) return undefined;
  const start = Date.parse(startedAt) - BASELINE_MINUTES * 60_000;
  const end = Math.min(services.now().getTime(), start + 48 * 3_600_000);
  try {
    const answer = await services.metrics.connectedDeviceCount([hubResourceId], {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    });
    return recoveryFrom(answer.value, startedAt);
  } catch (error: unknown) {
    services.log.warn(
      `Incident timer: connectedDeviceCount unavailable (${error instanceof Error ? error.message : 'unknown error'})`,
    );
    return undefined;
  }
}

/**
 * One run of the incident timer: for every active incident, re-send, update or close. A failure
 * on one incident is logged and the others still run; the next run picks it up again.
 */
export async function tickIncidents(services: TimerServices): Promise<number> {
  const { store, settings, log } = services;
  let sent = 0;
  let silences: readonly Silence[];
  try {
    silences = services.silences ? await services.silences.active(services.now()) : [];
  } catch (error: unknown) {
    // Post nothing a silence might hold: the next run (a minute on) reads them again.
    log.warn(
      `Incident timer: silences unreadable (${error instanceof Error ? error.name : 'unknown error'}); this run is skipped`,
    );
    return 0;
  }
  for (const current of await store.activeIncidents()) {
    const record = current.value;
    try {
      const now = services.now();
      const quiet =
        now.getTime() - Date.parse(record.lastAlertAt) >= settings.quietMinutes * 60_000;
      // Metrics are read only once closing is in question, not on every run.
      const recovery =
        quiet && record.status === 'open'
          ? await recoveryOf(record.hubResourceId, record.startedAt, services)
          : undefined;
      const decision = decideTick(current, settings, now, recovery, silences);
      if (!decision) continue;
      if (decision.write && !(await apply(store, decision.write))) continue; // another run won
      log.info(`Incident timer: ${decision.note}`);
      if (decision.heldBy) await services.silences?.noteHeld(decision.heldBy);
      if (record.status === 'open' && decision.write?.record.status === 'closed') {
        await services.silences?.resolved?.({ kind: 'incident', id: record.id });
      }
      if (!decision.message) continue;
      await services.deliver(decision.message);
      await confirmDelivered(decision.message, services);
      sent++;
    } catch (error: unknown) {
      log.error(
        `Incident timer failed on incident ${record.id}: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
    }
  }
  return sent;
}
