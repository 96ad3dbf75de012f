/**
 * What the Functions entry points call: services built once per worker from the environment,
 * and the three operations (receive, process, health) with the logger of the invocation.
 *
 * Loading this file loads only the configuration and the health handler: every function module
 * imports it, and the deployed bundle loads all of them on every cold start, including the one
 * for `GET /api/health`. The intake and enrichment code (and through the service provider their
 * SDKs) is imported by the first invocation that needs it.
 */

import { randomUUID } from 'node:crypto';

import { ConfigError, loadConfig, processEnvironment } from './config';
import type { IntakeRequest, IntakeServices } from './intake/handleAlertRequest';
import { handleHealthRequest } from './intake/handleHealthRequest';
import type { HandlerResponse } from './intake/httpResult';
import type { Logger } from './logger';
import { createServiceProvider, type ServiceProvider } from './services';

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
  const { handleAlertRequest } = await import('./intake/handleAlertRequest.js');
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
  const [{ parseQueuedAlert }, { processQueuedAlert }] = await Promise.all([
    import('./state/queueMessage.js'),
    import('./processQueuedAlert.js'),
  ]);
  const queued = parseQueuedAlert(message);
  const services = await workerServices().enrichment();
  await processQueuedAlert(queued, messageId, { ...services, log });
}

export function reportHealth(): HandlerResponse {
  return handleHealthRequest(processEnvironment());
}
