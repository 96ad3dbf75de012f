/**
 * Which notifiers take a message: those of the receivers its route names. Without a route list
 * (today's settings) every notifier takes every message, as before routes existed.
 */

import { hasRouteList, type RoutingSettings } from '../config/routeSettings';
import type { OutgoingMessage } from '../incidents/outgoingMessage';
import { type MessageRoute, messageRoute } from './messageReceivers';
import { routeOf } from './router';
import { digestSubject } from './routeSubject';

export interface Routed<T> {
  readonly targets: readonly T[];
  /** Receivers the route names that have no notifier (only with hand-built services). */
  readonly missing: readonly string[];
  readonly route?: MessageRoute;
}

function pick<T extends { readonly name: string }>(
  receivers: readonly string[],
  notifiers: readonly T[],
): { targets: T[]; missing: string[] } {
  const targets = notifiers.filter((n) => receivers.includes(n.name));
  const missing = receivers.filter((name) => !notifiers.some((n) => n.name === name));
  return { targets, missing };
}

export function notifiersForMessage<T extends { readonly name: string }>(
  message: OutgoingMessage,
  notifiers: readonly T[],
  routing: RoutingSettings | undefined,
): Routed<T> {
  if (!hasRouteList(routing)) return { targets: notifiers, missing: [] };
  const route = messageRoute(message, routing);
  return { ...pick(route.receivers, notifiers), route };
}

export function notifiersForDigest<T extends { readonly name: string }>(
  hubResourceId: string,
  notifiers: readonly T[],
  routing: RoutingSettings | undefined,
): Routed<T> {
  if (!hasRouteList(routing)) return { targets: notifiers, missing: [] };
  return pick(routeOf(routing, digestSubject(hubResourceId)).receivers, notifiers);
}

/** `routes[0] "plant A", routes[2]`, or `default`, or `kept from the opening card`. */
export function describeRoute(route: MessageRoute): string {
  if (route.kept) return 'kept from the opening card';
  if (route.matched.length === 0) return 'default';
  return route.matched
    .map((r) => (r.name === undefined ? r.path : `${r.path} "${r.name}"`))
    .join(', ');
}
