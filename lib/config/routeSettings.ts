/**
 * Receivers and routes (`ROUTES` or `ROUTES_FILE`): parsed and checked once, every problem with
 * its exact path (`routes[2].receivers[0]`). URLs and signing secrets are never in the route
 * list: each receiver's URL is its own setting (`RECEIVER_<NAME>_URL`, a Key Vault reference in
 * Azure), so the list itself can be shown, logged and diffed.
 *
 * Without a route list, today's settings are the default route: `TEAMS_WORKFLOW_URL` is the
 * receiver `teams` and `WEBHOOK_URL` the receiver `webhook`, and every message goes to both.
 */

import { type MatcherOp, MATCHER_FIELDS } from '../silences/silence';
import type { Environment } from './configKeys';
import {
  builtInReceivers,
  type Complain,
  isObject,
  receiverList,
  receiverNames,
  type ReceiverSettings,
} from './receiverSettings';

export {
  builtInReceivers,
  RECEIVER_TYPES,
  receiverSettingPrefix,
  type ReceiverSettings,
  type ReceiverType,
} from './receiverSettings';

/** What a message is: a route can match on it (`kind=incident`). */
export const MESSAGE_KINDS = [
  'alert',
  'renewal',
  'incident',
  'resolved',
  'digest',
  'notice',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const ROUTE_FIELDS = ['kind', ...MATCHER_FIELDS] as const;
export type RouteField = (typeof ROUTE_FIELDS)[number];

/** `field=a|b` (any of), `field!=a|b` (none of), `field=~glob|glob`. */
export interface RouteMatcher {
  readonly field: RouteField;
  readonly op: MatcherOp;
  readonly values: readonly string[];
  /** As written, for `enricher routes` and the health page. */
  readonly text: string;
}

export interface RouteSettings {
  /** `routes[i]`: where it is in the list, for messages. */
  readonly path: string;
  readonly name?: string;
  readonly matchers: readonly RouteMatcher[];
  readonly receivers: readonly string[];
  readonly continue: boolean;
}

export interface RoutingSettings {
  /** Where the routes came from: today's two settings, or a route list. */
  readonly source: 'TEAMS_WORKFLOW_URL/WEBHOOK_URL' | 'ROUTES' | 'ROUTES_FILE';
  readonly receivers: readonly ReceiverSettings[];
  readonly routes: readonly RouteSettings[];
  /** Where a message goes when no route matches it. */
  readonly defaultReceivers: readonly string[];
}

/** True when a route list decides where messages go (not just today's one or two channels). */
export function hasRouteList(routing: RoutingSettings | undefined): routing is RoutingSettings {
  return routing !== undefined && routing.source !== 'TEAMS_WORKFLOW_URL/WEBHOOK_URL';
}

export interface RouteProblem {
  readonly path: string;
  readonly problem: string;
}

const MAX_ROUTES = 200;
const MAX_MATCHERS = 20;
const MAX_VALUES = 50;
const MAX_VALUE_LENGTH = 200;
const CASE_FREE: readonly RouteField[] = [
  'kind',
  'hub',
  'cause',
  'scope',
  'severity',
  'site',
  'sdk',
];

/** `hub=~plant-a-*|plant-b-*`; throws a sentence (without the value) when it is not one. */
export function parseRouteMatcher(text: string): RouteMatcher {
  const match = /^([A-Za-z]+)(=~|!=|=)(.*)$/s.exec(text.trim());
  if (!match) throw new Error('a matcher is field=value, field!=value or field=~glob');
  const [, rawField = '', op = '=', rest = ''] = match;
  const field = ROUTE_FIELDS.find((f) => f.toLowerCase() === rawField.toLowerCase());
  if (field === undefined) throw new Error(`unknown field; use one of ${ROUTE_FIELDS.join(', ')}`);
  const values = rest.split('|').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new Error(`${field} needs a value on each side of |`);
  if (values.length > MAX_VALUES) throw new Error(`at most ${MAX_VALUES} values`);
  if (values.some((v) => v.length > MAX_VALUE_LENGTH))
    throw new Error(`a value is at most ${MAX_VALUE_LENGTH} characters`);
  const normal = CASE_FREE.includes(field) ? values.map((v) => v.toLowerCase()) : values;
  return { field, op: op as MatcherOp, values: normal, text: text.trim() };
}

const ROUTE_KEYS = ['name', 'matchers', 'receivers', 'continue'];

function routeList(
  value: unknown,
  known: ReadonlySet<string>,
  env: Environment,
  complain: Complain,
): RouteSettings[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    complain('routes', 'must be a list of routes');
    return [];
  }
  if (value.length > MAX_ROUTES) complain('routes', `at most ${MAX_ROUTES} routes`);
  const routes: RouteSettings[] = [];
  value.slice(0, MAX_ROUTES).forEach((entry: unknown, i) => {
    const path = `routes[${i}]`;
    if (!isObject(entry)) {
      complain(path, 'must be an object {"matchers", "receivers"}');
      return;
    }
    const extra = Object.keys(entry).find((k) => !ROUTE_KEYS.includes(k));
    if (extra !== undefined)
      complain(`${path}.${extra}`, `is not a route field (${ROUTE_KEYS.join(', ')})`);
    const { name, matchers, receivers, continue: goOn } = entry;
    if (name !== undefined && (typeof name !== 'string' || name.length > 100))
      complain(`${path}.name`, 'must be text of at most 100 characters');
    if (goOn !== undefined && typeof goOn !== 'boolean')
      complain(`${path}.continue`, 'must be true or false');
    const parsed: RouteMatcher[] = [];
    if (matchers !== undefined && !Array.isArray(matchers)) {
      complain(`${path}.matchers`, 'must be a list such as ["hub=~plant-a-*", "cause=throttled"]');
    } else if ((matchers ?? []).length > MAX_MATCHERS) {
      complain(`${path}.matchers`, `at most ${MAX_MATCHERS} matchers`);
    } else {
      (matchers ?? []).forEach((text: unknown, j) => {
        if (typeof text !== 'string') {
          complain(`${path}.matchers[${j}]`, 'must be text');
          return;
        }
        try {
          parsed.push(parseRouteMatcher(text));
        } catch (error: unknown) {
          complain(`${path}.matchers[${j}]`, (error as Error).message);
        }
      });
    }
    routes.push({
      path,
      ...(typeof name === 'string' && { name }),
      matchers: parsed,
      receivers: receiverNames(receivers, `${path}.receivers`, known, env, complain),
      continue: goOn === true,
    });
  });
  return routes;
}

/**
 * The routing settings: the route list from `ROUTES` (JSON) or `ROUTES_FILE` (its text, read by
 * the caller), or, without either, today's two settings as the default route.
 */
export function parseRouting(
  env: Environment,
  routesText: { readonly key: 'ROUTES' | 'ROUTES_FILE'; readonly text: string } | undefined,
  /** For tools that post nothing (`enricher routes`, `whatif`): receivers need no URL. */
  options: { readonly offline?: boolean } = {},
): { routing: RoutingSettings; problems: RouteProblem[] } {
  const offline = options.offline === true;
  const problems: RouteProblem[] = [];
  const complain: Complain = (path, problem) => {
    problems.push({ path, problem });
  };
  const builtIns = builtInReceivers(env, offline);
  if (routesText === undefined) {
    // Today's channels: those whose URL is set (offline with neither set: Teams, the usual one).
    const set = builtInReceivers(env).map((r) => r.name);
    const defaults = set.length > 0 || !offline ? set : ['teams'];
    return {
      routing: {
        source: 'TEAMS_WORKFLOW_URL/WEBHOOK_URL',
        receivers: builtIns.filter((r) => defaults.includes(r.name)),
        routes: [],
        defaultReceivers: defaults,
      },
      problems,
    };
  }
  let document: unknown;
  try {
    document = JSON.parse(routesText.text);
  } catch (error: unknown) {
    complain('', `is not JSON (${(error as Error).message.slice(0, 120)})`);
    document = undefined;
  }
  const empty = (): { routing: RoutingSettings; problems: RouteProblem[] } => ({
    routing: { source: routesText.key, receivers: [], routes: [], defaultReceivers: [] },
    problems,
  });
  if (document === undefined) return empty();
  if (!isObject(document)) {
    complain('', 'must be an object {"receivers", "routes", "default"}');
    return empty();
  }
  const extra = Object.keys(document).find((k) => !['receivers', 'routes', 'default'].includes(k));
  if (extra !== undefined) complain(extra, 'is not a routing field (receivers, routes, default)');
  const declared = receiverList(document.receivers, env, complain, offline);
  const receivers = [...builtIns, ...declared];
  const known = new Set(receivers.map((r) => r.name));
  // A name that was declared but refused (no URL) must not be reported again as unknown.
  const mentioned = new Set(
    Array.isArray(document.receivers)
      ? document.receivers.flatMap((r: unknown) =>
          isObject(r) && typeof r.name === 'string' ? [r.name] : [],
        )
      : [],
  );
  const knownOrRefused = new Set([...known, ...mentioned]);
  const routes = routeList(document.routes, knownOrRefused, env, complain);
  let defaultReceivers: string[] = [];
  const fallback = document.default;
  if (fallback === undefined) {
    complain(
      'default',
      'is missing: name the receivers of messages no route matches, {"receivers": ["teams"]}',
    );
  } else if (!isObject(fallback)) {
    complain('default', 'must be an object {"receivers": [...]}');
  } else {
    defaultReceivers = receiverNames(
      fallback.receivers,
      'default.receivers',
      knownOrRefused,
      env,
      complain,
    );
  }
  return {
    routing: { source: routesText.key, receivers, routes, defaultReceivers },
    problems,
  };
}
