/**
 * The rules of one identity's connection record: order by sequence number, duplicates and stale
 * events, a connect-connect blip, the drop's grace check, and the follow-up after a posted card.
 */

import { compareSequence } from '../../../lib/connections/connectionEvent';
import {
  applyConnectionEvent,
  type EventOutcome,
  type IdentityState,
} from '../../../lib/connections/identityState';
import { connectionEvent, seq } from './connectionEvents';

const NOW = new Date('2026-11-20T05:00:30Z');
const GRACE = 180;

function recorded(outcome: EventOutcome): Extract<EventOutcome, { kind: 'recorded' }> {
  if (outcome.kind !== 'recorded') throw new Error(`expected recorded, got ${outcome.kind}`);
  return outcome;
}

function apply(events: Parameters<typeof applyConnectionEvent>[1][]): {
  state: IdentityState | undefined;
  outcomes: EventOutcome[];
} {
  let state: IdentityState | undefined;
  const outcomes: EventOutcome[] = [];
  for (const event of events) {
    const outcome = applyConnectionEvent(state, event, GRACE, NOW);
    outcomes.push(outcome);
    if (outcome.kind === 'recorded') state = outcome.next;
  }
  return { state, outcomes };
}

describe('sequence numbers', () => {
  test('compare as hex strings, whatever the padding or case', () => {
    expect(compareSequence(seq(10), seq(9))).toBeGreaterThan(0);
    expect(compareSequence(seq(0xa), 'a')).toBe(0);
    expect(compareSequence('00FF', '0100')).toBeLessThan(0);
    expect(compareSequence(seq(1), seq(1))).toBe(0);
  });
});

describe('applyConnectionEvent', () => {
  test('a disconnect opens a drop and schedules one grace check, due after the grace', () => {
    const outcome = recorded(
      applyConnectionEvent(
        undefined,
        connectionEvent('disconnected', 5, '2026-11-20T05:00:00Z'),
        GRACE,
        NOW,
      ),
    );
    expect(outcome.next.drop).toEqual({
      sequenceNumber: seq(5),
      at: '2026-11-20T05:00:00.000Z'.replace('.000', ''),
    });
    expect(outcome.check).toMatchObject({
      kind: 'grace',
      dropSequence: seq(5),
      dueAt: '2026-11-20T05:03:30.000Z',
      graceSeconds: GRACE,
      logWaits: 0,
    });
  });

  test('the same event twice is a duplicate; an older one arriving late is stale', () => {
    const { outcomes, state } = apply([
      connectionEvent('disconnected', 5, '2026-11-20T05:00:00Z'),
      connectionEvent('disconnected', 5, '2026-11-20T05:00:00Z'),
      connectionEvent('connected', 7, '2026-11-20T05:01:00Z'),
      // Delivered out of order: an older disconnect must not reopen a drop.
      connectionEvent('disconnected', 6, '2026-11-20T05:00:40Z'),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['recorded', 'duplicate', 'recorded', 'stale']);
    expect(state?.state).toBe('connected');
    expect(state?.drop).toBeUndefined();
    expect(state?.lastReturn).toMatchObject({
      dropSequence: seq(5),
      returnedAt: '2026-11-20T05:01:00Z',
    });
  });

  test('events applied in any order end in the state of the highest sequence number', () => {
    const events = [
      connectionEvent('connected', 3, '2026-11-20T04:00:00Z'),
      connectionEvent('disconnected', 4, '2026-11-20T04:30:00Z'),
      connectionEvent('connected', 9, '2026-11-20T04:31:00Z'),
    ];
    const forward = apply(events).state;
    const backward = apply([...events].reverse()).state;
    expect(forward?.state).toBe('connected');
    expect(backward?.state).toBe('connected');
    expect(backward?.sequenceNumber).toBe(seq(9));
  });

  test('connected after connected with a new sequence number is a blip', () => {
    const { outcomes } = apply([
      connectionEvent('connected', 3, '2026-11-20T04:00:00Z'),
      connectionEvent('connected', 8, '2026-11-20T05:00:00Z'),
    ]);
    expect(recorded(outcomes[0]!).blip).toBe(false);
    expect(recorded(outcomes[1]!).blip).toBe(true);
    expect(recorded(outcomes[1]!).check).toBeUndefined();
  });

  test('disconnected again while away continues the open drop, with no second check', () => {
    const { outcomes, state } = apply([
      connectionEvent('disconnected', 4, '2026-11-20T05:00:00Z'),
      connectionEvent('disconnected', 6, '2026-11-20T05:02:00Z'),
    ]);
    expect(recorded(outcomes[1]!).check).toBeUndefined();
    expect(state?.drop?.sequenceNumber).toBe(seq(4));
    expect(state?.sequenceNumber).toBe(seq(6));
  });

  test('a return before any card schedules nothing; a return after the card schedules its follow-up', () => {
    const quiet = apply([
      connectionEvent('disconnected', 4, '2026-11-20T05:00:00Z'),
      connectionEvent('connected', 5, '2026-11-20T05:00:40Z'),
    ]);
    expect(recorded(quiet.outcomes[1]!).check).toBeUndefined();

    const away = recorded(
      applyConnectionEvent(
        undefined,
        connectionEvent('disconnected', 4, '2026-11-20T05:00:00Z'),
        GRACE,
        NOW,
      ),
    ).next;
    const alerted: IdentityState = { ...away, drop: { ...away.drop!, alertId: 'eventgrid:x' } };
    const back = recorded(
      applyConnectionEvent(
        alerted,
        connectionEvent('connected', 5, '2026-11-20T05:40:00Z'),
        GRACE,
        NOW,
      ),
    );
    expect(back.check).toMatchObject({
      kind: 'returned',
      alertId: 'eventgrid:x',
      droppedAt: '2026-11-20T05:00:00Z',
      returnedAt: '2026-11-20T05:40:00Z',
    });
  });

  test('a module is its own identity, and keeps its module id', () => {
    const outcome = recorded(
      applyConnectionEvent(
        undefined,
        connectionEvent('disconnected', 4, '2026-11-20T05:00:00Z', { moduleId: 'edgeHub' }),
        GRACE,
        NOW,
      ),
    );
    expect(outcome.next.moduleId).toBe('edgeHub');
    expect(outcome.check?.moduleId).toBe('edgeHub');
  });
});
