/**
 * The Functions host's Event Grid webhook on the dev host, at the same address:
 * `POST /runtime/webhooks/eventgrid?functionName=connectionEvents` takes a delivery (a batch, or
 * the `SubscriptionValidation` handshake) and answers as `handleEventGridRequest` does; `OPTIONS`
 * answers the CloudEvents webhook handshake. The real host also wants the `code` query parameter
 * (the Event Grid extension's system key); the dev host, like its other routes, checks no key.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ServiceProvider } from '../../app/services';
import type { Logger } from '../../common/logger';
import { declaredLength, readBody, send } from './httpIo';

/** Lower-cased: the Functions host matches the path whatever its case. */
export const EVENT_GRID_PATH = '/runtime/webhooks/eventgrid';
/** The Event Grid trigger of this app (`functions/connectionEvents.ts`). */
export const CONNECTION_EVENTS_FUNCTION = 'connectionEvents';

export function isEventGridPath(path: string): boolean {
  return path.toLowerCase() === EVENT_GRID_PATH;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** CloudEvents 1.0 webhook validation: the sender asks, in an OPTIONS, whether it may deliver. */
function abuseProtectionHandshake(request: IncomingMessage, response: ServerResponse): void {
  const origin = header(request, 'webhook-request-origin');
  if (origin === undefined || origin.trim() === '') {
    send(response, 400, { error: 'WebHook-Request-Origin header is missing', path: '' });
    return;
  }
  response.writeHead(200, {
    'WebHook-Allowed-Origin': origin,
    'WebHook-Allowed-Rate': '*',
    Allow: 'POST, OPTIONS',
    'cache-control': 'no-store',
  });
  response.end();
}

export async function routeEventGrid(
  request: IncomingMessage,
  response: ServerResponse,
  services: Promise<ServiceProvider>,
  log: Logger,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const functionName = url.searchParams.get('functionName');
  if (functionName?.toLowerCase() !== CONNECTION_EVENTS_FUNCTION.toLowerCase()) {
    send(response, 404, {
      error: `No Event Grid function named ${JSON.stringify(functionName ?? '')}; this app has ${CONNECTION_EVENTS_FUNCTION}`,
      path: 'functionName',
    });
    return;
  }
  if (request.method === 'OPTIONS') {
    abuseProtectionHandshake(request, response);
    return;
  }
  if (request.method !== 'POST') {
    send(
      response,
      405,
      { error: `${request.method ?? ''} is not allowed here`, path: '' },
      {
        Allow: 'POST, OPTIONS',
      },
    );
    return;
  }
  // Loaded on the first delivery (it brings the Event Grid library), as in the function app.
  const { handleEventGridRequest, MAX_EVENT_BATCH_BYTES } =
    await import('../../intake/handleEventGridRequest.js');
  let intake: Awaited<ReturnType<ServiceProvider['connectionIntake']>>;
  try {
    intake = await (await services).connectionIntake();
  } catch (error: unknown) {
    log.error(`Connection intake not ready: ${error instanceof Error ? error.message : 'unknown'}`);
    send(response, 503, { error: 'The enricher is not ready', path: '' });
    return;
  }
  const eventType = header(request, 'aeg-event-type');
  const length = declaredLength(request);
  const result = await handleEventGridRequest(
    {
      ...(eventType !== undefined && { eventType }),
      ...(length !== undefined && { declaredLength: length }),
      readBody: () => readBody(request, MAX_EVENT_BATCH_BYTES),
    },
    { ...intake, log },
  );
  send(response, result.status, result.body, result.status === 413 ? { connection: 'close' } : {});
}
