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
import { RESULT_COLUMNS } from '../../../lib/evidence/logAnalyticsRows';
import {
  analyseWithHostileIds,
  BAD_HUB,
  HUB,
  itKeepsHostileIdsInLiterals,
} from '../../support/hostileDeviceQuery';

const analysis = analyseWithHostileIds(buildDeviceTimelinesQuery);
const { hostile } = analysis;

describe('the batched device-timeline query', () => {
  itKeepsHostileIdsInLiterals(analysis);

  test('literalDeviceId drops control characters other than line breaks and tabs', () => {
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
