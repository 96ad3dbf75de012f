/**
 * Cold start, checked on the module graph (never on timings): what a function module loads when
 * the worker imports it. The deployed bundle loads every function module at start-up, so none of
 * them may reach an Azure SDK before an invocation asks for it; `GET /api/health` loads nothing
 * beyond the Functions library. Figures: `npm run bench`.
 */

import { loadTimeGraph } from '../support/moduleGraph';

const FUNCTION_MODULES = ['functions/alerts.ts', 'functions/enrich.ts', 'functions/health.ts'];
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
    expect(graph.files).toContain('lib/config.ts');
    expect(graph.files).not.toContain('lib/evidence/logAnalyticsSource.ts');
  });

  test.each(FUNCTION_MODULES)('%s reaches no Azure SDK at load time', (entry) => {
    expect(azureSdks(entry)).toEqual([]);
  });

  test('the dev host (`npm start`) loads no package, no intake validation and no inbox page to answer health', () => {
    const graph = loadTimeGraph('lib/devhost/main.ts');
    expect([...graph.packages.keys()]).toEqual([]);
    expect(graph.files).toContain('lib/intake/handleHealthRequest.ts');
    expect(graph.files).not.toContain('lib/intake/handleAlertRequest.ts');
    expect(graph.files).not.toContain('lib/devhost/inboxPage.ts');
  });

  test('the composition root imports its adapters lazily', () => {
    const graph = loadTimeGraph('lib/services.ts');
    expect([...graph.packages.keys()]).toEqual([]);
    expect(graph.files).not.toContain('lib/state/azureStorageState.ts');
  });
});

describe('the walker sees what is there (so the checks above can fail)', () => {
  test.each([
    ['lib/evidence/logAnalyticsSource.ts', '@azure/monitor-query-logs'],
    ['lib/evidence/azureMonitorMetricsSource.ts', '@azure/core-rest-pipeline'],
    ['lib/state/azureStorageState.ts', '@azure/storage-queue'],
    ['lib/credential.ts', '@azure/identity'],
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
    expect(azureSdks('lib/state/azureStorageState.ts')).toContain(
      'lib/state/azureStorageState.ts → @azure/data-tables',
    );
  });
});
