/**
 * A small local host for the function app (Core Tools cannot be installed offline): the same
 * intake and health handlers on http://localhost:7071/api/..., the Event Grid webhook of the
 * connection events at the Functions host's own address, the queues (alerts, reconnect-grace
 * checks) processed in-process (`STATE_STORE=memory`) or polled from Azure Storage / Azurite
 * (`STATE_STORE=azure-storage`), a clock a demo can move (`/dev/clock`), and an inbox at `/` that
 * shows delivered messages rendered as Teams shows them, each with the receiver it was posted to
 * (`POST /dev/inbox/<receiver>`, one per receiver of a route list; inboxReceivers.ts).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Config } from '../../config/loadConfig';
import type { Environment } from '../../config/configKeys';
import { handleHealthRequest } from '../../intake/handleHealthRequest';
import type { Logger } from '../../common/logger';
import {
  createServiceProvider,
  type ServiceOverrides,
  type ServiceProvider,
} from '../../app/services';
import {
  InMemoryAlertQueue,
  InMemoryAlertStore,
  inMemoryWorkerState,
} from '../../state/memory/memoryState';
import { InMemoryCheckQueue, InMemoryConnectionStates } from '../../state/memory/memoryConnections';
import { type CheckWorker, memoryCheckWorker } from './checkWorker';
import { DevClock } from './devClock';
import { DEV_CLOCK_PATH, routeDevClock } from './devClockRoute';
import { type DevActionLinks, devActionLinks, isActionRoute, routeAction } from './actionRoutes';
import { isEventGridPath, routeEventGrid } from './eventGridRoute';
import { onCallRouteOf, routeOnCall } from './onCallRoutes';
import { declaredLength, readBody, send } from './httpIo';
import { Inbox } from './inbox';
import {
  type InboxReceiver,
  inboxReceiverOf,
  inboxReceivers,
  INBOX_TEAMS_PATH,
  rebaseInboxReceivers,
} from './inboxReceivers';
import type { StorageQueuePoller } from './storageQueuePoller';
import {
  ADAPTIVE_CARDS_BUNDLE_URL,
  adaptiveCardsBundlePath,
  INBOX_MESSAGES_URL,
  type InboxMessage,
  inboxModuleFile,
  inboxModulePath,
} from './inboxRoutes';
import { repoRoot } from './repoRoot';
import type { ReceiverSettings } from '../../config/routeSettings';

export { INBOX_TEAMS_PATH, INBOX_WEBHOOK_PATH } from './inboxReceivers';
/** Dev host only: runs the daily digest now (what the timer does), `?until=ISO` to pick the day. */
export const DIGEST_PATH = '/api/digest';

export interface DevHost {
  readonly url: string;
  readonly inbox: Inbox;
  /** The in-process queue with `STATE_STORE=memory`. */
  readonly queue: InMemoryAlertQueue | undefined;
  /** The poller of the real queue with `STATE_STORE=azure-storage`. */
  readonly poller: StorageQueuePoller | undefined;
  /** The reconnect-grace checks' queue with `STATE_STORE=memory`, on {@link clock}. */
  readonly checkQueue: InMemoryCheckQueue | undefined;
  /** Runs the reconnect-grace checks (in memory, or polled from the real queue). */
  readonly checks: CheckWorker;
  /** What every service reads: real time plus the offset `POST /dev/clock` moves. */
  readonly clock: DevClock;
  /** Built part by part on first use, as in the function app. */
  readonly services: ServiceProvider;
  /** What the cards' action links are signed with (a throwaway key when none is configured). */
  readonly actionLinks: DevActionLinks;
  /** Resolves when every queued alert has been processed or dead-lettered. */
  drain(): Promise<void>;
  /** One run of the incident timer (what the timer below does every `incidentTimerMs`). */
  tickIncidents(): Promise<number>;
  close(): Promise<void>;
}

export interface DevHostOptions {
  readonly config: Readonly<Config>;
  /** The environment the config came from, for `/api/health`. */
  readonly env: Environment;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly host?: string;
  readonly log: Logger;
  /** Given the host's URL once it listens (so notifiers can target its own inbox). */
  readonly overrides?: (url: string) => ServiceOverrides;
  /**
   * The address the config's inbox URLs were written with (`devHostEnvironment`'s
   * `http://localhost:<port>`): receivers that post there post to where the host listens instead
   * (tests listen on a free port). Default: the host's own URL.
   */
  readonly inboxBase?: string;
  /** Delay between queue retries; the Functions host waits seconds, tests need less. */
  readonly retryDelayMs?: number;
  /** How often the incident timer runs (Azure: every minute); 0 turns it off (tests tick by hand). */
  readonly incidentTimerMs?: number;
}

/**
 * Intake validation (zod and the alert schema) loads on the first POST, as in the function app,
 * so that the host answers `GET /api/health` as soon as it listens.
 */
const intakeModule = () => import('../../intake/handleAlertRequest.js');

/** What a request waits for until the host knows its own URL (the notifiers target it). */
interface Runtime {
  readonly services: ServiceProvider;
  readonly clock: DevClock;
  readonly checks: CheckWorker;
  readonly drainAlerts: () => Promise<void>;
  readonly actionLinks: DevActionLinks;
  /** The receivers, as the inbox shows them (names and types, never a URL or secret). */
  readonly receivers: readonly InboxReceiver[];
  /** The configured receivers, for the signing secrets the inbox checks signatures with. */
  readonly receiverSettings: readonly ReceiverSettings[];
}

/** What a signed receiver's post says of its signature; undefined for an unsigned receiver. */
async function signatureOf(
  request: IncomingMessage,
  receiver: ReceiverSettings | undefined,
  text: string,
): Promise<InboxMessage['signature']> {
  if (receiver?.type !== 'webhook' || receiver.secret === undefined) return undefined;
  const { checkWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } =
    await import('../../notify/webhookSignature.js');
  const timestamp = request.headers[TIMESTAMP_HEADER];
  const signature = request.headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return 'missing';
  return checkWebhookSignature(receiver.secret, timestamp, text, signature);
}

export async function startDevHost(options: DevHostOptions): Promise<DevHost> {
  const inbox = new Inbox();
  const inMemory = options.config.stateStore === 'memory';
  const queue = inMemory ? new InMemoryAlertQueue(5, options.retryDelayMs ?? 1000) : undefined;
  // Scripts are read when the inbox first asks for them (the host's first answers need neither),
  // then kept; a read that failed is tried again next time.
  const scripts = new Map<string, Promise<Buffer>>();
  async function sendScript(response: ServerResponse, file: string, cacheControl: string) {
    let content = scripts.get(file);
    if (content === undefined) {
      // Imported here: node:fs/promises (with readline and streams) costs a cold start ~2 ms.
      content = import('node:fs/promises').then(({ readFile }) => readFile(file));
      scripts.set(file, content);
      content.catch(() => scripts.delete(file));
    }
    const body = await content;
    response.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': cacheControl,
    });
    response.end(body);
  }
  // Requests that arrive before the host knows its own URL wait for it.
  let resolveRuntime: (runtime: Runtime) => void = () => undefined;
  const ready = new Promise<Runtime>((resolve) => {
    resolveRuntime = resolve;
  });
  // A clock move and a run of the incident timer never overlap, so that a replay's outcome does
  // not depend on when the timer happens to tick.
  let turn: Promise<unknown> = Promise.resolve();
  // What the clock's moves have reported of the checks so far (see ClockMove.checks).
  const clockReported = { tally: {} };
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work);
    turn = run.catch(() => undefined);
    return run;
  };

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const method = request.method ?? 'GET';
    if (path === '/api/alerts' && method === 'POST') {
      const { handleAlertRequest, MAX_ALERT_BODY_BYTES } = await intakeModule();
      const length = declaredLength(request);
      const authorization = request.headers.authorization;
      const result = await handleAlertRequest(
        {
          ...(authorization !== undefined && { authorization }),
          ...(length !== undefined && { declaredLength: length }),
          readBody: () => readBody(request, MAX_ALERT_BODY_BYTES),
        },
        await (await ready).services.intake(),
      );
      send(
        response,
        result.status,
        result.body,
        result.status === 413 ? { connection: 'close' } : {},
      );
      return;
    }
    if (path === DIGEST_PATH && method === 'POST') {
      const { runDigestNow } = await import('./devDigest.js');
      const result = await runDigestNow(
        await (await ready).services.digest(),
        new URL(request.url ?? '/', 'http://localhost').searchParams.get('until'),
      );
      send(response, result.status, result.body);
      return;
    }
    if (isEventGridPath(path)) {
      await routeEventGrid(
        request,
        response,
        ready.then((r) => r.services),
        options.log,
      );
      return;
    }
    if (onCallRouteOf(path) !== undefined) {
      await routeOnCall(
        request,
        response,
        ready.then((r) => r.services),
        options.log,
      );
      return;
    }
    if (isActionRoute(path)) {
      const { services, actionLinks } = await ready;
      await routeAction(request, response, Promise.resolve(services), actionLinks, options.log);
      return;
    }
    if (path === DEV_CLOCK_PATH) {
      const { clock, checks, drainAlerts } = await ready;
      await routeDevClock(request, response, {
        clock,
        checks,
        drainAlerts,
        exclusive,
        reported: clockReported,
      });
      return;
    }
    if (path === '/api/health' && method === 'GET') {
      const result = handleHealthRequest(options.env);
      send(response, result.status, result.body);
      return;
    }
    const receiverName = method === 'POST' ? inboxReceiverOf(path) : undefined;
    if (receiverName !== undefined) {
      const { receiverSettings } = await ready;
      const receiver = receiverSettings.find((r) => r.name === receiverName);
      // `/inbox/teams` and `/inbox/webhook` take posts from anyone; `/dev/inbox/<name>` only
      // for a configured receiver.
      const legacy = !path.startsWith('/dev/');
      if (!legacy && receiver === undefined) {
        send(response, 404, { error: `No receiver named ${receiverName}`, path: '' });
        return;
      }
      const channel = receiver?.type ?? (path === INBOX_TEAMS_PATH ? 'teams' : 'webhook');
      const { MAX_ALERT_BODY_BYTES } = await intakeModule();
      const text = Buffer.from(await readBody(request, MAX_ALERT_BODY_BYTES)).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        send(response, 400, { error: 'Body is not valid JSON', path: '' });
        return;
      }
      inbox.add(
        channel,
        body,
        new Date(),
        receiverName,
        await signatureOf(request, receiver, text),
      );
      // Like Teams Workflows: accepted, posted later.
      send(response, 202, { accepted: true });
      return;
    }
    if (path === INBOX_MESSAGES_URL && method === 'GET') {
      const only = new URL(request.url ?? '/', 'http://localhost').searchParams.get('receiver');
      send(response, 200, inbox.list(only ?? undefined));
      return;
    }
    if (path === INBOX_MESSAGES_URL && method === 'DELETE') {
      inbox.clear();
      send(response, 200, { cleared: true });
      return;
    }
    if (path === ADAPTIVE_CARDS_BUNDLE_URL && method === 'GET') {
      await sendScript(response, adaptiveCardsBundlePath(), 'max-age=3600');
      return;
    }
    const inboxModule = method === 'GET' ? inboxModuleFile(path) : undefined;
    if (inboxModule !== undefined) {
      await sendScript(response, inboxModulePath(repoRoot(), inboxModule), 'no-store');
      return;
    }
    if (path === '/' && method === 'GET') {
      const { receivers } = await ready;
      const { inboxContentSecurityPolicy, renderInboxPage } = await import('./inboxPage.js');
      send(response, 200, renderInboxPage({ listSilences: true, receivers }), {
        'content-security-policy': inboxContentSecurityPolicy(),
      });
      return;
    }
    send(response, 404, { error: `No route for ${method} ${path}`, path: '' });
  }

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      options.log.error(`Dev host error: ${error instanceof Error ? error.message : 'unknown'}`);
      if (!response.headersSent) send(response, 500, { error: 'Dev host error', path: '' });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  const overrides = options.overrides?.(url);
  const actionLinks = devActionLinks(options.config, url);
  const clock = new DevClock(overrides?.now);
  const checkQueue = inMemory
    ? new InMemoryCheckQueue({ clock: clock.now, retryDelayMs: options.retryDelayMs ?? 1000 })
    : undefined;
  // Like the function app, the host builds intake on the first POST and enrichment (the sample
  // workspace, the notifiers, the worker state) on the first queued alert, so it answers as soon
  // as it listens.
  // Receivers written for the inbox at another address (tests: a free port) post to this one.
  const routing = rebaseInboxReceivers(options.config.routing, options.inboxBase ?? url, url);
  const config: Readonly<Config> = { ...options.config, routing };
  const services = createServiceProvider(config, {
    ...(queue && { queue, store: new InMemoryAlertStore(), state: inMemoryWorkerState() }),
    ...(checkQueue && {
      connectionStates: new InMemoryConnectionStates(),
      connectionCheckQueue: checkQueue,
    }),
    log: options.log,
    actionLinks: actionLinks.settings,
    ...overrides,
    now: clock.now,
  });
  const work = async (message: unknown, messageId: string): Promise<void> => {
    let enrichment: Awaited<ReturnType<ServiceProvider['enrichment']>>;
    try {
      enrichment = await services.enrichment();
    } catch (error: unknown) {
      options.log.error(
        `Dev host cannot enrich: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
      throw error;
    }
    const [{ parseQueuedAlert }, { processQueuedAlert }, { recordAlertActivity }] =
      await Promise.all([
        import('../../state/queueMessage.js'),
        import('../../app/processQueuedAlert.js'),
        import('../../app/recordAlertActivity.js'),
      ]);
    const queued = parseQueuedAlert(message);
    // Digest bookkeeping (idempotent per alert, never throws), as the queue trigger does.
    await recordAlertActivity(
      enrichment.activity,
      'alert-received',
      queued.alert,
      enrichment.now(),
      enrichment.log,
    );
    await processQueuedAlert(queued, messageId, enrichment);
  };
  let poller: StorageQueuePoller | undefined;
  let checks: CheckWorker;
  if (queue && checkQueue) {
    queue.consume(work);
    checks = memoryCheckWorker(checkQueue, clock, services, options.log);
  } else {
    try {
      // The Storage SDKs load only when the host polls real queues.
      const { startStoragePolling } = await import('./storagePolling.js');
      ({ alerts: poller, checks } = await startStoragePolling({
        config: options.config,
        log: options.log,
        retryDelayMs: options.retryDelayMs ?? 1000,
        work,
        clock,
        services,
      }));
    } catch (error: unknown) {
      server.closeAllConnections();
      server.close();
      throw error;
    }
  }
  const drainAlerts = () => (queue ? queue.drain() : (poller?.drain() ?? Promise.resolve()));
  resolveRuntime({
    services,
    clock,
    checks,
    drainAlerts,
    actionLinks,
    receivers: inboxReceivers(routing, url),
    receiverSettings: routing.receivers,
  });
  // Loaded on the first tick, like the enrichment itself: the first answers need none of it.
  const tickIncidents = (): Promise<number> =>
    exclusive(async () => {
      const { runIncidentTimer } = await import('../../app/runIncidentTimer.js');
      return runIncidentTimer(await services.enrichment());
    });
  const timerMs = options.incidentTimerMs ?? 15_000;
  const timer =
    timerMs > 0
      ? setInterval(() => {
          tickIncidents().catch((error: unknown) => {
            options.log.error(
              `Incident timer failed: ${error instanceof Error ? error.message : 'unknown'}`,
            );
          });
        }, timerMs)
      : undefined;
  timer?.unref();
  return {
    url,
    inbox,
    queue,
    poller,
    checkQueue,
    checks,
    clock,
    services,
    actionLinks,
    drain: drainAlerts,
    tickIncidents,
    close: async () => {
      if (timer) clearInterval(timer);
      await Promise.all([poller?.stop(), checks.close()]);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
