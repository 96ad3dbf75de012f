/**
 * "Is this new for this device?": the label of one device's drop against its own 30 days, at
 * every boundary (first / rare / recurring, hour concentration vs spread, shorter histories), and
 * the rule that a range never has two equal ends.
 */

import {
  busiestHoursOf,
  labelDeviceHistory,
  RARE_MAX_DROPS,
  RHYTHM_MIN_SHARE,
} from '../../../lib/diagnose/deviceHistory';
import type { DeviceHistory } from '../../../lib/evidence/evidence';

const END = '2026-11-20T06:00:00.000Z';
const DAY_MS = 24 * 60 * 60_000;

function before(ms: number): string {
  return new Date(Date.parse(END) - ms).toISOString();
}

/** Drop episodes per hour from a list of [hour, count]. */
function hours(...entries: [number, number][]): number[] {
  const counts = Array<number>(24).fill(0);
  for (const [hour, count] of entries) counts[hour] = count;
  return counts;
}

/** Drops spread one per hour round the clock, `n` of them. */
function spread(n: number): number[] {
  return Array.from({ length: 24 }, (_, hour) => Math.floor(n / 24) + (hour < n % 24 ? 1 : 0));
}

function history(overrides: Partial<DeviceHistory> = {}): DeviceHistory {
  const drops = overrides.dropsIn30Days ?? 0;
  return {
    deviceId: 'pump-7',
    dropsIn30Days: drops,
    dropsIn7Days: overrides.dropsIn7Days ?? drops,
    ...(drops > 0 && { firstDrop: before(20 * DAY_MS), lastDrop: before(5 * 60_000) }),
    dropsByHourUtc: spread(drops),
    period: { start: before(30 * DAY_MS), end: END },
    ...overrides,
  };
}

describe('labelDeviceHistory: first, rare, recurring', () => {
  test.each([
    [0, 'first-in-30-days', 'First drop in 30 days'],
    [1, 'first-in-30-days', 'First drop in 30 days'],
    [2, 'rare', 'Rare: 2 drops in 30 days'],
    [RARE_MAX_DROPS, 'rare', `Rare: ${RARE_MAX_DROPS} drops in 30 days`],
    [RARE_MAX_DROPS + 1, 'recurring', 'Recurring: 6 drops in 7 days, spread over the day'],
  ])('%i drop episodes in 30 days: %s', (drops, label, text) => {
    const labelled = labelDeviceHistory(history({ dropsIn30Days: drops }));
    expect(labelled.label).toBe(label);
    expect(labelled.text).toBe(text);
    expect(labelled.deviceId).toBe('pump-7');
    expect(labelled.dropsIn30Days).toBe(drops);
  });

  test('the rare limit is 5 episodes in 30 days', () => {
    expect(RARE_MAX_DROPS).toBe(5);
  });

  test('recurring mostly in the last week says "in 7 days", with the hour band', () => {
    const labelled = labelDeviceHistory(
      history({ dropsIn30Days: 40, dropsIn7Days: 38, dropsByHourUtc: hours([2, 30], [14, 10]) }),
    );
    expect(labelled.label).toBe('recurring');
    expect(labelled.text).toBe('Recurring: 38 drops in 7 days, most between 02:00 and 03:00 UTC');
    expect(labelled.busiestHours).toEqual({ startHour: 2, endHour: 3, drops: 30, share: 0.75 });
  });

  test('recurring mostly before the last week says 30 days, and how many in the last 7', () => {
    const labelled = labelDeviceHistory(history({ dropsIn30Days: 12, dropsIn7Days: 2 }));
    expect(labelled.text).toBe(
      'Recurring: 12 drops in 30 days, 2 in the last 7, spread over the day',
    );
  });

  test('"7 days" only when they run up to this drop (the last drop is today)', () => {
    const stale = history({ dropsIn30Days: 9, dropsIn7Days: 9, lastDrop: before(3 * DAY_MS) });
    expect(labelDeviceHistory(stale).text).toBe(
      'Recurring: 9 drops in 30 days, spread over the day',
    );
  });
});

describe('the hour band: only when the drops concentrate', () => {
  test('every drop in one hour: "all between"', () => {
    const labelled = labelDeviceHistory(
      history({ dropsIn30Days: 8, dropsByHourUtc: hours([3, 8]) }),
    );
    expect(labelled.text).toBe('Recurring: 8 drops in 7 days, all between 03:00 and 04:00 UTC');
  });

  test(`${RHYTHM_MIN_SHARE * 100} % in one hour is a band; just under it is not`, () => {
    expect(busiestHoursOf(hours([2, 6], [10, 1], [14, 1], [18, 1], [22, 1]))).toEqual({
      startHour: 2,
      endHour: 3,
      drops: 6,
      share: 0.6,
    });
    expect(busiestHoursOf(hours([2, 59], [10, 14], [14, 14], [18, 13]))).toBeUndefined();
  });

  test('the narrowest band that holds 60 %: two or three hours when one is not enough', () => {
    expect(busiestHoursOf(hours([2, 4], [3, 4], [12, 1], [18, 1]))).toMatchObject({
      startHour: 2,
      endHour: 4,
    });
    expect(busiestHoursOf(hours([1, 2], [2, 2], [3, 2], [12, 1], [18, 1]))).toMatchObject({
      startHour: 1,
      endHour: 4,
    });
  });

  test('a band across midnight: between 23:00 and 01:00', () => {
    const labelled = labelDeviceHistory(
      history({ dropsIn30Days: 10, dropsByHourUtc: hours([23, 4], [0, 4], [12, 2]) }),
    );
    expect(labelled.text).toBe('Recurring: 10 drops in 7 days, most between 23:00 and 01:00 UTC');
    expect(labelled.busiestHours).toMatchObject({ startHour: 23, endHour: 1 });
  });

  test('drops round the clock are spread over the day, whatever their number', () => {
    for (const drops of [6, 24, 100, 720]) {
      const labelled = labelDeviceHistory(history({ dropsIn30Days: drops }));
      expect(labelled.text).toMatch(/, spread over the day$/);
      expect(labelled.busiestHours).toBeUndefined();
    }
  });

  test('a rare device gets no rhythm, even when its drops share an hour', () => {
    const labelled = labelDeviceHistory(
      history({ dropsIn30Days: 3, dropsByHourUtc: hours([2, 3]) }),
    );
    expect(labelled.text).toBe('Rare: 3 drops in 30 days');
  });

  test('never a range with two equal ends, for any distribution of drops', () => {
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let run = 0; run < 2000; run++) {
      const peaked = Math.floor(next() * 24);
      const counts = Array.from({ length: 24 }, (_, hour) =>
        Math.floor(next() * (hour === peaked ? 60 : next() < 0.7 ? 0 : 8)),
      );
      const drops = counts.reduce((sum, n) => sum + n, 0);
      const labelled = labelDeviceHistory(
        history({ dropsIn30Days: drops, dropsIn7Days: drops, dropsByHourUtc: counts }),
      );
      expect(labelled.text).not.toMatch(/between (\d\d:\d\d) and \1/);
      if (labelled.busiestHours) {
        expect(labelled.busiestHours.endHour).not.toBe(labelled.busiestHours.startHour);
      }
    }
  });
});

describe('a history shorter than 30 days (an export)', () => {
  function read(
    ms: number,
    drops: number,
    byHour = spread(drops),
  ): ReturnType<typeof labelDeviceHistory> {
    return labelDeviceHistory(
      history({
        dropsIn30Days: drops,
        dropsByHourUtc: byHour,
        period: { start: before(ms), end: END },
      }),
    );
  }

  test('says how much was read', () => {
    expect(read(8 * 60 * 60_000, 1).text).toBe('First drop in the 8 h of logs read');
    expect(read(45 * 60_000, 1).text).toBe('First drop in the 45 min of logs read');
    expect(read(12 * DAY_MS, 0).text).toBe('First drop in the 12 days of logs read');
    expect(read(0, 0).text).toBe('First drop in the logs read');
  });

  test('scales the rare limit: 2 drops in 8 hours recur, in 15 days they are rare', () => {
    expect(read(8 * 60 * 60_000, 2)).toMatchObject({
      label: 'recurring',
      text: 'Recurring: 2 drops in the 8 h of logs read',
    });
    expect(read(15 * DAY_MS, 2).label).toBe('rare');
    expect(read(15 * DAY_MS, 3).label).toBe('recurring');
  });

  test('no hour band from less than 2 days of logs, however the drops fall', () => {
    const labelled = read(20 * 60 * 60_000, 6, hours([2, 6]));
    expect(labelled.text).toBe('Recurring: 6 drops in the 20 h of logs read');
    expect(labelled.busiestHours).toBeUndefined();
  });
});
