/**
 * One inbox per receiver on the dev host: with a route list (`ROUTES`, `ROUTES_FILE` or
 * `npm start -- --routes FILE`), every receiver it names, built-in or declared, posts to its own
 * endpoint on the dev host, `POST /dev/inbox/<receiver>`, so the routes can be tried with no real
 * URL. The dev host fills in the receivers' URL settings (and a throwaway signing secret for a
 * signed receiver) before the config is loaded; the real notifiers then post there, and the real
 * route decision picks them. A receiver whose URL is set in the environment keeps it.
 */

import { randomBytes } from 'node:crypto';

import { type Environment, readKey } from '../../config/configKeys';
import type { ReadText } from '../../config/policySettings';
import { receiverSettingPrefix, type RoutingSettings } from '../../config/routeSettings';

/** `POST /dev/inbox/<receiver>`: what the receiver's notifier posts to. */
export const DEV_INBOX_PATH = '/dev/inbox/';
/** The single-receiver endpoints of the dev host without a route list (still served). */
export const INBOX_TEAMS_PATH = '/inbox/teams';
export const INBOX_WEBHOOK_PATH = '/inbox/webhook';

const RECEIVER_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** The dev host's address as `devHostEnvironment` writes it into the receivers' URLs. */
export function devHostBase(port: number): string {
  return `http://localhost:${port}`;
}

/** The receiver a post to `path` is for, or undefined when `path` is no receiver's inbox. */
export function inboxReceiverOf(path: string): string | undefined {
  if (path === INBOX_TEAMS_PATH) return 'teams';
  if (path === INBOX_WEBHOOK_PATH) return 'webhook';
  if (!path.startsWith(DEV_INBOX_PATH)) return undefined;
  const name = path.slice(DEV_INBOX_PATH.length);
  return RECEIVER_NAME.test(name) ? name : undefined;
}

interface NamedReceivers {
  /** Declared receivers: name and whether they sign. */
  readonly declared: readonly { readonly name: string; readonly signed: boolean }[];
  /** Every receiver name the routes and the default mention (built-ins among them). */
  readonly named: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The receivers a route list mentions, read leniently: anything odd is left for `loadConfig` to
 * refuse with its exact path.
 */
function namedReceivers(text: string): NamedReceivers {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { declared: [], named: [] };
  }
  if (!isObject(document)) return { declared: [], named: [] };
  const declared = (Array.isArray(document.receivers) ? document.receivers : []).flatMap(
    (r: unknown) =>
      isObject(r) && typeof r.name === 'string' && RECEIVER_NAME.test(r.name)
        ? [{ name: r.name, signed: r.signed === true }]
        : [],
  );
  const namesIn = (value: unknown): string[] =>
    isObject(value) && Array.isArray(value.receivers)
      ? value.receivers.filter((n): n is string => typeof n === 'string')
      : [];
  const routes = Array.isArray(document.routes) ? (document.routes as unknown[]) : [];
  const named = [...routes.flatMap(namesIn), ...namesIn(document.default)];
  return { declared, named: [...new Set(named)] };
}

/**
 * The settings that point a route list's receivers at the dev host's inboxes: for each receiver
 * without a URL in `env`, its URL setting (`TEAMS_WORKFLOW_URL`, `WEBHOOK_URL`,
 * `RECEIVER_<NAME>_URL`), and for a signed receiver without one, a secret made now. Empty without
 * a route list, or when it cannot be read (then `loadConfig` says why).
 */
export function inboxReceiverSettings(
  env: Environment,
  port: number,
  readText: ReadText,
): Environment {
  const inline = readKey(env, 'ROUTES');
  const file = readKey(env, 'ROUTES_FILE');
  let text = inline;
  if (text === undefined && file !== undefined) {
    try {
      text = readText(file);
    } catch {
      return {};
    }
  }
  if (text === undefined) return {};
  const { declared, named } = namedReceivers(text);
  const base = devHostBase(port);
  const settings: Record<string, string> = {};
  const inboxFor = (setting: string, name: string): void => {
    if (readKey(env, setting) === undefined) settings[setting] = `${base}${DEV_INBOX_PATH}${name}`;
  };
  if (named.includes('teams')) inboxFor('TEAMS_WORKFLOW_URL', 'teams');
  if (named.includes('webhook')) inboxFor('WEBHOOK_URL', 'webhook');
  for (const { name, signed } of declared) {
    if (name === 'teams' || name === 'webhook') continue;
    const prefix = receiverSettingPrefix(name);
    inboxFor(`${prefix}_URL`, name);
    // A throwaway key, so that the inbox can check the signature of what it receives.
    if (signed && readKey(env, `${prefix}_SECRET`) === undefined)
      settings[`${prefix}_SECRET`] = randomBytes(32).toString('base64url');
  }
  return settings;
}

/**
 * The routing with every receiver that posts to `from` (the address `devHostEnvironment` wrote)
 * posting to `to` (where the host listens) instead: tests listen on a free port.
 */
export function rebaseInboxReceivers(
  routing: RoutingSettings,
  from: string,
  to: string,
): RoutingSettings {
  if (from === to) return routing;
  const prefix = `${from}/`;
  return {
    ...routing,
    receivers: routing.receivers.map((r) =>
      r.url.startsWith(prefix) ? { ...r, url: `${to}/${r.url.slice(prefix.length)}` } : r,
    ),
  };
}

/** What the inbox page and `GET /inbox/messages` say of a receiver: never its URL or secret. */
export interface InboxReceiver {
  readonly name: string;
  readonly type: 'teams' | 'webhook';
  /** It posts to this dev host's inbox (not to a URL set in the environment). */
  readonly inbox: boolean;
  /** Its bodies are signed (a webhook with a secret): the inbox checks each signature. */
  readonly signed: boolean;
}

export function inboxReceivers(routing: RoutingSettings, hostUrl: string): InboxReceiver[] {
  return routing.receivers.map((r) => {
    const path = r.url.startsWith(`${hostUrl}/`) ? r.url.slice(hostUrl.length) : undefined;
    return {
      name: r.name,
      type: r.type,
      inbox: path !== undefined && inboxReceiverOf(path) === r.name,
      signed: r.type === 'webhook' && r.secret !== undefined,
    };
  });
}
