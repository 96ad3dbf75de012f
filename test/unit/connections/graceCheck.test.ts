/**
 * The grace check's verdicts: back just inside the grace (no message, with its likely reason),
 * still away just outside it (an alert), early checks wait, lost records still alert, and a
 * return that came only while the check waited for the logs posts nothing.
 */

import { decideGraceCheck } from '../../../lib/connections/graceCheck';
import {
  applyConnectionEvent,
  type ConnectionCheck,
  type IdentityState,
} from '../../../lib/connections/identityState';
import { connectionEvent } from './connectionEvents';

const GRACE = 180;
const DROP_AT = '2026-11-20T05:00:00Z';
/** Received 30 s after the snapshot: the check is due at 05:03:30. */
const RECEIVED = new Date('2026-11-20T05:00:30Z');
const DUE = new Date('2026-11-20T05:03:30Z');

function run(events: Parameters<typeof applyConnectionEvent>[1][]): {
  state: IdentityState | undefined;
  check: ConnectionCheck;
} {
  let state: IdentityState | undefined;
  let check: ConnectionCheck | undefined;
  for (const event of events) {
    const outcome = applyConnectionEvent(state, event, GRACE, RECEIVED);
    if (outcome.kind !== 'recorded') continue;
    state = outcome.next;
    check ??= outcome.check;
  }
  if (!check) throw new Error('no check scheduled');
  return { state, check };
}

const at = (seconds: number): string =>
  new Date(Date.parse(DROP_AT) + seconds * 1000).toISOString();

describe('decideGraceCheck', () => {
  test('back just inside the grace: no message, a brief drop when there is no rhythm', () => {
    const { state, check } = run([
      connectionEvent('disconnected', 4, DROP_AT),
      connectionEvent('connected', 5, at(GRACE - 1)),
    ]);
    expect(decideGraceCheck(state, check, DUE)).toEqual({
      kind: 'back',
      reason: 'brief drop',
      awayMs: (GRACE - 1) * 1000,
    });
  });

  test('still disconnected when the grace ends: away, an alert', () => {
    const { state, check } = run([connectionEvent('disconnected', 4, DROP_AT)]);
    expect(decideGraceCheck(state, check, DUE)).toEqual({ kind: 'away' });
  });

  test('a quick return on an hourly rhythm is a renewal', () => {
    const { state, check } = run([
      connectionEvent('disconnected', 2, '2026-11-20T04:00:00Z'),
      connectionEvent('connected', 3, '2026-11-20T04:00:05Z'),
      connectionEvent('disconnected', 4, DROP_AT),
      connectionEvent('connected', 5, at(5)),
    ]);
    // The first drop's check is the one `run` kept; decide the second drop's instead.
    const second: ConnectionCheck = {
      ...check,
      dropSequence: state!.lastReturn!.dropSequence,
      droppedAt: DROP_AT,
    };
    expect(decideGraceCheck(state, second, DUE)).toMatchObject({ kind: 'back', reason: 'renewal' });
  });

  test('a check that fires early waits for the rest of its grace', () => {
    const { state, check } = run([connectionEvent('disconnected', 4, DROP_AT)]);
    expect(decideGraceCheck(state, check, new Date(DUE.getTime() - 60_000))).toEqual({
      kind: 'wait',
      delaySeconds: 60,
    });
  });

  test('no record (its write was lost after the check was scheduled): still away', () => {
    const { check } = run([connectionEvent('disconnected', 4, DROP_AT)]);
    expect(decideGraceCheck(undefined, check, DUE)).toEqual({ kind: 'away' });
  });

  test('a newer drop means this one came back in between: a blip, no message', () => {
    const { state, check } = run([
      connectionEvent('disconnected', 4, DROP_AT),
      connectionEvent('connected', 5, at(20)),
      connectionEvent('disconnected', 6, at(60)),
      connectionEvent('connected', 7, at(70)),
      connectionEvent('disconnected', 8, at(90)),
    ]);
    expect(decideGraceCheck(state, check, DUE)).toEqual({ kind: 'back', reason: 'blip' });
  });

  test('back only after the grace, while the check waited for logs: no card', () => {
    const { state, check } = run([
      connectionEvent('disconnected', 4, DROP_AT),
      connectionEvent('connected', 5, at(GRACE + 100)),
    ]);
    expect(decideGraceCheck(state, { ...check, logWaits: 2 }, DUE)).toEqual({
      kind: 'back-before-card',
      awayMs: (GRACE + 100) * 1000,
    });
  });

  test('a retry after the decision carries the alert id on', () => {
    const { state, check } = run([connectionEvent('disconnected', 4, DROP_AT)]);
    const alerted: IdentityState = { ...state!, drop: { ...state!.drop!, alertId: 'eventgrid:x' } };
    expect(decideGraceCheck(alerted, check, DUE)).toEqual({ kind: 'away', alertId: 'eventgrid:x' });
  });
});
