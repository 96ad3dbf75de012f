/**
 * The digest's KQL, parsed and bound by the real Kusto language service against the
 * `AzureDiagnostics` schema: no diagnostics, the columns `digestFigures.ts` reads, bounded rows,
 * and the hub only ever inside one string literal.
 */

import { AUTH_COMPANION_MS, NOT_IN_HUB_WORDS } from '../../../lib/diagnose/thresholds';
import {
  DIGEST_FAMILIES,
  DIGEST_LIST_ROWS,
  DIGEST_QUERY_NAMES,
  DIGEST_SDK_ROWS,
  InvalidHubError,
  LIMIT_BIN_MINUTES,
  planDigestQueries,
  type DigestQueryName,
} from '../../../lib/digest/digestKql';
import { DIGEST_RESULT_COLUMNS } from '../../../lib/digest/digestFigures';
import {
  burstQuery,
  deviceEventsQuery,
  sdkDevicesQuery,
  siteDropsQuery,
} from '../../../lib/digest/queryLinks';
import { WORKSPACE_GLOBALS as globals } from '../../support/hostileDeviceQuery';
import { analyzeKql, type KqlAnalysis } from '../../support/kustoSchema';

const HUB =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg.iot_(eu)/providers/microsoft.devices/iothubs/hub-prod-02';
const UNTIL = new Date('2026-11-20T07:00:00Z');

const plan = planDigestQueries(HUB, UNTIL);
const analysed = new Map<DigestQueryName, KqlAnalysis>(
  plan.queries.map((q) => [q.name, analyzeKql(q.query, globals)]),
);

test('plans the six digest queries over the day and the week before', () => {
  expect(plan.queries.map((q) => q.name)).toEqual(DIGEST_QUERY_NAMES);
  expect(plan.day).toEqual({ start: '2026-11-19T07:00:00.000Z', end: '2026-11-20T07:00:00.000Z' });
  expect(plan.week).toEqual({ start: '2026-11-12T07:00:00.000Z', end: '2026-11-19T07:00:00.000Z' });
  for (const query of plan.queries) expect(query.timespan).toEqual(plan.span);
});

describe.each(DIGEST_QUERY_NAMES)('%s', (name) => {
  const analysis = analysed.get(name)!;

  test('parses and binds against the AzureDiagnostics schema with no diagnostics', () => {
    expect(analysis.diagnostics).toEqual([]);
  });

  test('reads AzureDiagnostics only', () => {
    expect(new Set(analysis.tableReferences)).toEqual(new Set(['AzureDiagnostics']));
  });

  test('reads the Connections rows and the DeviceTelemetry (error) rows', () => {
    const query = plan.queries.find((q) => q.name === name)!.query;
    expect(query).toContain('| where Category in ("Connections", "DeviceTelemetry")\n');
  });

  test('holds the hub once, as one whole string literal', () => {
    expect(analysis.stringLiterals.filter((s) => s === HUB)).toHaveLength(1);
    expect(analysis.stringLiterals.filter((s) => s.includes('iothubs'))).toEqual([HUB]);
  });

  test('returns the columns the digest reads, with their types', () => {
    const expected = Object.entries(DIGEST_RESULT_COLUMNS[name]).map(([column, type]) => ({
      name: column,
      type,
    }));
    expect(analysis.resultColumns).toEqual(expect.arrayContaining(expected));
  });

  test('bounds the rows it returns', () => {
    const query = plan.queries.find((q) => q.name === name)!.query;
    if (name === 'digestFamilies') {
      // Grouped by period and family: at most 2 × 8 families + 2 rows.
      expect(query).toMatch(/by Period, Family/);
    } else {
      const limit = name === 'digestSdks' ? DIGEST_SDK_ROWS : DIGEST_LIST_ROWS;
      expect(query).toContain(`| take ${limit}\n`);
      expect(query).toMatch(/summarize Total = count\(\)/);
    }
  });
});

describe.each(['digestFamilies', 'digestDevices', 'digestSites'] as const)(
  '%s classifies the drops',
  (name) => {
    const literals = analysed.get(name)!.stringLiterals;

    test('with the limits (403002, 429xxx) and the removed identities (404001, the words)', () => {
      expect(literals).toEqual(
        expect.arrayContaining(['403002', '429', '404001', '401003', NOT_IN_HUB_WORDS]),
      );
    });

    test('into the families in the order of precedence of DIGEST_FAMILIES', () => {
      // Their first mention is the `case`, one arm each in order (the JS mirror's `familyOf`).
      const families = literals.filter((s) => (DIGEST_FAMILIES as readonly string[]).includes(s));
      expect([...new Set(families)]).toEqual(DIGEST_FAMILIES);
    });
  },
);

test('the limit bins are exact: no window of a limit error fits inside one', () => {
  expect(LIMIT_BIN_MINUTES * 60_000).toBeLessThanOrEqual(2 * AUTH_COMPANION_MS);
});

describe('hostile input never reaches the KQL', () => {
  test.each([
    '/subscriptions/x/resourcegroups/rg")|take 1//providers/microsoft.devices/iothubs/hub',
    '/subscriptions/x/resourcegroups/rg/providers/microsoft.devices/iothubs/hub\n| take 1',
    '/subscriptions/x/resourcegroups/rg/providers/microsoft.devices/iothubs/hub" | union AzureActivity | where "1" == "1',
    '/subscriptions/x/resourcegroups/rg/providers/microsoft.storage/storageaccounts/sa',
    '',
  ])('refuses %j', (hub) => {
    expect(() => planDigestQueries(hub, UNTIL)).toThrow(InvalidHubError);
  });

  test('refuses an invalid time', () => {
    expect(() => planDigestQueries(HUB, new Date('nope'))).toThrow(InvalidHubError);
  });

  test('a hub ID with every allowed odd character stays one literal', () => {
    const odd =
      '/subscriptions/abc-def/resourcegroups/rg-(a).b_c/providers/microsoft.devices/iothubs/h-1';
    const query = planDigestQueries(odd, UNTIL).queries.find((q) => q.name === 'digestStopped')!;
    const analysis = analyzeKql(query.query, globals);
    expect(analysis.diagnostics).toEqual([]);
    expect(analysis.stringLiterals.filter((s) => s.includes('iothubs'))).toEqual([odd]);
  });

  /** The short queries each digest line links to, with hostile values. */
  const HOSTILE = [
    'quote"inside',
    'back\\slash\\',
    '"); AzureActivity | take 1 //',
    'new\nline',
    '{{x}} ${y}',
  ];
  test.each([
    ['deviceEventsQuery', (v: string) => deviceEventsQuery(HUB, v)],
    ['sdkDevicesQuery', (v: string) => sdkDevicesQuery(HUB, v)],
    ['siteDropsQuery', (v: string) => siteDropsQuery(HUB, v)],
    ['burstQuery', () => burstQuery(HUB)],
  ])('%s holds hostile values as literals only', (_name, build) => {
    for (const value of HOSTILE) {
      const analysis = analyzeKql(build(value), globals);
      expect(analysis.diagnostics).toEqual([]);
      expect(analysis.tableReferences).toEqual(['AzureDiagnostics']);
    }
  });
});
