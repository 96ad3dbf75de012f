/**
 * `npm run demo -- --events`: a sample day of connection events, replayed against a running dev
 * host in seconds. The events are IoT Hub's 60-second snapshots of the sample workspace's
 * Connections rows (sampleDay.ts), posted to the Event Grid webhook one delivery per simulated
 * minute while `POST /dev/clock` moves the dev host's clock along, so that each reconnect grace
 * ends at its own simulated time. Then the inbox is read back and compared with what should
 * come of it: nothing for the renewals, one card and its follow-up for the device that stays
 * away, one incident card for the outage, and nothing else.
 */

import { join } from 'node:path';

import { ExportFileSource } from '../../evidence/exportFileSource';
import type { CheckTally } from './checkWorker';
import type { ClockMove } from './devClockRoute';
import { DEV_CLOCK_PATH } from './devClockRoute';
import { CONNECTION_EVENTS_FUNCTION, EVENT_GRID_PATH } from './eventGridRoute';
import { eventGridEventOf, type SnapshotEvent } from './connectionSnapshots';
import { type CardKind, cardKind, cardNames } from './inboxCards';
import { INBOX_MESSAGES_URL, type InboxMessage } from './inboxRoutes';
import { repoRoot } from './repoRoot';
import { AWAY_DEVICE, sampleDay, type SampleDay } from './sampleDay';
import { SAMPLE_HUB } from './sampleEnvironment';

/** After the window's last event, long enough for the last drops' graces (180 s) to end. */
const SETTLE_MS = 5 * 60_000;

export interface Expectation {
  readonly what: string;
  readonly expected: number;
  readonly got: number;
}

export interface ReplayOutcome {
  readonly day: Pick<SampleDay, 'renewalDevices' | 'incidentDevices' | 'from' | 'to'>;
  readonly events: number;
  readonly deliveries: number;
  /** The Event Grid answers, summed: recorded, duplicates, stale, ... */
  readonly intake: Readonly<Record<string, number>>;
  readonly checks: CheckTally;
  /** The messages the replay made, by kind. */
  readonly messages: Partial<Record<CardKind, number>>;
  readonly expectations: readonly Expectation[];
  /** The incident timer's update and closing cards for the incident: the dev host may post them. */
  readonly incidentTimerCards: number;
  readonly ok: boolean;
}

async function call(base: string, path: string, init?: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, init);
  } catch {
    throw new Error(`No dev host at ${base}: start it with \`npm start\` first`);
  }
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${init?.method ?? 'GET'} ${path} → ${response.status} ${text}`);
  }
  return JSON.parse(text) as unknown;
}

function postJson(base: string, path: string, body: unknown, headers = {}): Promise<unknown> {
  return call(base, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function add(into: Record<string, number>, more: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(more)) {
    if (typeof value === 'number') into[key] = (into[key] ?? 0) + value;
  }
}

/** The events one snapshot published, delivered together. */
function deliveriesOf(events: readonly SnapshotEvent[]): [string, SnapshotEvent[]][] {
  const byTime = new Map<string, SnapshotEvent[]>();
  for (const event of events) byTime.set(event.time, [...(byTime.get(event.time) ?? []), event]);
  return [...byTime.entries()];
}

function expectationsOf(
  day: SampleDay,
  messages: readonly InboxMessage[],
): { expectations: Expectation[]; timerCards: number } {
  const kinds = messages.map((m) => ({ kind: cardKind(m.body), body: m.body }));
  const counted = new Set<number>();
  const count = (pick: (m: { kind: CardKind; body: unknown }) => boolean): number => {
    let n = 0;
    kinds.forEach((m, index) => {
      if (!counted.has(index) && pick(m)) {
        counted.add(index);
        n++;
      }
    });
    return n;
  };
  const away = (kind: CardKind) => (m: { kind: CardKind; body: unknown }) =>
    m.kind === kind && cardNames(m.body, AWAY_DEVICE);
  const renewalDrops = day.events.filter(
    (e) => day.renewalDevices.includes(e.deviceId) && (e.state === 'disconnected' || e.blip),
  ).length;
  const expectations: Expectation[] = [
    { what: `${AWAY_DEVICE} stays away: its card`, expected: 1, got: count(away('alert')) },
    { what: `${AWAY_DEVICE} is back: the follow-up`, expected: 1, got: count(away('follow-up')) },
    {
      what: `hub incident, ${day.incidentDevices.length} devices: incident card`,
      expected: 1,
      got: count((m) => m.kind === 'incident-opened'),
    },
    {
      what: `hourly renewals, ${day.renewalDevices.length} devices, ${renewalDrops} drops: messages`,
      expected: 0,
      got: count((m) => day.renewalDevices.some((id) => cardNames(m.body, id))),
    },
  ];
  const timerCards = count((m) => m.kind === 'incident-updated' || m.kind === 'incident-closed');
  expectations.push({ what: 'anything else', expected: 0, got: kinds.length - counted.size });
  return { expectations, timerCards };
}

/** Replays the sample day against the dev host at `base`, which must not have moved its clock. */
export async function replayConnectionDay(
  base: string,
  progress: (line: string) => void = () => undefined,
): Promise<ReplayOutcome> {
  const clock = (await call(base, DEV_CLOCK_PATH)) as { moved?: boolean };
  if (clock.moved === true) {
    throw new Error(
      'The dev host clock has moved already (a replay ran): restart it (`npm start`) to replay again',
    );
  }
  const before = new Set(
    ((await call(base, INBOX_MESSAGES_URL)) as InboxMessage[]).map((m) => m.id),
  );
  const workspace = await ExportFileSource.fromPath(join(repoRoot(), 'samples', 'workspace'));
  const day = sampleDay(workspace.events, SAMPLE_HUB);
  const checks: Record<string, number> = {};
  const move = async (ms: number): Promise<void> => {
    const moved = (await postJson(base, DEV_CLOCK_PATH, {
      to: new Date(ms).toISOString(),
    })) as ClockMove;
    add(checks, moved.checks);
  };

  const webhook = `${EVENT_GRID_PATH}?functionName=${CONNECTION_EVENTS_FUNCTION}`;
  const intake: Record<string, number> = {};
  const deliveries = deliveriesOf(day.events);
  await move(day.from);
  for (const [time, events] of deliveries) {
    await move(Date.parse(time));
    const answer = await postJson(
      base,
      webhook,
      events.map((e) => eventGridEventOf(day.hubResourceId, e)),
      { 'aeg-event-type': 'Notification' },
    );
    add(intake, answer as Record<string, unknown>);
    progress(`  ${time.slice(11, 16)}  ${events.length} event(s)`);
  }
  await move(day.to + SETTLE_MS);

  const messages = ((await call(base, INBOX_MESSAGES_URL)) as InboxMessage[])
    .filter((m) => !before.has(m.id))
    .reverse();
  const byKind: Partial<Record<CardKind, number>> = {};
  for (const message of messages) {
    const kind = cardKind(message.body);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  const { expectations, timerCards } = expectationsOf(day, messages);
  return {
    day: {
      renewalDevices: day.renewalDevices,
      incidentDevices: day.incidentDevices,
      from: day.from,
      to: day.to,
    },
    events: day.events.length,
    deliveries: deliveries.length,
    intake,
    checks,
    messages: byKind,
    expectations,
    incidentTimerCards: timerCards,
    ok: expectations.every((e) => e.expected === e.got),
  };
}

const KIND_NAMES: Record<CardKind, string> = {
  alert: 'alert card',
  'renewal-line': 'renewal line',
  'follow-up': 'follow-up',
  'incident-opened': 'incident card',
  'incident-updated': 'incident update',
  'incident-closed': 'incident closing card',
  other: 'other',
};

const CHECK_NAMES: Record<string, string> = {
  back: 'back within the grace',
  'back-before-card': 'back before their card',
  'waiting-for-logs': 'waiting for the logs',
  'followed-up': 'followed up',
  'already-done': 'already done',
};

function listed(tally: Readonly<Record<string, number>>, names: Record<string, string> = {}) {
  const parts = Object.entries(tally)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${n} ${names[key] ?? key}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** What the demo prints once the replay is done. */
export function replaySummary(outcome: ReplayOutcome, base: string): string[] {
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  const width = Math.max(...outcome.expectations.map((e) => e.what.length));
  return [
    `${outcome.events} events in ${outcome.deliveries} Event Grid deliveries (${hhmm(outcome.day.from)}–${hhmm(outcome.day.to)} UTC): ${listed(outcome.intake)}.`,
    `Reconnect-grace checks: ${listed(outcome.checks, CHECK_NAMES)}.`,
    `Messages posted: ${listed(outcome.messages, KIND_NAMES)}.`,
    '',
    `  ${''.padEnd(width)}  expected  got`,
    ...outcome.expectations.map(
      (e) =>
        `  ${e.what.padEnd(width)}  ${String(e.expected).padStart(8)}  ${String(e.got).padStart(3)}${e.expected === e.got ? '' : '   ✗'}`,
    ),
    '',
    outcome.incidentTimerCards > 0
      ? `The incident timer also posted ${outcome.incidentTimerCards} update or closing card(s) of the incident.`
      : 'The incident timer (every 15 s on `npm start`) closes the incident next: its closing card follows.',
    outcome.ok
      ? `As expected. Open ${base}/ to read them.`
      : 'Not what was expected: see the rows marked ✗ and the dev host log.',
  ];
}
