/**
 * The on-call API on the dev host, at the function app's addresses: `/api/silences[/{id}]` and
 * `/api/incidents/{id}/ack`, answered by the same handler (memory state unless STATE_STORE says
 * otherwise). Like the dev host's other routes, no function key is checked; the Entra ID caller
 * check is, when configured.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ServiceProvider } from '../../app/services';
import type { Logger } from '../../common/logger';
import type { OnCallRoute } from '../../intake/handleOnCallRequest';
import { declaredLength, readBody, send } from './httpIo';

const SILENCES = /^\/api\/silences(?:\/([^/]*))?\/?$/;
const INCIDENT_ACK = /^\/api\/incidents\/([^/]+)\/ack\/?$/;

/** The route and its raw (still encoded) id, or undefined when the path is not one of them. */
export function onCallRouteOf(path: string): { route: OnCallRoute; rawId?: string } | undefined {
  const silence = SILENCES.exec(path);
  if (silence) {
    const rawId = silence[1];
    return { route: 'silences', ...(rawId !== undefined && rawId !== '' && { rawId }) };
  }
  const ack = INCIDENT_ACK.exec(path);
  if (ack?.[1] !== undefined) return { route: 'incident-ack', rawId: ack[1] };
  return undefined;
}

export async function routeOnCall(
  request: IncomingMessage,
  response: ServerResponse,
  services: Promise<ServiceProvider>,
  log: Logger,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const matched = onCallRouteOf(url.pathname);
  if (!matched) {
    send(response, 404, { error: `No route for ${url.pathname}`, path: '' });
    return;
  }
  let id: string | undefined;
  try {
    id = matched.rawId === undefined ? undefined : decodeURIComponent(matched.rawId);
  } catch {
    send(response, 400, { error: 'The id is not valid URL encoding', path: 'id' });
    return;
  }
  const [{ handleOnCallRequest, MAX_ON_CALL_BODY_BYTES }, { onCallHandlerServices }] =
    await Promise.all([
      import('../../intake/handleOnCallRequest.js'),
      import('../../app/triggers.js'),
    ]);
  const handlerServices = await onCallHandlerServices(await services);
  const length = declaredLength(request);
  const authorization = request.headers.authorization;
  const by = url.searchParams.get('by');
  const result = await handleOnCallRequest(
    {
      route: matched.route,
      method: request.method ?? 'GET',
      ...(id !== undefined && { id }),
      ...(by !== null && { by }),
      ...(authorization !== undefined && { authorization }),
      ...(length !== undefined && { declaredLength: length }),
      readBody: () => readBody(request, MAX_ON_CALL_BODY_BYTES),
    },
    { ...handlerServices, log },
  );
  send(response, result.status, result.body, result.status === 413 ? { connection: 'close' } : {});
}
