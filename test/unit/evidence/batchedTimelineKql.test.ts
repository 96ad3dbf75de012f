/**
 * The batched device-timeline query, parsed and bound by the real Kusto language service against
 * the real `AzureDiagnostics` schema, with hostile device IDs that must stay inside literals.
 */

import {
  buildDeviceTimelinesQuery,
  literalDeviceId,
  MAX_BATCHED_ROWS_PER_DEVICE,
} from '../../../lib/evidence/batchedTimelineKql';
import { buildDeviceTimelineQuery } from '../../../lib/evidence/kql';
import { RESULT_COLUMNS } from '../../../lib/evidence/logAnalyticsSource';
import {
  AZURE_ACTIVITY,
  AZURE_DIAGNOSTICS,
  analyzeKql,
  kustoGlobals,
  type KqlAnalysis,
} from '../../support/kustoSchema';

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
  'h"hidden"',
  'Gerät-Ωµ-设备-🚀',
  'rtl\u202eoverride',
  'line\u2028separator\u2029paragraph',
  'x'.repeat(256),
];

const hostile = analyzeKql(buildDeviceTimelinesQuery([HUB, BAD_HUB], HOSTILE_DEVICES), globals);
const benign = analyzeKql(
  buildDeviceTimelinesQuery(
    [HUB],
    HOSTILE_DEVICES.map((_, i) => `device-${i}`),
  ),
  globals,
);

const kinds = (analysis: KqlAnalysis): string[] => analysis.tokens.map((t) => t.kind);

describe('the batched device-timeline query', () => {
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

  test('holds every device ID as one whole literal, as literalDeviceId predicts', () => {
    expect(hostile.stringLiterals).toEqual([
      'MICROSOFT.DEVICES',
      'IOTHUBS',
      'Connections',
      'DeviceTelemetry',
      HUB,
      'properties_s',
      '',
      ...HOSTILE_DEVICES.map(literalDeviceId),
    ]);
    expect(literalDeviceId('bell\u0007and\u0000nul')).toBe('bellandnul');
    expect(literalDeviceId('new\nline\ttab')).toBe('new\nline\ttab');
  });

  test('returns the deviceTimeline columns LogAnalyticsSource reads, and no helper column', () => {
    const spec = RESULT_COLUMNS.deviceTimeline;
    // No TotalRows: a batch caps per device, and the batcher tells a device that hit its cap.
    const expected = Object.entries({ ...spec.required, ...spec.optional })
      .filter(([name]) => name !== 'TotalRows')
      .map(([name, type]) => ({ name, type }));
    expect(hostile.resultColumns).toEqual(expect.arrayContaining(expected));
    expect(hostile.resultColumns?.map((c) => c.name)).not.toContain('RowOfDevice');
    expect(hostile.resultColumns).toHaveLength(expected.length);
  });

  test('caps rows per device, not in total', () => {
    const query = buildDeviceTimelinesQuery([HUB], ['a', 'b']);
    expect(query).toContain(`| where RowOfDevice <= ${MAX_BATCHED_ROWS_PER_DEVICE}`);
    expect(query).toContain('row_number(1, prev(DeviceId) != DeviceId)');
    expect(query).not.toMatch(/\|\s*top /);
  });

  test('starts like the single-device query (same filters, same projection)', () => {
    // The single-device query reads its rows inside `let Rows = materialize(...)` to count them.
    const single = buildDeviceTimelineQuery([HUB], ['a', 'b']).split('\n');
    const rows = single
      .slice(0, single.indexOf(');'))
      .map((line) => line.replace(/^let Rows = materialize\(/, '').replace(/^ {2}/, ''));
    const batched = buildDeviceTimelinesQuery([HUB], ['a', 'b']).split('\n');
    expect(rows.length).toBeGreaterThan(5);
    expect(batched.slice(0, rows.length)).toEqual(rows);
  });

  test('refuses an empty or oversized batch and a batch without a valid hub', () => {
    expect(() => buildDeviceTimelinesQuery([HUB], [])).toThrow(/1 to 50/);
    const many = Array.from({ length: 51 }, (_, i) => `d${i}`);
    expect(() => buildDeviceTimelinesQuery([HUB], many)).toThrow(/1 to 50/);
    expect(() => buildDeviceTimelinesQuery([BAD_HUB], ['a'])).toThrow(/valid IoT hub/);
  });
});
