/**
 * What the Functions entry points call: services built once per worker from the environment,
 * and the three operations (receive, process, health) with the logger of the invocation.
 */

import { randomUUID } from 'node:crypto';

import { ConfigError, loadConfig, processEnvironment } from './config';
import { runIncidentTimer } from './enrichAlert';
import { handleAlertRequest, type IntakeRequest } from './intake/handleAlertRequest';
import { handleHealthRequest } from './intake/handleHealthRequest';
import type { HandlerResponse } from './intake/httpResult';
import type { Logger } from './logger';
import { processQueuedAlert } from './processQueuedAlert';
import { createServices, type Services } from './services';
import { runDailyDigests, type DigestOutcome } from './digest/runDigest';
import { recordAlertActivity } from './state/activityLedger';
import { parseQueuedAlert } from './state/queueMessage';

let services: Promise<Services> | undefined;

/** Memoised per worker; a failed build is retried on the next call. */
export function getWorkerServices(): Promise<Services> {
  services ??= (async () => createServices(loadConfig(processEnvironment())))().catch(
    (error: unknown) => {
      services = undefined;
      throw error;
    },
  );
  return services;
}

export async function receiveAlert(request: IntakeRequest, log: Logger): Promise<HandlerResponse> {
  let built: Services;
  try {
    built = await getWorkerServices();
  } catch (error: unknown) {
    const detail =
      error instanceof ConfigError ? 'misconfigured (see GET /api/health)' : 'not ready';
    log.error(`Intake ${detail}: ${error instanceof Error ? error.message : 'unknown error'}`);
    // 503 so that the action group retries once the configuration is fixed.
    return { status: 503, body: { error: `The enricher is ${detail}`, path: '' } };
  }
  return handleAlertRequest(request, { ...built.intake, log });
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
  const queued = parseQueuedAlert(message);
  const built = await getWorkerServices();
  // Digest bookkeeping (idempotent per alert, never throws).
  await recordAlertActivity(
    built.enrichment.activity,
    'alert-received',
    queued.alert,
    built.enrichment.now(),
    log,
  );
  await processQueuedAlert(queued, messageId, { ...built.enrichment, log });
}

/** The incident timer (functions/incidents.ts): updates and closing cards. */
export async function tickIncidentTimer(log: Logger): Promise<void> {
  const built = await getWorkerServices();
  const sent = await runIncidentTimer({ ...built.enrichment, log });
  if (sent > 0) log.info(`Incident timer: ${sent} message(s) delivered`);
}

/** The timer: the daily fleet-health digest of every watched hub. */
export async function runDigestTimer(log: Logger): Promise<DigestOutcome[]> {
  const built = await getWorkerServices();
  return runDailyDigests({ ...built.digest, log });
}

export function reportHealth(): HandlerResponse {
  return handleHealthRequest(processEnvironment());
}
