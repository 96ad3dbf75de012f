/**
 * `/dev/clock`, dev host only: `GET` reads the dev host's clock; `POST {"to": ISO}` moves it
 * (forward only, after a first move that may start a replay on a past day), runs the checks due by
 * then at their own times, waits until they and the alert queue are done, and answers with what
 * the checks did. It exists so that `npm run demo -- --events` can replay a day in seconds.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

import type { CheckTally, CheckWorker } from './checkWorker';
import type { DevClock } from './devClock';
import { readBody, send } from './httpIo';

export const DEV_CLOCK_PATH = '/dev/clock';

/** `{"to": "2026-11-20T04:00:00Z"}` and no more. */
const MAX_CLOCK_BODY_BYTES = 4096;

export interface ClockMove {
  readonly from: string;
  readonly now: string;
  /**
   * The checks that ended since the previous move's answer, by outcome (`back`, `alerted`,
   * `followed-up`, ...): those of this move, and those that came due in real time in between (a
   * check scheduled as the clock reads now runs on the next tick), so the answers add up.
   */
  readonly checks: CheckTally;
}

export interface DevClockDeps {
  readonly clock: DevClock;
  readonly checks: CheckWorker;
  /** Resolves when every queued alert has been processed. */
  readonly drainAlerts: () => Promise<void>;
  /** Runs `work` with no clock move or incident timer run beside it. */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** The tally the previous move answered with (the route keeps it up to date). */
  readonly reported: { tally: CheckTally };
}

function difference(after: CheckTally, before: CheckTally): CheckTally {
  const moved: CheckTally = {};
  for (const [result, count] of Object.entries(after) as [keyof CheckTally, number][]) {
    const ran = count - (before[result] ?? 0);
    if (ran > 0) moved[result] = ran;
  }
  return moved;
}

/** The target of a move, or the reason the body names none. */
async function targetOf(request: IncomingMessage): Promise<number | string> {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(await readBody(request, MAX_CLOCK_BODY_BYTES)).toString('utf8'));
  } catch {
    return 'Body must be JSON: {"to": "<ISO 8601 time>"}';
  }
  const to = (body as { to?: unknown } | null)?.to;
  // Date.parse alone takes "5" or "May"; a time must at least name a day.
  if (typeof to !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(to) || Number.isNaN(Date.parse(to))) {
    return 'to must be an ISO 8601 time';
  }
  return Date.parse(to);
}

export async function routeDevClock(
  request: IncomingMessage,
  response: ServerResponse,
  deps: DevClockDeps,
): Promise<void> {
  const { clock } = deps;
  if (request.method === 'GET') {
    send(response, 200, { now: clock.now().toISOString(), moved: clock.hasMoved });
    return;
  }
  if (request.method !== 'POST') {
    send(
      response,
      405,
      { error: `${request.method ?? ''} is not allowed here`, path: '' },
      {
        Allow: 'GET, POST',
      },
    );
    return;
  }
  const target = await targetOf(request);
  if (typeof target === 'string') {
    send(response, 400, { error: target, path: 'to' });
    return;
  }
  const answer = await deps.exclusive(async (): Promise<ClockMove | string> => {
    // Checked here, in turn: a move queued behind another is judged against where that one ended.
    const refusal = clock.refusal(target);
    if (refusal !== undefined) return refusal;
    const from = clock.now().toISOString();
    await deps.checks.advanceTo(target);
    // A check's alert may come through the alert queue; its work may schedule more checks.
    await deps.drainAlerts();
    await deps.checks.settle();
    const after = deps.checks.tally();
    const checks = difference(after, deps.reported.tally);
    deps.reported.tally = after;
    return { from, now: clock.now().toISOString(), checks };
  });
  if (typeof answer === 'string') send(response, 400, { error: answer, path: 'to' });
  else send(response, 200, answer);
}
