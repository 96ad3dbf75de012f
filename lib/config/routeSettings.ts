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
import { type Environment, readKey } from './configKeys';

export const RECEIVER_TYPES = ['teams', 'webhook'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

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

export interface ReceiverSettings {
  readonly name: string;
  readonly type: ReceiverType;
  /** The setting that holds the URL (never the URL itself, in anything shown). */
  readonly urlSetting: string;
  readonly secretSetting?: string;
  readonly url: string;
  readonly secret?: string;
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

export interface RouteProblem {
  readonly path: string;
  readonly problem: string;
}

/** The built-in receivers: today's settings, which a route list may name. */
const BUILT_IN: readonly {
  name: string;
  type: ReceiverType;
  urlSetting: string;
  secretSetting?: string;
}[] = [
  { name: 'teams', type: 'teams', urlSetting: 'TEAMS_WORKFLOW_URL' },
  { name: 'webhook', type: 'webhook', urlSetting: 'WEBHOOK_URL', secretSetting: 'WEBHOOK_SECRET' },
];

const RECEIVER_NAME = /^[a-z][a-z0-9-]{0,30}$/;
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

/** `plant-a` → `RECEIVER_PLANT_A`: the prefix of the receiver's own settings. */
export function receiverSettingPrefix(name: string): string {
  return `RECEIVER_${name.toUpperCase().replace(/-/g, '_')}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

type Complain = (path: string, problem: string) => void;

function receiverList(
  value: unknown,
  env: Environment,
  complain: Complain,
  offline: boolean,
): ReceiverSettings[] {
  const receivers: ReceiverSettings[] = [];
  if (value === undefined) return receivers;
  if (!Array.isArray(value)) {
    complain('receivers', 'must be a list of {"name", "type"}');
    return receivers;
  }
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const path = `receivers[${i}]`;
    if (!isObject(entry)) {
      complain(path, 'must be an object {"name", "type"}');
      return;
    }
    const unknown = Object.keys(entry).filter((k) => !['name', 'type', 'signed'].includes(k));
    if (unknown.includes('url') || unknown.includes('secret')) {
      complain(
        path,
        "must not hold a URL or secret: they are secrets; set them in the receiver's settings (RECEIVER_<NAME>_URL, RECEIVER_<NAME>_SECRET)",
      );
      return;
    }
    if (unknown.length > 0)
      complain(`${path}.${unknown[0]}`, 'is not a receiver field (name, type, signed)');
    const { name, type, signed } = entry;
    if (typeof name !== 'string' || !RECEIVER_NAME.test(name)) {
      complain(
        `${path}.name`,
        'must be lower-case letters, digits and -, starting with a letter (at most 31)',
      );
      return;
    }
    if (BUILT_IN.some((b) => b.name === name)) {
      complain(
        `${path}.name`,
        `"${name}" is the built-in receiver of ${BUILT_IN.find((b) => b.name === name)?.urlSetting}; name it in routes without declaring it`,
      );
      return;
    }
    if (seen.has(name)) {
      complain(`${path}.name`, `"${name}" is declared twice`);
      return;
    }
    seen.add(name);
    if (typeof type !== 'string' || !(RECEIVER_TYPES as readonly string[]).includes(type)) {
      complain(`${path}.type`, `must be one of ${RECEIVER_TYPES.join(', ')}`);
      return;
    }
    if (signed !== undefined && typeof signed !== 'boolean') {
      complain(`${path}.signed`, 'must be true or false');
      return;
    }
    if (signed === true && type !== 'webhook') {
      complain(`${path}.signed`, 'only a webhook receiver signs its bodies');
      return;
    }
    const prefix = receiverSettingPrefix(name);
    const urlSetting = `${prefix}_URL`;
    const url = readKey(env, urlSetting) ?? (offline ? '' : undefined);
    if (url === undefined) {
      complain(path, `(${name}) has no URL: set ${urlSetting}`);
      return;
    }
    if (!offline && !isHttpUrl(url)) {
      complain(path, `(${name}): ${urlSetting} must be an http(s) URL`);
      return;
    }
    const secretSetting = signed === true ? `${prefix}_SECRET` : undefined;
    const secret = secretSetting === undefined ? undefined : readKey(env, secretSetting);
    if (!offline && secretSetting !== undefined && secret === undefined) {
      complain(path, `(${name}) is signed but has no secret: set ${secretSetting}`);
      return;
    }
    receivers.push({
      name,
      type: type as ReceiverType,
      urlSetting,
      url,
      ...(secretSetting !== undefined && { secretSetting }),
      ...(secret !== undefined && { secret }),
    });
  });
  return receivers;
}

/**
 * Today's receivers, from the settings that are set: the built-ins a route list may name.
 * Offline (the CLI's `routes` and `whatif`, which post nothing) both exist, set or not.
 */
export function builtInReceivers(env: Environment, offline = false): ReceiverSettings[] {
  const receivers: ReceiverSettings[] = [];
  for (const b of BUILT_IN) {
    const url = readKey(env, b.urlSetting) ?? (offline ? '' : undefined);
    if (url === undefined || (!offline && !isHttpUrl(url))) continue;
    const secret = b.secretSetting === undefined ? undefined : readKey(env, b.secretSetting);
    receivers.push({
      name: b.name,
      type: b.type,
      urlSetting: b.urlSetting,
      url,
      ...(b.secretSetting !== undefined && { secretSetting: b.secretSetting }),
      ...(secret !== undefined && { secret }),
    });
  }
  return receivers;
}

function receiverNames(
  value: unknown,
  path: string,
  known: ReadonlySet<string>,
  env: Environment,
  complain: Complain,
): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    complain(path, 'must name one or more receivers');
    return [];
  }
  const names: string[] = [];
  value.forEach((name: unknown, i) => {
    if (typeof name !== 'string') {
      complain(`${path}[${i}]`, 'must be a receiver name');
      return;
    }
    if (!known.has(name)) {
      const builtIn = BUILT_IN.find((b) => b.name === name);
      complain(
        `${path}[${i}]`,
        builtIn && readKey(env, builtIn.urlSetting) === undefined
          ? `names the receiver "${name}", but ${builtIn.urlSetting} is not set`
          : `names an unknown receiver "${name}"`,
      );
      return;
    }
    if (!names.includes(name)) names.push(name);
  });
  return names;
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
