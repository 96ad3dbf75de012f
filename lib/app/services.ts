/**
 * The composition root: the one place that says which adapter serves which port, built from
 * `Config`. Tests pass overrides instead of patching modules. It imports no SDK and no adapter at
 * load time (only types), so that a cold start loads only what its trigger needs.
 */

import type { TokenCredential } from '@azure/identity';

import {
  type ActionLinkSettings,
  type Config,
  graceSecondsOf,
  watchedHubs,
} from '../config/loadConfig';
import { hasRouteList } from '../config/routeSettings';
import type { DigestServices } from './runDigest';
import type { EnrichmentServices } from './enrichAlert';
import type { DigestSource } from '../digest/digestSource';
import type { EvidenceSource, MetricsSource } from '../evidence/evidenceSource';
import type { IncidentStore } from '../incidents/incidentStore';
import type { IntakeServices } from '../intake/handleAlertRequest';
import { consoleLogger, type Logger } from '../common/logger';
import {
  type AlertState,
  type ConnectionState,
  createActivityLedger,
  createAlertState,
  createConnectionState,
  createCredential,
  createDigestSource,
  createEvidenceSource,
  createMetricsSource,
  createNotifiers,
  createReceivedAlertArchive,
} from './adapterFactories';
import type { Notifier } from '../notify/notifier';
import { routeWarnings } from '../routing/routeWarnings';
import type { ActivityLedger } from '../state/activityLedger';
import type { AlertQueue } from '../state/alertQueue';
import type { AlertStore } from '../state/alertStore';
import type { WorkerState } from '../state/workerState';
import type { ConnectionCheckQueue, ConnectionStateStore } from '../state/connectionStates';
import type { SilenceStore } from '../state/silenceStore';
import type { ReceivedAlertArchive } from '../state/receivedAlerts';
import type { WorkerServices } from './processQueuedAlert';
import type { OnCallServices } from './onCall';
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
  /** The queue worker's: the use case's services and the received-alert archive. */
  enrichment(): Promise<WorkerServices>;
  /** The daily digest's timer. */
  digest(): Promise<DigestServices>;
  /** The Event Grid trigger: connection events in. */
  connectionIntake(): Promise<ConnectionIntakeServices>;
  /** The check queue's trigger: the reconnect grace's verdicts. */
  connectionChecks(): Promise<ConnectionCheckServices>;
  /** Silences and acknowledgements: the API, the CLI and the card's pages. */
  onCall(): Promise<OnCallServices>;
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
  /** Where the worker keeps the alerts it takes (`enricher whatif`). */
  readonly receivedAlerts?: ReceivedAlertArchive;
  readonly connectionStates?: ConnectionStateStore;
  readonly silenceStore?: SilenceStore;
  readonly connectionCheckQueue?: ConnectionCheckQueue;
  readonly credential?: TokenCredential;
  readonly log?: Logger;
  readonly now?: () => Date;
  /** The action links' keys and base URL (the dev host: its own URL, maybe a throwaway key). */
  readonly actionLinks?: ActionLinkSettings;
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

// ---- the composition ----------------------------------------------------------------------

export function createServiceProvider(
  config: Readonly<Config>,
  overrides: ServiceOverrides = {},
): ServiceProvider {
  const log = overrides.log ?? consoleLogger;
  const now = overrides.now ?? (() => new Date());
  // Routes that cannot do what was meant are warned about once, at start-up.
  const hubNames = watchedHubs(config).map((id) => id.split('/').pop() ?? '');
  for (const { path, warning } of routeWarnings(config.routing, hubNames)) {
    log.warn(`${config.routing.source} ${path} ${warning}`);
  }
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
          silenceStore:
            overrides.silenceStore ??
            new (await import('../state/memory/memorySilenceStore.js')).InMemorySilenceStore(),
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
  // Best effort: an archive that cannot be built leaves the worker without one, never down.
  const archive = lazy(
    async (): Promise<ReceivedAlertArchive | undefined> =>
      overrides.receivedAlerts ??
      createReceivedAlertArchive(config, credential, { log, now }).catch((error: unknown) => {
        log.warn(
          `Received alerts: not kept (${error instanceof Error ? error.message : 'unknown error'})`,
        );
        return undefined;
      }),
  );

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

  const enrichment = lazy(async (): Promise<WorkerServices> => {
    const links = overrides.actionLinks ?? config.actionLinks;
    // Loaded only with a route list: an incident then keeps the receivers of its opening card.
    const receiversOf = hasRouteList(config.routing)
      ? (await import('../routing/messageReceivers.js')).incidentReceivers(config.routing)
      : undefined;
    const [
      evidence,
      metrics,
      notifiers,
      built,
      ledger,
      kept,
      sharing,
      limiter,
      { silenceSource },
      signer,
    ] = await Promise.all([
      evidenceSource(),
      metricsSource(),
      overrides.notifiers ?? createNotifiers(config),
      state(),
      activity(),
      archive(),
      import('../evidence/querySharing/sharedEvidence.js'),
      import('../evidence/querySharing/queryLimiter.js'),
      import('./silenceSource.js'),
      import('../intake/actionLinkSigner.js'),
    ]);
    return {
      // One sharing layer per worker: a storm of alerts for one hub shares its queries.
      sources: sharing.shareEvidence(
        { evidence, ...(metrics && { metrics }) },
        { clock: { ...limiter.systemClock, now: () => now().getTime() } },
      ),
      notifiers,
      routing: config.routing,
      ...(links && { signActionLink: signer.createActionLinkSigner(links, now) }),
      lookbackMinutes: config.evidenceLookbackMinutes,
      activity: ledger,
      ...(kept && { archive: kept }),
      log,
      now,
      state: overrides.state ?? built.worker,
      incidents: {
        store: overrides.incidentStore ?? built.incidentStore,
        silences: silenceSource(
          overrides.silenceStore ?? built.silenceStore,
          config.maintenanceWindows,
          log,
          async (target) => (await import('./onCall.js')).endSilencesFor(target, await onCall()),
        ),
        settings: {
          updateMinutes: config.incidentUpdateMinutes,
          quietMinutes: config.incidentQuietMinutes,
          renewalPolicy: config.renewalPolicy,
          ...(receiversOf && { receiversOf }),
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
      routing: config.routing,
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

  // Declared as a function so that enrichment (above) can end silences through it.
  async function onCall(): Promise<OnCallServices> {
    return onCallPart();
  }
  const onCallPart = lazy(async (): Promise<OnCallServices> => {
    const built = await state();
    return {
      silences: overrides.silenceStore ?? built.silenceStore,
      incidents: overrides.incidentStore ?? built.incidentStore,
      silenceMaxDays: config.silenceMaxDays,
      // Notices go out as messages do: through the delivery ledger, to every channel.
      notify: async (notice) => {
        const [services, { deliverMessage }] = await Promise.all([
          enrichment(),
          import('./deliverMessage.js'),
        ]);
        await deliverMessage(notice, services);
      },
      log,
      now,
    };
  });

  return { config, intake, enrichment, digest, connectionIntake, connectionChecks, onCall };
}

/** The received-alert archive from the configuration alone (`enricher whatif`). */
export { createReceivedAlertArchive, receivedAlertArchive } from './adapterFactories';

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
