import { loadConfig } from '../../lib/config/loadConfig';
import { AzureMonitorMetricsSource } from '../../lib/evidence/azureMonitorMetricsSource';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { LogAnalyticsSource } from '../../lib/evidence/logAnalyticsSource';
import { MetricsFileSource } from '../../lib/evidence/metricsFile';
import {
  SharedEvidenceSource,
  SharedMetricsSource,
} from '../../lib/evidence/querySharing/sharedEvidence';
import { silentLogger } from '../../lib/common/logger';
import { TeamsNotifier } from '../../lib/notify/teamsNotifier';
import { WebhookNotifier } from '../../lib/notify/webhookNotifier';
import { createServices } from '../../lib/app/services';
import { StorageAlertQueue, TableAlertStore } from '../../lib/state/azure/azureStorageState';
import { InMemoryAlertQueue, InMemoryAlertStore } from '../../lib/state/memory/memoryState';
import { repoPath } from '../support/fixtures';

describe('createServices', () => {
  test('export files, memory state, both channels', async () => {
    const config = loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('test/fixtures/logs/small.rows.json'),
      EXPORT_METRICS_PATH: repoPath('test/fixtures/metrics'),
      STATE_STORE: 'memory',
      TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
      WEBHOOK_URL: 'https://example.invalid/hook',
      DEFAULT_IOTHUB_RESOURCE_ID:
        '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/Hub-1',
    });
    const services = await createServices(config, { log: silentLogger });
    const { evidence, metrics } = services.enrichment.sources;
    // Both sources sit behind the sharing layer.
    expect(evidence).toBeInstanceOf(SharedEvidenceSource);
    expect(evidence instanceof SharedEvidenceSource && evidence.inner).toBeInstanceOf(
      ExportFileSource,
    );
    expect(metrics).toBeInstanceOf(SharedMetricsSource);
    expect(metrics instanceof SharedMetricsSource && metrics.inner).toBeInstanceOf(
      MetricsFileSource,
    );
    expect(services.intake.queue).toBeInstanceOf(InMemoryAlertQueue);
    expect(services.intake.store).toBeInstanceOf(InMemoryAlertStore);
    expect(services.enrichment.notifiers.map((n) => n.constructor)).toEqual([
      TeamsNotifier,
      WebhookNotifier,
    ]);
    expect(services.intake.parseOptions.defaultIotHubResourceId).toMatch(/Hub-1$/);
  });

  test('Log Analytics and Azure Storage in production, without touching the network', async () => {
    const config = loadConfig({
      LOG_ANALYTICS_WORKSPACE_ID: 'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6',
      TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
      AzureWebJobsStorage__queueServiceUri: 'https://st.queue.core.windows.net',
      AzureWebJobsStorage__tableServiceUri: 'https://st.table.core.windows.net',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    });
    const services = await createServices(config, { log: silentLogger });
    const { evidence, metrics } = services.enrichment.sources;
    expect(evidence instanceof SharedEvidenceSource && evidence.inner).toBeInstanceOf(
      LogAnalyticsSource,
    );
    expect(metrics instanceof SharedMetricsSource && metrics.inner).toBeInstanceOf(
      AzureMonitorMetricsSource,
    );
    expect(services.intake.queue).toBeInstanceOf(StorageAlertQueue);
    expect(services.intake.store).toBeInstanceOf(TableAlertStore);
  });

  test('a missing export path fails at start-up with the path', async () => {
    const config = loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: '/no/such/export',
      STATE_STORE: 'memory',
      WEBHOOK_URL: 'https://example.invalid/hook',
    });
    await expect(createServices(config, { log: silentLogger })).rejects.toThrow(/no\/such\/export/);
  });
});
