/**
 * The composition root loads an SDK only when a configured branch uses it, and only for the part
 * (intake or enrichment) being built. Each SDK is the real one; the mock only records its loading.
 */

import type { Config } from '../../lib/config/loadConfig';
import { loadConfig } from '../../lib/config/loadConfig';
import { silentLogger } from '../../lib/common/logger';
import { repoPath } from '../support/fixtures';

const mockLoaded = new Set<string>();
function mockRecording(name: string): unknown {
  mockLoaded.add(name);
  return jest.requireActual(name);
}
jest.mock('@azure/identity', () => mockRecording('@azure/identity'));
jest.mock('@azure/monitor-query-logs', () => mockRecording('@azure/monitor-query-logs'));
jest.mock('@azure/core-rest-pipeline', () => mockRecording('@azure/core-rest-pipeline'));
jest.mock('@azure/storage-queue', () => mockRecording('@azure/storage-queue'));
jest.mock('@azure/data-tables', () => mockRecording('@azure/data-tables'));

async function providerFor(config: Config) {
  // A fresh module registry per test: what one test loaded must not count for the next.
  const { createServiceProvider } = await import('../../lib/app/services.js');
  return createServiceProvider(config, { log: silentLogger });
}

beforeEach(() => {
  jest.resetModules();
  mockLoaded.clear();
});

const AZURE = {
  LOG_ANALYTICS_WORKSPACE_ID: 'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6',
  TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
  AzureWebJobsStorage__queueServiceUri: 'https://st.queue.core.windows.net',
  AzureWebJobsStorage__tableServiceUri: 'https://st.table.core.windows.net',
};

test('export files and memory state load no Azure SDK, in either part', async () => {
  const provider = await providerFor(
    loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('test/fixtures/logs/small.rows.json'),
      STATE_STORE: 'memory',
      WEBHOOK_URL: 'https://example.invalid/hook',
    }),
  );
  await provider.intake();
  expect([...mockLoaded]).toEqual([]);
  await provider.enrichment();
  // The webhook notifier posts with Node's own fetch; nothing from Azure.
  expect([...mockLoaded]).toEqual([]);
});

test('in Azure, intake loads storage and identity only; enrichment adds the evidence SDKs', async () => {
  const provider = await providerFor(loadConfig(AZURE));
  expect([...mockLoaded]).toEqual([]);
  await provider.intake();
  const intake = [...mockLoaded];
  expect(intake).toEqual(
    expect.arrayContaining(['@azure/data-tables', '@azure/identity', '@azure/storage-queue']),
  );
  expect(intake).not.toContain('@azure/monitor-query-logs');
  await provider.enrichment();
  expect([...mockLoaded].filter((name) => !intake.includes(name)).sort()).toEqual([
    '@azure/monitor-query-logs',
  ]);
});

test('each part is built once, and a failed build is tried again', async () => {
  const provider = await providerFor(
    loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('test/fixtures/logs/small.rows.json'),
      STATE_STORE: 'memory',
      WEBHOOK_URL: 'https://example.invalid/hook',
    }),
  );
  expect(await provider.intake()).toBe(await provider.intake());
  expect(await provider.enrichment()).toBe(await provider.enrichment());

  const { lazy } = await import('../../lib/app/services.js');
  let calls = 0;
  const flaky = lazy(async () => {
    calls += 1;
    if (calls === 1) throw new Error('storage down');
    return calls;
  });
  await expect(flaky()).rejects.toThrow('storage down');
  expect(await flaky()).toBe(2);
  expect(await flaky()).toBe(2);
});
