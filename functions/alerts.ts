import {
  app,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';

import { receiveAlert } from '../lib/app/triggers';

/** POST /api/alerts: the Azure Monitor action group webhook (common alert schema). */
export async function alerts(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const length = request.headers.get('content-length');
  const authorization = request.headers.get('authorization');
  const response = await receiveAlert(
    {
      ...(authorization !== null && { authorization }),
      ...(length !== null && /^\d+$/.test(length) && { declaredLength: Number(length) }),
      readBody: async () => new Uint8Array(await request.arrayBuffer()),
    },
    context,
  );
  return { status: response.status, jsonBody: response.body };
}

app.http('alerts', { methods: ['POST'], authLevel: 'function', route: 'alerts', handler: alerts });
