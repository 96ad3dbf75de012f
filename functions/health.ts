import { app, type HttpResponseInit } from '@azure/functions';

import { reportHealth } from '../lib/app/triggers';

/** GET /api/health: configuration status by key name, never values. */
export function health(): HttpResponseInit {
  const response = reportHealth();
  return { status: response.status, jsonBody: response.body };
}

app.http('health', { methods: ['GET'], authLevel: 'function', route: 'health', handler: health });
