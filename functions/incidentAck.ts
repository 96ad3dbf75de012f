import {
  app,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';

import { receiveOnCallRequest } from '../lib/app/triggers';

/** POST /api/incidents/{id}/ack: on-call takes an incident; its updates collapse. */
export async function incidentAck(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const length = request.headers.get('content-length');
  const authorization = request.headers.get('authorization');
  const id = request.params.id;
  const response = await receiveOnCallRequest(
    {
      route: 'incident-ack',
      method: request.method,
      ...(id !== undefined && { id }),
      ...(authorization !== null && { authorization }),
      ...(length !== null && /^\d+$/.test(length) && { declaredLength: Number(length) }),
      readBody: async () => new Uint8Array(await request.arrayBuffer()),
    },
    context,
  );
  return { status: response.status, jsonBody: response.body };
}

app.http('incidentAck', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'incidents/{id}/ack',
  handler: incidentAck,
});
