/**
 * The checks every query that names devices passes, with device IDs an attacker could choose: it
 * parses and binds against the workspace schema, reads AzureDiagnostics only, has the syntax of
 * the same query with harmless IDs, and holds each ID as one whole literal.
 */

import { literalDeviceId } from '../../lib/evidence/batchedTimelineKql';
import {
  AZURE_ACTIVITY,
  AZURE_DIAGNOSTICS,
  analyzeKql,
  kustoGlobals,
  type KqlAnalysis,
} from './kustoSchema';

/** The workspace the queries run in: AzureDiagnostics, and AzureActivity to reach for. */
export const WORKSPACE_GLOBALS = kustoGlobals([AZURE_DIAGNOSTICS, AZURE_ACTIVITY]);

export const HUB =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/hub-prod-01';
/** A hub ID that fails validation and must never reach the KQL. */
export const BAD_HUB =
  '/subscriptions/x/resourcegroups/rg")|take 1//providers/microsoft.devices/iothubs/h';

export const HOSTILE_DEVICES = [
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

export interface HostileAnalysis {
  readonly hostile: KqlAnalysis;
  readonly benign: KqlAnalysis;
}

/** The query built for the hostile IDs (beside an invalid hub) and for harmless ones. */
export function analyseWithHostileIds(
  build: (hubs: readonly string[], deviceIds: readonly string[]) => string,
): HostileAnalysis {
  return {
    hostile: analyzeKql(build([HUB, BAD_HUB], HOSTILE_DEVICES), WORKSPACE_GLOBALS),
    benign: analyzeKql(
      build(
        [HUB],
        HOSTILE_DEVICES.map((_, i) => `device-${i}`),
      ),
      WORKSPACE_GLOBALS,
    ),
  };
}

/**
 * The four tests every device query passes. `literalsAfter` are the query's own literals after
 * the device IDs.
 */
export function itKeepsHostileIdsInLiterals(
  { hostile, benign }: HostileAnalysis,
  literalsAfter: readonly string[] = [],
): void {
  const kinds = (analysis: KqlAnalysis): string[] => analysis.tokens.map((t) => t.kind);

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

  test('holds every device ID as one whole literal, as literalDeviceId predicts, and the invalid hub nowhere', () => {
    expect(hostile.stringLiterals).toEqual([
      'MICROSOFT.DEVICES',
      'IOTHUBS',
      'Connections',
      'DeviceTelemetry',
      HUB,
      'properties_s',
      '',
      ...HOSTILE_DEVICES.map(literalDeviceId),
      ...literalsAfter,
    ]);
  });
}
