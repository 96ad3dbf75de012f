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
import { systemClock } from './evidence/sharing/queryLimiter';
import { shareEvidence } from './evidence/sharing/sharedEvidence';
import { entraIdCallerCheck } from './intake/entraIdCallerCheck';
import type { IncidentStore } from './incidents/incidentStore';
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
import type { WorkerState } from './state/ledger';
import { InMemoryIncidentStore } from './state/memoryIncidentStore';
import { InMemoryAlertQueue, InMemoryAlertStore, inMemoryWorkerState } from './state/memoryState';
import { TableIncidentStore } from './state/tableIncidentStore';
import { TableDeadLetters, TableLedger } from './state/tableLedger';

export interface Services {
  readonly config: Readonly<Config>;
  readonly intake: IntakeServices;
  readonly enrichment: EnrichmentServices;
  readonly digest: DigestServices;
}

export interface ServiceOverrides {
  readonly queue?: AlertQueue;
  readonly store?: AlertStore;
  readonly state?: WorkerState;
  readonly incidentStore?: IncidentStore;
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

interface State {
  readonly queue: AlertQueue;
  readonly store: AlertStore;
  readonly worker: WorkerState;
  readonly incidentStore: IncidentStore;
}

function createState(config: Config, credential: () => TokenCredential): State {
  if (config.stateStore === 'memory') {
    return {
      queue: new InMemoryAlertQueue(),
      store: new InMemoryAlertStore(),
      worker: inMemoryWorkerState(),
      incidentStore: new InMemoryIncidentStore(),
    };
  }
  const clients = createStorageClients(config.storage, credential);
  const ledger = new TableLedger(clients.table);
  return {
    queue: new StorageAlertQueue(clients.queue),
    store: new TableAlertStore(clients.table),
    worker: {
      processing: ledger,
      deliveries: ledger,
      deadLetters: new TableDeadLetters(clients.deadLetters),
    },
    incidentStore: new TableIncidentStore(clients.incidents),
  };
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
  const state: State =
    overrides.queue && overrides.store && overrides.state
      ? {
          queue: overrides.queue,
          store: overrides.store,
          worker: overrides.state,
          incidentStore: overrides.incidentStore ?? new InMemoryIncidentStore(),
        }
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
        allowedIotHubResourceIds: config.iotHubResourceIds,
      },
      ...(config.entra && { checkCaller: entraIdCallerCheck(config.entra) }),
      log,
      now,
    },
    enrichment: {
      // One sharing layer per worker: a storm of alerts for one hub shares its queries.
      sources: shareEvidence(
        { evidence, ...(metrics && { metrics }) },
        { clock: { ...systemClock, now: () => now().getTime() } },
      ),
      notifiers: overrides.notifiers ?? createNotifiers(config),
      lookbackMinutes: config.evidenceLookbackMinutes,
      activity,
      log,
      now,
      state: overrides.state ?? state.worker,
      incidents: {
        store: overrides.incidentStore ?? state.incidentStore,
        settings: {
          updateMinutes: config.incidentUpdateMinutes,
          quietMinutes: config.incidentQuietMinutes,
          renewalPolicy: config.renewalPolicy,
        },
      },
    },
    digest: {
      sources: {
        digest: overrides.digestSource ?? createDigestSource(config, evidence, getCredential),
        evidence,
        activity,
        deadLetters: (overrides.state ?? state.worker).deadLetters,
        ...(metrics && { metrics }),
      },
      notifiers: overrides.digestNotifiers ?? createDigestNotifiers(config),
      hubResourceIds: watchedHubs(config),
      log,
      now,
    },
  };
}
