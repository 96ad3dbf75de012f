/**
 * The device-history query ("is this new for this device?"), parsed and bound by the real Kusto
 * language service against the real `AzureDiagnostics` schema, with hostile device IDs that must
 * stay inside literals, and its bounds: one row per device, 1 to 50 devices, 30 days of timespan.
 */

import {
  buildDeviceHistoryQuery,
  HISTORY_DAYS,
  historyPeriod,
  planEvidenceQueries,
  RECENT_HISTORY_DAYS,
} from '../../../lib/evidence/kql';
import { RESULT_COLUMNS } from '../../../lib/evidence/logAnalyticsRows';
import {
  analyseWithHostileIds,
  BAD_HUB,
  HUB,
  itKeepsHostileIdsInLiterals,
} from '../../support/hostileDeviceQuery';
import { testAlert } from '../../support/testAlert';

const analysis = analyseWithHostileIds(buildDeviceHistoryQuery);
const { hostile } = analysis;

describe('the device-history query', () => {
  itKeepsHostileIdsInLiterals(analysis, ['404104']);

  test('returns exactly the columns LogAnalyticsSource reads, with their types', () => {
    const spec = RESULT_COLUMNS.deviceHistory;
    const expected = Object.entries({ ...spec.required, ...spec.optional }).map(([name, type]) => ({
      name,
      type,
    }));
    expect(hostile.resultColumns).toEqual(expected);
  });

  test('is one aggregated row per device: no raw rows, and no time written into the KQL', () => {
    const query = buildDeviceHistoryQuery([HUB], ['a', 'b']);
    expect(query.trimEnd().split('\n').at(-1)).toMatch(/ by DeviceId$/);
    expect(query).not.toMatch(/\bago\(|\bnow\(|datetime\(|TimeGenerated\s*[<>]/);
    expect(query).toContain(`countif(Episode > LastEpisode - ${RECENT_HISTORY_DAYS}d)`);
    expect(query).toContain('by DeviceId, Episode = bin(TimeGenerated, 5m)');
  });

  test('refuses an empty or oversized device list and a list without a valid hub', () => {
    expect(() => buildDeviceHistoryQuery([HUB], [])).toThrow(/1 to 50/);
    const many = Array.from({ length: 51 }, (_, i) => `d${i}`);
    expect(() => buildDeviceHistoryQuery([HUB], many)).toThrow(/1 to 50/);
    expect(() => buildDeviceHistoryQuery([BAD_HUB], ['a'])).toThrow(/valid IoT hub/);
  });

  test('is planned for device alerts only, over 30 days ending at the alert window end', () => {
    const window = { start: '2026-11-20T05:52:12.000Z', end: '2026-11-20T06:07:12.000Z' };
    const plan = planEvidenceQueries(
      testAlert({ hubResourceIds: [HUB], deviceIds: ['sensor-0042'], window }),
      { lookbackMinutes: 360 },
    );
    const history = plan.queries.find((q) => q.name === 'deviceHistory');
    expect(history?.timespan).toEqual({ start: '2026-10-21T06:07:12.000Z', end: window.end });
    expect(history?.timespan).toEqual(historyPeriod(window.end));
    expect(Date.parse(window.end) - Date.parse(history?.timespan.start ?? '')).toBe(
      HISTORY_DAYS * 24 * 60 * 60_000,
    );
    expect(history?.filter).toEqual({ hubResourceIds: [HUB], deviceIds: ['sensor-0042'] });
    const fleet = planEvidenceQueries(testAlert({ hubResourceIds: [HUB], deviceIds: [] }), {
      lookbackMinutes: 360,
    });
    expect(fleet.queries.map((q) => q.name)).not.toContain('deviceHistory');
  });
});
