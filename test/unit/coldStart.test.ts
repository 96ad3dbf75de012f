/**
 * Cold start, checked on the module graph (never on timings): what a function module loads when
 * the worker imports it. The deployed bundle loads every function module at start-up, so none of
 * them may reach an Azure SDK before an invocation asks for it; `GET /api/health` loads nothing
 * beyond the Functions library. Figures: `npm run bench`.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoPath } from '../support/fixtures';
import { loadTimeGraph, relativeImports } from '../support/moduleGraph';

const FUNCTION_MODULES = readdirSync(repoPath('functions'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => `functions/${name}`);
/** The Functions programming model every function module registers with: not an Azure SDK. */
const FUNCTIONS_LIBRARY = '@azure/functions';

function azureSdks(entry: string): string[] {
  return [...loadTimeGraph(entry).packages.entries()]
    .filter(([name]) => name.startsWith('@azure/') && name !== FUNCTIONS_LIBRARY)
    .map(([, chain]) => chain.join(' → '));
}

describe('what a function module loads at load time', () => {
  test('GET /api/health loads no SDK: only the Functions library and our own modules', () => {
    const graph = loadTimeGraph('functions/health.ts');
    expect([...graph.packages.keys()]).toEqual([FUNCTIONS_LIBRARY]);
    expect(graph.files).toContain('lib/config/healthReport.ts');
    expect(graph.files).not.toContain('lib/evidence/logAnalyticsSource.ts');
  });

  test('every function module is checked, the Event Grid trigger among them', () => {
    expect(FUNCTION_MODULES).toEqual(
      expect.arrayContaining(['functions/alerts.ts', 'functions/connectionEvents.ts']),
    );
  });

  test.each(FUNCTION_MODULES)('%s reaches no Azure SDK at load time', (entry) => {
    expect(azureSdks(entry)).toEqual([]);
  });

  test('the dev host (`npm start`) loads no package, no intake validation and no inbox page to answer health', () => {
    const graph = loadTimeGraph('lib/tools/devhost/main.ts');
    expect([...graph.packages.keys()]).toEqual([]);
    expect(graph.files).toContain('lib/intake/handleHealthRequest.ts');
    expect(graph.files).not.toContain('lib/intake/handleAlertRequest.ts');
    expect(graph.files).not.toContain('lib/tools/devhost/inboxPage.ts');
  });

  test('the composition root imports its adapters lazily', () => {
    const graph = loadTimeGraph('lib/app/services.ts');
    expect([...graph.packages.keys()]).toEqual([]);
    expect(graph.files).not.toContain('lib/state/azure/azureStorageState.ts');
  });
});

describe('the walker sees what is there (so the checks above can fail)', () => {
  test.each([
    ['lib/evidence/logAnalyticsSource.ts', '@azure/monitor-query-logs'],
    ['lib/evidence/azureMonitorMetricsSource.ts', '@azure/core-rest-pipeline'],
    ['lib/state/azure/azureStorageState.ts', '@azure/storage-queue'],
    ['lib/app/credential.ts', '@azure/identity'],
    ['lib/intake/eventGridEvents.ts', '@azure/eventgrid'],
  ])('%s loads %s', (entry, sdk) => {
    expect(azureSdks(entry).join('\n')).toContain(sdk);
  });

  test('type-only imports are not loads; the export-file source loads no Azure SDK', () => {
    // azureMonitorMetricsSource imports TokenCredential from @azure/identity as a type only.
    expect(azureSdks('lib/evidence/azureMonitorMetricsSource.ts').join('\n')).not.toContain(
      '@azure/identity',
    );
    expect(azureSdks('lib/evidence/exportFileSource.ts')).toEqual([]);
    expect(azureSdks('lib/evidence/metricsFile.ts')).toEqual([]);
  });

  test('a chain names the path to the SDK', () => {
    expect(azureSdks('lib/state/azure/azureStorageState.ts')).toContain(
      'lib/state/azure/azureStorageState.ts → @azure/data-tables',
    );
  });
});

/** The floors written down once, in lib/floors.json: ground first. */
const FLOORS = (
  JSON.parse(readFileSync(repoPath('lib/floors.json'), 'utf8')) as { floors: string[][] }
).floors;

function floorOf(folder: string): number {
  return FLOORS.findIndex((floor) => floor.includes(folder));
}

/** The floor folder a file belongs to: the longest folder of lib/floors.json it lies in. */
function folderOf(file: string): string | undefined {
  return FLOORS.flat()
    .filter((folder) => file.startsWith(`${folder}/`))
    .sort((a, b) => b.length - a.length)[0];
}

function sourceFiles(folder: string): string[] {
  return readdirSync(repoPath(folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(folder, name));
}

/** Imports that run back up a floor, or across to another folder on the same floor. */
function floorViolations(edges: readonly (readonly [string, string])[]): string[] {
  return edges.flatMap(([from, to]) => {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === undefined || b === undefined || a === b) return [];
    return floorOf(b) < floorOf(a) ? [] : [`${from} → ${to} (${a} may not import ${b})`];
  });
}

describe('the floors of the house (lib/floors.json)', () => {
  const files = [...sourceFiles('lib'), ...sourceFiles('functions')];

  test('every source file stands on a floor', () => {
    expect(files.filter((file) => folderOf(file) === undefined)).toEqual([]);
  });

  test('no import runs back up a floor, and no two folders on one floor import each other', () => {
    const edges = files.flatMap((file) =>
      relativeImports(repoPath(file)).map((to) => [file, to] as const),
    );
    expect(edges.length).toBeGreaterThan(200);
    expect(floorViolations(edges)).toEqual([]);
  });

  test('the check sees an import that runs back up', () => {
    expect(
      floorViolations([
        ['lib/evidence/kql.ts', 'lib/diagnose/diagnosis.ts'],
        ['lib/digest/digestKql.ts', 'lib/notify/notifier.ts'],
        ['lib/render/text.ts', 'lib/diagnose/format.ts'],
      ]),
    ).toEqual([
      'lib/evidence/kql.ts → lib/diagnose/diagnosis.ts (lib/evidence may not import lib/diagnose)',
      'lib/digest/digestKql.ts → lib/notify/notifier.ts (lib/digest may not import lib/notify)',
    ]);
  });
});
