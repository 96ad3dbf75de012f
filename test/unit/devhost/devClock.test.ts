/** The dev host's clock: real time plus an offset that a demo moves. */

import { DevClock } from '../../../lib/tools/devhost/devClock';

describe('DevClock', () => {
  let real = Date.parse('2026-12-06T21:00:00Z');
  const clock = () => new DevClock(() => new Date(real));

  test('reads real time until moved, then real time plus the offset', () => {
    const dev = clock();
    expect(dev.now().toISOString()).toBe('2026-12-06T21:00:00.000Z');
    dev.moveTo(Date.parse('2026-11-20T04:00:00Z'));
    real += 1500;
    expect(dev.now().toISOString()).toBe('2026-11-20T04:00:01.500Z');
    expect(dev.hasMoved).toBe(true);
  });

  test('the first move may go back (a replay of a past day); later ones only forward', () => {
    const dev = clock();
    expect(dev.refusal(Date.parse('2026-11-20T04:00:00Z'))).toBeUndefined();
    dev.moveTo(Date.parse('2026-11-20T04:00:00Z'));
    expect(dev.refusal(Date.parse('2026-11-20T05:00:00Z'))).toBeUndefined();
    expect(dev.refusal(Date.parse('2026-11-20T03:59:00Z'))).toMatch(/only moves forward/);
    expect(() => {
      dev.moveTo(Date.parse('2026-11-20T03:59:00Z'));
    }).toThrow(/only moves forward/);
    expect(dev.refusal(Number.NaN)).toMatch(/ISO 8601/);
  });

  test('never hands out an earlier time than before, even when the system clock steps back', () => {
    const dev = clock();
    const first = dev.now().getTime();
    real -= 10_000;
    expect(dev.now().getTime()).toBe(first);
  });

  test('moving forward to a time real time has just passed is no move, not a refusal', () => {
    // The replay reads the clock, then asks for that time; under load a millisecond passes.
    const dev = clock();
    dev.moveTo(Date.parse('2026-11-20T04:00:00Z'));
    const read = dev.now().getTime();
    real += 1;
    expect(() => {
      dev.moveForwardTo(read);
    }).not.toThrow();
    expect(dev.now().getTime()).toBe(read + 1);
    dev.moveForwardTo(Date.parse('2026-11-20T05:00:00Z'));
    expect(dev.now().toISOString()).toBe('2026-11-20T05:00:00.000Z');
  });
});
