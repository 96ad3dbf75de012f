/**
 * The composition root: the one place that says which adapter serves which port, built from
 * `Config`. Tests pass overrides instead of patching modules. It imports no SDK and no adapter at
 * load time (only types), so that a cold start loads only what its trigger needs.
 */

import type { TokenCredential } from '@azure/identity';

import { type Config, graceSecondsOf, watchedHubs } from '../config/loadConfig';
import type { DigestServices } from './runDigest';
import type { EnrichmentServices } from './enrichAlert';
import type { DigestSource } from '../digest/digestSource';
import type { EvidenceSource, MetricsSource } from '../evidence/evidenceSource';
import type { IncidentStore } from '../incidents/incidentStore';
import type { IntakeServices } from '../intake/handleAlertRequest';
import { consoleLogger, type Logger } from '../common/logger';
import type { Notifier } from '../notify/notifier';
import type { ActivityLedger } from '../state/activityLedger';
import type { AlertQueue } from '../state/alertQueue';
import type { AlertStore } from '../state/alertStore';
import type { WorkerState } from '../state/workerState';
import type { ConnectionCheckQueue, ConnectionStateStore } from '../state/connectionStates';
import type { ConnectionIntakeServices } from '../intake/acceptConnectionEvent';
import type { ConnectionCheckServices } from './runConnectionCheck';

export interface Services {
  readonly config: Readonly<Config>;
  readonly intake: IntakeServices;
  readonly enrichment: EnrichmentServices;
  readonly digest: DigestServices;
}

/**
 * Services built part by part, each on first use and then memoised (a failed build is retried on
 * the next call): the intake trigger builds only `intake`, the queue trigger only `enrichment`.
 */
export interface ServiceProvider {
  readonly config: Readonly<Config>;
  intake(): Promise<IntakeServices>;
  enrichment(): Promise<EnrichmentServices>;
  /** The daily digest's timer. */
  digest(): Promise<DigestServices>;
  /** The Event Grid trigger: connection events in. */
  connectionIntake(): Promise<ConnectionIntakeServices>;
  /** The check queue's trigger: the reconnect grace's verdicts. */
  connectionChecks(): Promise<ConnectionCheckServices>;
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
  readonly activity?: ActivityLedger;
  readonly connectionStates?: ConnectionStateStore;
  readonly connectionCheckQueue?: ConnectionCheckQueue;
  readonly credential?: TokenCredential;
  readonly log?: Logger;
  readonly now?: () => Date;
}

interface AlertState {
  readonly queue: AlertQueue;
  readonly store: AlertStore;
  /** The worker's processing lease, delivery ledger and dead letters. */
  readonly worker: WorkerState;
  /** Incidents of the incident policy: one table partition per hub. */
  readonly incidentStore: IncidentStore;
}

interface ConnectionState {
  readonly states: ConnectionStateStore;
  readonly checks: ConnectionCheckQueue;
}

/** A value built on first call; a rejected build is forgotten so the next call tries again. */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () =>
    (built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
}

// ---- adapters: one async factory per port; each imports its SDK when first called ----------
//
// Each factory `await import(...)`s its adapter's module, and so its SDK, the first time the
// configured branch needs it: an export-file run never loads the Log Analytics client, intake
// never loads the evidence sources or the notifiers, and health loads none of them.
// To add an adapter: write an `async function createX(config, ...)` here that imports its module
// with `await import('./x/adapter.js')`, call it from the part (`intake` or `enrichment`) that
// uses it, and keep any other reference to the adapter module `import type`. Import an SDK only
// from the adapter's own module, never with `import('@azure/...')` here: that would load its ES
// module build beside the CommonJS one the other adapters use. test/unit/coldStart.test.ts fails
// if a function module reaches an Azure SDK at load time.

/** `DefaultAzureCredential` (`@azure/identity`, MSAL). */
async function createCredential(config: Config): Promise<TokenCredential> {
  const { createCredential: credentialFor } = await import('./credential.js');
  return credentialFor(config.azureClientId);
}

/** Teams and webhook notifiers (Node's own fetch). */
export async function createNotifiers(config: Config): Promise<Notifier[]> {
  const delivery = { timeoutMs: config.notifyTimeoutMs };
  const notifiers: Notifier[] = [];
  if (config.teamsWorkflowUrl !== undefined) {
    const { TeamsNotifier } = await import('../notify/teamsNotifier.js');
    notifiers.push(new TeamsNotifier(config.teamsWorkflowUrl, delivery));
  }
  if (config.webhookUrl !== undefined) {
    const { WebhookNotifier } = await import('../notify/webhookNotifier.js');
    notifiers.push(new WebhookNotifier(config.webhookUrl, config.webhookSecret, delivery));
  }
  return notifiers;
}

/** The digest reads the same evidence: the export files in memory, or the workspace. */
async function createDigestSource(
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
async function createActivityLedger(
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

/** Export files on disk, or the Log Analytics workspace (`@azure/monitor-query-logs`). */
async function createEvidenceSource(
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
async function createMetricsSource(
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
async function createAlertState(
  config: Config,
  credential: () => Promise<TokenCredential>,
): Promise<AlertState> {
  if (config.stateStore === 'memory') {
    const [{ InMemoryAlertQueue, InMemoryAlertStore, inMemoryWorkerState }, incidents] =
      await Promise.all([
        import('../state/memory/memoryState.js'),
        import('../state/memory/memoryIncidentStore.js'),
      ]);
    return {
      queue: new InMemoryAlertQueue(),
      store: new InMemoryAlertStore(),
      worker: inMemoryWorkerState(),
      incidentStore: new incidents.InMemoryIncidentStore(),
    };
  }
  const [storage, tables, incidents] = await Promise.all([
    import('../state/azure/azureStorageState.js'),
    import('../state/azure/tableLedger.js'),
    import('../state/azure/tableIncidentStore.js'),
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
  };
}

/** Identity records and delayed checks: in memory, or an Azure table and queue. */
async function createConnectionState(
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

// ---- the composition ----------------------------------------------------------------------

export function createServiceProvider(
  config: Readonly<Config>,
  overrides: ServiceOverrides = {},
): ServiceProvider {
  const log = overrides.log ?? consoleLogger;
  const now = overrides.now ?? (() => new Date());
  // Built on first use: export-file runs never need Azure credentials.
  const credential = lazy(async () => overrides.credential ?? createCredential(config));
  const state = lazy(async (): Promise<AlertState> =>
    overrides.queue && overrides.store && overrides.state
      ? {
          queue: overrides.queue,
          store: overrides.store,
          worker: overrides.state,
          incidentStore:
            overrides.incidentStore ??
            new (await import('../state/memory/memoryIncidentStore.js')).InMemoryIncidentStore(),
        }
      : createAlertState(config, credential),
  );
  // Shared by the parts that read them: enrichment and the digest.
  const evidenceSource = lazy(
    async () => overrides.evidence ?? createEvidenceSource(config, credential),
  );
  const metricsSource = lazy(
    async () => overrides.metrics ?? createMetricsSource(config, credential),
  );
  const activity = lazy(async () => overrides.activity ?? createActivityLedger(config, credential));

  const intake = lazy(async (): Promise<IntakeServices> => {
    // Intake needs the queue and the store only: given both, it builds no state at all.
    const { queue, store } =
      overrides.queue && overrides.store
        ? { queue: overrides.queue, store: overrides.store }
        : await state();
    // Caller checks load `jose` themselves, on the first token they verify.
    const checkCaller = config.entra
      ? (await import('../intake/entraIdCallerCheck.js')).entraIdCallerCheck(config.entra)
      : undefined;
    return {
      queue: overrides.queue ?? queue,
      store: overrides.store ?? store,
      parseOptions: {
        deviceIdDimension: config.deviceIdDimension,
        ...(config.defaultIotHubResourceId !== undefined && {
          defaultIotHubResourceId: config.defaultIotHubResourceId,
        }),
        allowedIotHubResourceIds: config.iotHubResourceIds,
      },
      ...(checkCaller && { checkCaller }),
      log,
      now,
    };
  });

  const enrichment = lazy(async (): Promise<EnrichmentServices> => {
    const [evidence, metrics, notifiers, built, ledger, sharing, limiter] = await Promise.all([
      evidenceSource(),
      metricsSource(),
      overrides.notifiers ?? createNotifiers(config),
      state(),
      activity(),
      import('../evidence/querySharing/sharedEvidence.js'),
      import('../evidence/querySharing/queryLimiter.js'),
    ]);
    return {
      // One sharing layer per worker: a storm of alerts for one hub shares its queries.
      sources: sharing.shareEvidence(
        { evidence, ...(metrics && { metrics }) },
        { clock: { ...limiter.systemClock, now: () => now().getTime() } },
      ),
      notifiers,
      lookbackMinutes: config.evidenceLookbackMinutes,
      activity: ledger,
      log,
      now,
      state: overrides.state ?? built.worker,
      incidents: {
        store: overrides.incidentStore ?? built.incidentStore,
        settings: {
          updateMinutes: config.incidentUpdateMinutes,
          quietMinutes: config.incidentQuietMinutes,
          renewalPolicy: config.renewalPolicy,
        },
      },
    };
  });

  const digest = lazy(async (): Promise<DigestServices> => {
    const [evidence, metrics, ledger, built, notifiers] = await Promise.all([
      evidenceSource(),
      metricsSource(),
      activity(),
      state(),
      overrides.notifiers ?? createNotifiers(config),
    ]);
    return {
      sources: {
        digest: overrides.digestSource ?? (await createDigestSource(config, evidence, credential)),
        evidence,
        activity: ledger,
        deadLetters: (overrides.state ?? built.worker).deadLetters,
        ...(metrics && { metrics }),
      },
      notifiers,
      hubResourceIds: watchedHubs(config),
      log,
      now,
    };
  });

  const connectionState = lazy(async (): Promise<ConnectionState> => {
    const { connectionStates: states, connectionCheckQueue: checks } = overrides;
    if (states && checks) return { states, checks };
    const built = await createConnectionState(config, credential);
    return { states: states ?? built.states, checks: checks ?? built.checks };
  });

  const connectionIntake = lazy(async (): Promise<ConnectionIntakeServices> => {
    const [connections, ledger] = await Promise.all([connectionState(), activity()]);
    return {
      states: connections.states,
      checks: connections.checks,
      activity: ledger,
      watchedHubs: watchedHubs(config),
      graceSecondsOf: (hub) => graceSecondsOf(config, hub),
      log,
      now,
    };
  });

  const connectionChecks = lazy(async (): Promise<ConnectionCheckServices> => {
    const [services, connections] = await Promise.all([enrichment(), connectionState()]);
    return { ...services, connections };
  });

  return { config, intake, enrichment, digest, connectionIntake, connectionChecks };
}

/** Every part at once (the dev host, tests): start-up fails early on a bad configuration. */
export async function createServices(
  config: Readonly<Config>,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const provider = createServiceProvider(config, overrides);
  const [intake, enrichment, digest] = await Promise.all([
    provider.intake(),
    provider.enrichment(),
    provider.digest(),
  ]);
  return { config, intake, enrichment, digest };
}
