/**
 * The receivers of one outgoing message: an incident's later cards (and its acknowledgement)
 * go where its opening card went, even when the routes changed since; every other message is
 * routed afresh. Pure.
 */

import { hasRouteList, type RoutingSettings } from '../config/routeSettings';
import type { IncidentSettings } from '../incidents/incidentSettings';
import type { OutgoingMessage } from '../incidents/outgoingMessage';
import { type RouteDecision, routeOf } from './router';
import { messageSubject } from './routeSubject';

export interface MessageRoute extends RouteDecision {
  /** The receivers were kept from the incident's opening card, not routed now. */
  readonly kept: boolean;
}

/** The receivers a message named at an earlier time (an incident's), still configured. */
function keptReceivers(message: OutgoingMessage, routing: RoutingSettings): string[] | undefined {
  const kept =
    message.kind === 'incident'
      ? message.incident.receivers
      : message.kind === 'notice'
        ? message.receivers
        : undefined;
  if (kept === undefined || kept.length === 0) return undefined;
  const configured = new Set(routing.receivers.map((r) => r.name));
  const still = kept.filter((name) => configured.has(name));
  // A receiver removed from the configuration since: route afresh rather than post nowhere.
  return still.length > 0 ? still : undefined;
}

/**
 * The incident policy's `receiversOf`: with a route list, an incident's record keeps the
 * receivers of its opening card; without one, none is kept and every card goes to every channel.
 */
export function incidentReceivers(routing: RoutingSettings): IncidentSettings['receiversOf'] {
  return hasRouteList(routing) ? (message) => messageRoute(message, routing).receivers : undefined;
}

export function messageRoute(message: OutgoingMessage, routing: RoutingSettings): MessageRoute {
  const kept = keptReceivers(message, routing);
  if (!kept) return { ...routeOf(routing, messageSubject(message)), kept: false };
  if (message.kind === 'incident' && message.event === 'opened') {
    // The opening card itself: say which routes chose its receivers, when they still do.
    const now = routeOf(routing, messageSubject(message));
    const same =
      now.receivers.length === kept.length && now.receivers.every((r) => kept.includes(r));
    if (same) return { ...now, kept: false };
  }
  return { receivers: kept, matched: [], kept: true };
}
