/**
 * Routes that work but cannot do what their author meant: a matcher that can never match (a
 * cause that does not exist, a hub the deployment does not watch, two kinds at once), or a route
 * that duplicates one above it or that one above always takes first. Warned about at start-up
 * and by `enricher routes`; never refused, since a typo must not stop alerts from flowing.
 */

import {
  MESSAGE_KINDS,
  type RouteMatcher,
  type RouteSettings,
  type RoutingSettings,
} from '../config/routeSettings';
import { CAUSES } from '../diagnose/diagnosis';
import { globMatches, isGlob } from '../silences/glob';
import { MATCHER_FIELDS } from '../silences/silence';

export interface RouteWarning {
  readonly path: string;
  readonly warning: string;
}

const VOCABULARY: Partial<Record<RouteMatcher['field'], readonly string[]>> = {
  kind: MESSAGE_KINDS,
  cause: CAUSES,
  scope: ['device', 'subset', 'fleet'],
  severity: ['sev0', 'sev1', 'sev2', 'sev3', 'sev4'],
};

/** Fields a message has one value of: two `=` matchers on one with no value in common never hold. */
const SINGLE_VALUED: readonly RouteMatcher['field'][] = [
  'kind',
  'cause',
  'scope',
  'severity',
  'alertRule',
  'hub',
];

/** Fields digests and notices do not carry: every message field but the hub. */
const ALERT_ONLY: readonly RouteMatcher['field'][] = MATCHER_FIELDS.filter((f) => f !== 'hub');

function possible(matcher: RouteMatcher, vocabulary: readonly string[]): string[] {
  return matcher.values.filter((v) =>
    matcher.op === '=~' && isGlob(v)
      ? vocabulary.some((word) => globMatches(v, word))
      : vocabulary.includes(v),
  );
}

/** Why this route can never match, or undefined. */
function neverMatches(route: RouteSettings, hubNames: readonly string[]): string | undefined {
  const positive = route.matchers.filter((m) => m.op !== '!=');
  for (const matcher of positive) {
    const vocabulary =
      VOCABULARY[matcher.field] ??
      (matcher.field === 'hub' && hubNames.length > 0 ? hubNames : undefined);
    if (vocabulary && possible(matcher, vocabulary).length === 0) {
      return `${matcher.text} can never match: ${matcher.field === 'hub' ? 'no watched hub (IOTHUB_RESOURCE_IDS) has that name' : `known values are ${vocabulary.join(', ')}`}`;
    }
  }
  for (const field of SINGLE_VALUED) {
    const exact = positive.filter((m) => m.field === field && m.op === '=');
    for (let i = 1; i < exact.length; i++) {
      const first = exact[0];
      const other = exact[i];
      if (first && other && !other.values.some((v) => first.values.includes(v)))
        return `${first.text} and ${other.text} can never both match: a message has one ${field}`;
    }
  }
  const kinds = positive.filter((m) => m.field === 'kind' && m.op === '=');
  const onlyHubLevel =
    kinds.length > 0 && kinds.every((m) => m.values.every((v) => v === 'digest' || v === 'notice'));
  const alertField = positive.find((m) => ALERT_ONLY.includes(m.field));
  if (onlyHubLevel && alertField)
    return `${alertField.text} can never match a digest or notice: they carry no ${alertField.field}`;
  return undefined;
}

function signature(route: RouteSettings): string {
  return route.matchers
    .map((m) => `${m.field}${m.op}${[...m.values].sort().join('|')}`)
    .sort()
    .join('&');
}

export function routeWarnings(
  routing: RoutingSettings,
  /** Names of the watched hubs, lower-cased (empty: any hub). */
  hubNames: readonly string[] = [],
): RouteWarning[] {
  const warnings: RouteWarning[] = [];
  routing.routes.forEach((route, i) => {
    const never = neverMatches(route, hubNames);
    if (never !== undefined) warnings.push({ path: route.path, warning: never });
    const earlier = routing.routes.slice(0, i);
    const takesAll = earlier.find((r) => r.matchers.length === 0 && !r.continue);
    const same = earlier.find((r) => signature(r) === signature(route));
    if (takesAll)
      warnings.push({
        path: route.path,
        warning: `is never reached: ${takesAll.path} above matches every message and does not continue`,
      });
    else if (same)
      warnings.push({
        path: route.path,
        warning: `duplicates the matchers of ${same.path}${same.continue ? '' : ', which takes those messages first: it is never reached'}`,
      });
  });
  return warnings;
}
