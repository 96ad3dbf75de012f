import {
  app,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';

import { receiveActionPage } from '../lib/app/triggers';
import { PayloadTooLargeError } from '../lib/common/errors';

/**
 * GET|POST /api/act?token=…: the page behind a card's Acknowledge and Mute links. Anonymous at
 * the host: the signed, expiring token is the authorization. With App Service authentication on,
 * the signed-in user's name comes from `x-ms-client-principal-name`.
 */
export async function actionPage(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const length = request.headers.get('content-length');
  const principal = request.headers.get('x-ms-client-principal-name');
  const contentType = request.headers.get('content-type');
  const token = request.query.get('token');
  const response = await receiveActionPage(
    {
      method: request.method,
      ...(token !== null && { token }),
      ...(principal !== null && { principalName: principal }),
      ...(contentType !== null && { contentType }),
      ...(length !== null && /^\d+$/.test(length) && { declaredLength: Number(length) }),
      readBody: async (limit) => {
        const body = new Uint8Array(await request.arrayBuffer());
        if (body.byteLength > limit) throw new PayloadTooLargeError(limit);
        return body;
      },
    },
    context,
  );
  return { status: response.status, headers: response.headers, body: response.body };
}

app.http('actionPage', {
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  route: 'act',
  handler: actionPage,
});
