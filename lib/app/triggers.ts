/**
 * What the Functions entry points call: services built once per worker from the environment,
 * and the operations (receive, process, the incident and digest timers, health) with the logger
 * of the invocation. Loading this file loads only the configuration and the health handler.
 */

import { randomUUID } from 'node:crypto';

import { ConfigError, loadConfig, processEnvironment } from '../config/loadConfig';
import type { DigestOutcome } from './runDigest';
import type { IntakeRequest, IntakeServices } from '../intake/handleAlertRequest';
import type { ConnectionIntakeServices } from '../intake/acceptConnectionEvent';
import type { EventGridRequest } from '../intake/handleEventGridRequest';
import { handleHealthRequest } from '../intake/handleHealthRequest';
import type { HandlerResponse } from '../intake/httpResult';
import type {
  OnCallHandlerServices,
  OnCallOperations,
  OnCallRequest,
} from '../intake/handleOnCallRequest';
import type { Logger } from '../common/logger';
import type { SigningKeys } from '../actions/actionToken';
import type {
  ActionPageRequest,
  ActionPageResponse,
  ActionPageServices,
} from '../intake/handleActionPage';
import type { OnCallServices } from './onCall';
import { createServiceProvider, type ServiceProvider } from './services';

// Every function module imports this file, and the deployed bundle loads all of them on every
// cold start, including the one for `GET /api/health`: the intake and enrichment code (and
// through the service provider their SDKs) is imported by the first invocation that needs it.
let provider: ServiceProvider | undefined;

/** One per worker; a configuration that does not load is read again on the next call. */
function workerServices(): ServiceProvider {
  provider ??= createServiceProvider(loadConfig(processEnvironment()));
  return provider;
}

export async function receiveAlert(request: IntakeRequest, log: Logger): Promise<HandlerResponse> {
  let services: IntakeServices;
  try {
    services = await workerServices().intake();
  } catch (error: unknown) {
    const detail =
      error instanceof ConfigError ? 'misconfigured (see GET /api/health)' : 'not ready';
    log.error(`Intake ${detail}: ${error instanceof Error ? error.message : 'unknown error'}`);
    // 503 so that the action group retries once the configuration is fixed.
    return { status: 503, body: { error: `The enricher is ${detail}`, path: '' } };
  }
  const { handleAlertRequest } = await import('../intake/handleAlertRequest.js');
  return handleAlertRequest(request, { ...services, log });
}

/**
 * The on-call API (functions/silences.ts, functions/incidentAck.ts): silences and
 * acknowledgements, behind the intake's caller check.
 */
export async function receiveOnCallRequest(
  request: OnCallRequest,
  log: Logger,
): Promise<HandlerResponse> {
  let services: Omit<OnCallHandlerServices, 'log'>;
  try {
    services = await onCallHandlerServices(workerServices());
  } catch (error: unknown) {
    const detail =
      error instanceof ConfigError ? 'misconfigured (see GET /api/health)' : 'not ready';
    log.error(`On-call API ${detail}: ${error instanceof Error ? error.name : 'unknown error'}`);
    return { status: 503, body: { error: `The enricher is ${detail}`, path: '' } };
  }
  const { handleOnCallRequest } = await import('../intake/handleOnCallRequest.js');
  return handleOnCallRequest(request, { ...services, log });
}

/** On-call's operations bound to its services; `onCall.ts` loads on the first call. */
export function onCallOperations(services: OnCallServices): OnCallOperations {
  const load = () => import('./onCall.js');
  return {
    list: async () => (await load()).listSilences(services),
    get: (id) => services.silences.get(id),
    add: async (request, id) => (await load()).addSilence(request, services, id),
    expire: async (id, by) => (await load()).expireSilence(id, by, services),
    acknowledge: async (id, by) => (await load()).acknowledgeIncident(id, by, services),
  };
}

/** The API's services: on-call's operations behind the intake's caller check (the dev host too). */
export async function onCallHandlerServices(
  provider: ServiceProvider,
): Promise<Omit<OnCallHandlerServices, 'log'>> {
  const [onCall, intake] = await Promise.all([provider.onCall(), provider.intake()]);
  return {
    operations: onCallOperations(onCall),
    maintenanceWindows: provider.config.maintenanceWindows,
    ...(intake.checkCaller && { checkCaller: intake.checkCaller }),
    now: onCall.now,
  };
}

/**
 * `messageId` is the queue message's id (the trigger's metadata): the processing lease's holder,
 * stable over the message's retries. Without one, the lease is taken back only once it expires.
 */
export async function processQueueMessage(
  message: unknown,
  log: Logger,
  messageId: string = randomUUID(),
): Promise<void> {
  const [{ parseQueuedAlert }, { processQueuedAlert }, { recordAlertActivity }] = await Promise.all(
    [
      import('../state/queueMessage.js'),
      import('./processQueuedAlert.js'),
      import('./recordAlertActivity.js'),
    ],
  );
  const queued = parseQueuedAlert(message);
  const services = await workerServices().enrichment();
  // Digest bookkeeping (idempotent per alert, never throws).
  await recordAlertActivity(services.activity, 'alert-received', queued.alert, services.now(), log);
  await processQueuedAlert(queued, messageId, { ...services, log });
}

/**
 * The Event Grid trigger (functions/connectionEvents.ts): one connection event. An event that
 * cannot be read is logged and acknowledged, since a retry cannot mend it; a storage failure
 * throws, so that Event Grid delivers the event again.
 */
export async function receiveConnectionEvent(event: unknown, log: Logger): Promise<void> {
  const [{ readEventGridEvent }, { acceptConnectionEvent }, services] = await Promise.all([
    import('../intake/eventGridEvents.js'),
    import('../intake/acceptConnectionEvent.js'),
    workerServices().connectionIntake(),
  ]);
  const reading = await readEventGridEvent(event);
  switch (reading.kind) {
    case 'invalid':
      log.warn(
        `Connection event unreadable (${reading.path || 'envelope'}: ${reading.reason}); acknowledged and dropped`,
      );
      return;
    case 'other-type':
      log.info(`Event of type ${reading.eventType} ignored`);
      return;
    case 'validation':
      return; // The Functions host answers the handshake itself.
    case 'connection': {
      const outcome = await acceptConnectionEvent(reading.event, { ...services, log });
      if (outcome !== 'recorded') log.info(`Connection event ${reading.event.eventId}: ${outcome}`);
    }
  }
}

/** The dev host's copy of the Functions host's Event Grid webhook: a batch, or the handshake. */
export async function receiveEventGridRequest(
  request: EventGridRequest,
  log: Logger,
): Promise<HandlerResponse> {
  let services: ConnectionIntakeServices;
  try {
    services = await workerServices().connectionIntake();
  } catch (error: unknown) {
    log.error(
      `Connection intake not ready: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
    return { status: 503, body: { error: 'The enricher is not ready', path: '' } };
  }
  const { handleEventGridRequest } = await import('../intake/handleEventGridRequest.js');
  return handleEventGridRequest(request, { ...services, log });
}

/** The check queue's trigger (functions/connectionChecks.ts): one reconnect-grace check. */
export async function processConnectionCheck(
  message: unknown,
  log: Logger,
  messageId: string = randomUUID(),
): Promise<void> {
  const [{ parseConnectionCheck }, { runConnectionCheck }, services] = await Promise.all([
    import('../state/connectionCheckMessage.js'),
    import('./runConnectionCheck.js'),
    workerServices().connectionChecks(),
  ]);
  await runConnectionCheck(parseConnectionCheck(message), messageId, { ...services, log });
}

/** The incident timer (functions/incidents.ts): updates and closing cards. */
export async function tickIncidentTimer(log: Logger): Promise<void> {
  const [{ runIncidentTimer }, services] = await Promise.all([
    import('./runIncidentTimer.js'),
    workerServices().enrichment(),
  ]);
  const sent = await runIncidentTimer({ ...services, log });
  if (sent > 0) log.info(`Incident timer: ${sent} message(s) delivered`);
}

/** The timer: the daily fleet-health digest of every watched hub. */
export async function runDigestTimer(log: Logger): Promise<DigestOutcome[]> {
  const [{ runDailyDigests }, services] = await Promise.all([
    import('./runDigest.js'),
    workerServices().digest(),
  ]);
  return runDailyDigests({ ...services, log });
}

export function reportHealth(): HandlerResponse {
  return handleHealthRequest(processEnvironment());
}

/** Binds the on-call operations to the action page (here and in the dev host). */
export async function actionPageServices(
  onCall: OnCallServices,
  keys: SigningKeys | undefined,
  log: Logger,
): Promise<ActionPageServices> {
  const { acknowledgeAlert, acknowledgeIncident, addSilence } = await import('./onCall.js');
  const services = { ...onCall, log };
  return {
    keys,
    incidents: onCall.incidents,
    acknowledgeIncident: (id, by) => acknowledgeIncident(id, by, services),
    acknowledgeAlert: (id, by) => acknowledgeAlert(id, by, services),
    addSilence: (request, id) => addSilence(request, services, id),
    now: onCall.now,
    log,
  };
}

/** The page behind a card's action links (functions/actionPage.ts); the token authorizes. */
export async function receiveActionPage(
  request: ActionPageRequest,
  log: Logger,
): Promise<ActionPageResponse> {
  const [{ handleActionPage }, { problemPageHtml, ACTION_PAGE_HEADERS }] = await Promise.all([
    import('../intake/handleActionPage.js'),
    import('../intake/actionPageHtml.js'),
  ]);
  try {
    const provider = workerServices();
    const services = await actionPageServices(
      await provider.onCall(),
      provider.config.actionLinks?.signingKeys,
      log,
    );
    return await handleActionPage(request, services);
  } catch (error: unknown) {
    log.error(`Action page not ready: ${error instanceof Error ? error.message : 'unknown'}`);
    const body = problemPageHtml('Not ready', 'The enricher is not ready; try again shortly.');
    return { status: 503, headers: ACTION_PAGE_HEADERS, body };
  }
}
