/**
 * What the Functions entry points call: services built once per worker from the environment,
 * and the operations (receive, process, the incident and digest timers, health) with the logger
 * of the invocation. Loading this file loads only the configuration and the health handler.
 */

import { randomUUID } from 'node:crypto';

import { ConfigError, loadConfig, processEnvironment } from '../config/loadConfig';
import type { DigestOutcome } from './runDigest';
import type { IntakeRequest, IntakeServices } from '../intake/handleAlertRequest';
import { handleHealthRequest } from '../intake/handleHealthRequest';
import type { HandlerResponse } from '../intake/httpResult';
import type { Logger } from '../common/logger';
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
