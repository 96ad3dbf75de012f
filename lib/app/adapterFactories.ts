/**
 * The adapter factories of the composition root: one async factory per port, each importing its
 * adapter's module (and so its SDK) the first time the configured branch needs it.
 */

import type { TokenCredential } from '@azure/identity';

import type { Logger } from '../common/logger';
import type { Config } from '../config/loadConfig';
import type { DigestSource } from '../digest/digestSource';
import type { EvidenceSource, MetricsSource } from '../evidence/evidenceSource';
import type { IncidentStore } from '../incidents/incidentStore';
import type { Notifier } from '../notify/notifier';
import type { ActivityLedger } from '../state/activityLedger';
import type { AlertQueue } from '../state/alertQueue';
import type { AlertStore } from '../state/alertStore';
import type { ConnectionCheckQueue, ConnectionStateStore } from '../state/connectionStates';
import type { ReceivedAlertArchive } from '../state/receivedAlerts';
import type { SilenceStore } from '../state/silenceStore';
import type { WorkerState } from '../state/workerState';

export interface AlertState {
  readonly queue: AlertQueue;
  readonly store: AlertStore;
  /** The worker's processing lease, delivery ledger and dead letters. */
  readonly worker: WorkerState;
  /** Incidents of the incident policy: one table partition per hub. */
  readonly incidentStore: IncidentStore;
  /** Silences, next to the incidents. */
  readonly silenceStore: SilenceStore;
}

export interface ConnectionState {
  readonly states: ConnectionStateStore;
  readonly checks: ConnectionCheckQueue;
}

// ---- adapters: one async factory per port; each imports its SDK when first called ----------
//
// Each factory `await import(...)`s its adapter's module, and so its SDK, the first time the
// configured branch needs it: an export-file run never loads the Log Analytics client, intake
// never loads the evidence sources or the notifiers, and health loads none of them.
// To add an adapter: write an `export async function createX(config, ...)` here that imports its module
// with `await import('./x/adapter.js')`, call it from the part (`intake` or `enrichment`) that
// uses it, and keep any other reference to the adapter module `import type`. Import an SDK only
// from the adapter's own module, never with `import('@azure/...')` here: that would load its ES
// module build beside the CommonJS one the other adapters use. test/unit/coldStart.test.ts fails
// if a function module reaches an Azure SDK at load time.

/** `DefaultAzureCredential` (`@azure/identity`, MSAL). */
export async function createCredential(config: Config): Promise<TokenCredential> {
  const { createCredential: credentialFor } = await import('./credential.js');
  return credentialFor(config.azureClientId);
}

/** One notifier per receiver (Node's own fetch), named after it. */
export async function createNotifiers(config: Config): Promise<Notifier[]> {
  const delivery = { timeoutMs: config.notifyTimeoutMs };
  const { receivers } = config.routing;
  const [teams, webhook] = await Promise.all([
    receivers.some((r) => r.type === 'teams') ? import('../notify/teamsNotifier.js') : undefined,
    receivers.some((r) => r.type === 'webhook')
      ? import('../notify/webhookNotifier.js')
      : undefined,
  ]);
  return receivers.map((receiver): Notifier => {
    if (receiver.type === 'teams' && teams)
      return new teams.TeamsNotifier(receiver.url, delivery, receiver.name);
    if (receiver.type === 'webhook' && webhook)
      return new webhook.WebhookNotifier(
        receiver.url,
        receiver.secret,
        delivery,
        () => new Date(),
        receiver.name,
      );
    throw new Error(`No notifier for the receiver type ${receiver.type}`);
  });
}

/** The digest reads the same evidence: the export files in memory, or the workspace. */
export async function createDigestSource(
  config: Config,
  evidence: EvidenceSource,
  credential: () => Promise<TokenCredential>,
): Promise<DigestSource> {
  const { ExportFileSource } = await import('../evidence/exportFileSource.js');
  if (evidence instanceof ExportFileSource) {
    const { ExportDigestSource } = await import('../digest/digestSource.js');
    return new ExportDigestSource(evidence.events);
  }
  const [{ LogAnalyticsDigestSource }, { createLogsQueryClient }] = await Promise.all([
    import('../digest/logAnalyticsDigestSource.js'),
    import('../evidence/logAnalyticsSource.js'),
  ]);
  return new LogAnalyticsDigestSource({
    client: createLogsQueryClient(await credential(), config.logAnalyticsEndpoint, {
      retryOptions: { maxRetries: 2 },
    }),
    workspaceId: config.logAnalyticsWorkspaceId ?? '',
  });
}

/** What the enricher did, for the digest: in memory, or an Azure table (`@azure/data-tables`). */
export async function createActivityLedger(
  config: Config,
  credential: () => Promise<TokenCredential>,
): Promise<ActivityLedger> {
  if (config.stateStore === 'memory') {
    const { InMemoryActivityLedger } = await import('../state/memory/memoryActivityLedger.js');
    return new InMemoryActivityLedger();
  }
  const tables = await import('../state/azure/tableActivityLedger.js');
  const identity = config.storage.connectionString === undefined ? await credential() : undefined;
  return new tables.TableActivityLedger(
    tables.createActivityTableClient(config.storage, () => {
      if (identity === undefined)
        throw new Error('Storage asked for a credential it was not given');
      return identity;
    }),
  );
}

/**
 * The alerts the worker received, kept `ALERT_ARCHIVE_DAYS` for `enricher whatif`: in memory, or
 * the `enricheralerts` table (`@azure/data-tables`). `credential` is asked for only with
 * identity-based storage; a credential itself or a function that makes one.
 */
export async function createReceivedAlertArchive(
  config: Config,
  credential: TokenCredential | (() => Promise<TokenCredential>),
  options: { readonly log?: Logger; readonly now?: () => Date } = {},
): Promise<ReceivedAlertArchive> {
  const settings = { retentionDays: config.alertArchiveDays, ...options };
  if (config.stateStore === 'memory') {
    const { InMemoryReceivedAlerts } = await import('../state/memory/memoryReceivedAlerts.js');
    return new InMemoryReceivedAlerts(settings);
  }
  const tables = await import('../state/azure/tableReceivedAlerts.js');
  const identity =
    config.storage.connectionString !== undefined
      ? undefined
      : typeof credential === 'function'
        ? await credential()
        : credential;
  return new tables.TableReceivedAlerts(
    tables.createReceivedAlertsTableClient(config.storage, () => {
      if (identity === undefined)
        throw new Error('Storage asked for a credential it was not given');
      return identity;
    }),
    settings,
  );
}

/** The archive from the configuration alone (the CLI): its own credential, made when needed. */
export async function receivedAlertArchive(
  config: Config,
  options: { readonly log?: Logger; readonly now?: () => Date } = {},
): Promise<ReceivedAlertArchive> {
  return createReceivedAlertArchive(config, () => createCredential(config), options);
}

/** Export files on disk, or the Log Analytics workspace (`@azure/monitor-query-logs`). */
export async function createEvidenceSource(
  config: Config,
  credential: () => Promise<TokenCredential>,
): Promise<EvidenceSource> {
  if (config.evidenceSource === 'export-files') {
    const { ExportFileSource } = await import('../evidence/exportFileSource.js');
    return ExportFileSource.fromPath(config.exportLogsPath ?? '.');
  }
  const { createLogsQueryClient, LogAnalyticsSource } =
    await import('../evidence/logAnalyticsSource.js');
  return new LogAnalyticsSource({
    // Three attempts at most, so a failing query ends well inside the function's time-out.
    client: createLogsQueryClient(await credential(), config.logAnalyticsEndpoint, {
      retryOptions: { maxRetries: 2 },
    }),
    workspaceId: config.logAnalyticsWorkspaceId ?? '',
  });
}

/** Saved metrics when a path is configured; else the metrics API alongside the workspace. */
export async function createMetricsSource(
  config: Config,
  credential: () => Promise<TokenCredential>,
): Promise<MetricsSource | undefined> {
  if (config.exportMetricsPath !== undefined) {
    const { MetricsFileSource } = await import('../evidence/metricsFile.js');
    return MetricsFileSource.fromPath(config.exportMetricsPath);
  }
  if (config.evidenceSource !== 'log-analytics') return undefined;
  const { AzureMonitorMetricsSource } = await import('../evidence/azureMonitorMetricsSource.js');
  return new AzureMonitorMetricsSource({
    credential: await credential(),
    endpoint: config.resourceManagerEndpoint,
    retryOptions: { maxRetries: 2 },
  });
}

/** In memory (one process), or Azure Storage queue and table (`@azure/storage-queue`, tables). */
export async function createAlertState(
  config: Config,
  credential: () => Promise<TokenCredential>,
): Promise<AlertState> {
  if (config.stateStore === 'memory') {
    const [{ InMemoryAlertQueue, InMemoryAlertStore, inMemoryWorkerState }, incidents, silences] =
      await Promise.all([
        import('../state/memory/memoryState.js'),
        import('../state/memory/memoryIncidentStore.js'),
        import('../state/memory/memorySilenceStore.js'),
      ]);
    return {
      queue: new InMemoryAlertQueue(),
      store: new InMemoryAlertStore(),
      worker: inMemoryWorkerState(),
      incidentStore: new incidents.InMemoryIncidentStore(),
      silenceStore: new silences.InMemorySilenceStore(),
    };
  }
  const [storage, tables, incidents, silences] = await Promise.all([
    import('../state/azure/azureStorageState.js'),
    import('../state/azure/tableLedger.js'),
    import('../state/azure/tableIncidentStore.js'),
    import('../state/azure/tableSilenceStore.js'),
  ]);
  // A connection string needs no credential; service URIs use the managed identity.
  const identity = config.storage.connectionString === undefined ? await credential() : undefined;
  const clients = storage.createStorageClients(config.storage, () => {
    if (identity === undefined) throw new Error('Storage asked for a credential it was not given');
    return identity;
  });
  const ledger = new tables.TableLedger(clients.table);
  return {
    queue: new storage.StorageAlertQueue(clients.queue),
    store: new storage.TableAlertStore(clients.table),
    worker: {
      processing: ledger,
      deliveries: ledger,
      deadLetters: new tables.TableDeadLetters(clients.deadLetters),
    },
    incidentStore: new incidents.TableIncidentStore(clients.incidents),
    silenceStore: new silences.TableSilenceStore(clients.silences),
  };
}

/** Identity records and delayed checks: in memory, or an Azure table and queue. */
export async function createConnectionState(
  config: Config,
  credential: () => Promise<TokenCredential>,
): Promise<ConnectionState> {
  if (config.stateStore === 'memory') {
    const memory = await import('../state/memory/memoryConnections.js');
    return {
      states: new memory.InMemoryConnectionStates(),
      checks: new memory.InMemoryCheckQueue(),
    };
  }
  const [storage, connections] = await Promise.all([
    import('../state/azure/azureStorageState.js'),
    import('../state/azure/connectionStorage.js'),
  ]);
  const identity = config.storage.connectionString === undefined ? await credential() : undefined;
  const clients = storage.createStorageClients(config.storage, () => {
    if (identity === undefined) throw new Error('Storage asked for a credential it was not given');
    return identity;
  });
  return {
    states: new connections.TableConnectionStates(clients.connections),
    checks: new connections.StorageConnectionCheckQueue(clients.connectionChecks),
  };
}
