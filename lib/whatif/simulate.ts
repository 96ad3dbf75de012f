/**
 * One side of a what-if: the recorded alerts, already diagnosed, through the real incident
 * policy, silences and routes, in memory, on a simulated clock. Each alert is handled at its own
 * time (fired or resolved), and the incident timer runs every simulated minute while an incident
 * is open, so updates and closing cards come when they would have. Nothing is posted: each
 * message is recorded with the receivers its route names. Deterministic: same input, same output.
 */

import { silentLogger } from '../common/logger';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import type { MetricsSource } from '../evidence/evidenceSource';
import type { IncidentSettings } from '../incidents/incidentSettings';
import {
  confirmDelivered,
  type IncidentServices,
  planAlertMessages,
  tickIncidents,
} from '../incidents/incidentFlow';
import { MAX_QUIET_HOURS } from '../incidents/incident';
import type { IncidentEvent, OutgoingMessage } from '../incidents/outgoingMessage';
import type { Outcome } from '../incidents/policy';
import type { MessageKind } from '../config/routeSettings';
import { describeRoute } from '../routing/deliveryRoute';
import { incidentReceivers, messageRoute } from '../routing/messageReceivers';
import { messageSubject } from '../routing/routeSubject';
import type { Silence } from '../silences/silence';
import { InMemoryIncidentStore } from '../state/memory/memoryIncidentStore';
import { replaySilences } from './replaySilences';
import type { WhatifSide } from './whatifSettings';

const MINUTE = 60_000;

/** One recorded alert, diagnosed once over the recorded evidence, and when it was handled. */
export interface ReplayedAlert {
  readonly report: EnrichedAlert;
  readonly at: Date;
}

/** A message the side would have posted. */
export interface SentMessage {
  readonly id: string;
  readonly kind: MessageKind;
  readonly event?: IncidentEvent;
  readonly receivers: readonly string[];
  /** Which route sent it: `routes[0] "plant A"`, `default`, or kept from the opening card. */
  readonly route: string;
  readonly at: string;
  /** What the message speaks for: the alert, or the incident's key and opening alert. */
  readonly subject: string;
  /** The same, for people: the alert's rule and devices, or the incident's cause and hub. */
  readonly about: string;
}

export interface AlertResult {
  readonly alertId: string;
  readonly condition: 'Fired' | 'Resolved';
  readonly at: string;
  readonly rule: string;
  /** The alerted devices (at most 5, for the report). */
  readonly devices: readonly string[];
  readonly cause?: string;
  readonly scope?: string;
  /** What the policy decided (`post`, `open`, `fold`, `suppress`...), or `post` without one. */
  readonly outcome: Outcome;
  readonly messages: readonly SentMessage[];
  readonly heldBy: readonly string[];
}

export interface SideResult {
  readonly label: string;
  readonly alerts: readonly AlertResult[];
  /** The incident timer's messages: updates and closing cards. */
  readonly timer: readonly SentMessage[];
  readonly incidentsOpened: number;
  /** Renewals posted as one line (`RENEWAL_POLICY=compact`). */
  readonly renewalsCompacted: number;
  /** Renewals not posted at all (`suppress`). */
  readonly renewalsSuppressed: number;
  /** Messages each silence (or maintenance window) held back. */
  readonly heldBySilence: Readonly<Record<string, number>>;
}

/** The same incident in both sides: its key and the alert that opened it. */
function subjectOf(message: OutgoingMessage): string {
  if (message.kind === 'incident')
    return `incident ${message.incident.key} opened by ${message.incident.openerAlertId}`;
  if (message.kind === 'notice') return message.subject;
  return message.report.alert.id;
}

function aboutOf(message: OutgoingMessage): string {
  if (message.kind === 'notice') return message.text;
  if (message.kind === 'incident') {
    const { incident } = message;
    const hub = incident.hubResourceId.split('/').pop() ?? '';
    return `${incident.cause} on ${hub} (${incident.scope}), opened by alert ${incident.openerAlertId.split('/').pop() ?? ''}`;
  }
  const { alert } = message.report;
  const devices = alert.deviceIds.slice(0, 3).join(', ');
  const more = alert.deviceIds.length > 3 ? ` and ${alert.deviceIds.length - 3} more` : '';
  return `${alert.rule}${devices === '' ? '' : ` ${devices}${more}`} (alert ${alert.id.split('/').pop() ?? ''})`;
}

function sent(message: OutgoingMessage, side: WhatifSide, at: Date): SentMessage {
  const route = messageRoute(message, side.policy.routing);
  return {
    id: message.id,
    kind: messageSubject(message).kind,
    ...(message.kind === 'incident' && { event: message.event }),
    receivers: route.receivers,
    route: describeRoute(route),
    at: at.toISOString(),
    subject: subjectOf(message),
    about: aboutOf(message),
  };
}

export async function simulateSide(
  alerts: readonly ReplayedAlert[],
  side: WhatifSide,
  silences: readonly Silence[],
  metrics?: MetricsSource,
): Promise<SideResult> {
  let clock = new Date(alerts[0]?.at.getTime() ?? 0);
  const now = (): Date => clock;
  const store = new InMemoryIncidentStore();
  const counting = replaySilences(silences, side.policy.maintenanceWindows, now);
  const { routing } = side.policy;
  const receiversOf = incidentReceivers(routing);
  const settings: IncidentSettings = {
    updateMinutes: side.policy.incidentUpdateMinutes,
    quietMinutes: side.policy.incidentQuietMinutes,
    renewalPolicy: side.policy.renewalPolicy,
    ...(receiversOf && { receiversOf }),
  };
  const services: IncidentServices = {
    store,
    settings,
    log: silentLogger,
    now,
    silences: counting,
  };
  const timer: SentMessage[] = [];
  const timerServices = {
    ...services,
    ...(metrics && { metrics }),
    deliver: (message: OutgoingMessage) => {
      timer.push(sent(message, side, clock));
      return Promise.resolve();
    },
  };

  // The timer runs on whole minutes, and only while some incident is active.
  let nextTick = Math.ceil((alerts[0]?.at.getTime() ?? 0) / MINUTE) * MINUTE;
  async function runTimerUntil(time: number): Promise<void> {
    while (nextTick <= time) {
      if ((await store.activeIncidents()).length === 0) {
        nextTick = Math.ceil((time + 1) / MINUTE) * MINUTE;
        return;
      }
      clock = new Date(nextTick);
      await tickIncidents(timerServices);
      nextTick += MINUTE;
    }
  }

  const results: AlertResult[] = [];
  let incidentsOpened = 0;
  let renewalsCompacted = 0;
  let renewalsSuppressed = 0;
  for (const { report, at } of alerts) {
    await runTimerUntil(at.getTime());
    clock = at;
    const decision = await planAlertMessages(report, services);
    const messages: SentMessage[] = [];
    for (const message of decision.messages) {
      messages.push(sent(message, side, at));
      await confirmDelivered(message, services);
    }
    if (decision.counter === 'incidents-opened') incidentsOpened++;
    if (decision.counter === 'renewals-compacted') renewalsCompacted++;
    if (decision.counter === 'renewals-suppressed') renewalsSuppressed++;
    const { alert, diagnosis } = report;
    results.push({
      alertId: alert.id,
      condition: alert.condition,
      at: at.toISOString(),
      rule: alert.rule,
      devices: alert.deviceIds.slice(0, 5),
      ...(diagnosis && { cause: diagnosis.cause, scope: diagnosis.scope }),
      outcome: decision.outcome,
      messages,
      heldBy: decision.heldBy ?? [],
    });
  }
  // Let every incident run its course: closing comes after the quiet time, at the latest a day on.
  const last = alerts[alerts.length - 1]?.at.getTime() ?? 0;
  await runTimerUntil(last + (MAX_QUIET_HOURS + 1) * 3_600_000);

  return {
    label: side.label,
    alerts: results,
    timer,
    incidentsOpened,
    renewalsCompacted,
    renewalsSuppressed,
    heldBySilence: Object.fromEntries([...counting.held.entries()].sort()),
  };
}
