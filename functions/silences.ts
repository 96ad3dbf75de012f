import {
  app,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';

import { receiveOnCallRequest } from '../lib/app/triggers';

/** GET|POST /api/silences, GET|DELETE /api/silences/{id}: on-call's silences. */
export async function silences(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const length = request.headers.get('content-length');
  const authorization = request.headers.get('authorization');
  const id = request.params.id;
  const by = request.query.get('by');
  const response = await receiveOnCallRequest(
    {
      route: 'silences',
      method: request.method,
      ...(id !== undefined && id !== '' && { id }),
      ...(by !== null && { by }),
      ...(authorization !== null && { authorization }),
      ...(length !== null && /^\d+$/.test(length) && { declaredLength: Number(length) }),
      readBody: async () => new Uint8Array(await request.arrayBuffer()),
    },
    context,
  );
  return { status: response.status, jsonBody: response.body };
}

app.http('silences', {
  methods: ['GET', 'POST', 'DELETE'],
  authLevel: 'function',
  route: 'silences/{id?}',
  handler: silences,
});
