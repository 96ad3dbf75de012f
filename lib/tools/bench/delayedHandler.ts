/** A Log Analytics stand-in handler whose every answer comes `delayMs` later: a query's round trip. */

import { type Handler, reply } from './localLogAnalyticsServer';

export function answeredAfter(handler: Handler, delayMs: number): Handler {
  if (delayMs <= 0) return handler;
  return async (request) => reply.slow(delayMs, await handler(request));
}
