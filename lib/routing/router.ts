/**
 * Which receivers a message goes to. Routes are tried in order; the first that matches takes the
 * message and stops the walk, unless it says `continue`. A message no route took goes to the
 * default receivers. Pure and cheap: a subject's values are normalised once.
 *
 * Unlike a silence (which must hold for every device before it hides anything), a route matches
 * when any of the message's values does: an incident with one plant-A device reaches plant A.
 */

import type { RouteMatcher, RouteSettings, RoutingSettings } from '../config/routeSettings';
import { globMatches } from '../silences/glob';
import type { RouteSubject } from './routeSubject';

export interface RouteDecision {
  /** Each receiver once, in the order the routes named them. */
  readonly receivers: readonly string[];
  /** The routes that took the message (empty: the default did). */
  readonly matched: readonly RouteSettings[];
}

/** Each value of a field, with every name it answers to (a hub's ID and its name). */
function valuesOf(subject: RouteSubject, field: RouteMatcher['field']): (readonly string[])[] {
  const one = (value: string | undefined): (readonly string[])[] =>
    value === undefined ? [] : [[value.toLowerCase()]];
  switch (field) {
    case 'kind':
      return [[subject.kind]];
    case 'hub': {
      const hub = subject.hub?.toLowerCase();
      return hub === undefined ? [] : [[hub, hub.split('/').pop() ?? '']];
    }
    case 'device':
      return subject.devices.map((d) => [d]);
    case 'module':
      return subject.modules.map((m) => [m]);
    case 'site':
      return subject.sites.map((s) => [s.toLowerCase()]);
    case 'sdk':
      return subject.sdks.map((s) => [s.family.toLowerCase(), s.version.toLowerCase()]);
    case 'cause':
      return one(subject.cause);
    case 'scope':
      return one(subject.scope);
    case 'severity':
      return one(subject.severity);
    case 'alertRule':
      return subject.alertRule === undefined ? [] : [[subject.alertRule]];
  }
}

function names(matcher: RouteMatcher, name: string): boolean {
  return matcher.op === '=~'
    ? matcher.values.some((pattern) => globMatches(pattern, name))
    : matcher.values.includes(name);
}

export function routeMatcherHolds(matcher: RouteMatcher, subject: RouteSubject): boolean {
  const values = valuesOf(subject, matcher.field);
  const anyNamed = values.some((value) => value.some((name) => names(matcher, name)));
  return matcher.op === '!=' ? !anyNamed : anyNamed;
}

export function routeMatches(route: RouteSettings, subject: RouteSubject): boolean {
  return route.matchers.every((matcher) => routeMatcherHolds(matcher, subject));
}

export function routeOf(routing: RoutingSettings, subject: RouteSubject): RouteDecision {
  const matched: RouteSettings[] = [];
  for (const route of routing.routes) {
    if (!routeMatches(route, subject)) continue;
    matched.push(route);
    if (!route.continue) break;
  }
  const named = matched.length > 0 ? matched.flatMap((r) => r.receivers) : routing.defaultReceivers;
  return { receivers: [...new Set(named)], matched };
}
