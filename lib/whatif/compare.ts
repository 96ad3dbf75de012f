/**
 * The difference between two what-if sides: per alert, what each posts and to whom; in total,
 * messages per receiver, cards that appear or disappear, renewals kept quiet, incidents opened
 * and what each silence holds back. Pure.
 */

import type { AlertResult, SentMessage, SideResult } from './simulate';

export interface Pair {
  readonly deployed: number;
  readonly candidate: number;
}

export interface AlertDifference {
  readonly alertId: string;
  readonly condition: 'Fired' | 'Resolved';
  readonly at: string;
  readonly rule: string;
  readonly devices: readonly string[];
  readonly cause?: string;
  readonly deployed: string;
  readonly candidate: string;
}

/** A card (or line) that one side posts, to receivers the other side does not post it to. */
export interface CardChange {
  readonly kind: string;
  readonly subject: string;
  readonly about: string;
  readonly receivers: readonly string[];
}

export interface WhatifReport {
  readonly labels: { readonly deployed: string; readonly candidate: string };
  readonly alerts: number;
  readonly messages: Pair;
  readonly messagesPerReceiver: Readonly<Record<string, Pair>>;
  readonly incidentsOpened: Pair;
  /** Renewals kept quiet as one line, and not posted at all. */
  readonly renewalsAsOneLine: Pair;
  readonly renewalsNotPosted: Pair;
  readonly heldBySilence: Readonly<Record<string, Pair>>;
  readonly cardsAppearing: readonly CardChange[];
  readonly cardsDisappearing: readonly CardChange[];
  /** Alerts whose handling differs, in the order they were handled. */
  readonly differences: readonly AlertDifference[];
  /** Alerts the replay could not read, each with why. */
  readonly skipped: readonly { readonly source: string; readonly problem: string }[];
}

const NOUN: Readonly<Record<string, string>> = {
  alert: 'card',
  renewal: 'renewal line',
  incident: 'incident card',
  resolved: 'follow-up',
  notice: 'notice',
  digest: 'digest',
};

function messageText(message: SentMessage): string {
  const what =
    message.kind === 'incident' ? `incident ${message.event ?? 'card'}` : NOUN[message.kind];
  return `${what ?? message.kind} → ${message.receivers.join(', ')}`;
}

const QUIET: Readonly<Record<string, string>> = {
  suppress: 'nothing (renewal suppressed)',
  fold: 'nothing (folded into an open incident)',
  'kept-quiet': 'nothing (kept quiet)',
  'same-drop': 'nothing (another alert spoke for the same drop)',
};

/** One line: what the side did with the alert. */
export function handling(result: AlertResult): string {
  const posted = result.messages.map(messageText);
  const held = result.heldBy.length > 0 ? `held by ${result.heldBy.join(', ')}` : undefined;
  if (posted.length === 0)
    return held !== undefined ? `nothing (${held})` : (QUIET[result.outcome] ?? 'nothing');
  return [...posted, ...(held !== undefined ? [`(${held})`] : [])].join('; ');
}

function allMessages(side: SideResult): SentMessage[] {
  return [...side.alerts.flatMap((a) => a.messages), ...side.timer];
}

/** A card's identity across sides: its kind, what it speaks for, and (incidents) its event. */
function cardKey(message: SentMessage): string {
  return `${message.kind}|${message.event ?? ''}|${message.subject}`;
}

/**
 * Cards of `from` that `to` does not post, or posts to fewer receivers: the receivers that would
 * no longer (or newly) get it. Updates are counted, not listed: they follow the update interval.
 */
function cardChanges(from: SentMessage[], to: SentMessage[]): CardChange[] {
  const receiversIn = new Map<string, Set<string>>();
  for (const message of to) {
    const set = receiversIn.get(cardKey(message)) ?? new Set<string>();
    for (const r of message.receivers) set.add(r);
    receiversIn.set(cardKey(message), set);
  }
  const seen = new Set<string>();
  const changes: CardChange[] = [];
  for (const message of from) {
    if (message.event === 'updated') continue;
    const key = cardKey(message);
    if (seen.has(key)) continue;
    seen.add(key);
    const there = receiversIn.get(key);
    const missing = message.receivers.filter((r) => !there?.has(r));
    if (missing.length === 0) continue;
    changes.push({
      kind: message.kind === 'incident' ? `incident ${message.event ?? ''}`.trim() : message.kind,
      subject: message.subject,
      about: message.about,
      receivers: missing,
    });
  }
  return changes;
}

function perReceiver(deployed: SentMessage[], candidate: SentMessage[]): Record<string, Pair> {
  const counts = new Map<string, { deployed: number; candidate: number }>();
  const add = (messages: SentMessage[], side: 'deployed' | 'candidate'): void => {
    for (const m of messages)
      for (const r of m.receivers) {
        const entry = counts.get(r) ?? { deployed: 0, candidate: 0 };
        entry[side]++;
        counts.set(r, entry);
      }
  };
  add(deployed, 'deployed');
  add(candidate, 'candidate');
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export function compareSides(
  deployed: SideResult,
  candidate: SideResult,
  skipped: WhatifReport['skipped'] = [],
): WhatifReport {
  const a = allMessages(deployed);
  const b = allMessages(candidate);
  const differences: AlertDifference[] = [];
  deployed.alerts.forEach((before, i) => {
    const after = candidate.alerts[i];
    if (!after) return;
    const was = handling(before);
    const would = handling(after);
    if (was === would) return;
    differences.push({
      alertId: before.alertId,
      condition: before.condition,
      at: before.at,
      rule: before.rule,
      devices: before.devices,
      ...(before.cause !== undefined && { cause: before.cause }),
      deployed: was,
      candidate: would,
    });
  });
  const silenceIds = [
    ...new Set([...Object.keys(deployed.heldBySilence), ...Object.keys(candidate.heldBySilence)]),
  ].sort();
  return {
    labels: { deployed: deployed.label, candidate: candidate.label },
    alerts: deployed.alerts.length,
    messages: { deployed: a.length, candidate: b.length },
    messagesPerReceiver: perReceiver(a, b),
    incidentsOpened: { deployed: deployed.incidentsOpened, candidate: candidate.incidentsOpened },
    renewalsAsOneLine: {
      deployed: deployed.renewalsCompacted,
      candidate: candidate.renewalsCompacted,
    },
    renewalsNotPosted: {
      deployed: deployed.renewalsSuppressed,
      candidate: candidate.renewalsSuppressed,
    },
    heldBySilence: Object.fromEntries(
      silenceIds.map((id) => [
        id,
        { deployed: deployed.heldBySilence[id] ?? 0, candidate: candidate.heldBySilence[id] ?? 0 },
      ]),
    ),
    cardsAppearing: cardChanges(b, a),
    cardsDisappearing: cardChanges(a, b),
    differences,
    skipped,
  };
}
