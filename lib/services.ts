/**
 * The composition root: the only place that builds SDK clients and adapters from `Config`.
 * Built once per worker; tests pass overrides instead of patching modules.
 */

import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

import { type Config, watchedHubs } from './config';
import type { DigestServices } from './digest/runDigest';
import { type DigestSource, ExportDigestSource } from './evidence/digestSource';
import { LogAnalyticsDigestSource } from './evidence/logAnalyticsDigestSource';
import {
  type DigestNotifier,
  TeamsDigestNotifier,
  WebhookDigestNotifier,
} from './notify/digestNotifiers';
import { type ActivityLedger, InMemoryActivityLedger } from './state/activityLedger';
import { createActivityTableClient, TableActivityLedger } from './state/tableActivityLedger';
import type { EnrichmentServices } from './enrichAlert';
import {
  AzureMonitorMetricsSource,
  createMonitorClient,
} from './evidence/azureMonitorMetricsSource';
import type { EvidenceSource, MetricsSource } from './evidence/evidenceSource';
import { ExportFileSource } from './evidence/exportFileSource';
import { createLogsQueryClient, LogAnalyticsSource } from './evidence/logAnalyticsSource';
import { MetricsFileSource } from './evidence/metricsFile';
import type { IntakeServices } from './intake/handleAlertRequest';
import { consoleLogger, type Logger } from './logger';
import type { DeliveryOptions } from './notify/httpDelivery';
import type { Notifier } from './notify/notifier';
import { TeamsNotifier } from './notify/teamsNotifier';
import { WebhookNotifier } from './notify/webhookNotifier';
import type { AlertQueue } from './state/alertQueue';
import type { AlertStore } from './state/alertStore';
import {
  createStorageClients,
  StorageAlertQueue,
  TableAlertStore,
} from './state/azureStorageState';
import { InMemoryAlertQueue, InMemoryAlertStore } from './state/memoryState';

export interface Services {
  readonly config: Readonly<Config>;
  readonly intake: IntakeServices;
  readonly enrichment: EnrichmentServices;
  readonly digest: DigestServices;
}

export interface ServiceOverrides {
  readonly queue?: AlertQueue;
  readonly store?: AlertStore;
  readonly evidence?: EvidenceSource;
  readonly metrics?: MetricsSource;
  readonly notifiers?: readonly Notifier[];
  readonly digestSource?: DigestSource;
  readonly digestNotifiers?: readonly DigestNotifier[];
  readonly activity?: ActivityLedger;
  readonly credential?: TokenCredential;
  readonly log?: Logger;
  readonly now?: () => Date;
}

export function createCredential(config: Config): TokenCredential {
  return config.azureClientId === undefined
    ? new DefaultAzureCredential()
    : new DefaultAzureCredential({ managedIdentityClientId: config.azureClientId });
}

export function createNotifiers(config: Config): Notifier[] {
  const delivery: DeliveryOptions = { timeoutMs: config.notifyTimeoutMs };
  const notifiers: Notifier[] = [];
  if (config.teamsWorkflowUrl !== undefined) {
    notifiers.push(new TeamsNotifier(config.teamsWorkflowUrl, delivery));
  }
  if (config.webhookUrl !== undefined) {
    notifiers.push(new WebhookNotifier(config.webhookUrl, config.webhookSecret, delivery));
  }
  return notifiers;
}

export function createDigestNotifiers(config: Config): DigestNotifier[] {
  const delivery: DeliveryOptions = { timeoutMs: config.notifyTimeoutMs };
  const notifiers: DigestNotifier[] = [];
  if (config.teamsWorkflowUrl !== undefined) {
    notifiers.push(new TeamsDigestNotifier(config.teamsWorkflowUrl, delivery));
  }
  if (config.webhookUrl !== undefined) {
    notifiers.push(new WebhookDigestNotifier(config.webhookUrl, config.webhookSecret, delivery));
  }
  return notifiers;
}

/** The digest reads the same evidence: the export files in memory, or the workspace. */
function createDigestSource(
  config: Config,
  evidence: EvidenceSource,
  credential: () => TokenCredential,
): DigestSource {
  if (evidence instanceof ExportFileSource) return new ExportDigestSource(evidence.events);
  return new LogAnalyticsDigestSource({
    client: createLogsQueryClient(credential(), config.logAnalyticsEndpoint, {
      retryOptions: { maxRetries: 2 },
    }),
    workspaceId: config.logAnalyticsWorkspaceId ?? '',
  });
}

function createActivityLedger(config: Config, credential: () => TokenCredential): ActivityLedger {
  return config.stateStore === 'memory'
    ? new InMemoryActivityLedger()
    : new TableActivityLedger(createActivityTableClient(config.storage, credential));
}

async function createEvidenceSource(
  config: Config,
  credential: () => TokenCredential,
): Promise<EvidenceSource> {
  if (config.evidenceSource === 'export-files') {
    return ExportFileSource.fromPath(config.exportLogsPath ?? '.');
  }
  return new LogAnalyticsSource({
    // Three attempts at most, so a failing query ends well inside the function's time-out.
    client: createLogsQueryClient(credential(), config.logAnalyticsEndpoint, {
      retryOptions: { maxRetries: 2 },
    }),
    workspaceId: config.logAnalyticsWorkspaceId ?? '',
  });
}

/** Saved metrics when a path is configured; else the metrics API alongside the workspace. */
async function createMetricsSource(
  config: Config,
  credential: () => TokenCredential,
): Promise<MetricsSource | undefined> {
  if (config.exportMetricsPath !== undefined)
    return MetricsFileSource.fromPath(config.exportMetricsPath);
  if (config.evidenceSource !== 'log-analytics') return undefined;
  return new AzureMonitorMetricsSource(
    createMonitorClient(credential(), config.resourceManagerEndpoint, {
      retryOptions: { maxRetries: 2 },
    }),
  );
}

function createState(
  config: Config,
  credential: () => TokenCredential,
): { queue: AlertQueue; store: AlertStore } {
  if (config.stateStore === 'memory') {
    return { queue: new InMemoryAlertQueue(), store: new InMemoryAlertStore() };
  }
  const clients = createStorageClients(config.storage, credential);
  return { queue: new StorageAlertQueue(clients.queue), store: new TableAlertStore(clients.table) };
}

export async function createServices(
  config: Readonly<Config>,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  let credential = overrides.credential;
  // Built on first use: export-file runs never need Azure credentials.
  const getCredential = (): TokenCredential => (credential ??= createCredential(config));
  const log = overrides.log ?? consoleLogger;
  const now = overrides.now ?? (() => new Date());
  const state =
    overrides.queue && overrides.store
      ? { queue: overrides.queue, store: overrides.store }
      : createState(config, getCredential);
  const evidence = overrides.evidence ?? (await createEvidenceSource(config, getCredential));
  const metrics = overrides.metrics ?? (await createMetricsSource(config, getCredential));
  const activity = overrides.activity ?? createActivityLedger(config, getCredential);
  return {
    config,
    intake: {
      queue: overrides.queue ?? state.queue,
      store: overrides.store ?? state.store,
      parseOptions: {
        deviceIdDimension: config.deviceIdDimension,
        ...(config.defaultIotHubResourceId !== undefined && {
          defaultIotHubResourceId: config.defaultIotHubResourceId,
        }),
      },
      log,
      now,
    },
    enrichment: {
      sources: { evidence, ...(metrics && { metrics }) },
      notifiers: overrides.notifiers ?? createNotifiers(config),
      lookbackMinutes: config.evidenceLookbackMinutes,
      activity,
      log,
      now,
    },
    digest: {
      sources: {
        digest: overrides.digestSource ?? createDigestSource(config, evidence, getCredential),
        evidence,
        activity,
        ...(metrics && { metrics }),
      },
      notifiers: overrides.digestNotifiers ?? createDigestNotifiers(config),
      hubResourceIds: watchedHubs(config),
      log,
      now,
    },
  };
}
