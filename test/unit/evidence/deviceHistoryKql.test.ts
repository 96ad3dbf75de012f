/**
 * The device-history query ("is this new for this device?"), parsed and bound by the real Kusto
 * language service against the real `AzureDiagnostics` schema, with hostile device IDs that must
 * stay inside literals, and its bounds: one row per device, 1 to 50 devices, 30 days of timespan.
 */

import { literalDeviceId } from '../../../lib/evidence/batchedTimelineKql';
import {
  buildDeviceHistoryQuery,
  HISTORY_DAYS,
  historyPeriod,
  planEvidenceQueries,
  RECENT_HISTORY_DAYS,
} from '../../../lib/evidence/kql';
import { RESULT_COLUMNS } from '../../../lib/evidence/logAnalyticsSource';
import {
  AZURE_ACTIVITY,
  AZURE_DIAGNOSTICS,
  analyzeKql,
  kustoGlobals,
  type KqlAnalysis,
} from '../../support/kustoSchema';
import { testAlert } from '../../support/testAlert';

const globals = kustoGlobals([AZURE_DIAGNOSTICS, AZURE_ACTIVITY]);

const HUB =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/hub-prod-01';
const BAD_HUB =
  '/subscriptions/x/resourcegroups/rg")|take 1//providers/microsoft.devices/iothubs/h';

const HOSTILE_DEVICES = [
  'sensor-0042',
  'quote"inside',
  "single'quote",
  'back\\slash\\',
  'new\nline',
  'carriage\rreturn\ttab',
  'bell\u0007and\u0000nul',
  '"); AzureActivity | take 1 //',
  '\\"); AzureActivity | take 1 //',
  '" | union AzureActivity | where "1" == "1',
  "'; AzureActivity; //",
  '@"verbatim"',
  'Gerät-Ωµ-设备-🚀',
  'rtl\u202eoverride',
  'x'.repeat(256),
];

const hostile = analyzeKql(buildDeviceHistoryQuery([HUB, BAD_HUB], HOSTILE_DEVICES), globals);
const benign = analyzeKql(
  buildDeviceHistoryQuery(
    [HUB],
    HOSTILE_DEVICES.map((_, i) => `device-${i}`),
  ),
  globals,
);

const kinds = (analysis: KqlAnalysis): string[] => analysis.tokens.map((t) => t.kind);

describe('the device-history query', () => {
  test('parses and binds against the AzureDiagnostics schema with no diagnostics', () => {
    expect(hostile.diagnostics).toEqual([]);
    expect(benign.diagnostics).toEqual([]);
  });

  test('reads AzureDiagnostics once and nothing else', () => {
    expect(hostile.tableReferences).toEqual(['AzureDiagnostics']);
  });

  test('has exactly the syntax of the same query with harmless IDs', () => {
    expect(kinds(hostile)).toEqual(kinds(benign));
    expect(hostile.tokens.filter((t) => t.trivia.includes('//'))).toEqual([]);
  });

  test('holds every device ID as one whole literal, and the invalid hub nowhere', () => {
    expect(hostile.stringLiterals).toEqual([
      'MICROSOFT.DEVICES',
      'IOTHUBS',
      'Connections',
      'DeviceTelemetry',
      HUB,
      'properties_s',
      '',
      ...HOSTILE_DEVICES.map(literalDeviceId),
      '404104',
    ]);
  });

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
