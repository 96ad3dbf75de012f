/**
 * The device-history aggregate computed over export files (`ExportFileSource.deviceHistory`):
 * the same answer the KQL gives (episodes, the 7 days up to the last drop, hours of the day),
 * one history per device asked, over the part of the 30 days the export holds.
 */

import type { ConnectionEvent } from '../../../lib/evidence/evidence';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { hourCountsOf } from '../../../lib/evidence/deviceHistories';
import { type EvidenceQuery, planEvidenceQueries } from '../../../lib/evidence/kql';
import { repoPath } from '../../support/fixtures';
import { event, HUB } from '../../support/scenario';
import { testAlert } from '../../support/testAlert';

const OTHER_HUB = HUB.replace('contoso-fleet-hub', 'contoso-lab-hub');
const DAY = 24 * 60;
/** The alert window ends at 06:00 on the scenario's day (minute 360). */
const WINDOW_END = 360;

function historyQuery(deviceIds: string[], end = WINDOW_END): EvidenceQuery {
  const iso = (minutes: number): string =>
    new Date(Date.parse('2026-11-20T00:00:00Z') + minutes * 60_000).toISOString();
  const plan = planEvidenceQueries(
    testAlert({
      window: { start: iso(end - 15), end: iso(end) },
      hubResourceIds: [HUB],
      deviceIds,
    }),
    { lookbackMinutes: 360 },
  );
  const query = plan.queries.find((q) => q.name === 'deviceHistory');
  if (query === undefined) throw new Error('no deviceHistory query');
  return query;
}

const EVENTS: ConnectionEvent[] = [
  // Something of the hub 40 days back (outside the 30) and 25 days back: the export's oldest.
  event('quiet', -40 * DAY, 'connect'),
  event('quiet', -25 * DAY, 'connect'),
  // night-owl: every night at 02:xx for 12 nights, the last one today; one duplicate row and a
  // second drop in the same 5 minutes (one episode); one drop 40 days back (outside).
  ...Array.from({ length: 12 }, (_, night) => event('night-owl', -night * DAY + 130, '404104')),
  event('night-owl', 130, '404104'),
  event('night-owl', 132, '404104'),
  event('night-owl', -40 * DAY + 130, '404104'),
  // one-off: a single drop today, and other errors that are not drops.
  event('one-off', 350, '404104'),
  event('one-off', 351, '401003'),
  event('one-off', 352, '500001-connect'),
  // after-window: its drop after the window end does not count.
  event('after-window', WINDOW_END + 1, '404104'),
  // The same device ID on another hub: not this hub's device.
  { ...event('one-off', 200, '404104'), hubResourceId: OTHER_HUB },
];

const source = ExportFileSource.fromEvents(EVENTS);

describe('ExportFileSource.deviceHistory', () => {
  test('counts drop episodes, the 7 days up to the last drop, first and last, and hours', async () => {
    const [history] = (await source.deviceHistory(historyQuery(['night-owl']))).value;
    expect(history).toMatchObject({
      deviceId: 'night-owl',
      // 12 nights; today's three rows (one a duplicate, one 2 minutes later) are one episode.
      dropsIn30Days: 12,
      // The 7 days up to its last drop (today 02:10): tonight and the 6 nights before.
      dropsIn7Days: 7,
      firstDrop: '2026-11-09T02:10:00.000Z',
      lastDrop: '2026-11-20T02:12:00.000Z',
    });
    expect(history?.dropsByHourUtc).toHaveLength(24);
    expect(history?.dropsByHourUtc[2]).toBe(12);
    expect(history?.dropsByHourUtc.reduce((sum, n) => sum + n, 0)).toBe(12);
  });

  test('one history per device asked, in order, zero drops included', async () => {
    const answer = await source.deviceHistory(
      historyQuery(['one-off', 'quiet', 'unknown', 'after-window']),
    );
    expect(answer.value.map((h) => [h.deviceId, h.dropsIn30Days, h.dropsIn7Days])).toEqual([
      ['one-off', 1, 1],
      ['quiet', 0, 0],
      ['unknown', 0, 0],
      ['after-window', 0, 0],
    ]);
    expect(answer.value[1]).not.toHaveProperty('firstDrop');
    expect(answer.value[1]?.dropsByHourUtc).toEqual(Array(24).fill(0));
  });

  test('the period is the part of the 30 days the export holds, not 30 days of quiet', async () => {
    const [history] = (await source.deviceHistory(historyQuery(['one-off']))).value;
    expect(history?.period).toEqual({
      start: '2026-10-26T00:00:00.000Z',
      end: '2026-11-20T05:52:00.001Z',
    });
    const empty = ExportFileSource.fromEvents([event('x', -60 * DAY, '404104')]);
    const [none] = (await empty.deviceHistory(historyQuery(['x']))).value;
    expect(none?.dropsIn30Days).toBe(0);
    expect(none?.period).toEqual({
      start: '2026-11-20T06:00:00.000Z',
      end: '2026-11-20T06:00:00.000Z',
    });
  });

  test('over the sample workspace: thermostat-0042 renews hourly, sensor-0017 dropped once', async () => {
    const sample = await ExportFileSource.fromPath(repoPath('samples/workspace'));
    const answer = await sample.deviceHistory(
      historyQuery(['thermostat-0042', 'sensor-0017'], 6 * 60 + 7),
    );
    const [thermostat, sensor] = answer.value;
    // 404104 at 00:38, 01:43, 02:49, 03:54 (duplicated), 04:59, 06:05 before 06:07.
    expect(thermostat?.dropsIn30Days).toBe(6);
    expect(thermostat?.dropsByHourUtc.slice(0, 7)).toEqual([1, 1, 1, 1, 1, 0, 1]);
    expect(sensor?.dropsIn30Days).toBe(1);
    // The sample holds 00:00–08:00: the period says how little of the 30 days that is.
    expect(
      Date.parse(thermostat?.period.end ?? '') - Date.parse(thermostat?.period.start ?? ''),
    ).toBeLessThan(7 * 60 * 60_000);
  });
});

describe('hourCountsOf (the DropsByHour bag)', () => {
  test.each([
    ['a bag', { '2': 31, '23': 1 }, { 2: 31, 23: 1 }],
    ['its JSON text', '{"2":31,"23":1}', { 2: 31, 23: 1 }],
    ['nonsense keys and values', { '24': 1, x: 2, '-1': 3, '5': 'seven', '6': -1 }, {}],
    ['not JSON', '{oops', {}],
    ['null', null, {}],
  ])('%s', (_case, value, expected) => {
    const counts = Array(24).fill(0) as number[];
    for (const [hour, count] of Object.entries(expected)) counts[Number(hour)] = count;
    expect(hourCountsOf(value)).toEqual(counts);
  });
});
