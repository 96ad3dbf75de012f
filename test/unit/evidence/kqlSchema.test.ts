/**
 * Every query the enricher sends, parsed and bound by the real Kusto language service against
 * the real `AzureDiagnostics` schema: no diagnostics, the result columns `LogAnalyticsSource`
 * reads, and alert text that stays inside string literals whatever it contains.
 */

import type { Alert } from '../../../lib/alerts/alert';
import { planEvidenceQueries, type EvidencePlan, type QueryName } from '../../../lib/evidence/kql';
import { RESULT_COLUMNS } from '../../../lib/evidence/logAnalyticsRows';
import { WORKSPACE_GLOBALS as globals } from '../../support/hostileDeviceQuery';
import {
  AZURE_DIAGNOSTICS,
  analyzeKql,
  kustoGlobals,
  type KqlAnalysis,
} from '../../support/kustoSchema';
import { testAlert } from '../../support/testAlert';

const HUBS = [
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/hub-prod-01',
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg.iot_(eu)/providers/microsoft.devices/iothubs/hub-prod-02',
  '/subscriptions/55555555-6666-7777-8888-999999999999/resourcegroups/rg-b/providers/microsoft.devices/iothubs/h3',
];

/** Hub IDs that fail validation and must never reach the KQL. */
const BAD_HUBS = [
  '/subscriptions/x/resourcegroups/rg")|take 1//providers/microsoft.devices/iothubs/hub',
  '/subscriptions/x/resourcegroups/rg/providers/microsoft.devices/iothubs/hub\n| take 1',
  '/subscriptions/x/resourcegroups/rg/providers/microsoft.storage/storageaccounts/sa',
];

const HOSTILE_DEVICES = [
  'sensor-0042',
  'quote"inside',
  "single'quote",
  'back\\slash\\',
  'trailing-backslash\\',
  'new\nline',
  'carriage\rreturn\ttab',
  'bell\u0007and\u0000nul',
  '"); AzureActivity | take 1 //',
  '\\"); AzureActivity | take 1 //',
  '" | union AzureActivity | where "1" == "1',
  "'; AzureActivity; //",
  '@"verbatim"',
  '```fenced```',
  'h"hidden"',
  '{{curly}} ${template} %s',
  'Gerät-Ωµ-设备-🚀',
  'rtl\u202eoverride',
  'line\u2028separator\u2029paragraph',
  'x'.repeat(256),
];

function alertWith(hubResourceIds: readonly string[], deviceIds: readonly string[]): Alert {
  return testAlert({ hubResourceIds, deviceIds });
}

/** What a device ID becomes inside the literal: control characters other than \n \r \t dropped. */
function literalValue(deviceId: string): string {
  let value = '';
  for (const char of deviceId) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n' || char === '\r' || char === '\t' || (code >= 0x20 && code !== 0x7f)) {
      value += char;
    }
  }
  return value;
}

const hostilePlan = planEvidenceQueries(alertWith([...HUBS, ...BAD_HUBS], HOSTILE_DEVICES), {
  lookbackMinutes: 360,
});
/** The same shape of alert with harmless IDs: the syntax must come out identical. */
const benignPlan = planEvidenceQueries(
  alertWith(
    HUBS,
    HOSTILE_DEVICES.map((_, i) => `device-${i}`),
  ),
  { lookbackMinutes: 360 },
);
const fleetPlan = planEvidenceQueries(alertWith(HUBS.slice(0, 1), []), { lookbackMinutes: 60 });

function analysed(plan: EvidencePlan): [QueryName, KqlAnalysis][] {
  return plan.queries.map((query) => [query.name, analyzeKql(query.query, globals)]);
}

const hostile = analysed(hostilePlan);
const benign = new Map(analysed(benignPlan));

/** The fixed literals each query holds besides the hub and device lists. */
const FIXED_LITERALS = {
  deviceTimeline: [],
  fleetActivity: [
    'deviceConnect',
    'deviceDisconnect',
    '404104',
    '404104',
    '500',
    '503',
    '401003',
    '400027',
    '409002',
    '403002',
    '429',
    'deviceConnect',
  ],
  fleetSize: [],
  disconnectedDevices: ['404104', '404104', '404104', 'deviceConnect'],
  deviceHistory: ['404104'],
} as const;

/** The queries that name the alerted devices. */
const DEVICE_QUERIES: readonly QueryName[] = ['deviceTimeline', 'deviceHistory'];

test('the hostile alert plans all five queries, with the invalid hubs dropped', () => {
  expect(hostilePlan.queries.map((q) => q.name)).toEqual([
    'deviceTimeline',
    'fleetActivity',
    'fleetSize',
    'disconnectedDevices',
    'deviceHistory',
  ]);
  expect(hostilePlan.hubResourceIds).toEqual(HUBS);
  expect(fleetPlan.queries.map((q) => q.name)).toEqual([
    'fleetActivity',
    'fleetSize',
    'disconnectedDevices',
  ]);
});

describe.each(hostile)('%s', (name, analysis) => {
  test('parses and binds against the AzureDiagnostics schema with no diagnostics', () => {
    expect(analysis.diagnostics).toEqual([]);
  });

  test('reads AzureDiagnostics once and nothing else', () => {
    expect(analysis.tableReferences).toEqual(['AzureDiagnostics']);
  });

  test('has exactly the syntax of the same query with harmless IDs', () => {
    const kinds = (a: KqlAnalysis): string[] => a.tokens.map((t) => t.kind);
    expect(kinds(analysis)).toEqual(kinds(benign.get(name)!));
    expect(analysis.tokens.filter((t) => t.kind === 'BarToken')).toHaveLength(
      benign.get(name)!.tokens.filter((t) => t.kind === 'BarToken').length,
    );
    expect(analysis.tokens.filter((t) => t.trivia.includes('//'))).toEqual([]);
  });

  test('holds every alert value as one whole string literal, unchanged', () => {
    const devices = DEVICE_QUERIES.includes(name) ? HOSTILE_DEVICES.map(literalValue) : [];
    expect(analysis.stringLiterals).toEqual([
      'MICROSOFT.DEVICES',
      'IOTHUBS',
      'Connections',
      'DeviceTelemetry',
      ...HUBS,
      // column_ifexists("properties_s", ""): a new workspace has no properties_s column yet.
      'properties_s',
      '',
      ...devices,
      ...FIXED_LITERALS[name],
    ]);
  });

  test('returns the columns LogAnalyticsSource reads, with their types', () => {
    const spec = RESULT_COLUMNS[name];
    const expected = Object.entries({ ...spec.required, ...spec.optional }).map(
      ([column, type]) => ({ name: column, type }),
    );
    expect(analysis.resultColumns).toEqual(expect.arrayContaining(expected));
  });
});

test.each(analysed(fleetPlan))('%s of a fleet alert has no diagnostics', (_name, analysis) => {
  expect(analysis.errors).toEqual([]);
  expect(analysis.diagnostics).toEqual([]);
  expect(analysis.tableReferences).toEqual(['AzureDiagnostics']);
});

describe('a workspace that has not yet received properties_s', () => {
  const newWorkspace = kustoGlobals([
    {
      ...AZURE_DIAGNOSTICS,
      columns: AZURE_DIAGNOSTICS.columns.filter((column) => column.name !== 'properties_s'),
    },
  ]);

  test.each(analysed(hostilePlan).map(([name]) => name))(
    '%s still binds with no diagnostics (no rows instead of a 400)',
    (name) => {
      const query = hostilePlan.queries.find((q) => q.name === name)?.query ?? '';
      const analysis = analyzeKql(query, newWorkspace);
      expect(analysis.diagnostics).toEqual([]);
      expect(analysis.tableReferences).toEqual(['AzureDiagnostics']);
    },
  );

  test('the same query reading properties_s directly fails to bind there', () => {
    const direct =
      'AzureDiagnostics | extend DeviceId = tostring(parse_json(properties_s).deviceId)';
    expect(analyzeKql(direct, newWorkspace).errors.map((e) => e.code)).toEqual(['KS142']);
    expect(analyzeKql(direct, globals).errors).toEqual([]);
  });
});

describe('the checks can fail', () => {
  test('a device ID pasted in without escaping injects a second table', () => {
    const naive = `AzureDiagnostics\n| where tostring(parse_json(properties_s).deviceId) in ("${HOSTILE_DEVICES[8] ?? ''}")\n| take 1`;
    const analysis = analyzeKql(naive, globals);
    expect(analysis.tableReferences).toContain('AzureActivity');
  });

  test('a misspelt column is reported', () => {
    const analysis = analyzeKql('AzureDiagnostics | where Categry == "Connections"', globals);
    expect(analysis.errors.map((e) => e.code)).toEqual(['KS142']);
  });

  test('a syntax error is reported', () => {
    const analysis = analyzeKql('AzureDiagnostics | where Category == "Connections', globals);
    expect(analysis.errors.length).toBeGreaterThan(0);
  });
});
