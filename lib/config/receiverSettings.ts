/**
 * The receivers of a route list: declared by name and type, each one's URL (and a signed
 * webhook's secret) read from its own setting, `RECEIVER_<NAME>_URL`; and the built-in `teams`
 * and `webhook`, today's two settings. Routes name them; `routeSettings.ts` checks the names.
 */

import { type Environment, readKey } from './configKeys';

export const RECEIVER_TYPES = ['teams', 'webhook'] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

export interface ReceiverSettings {
  readonly name: string;
  readonly type: ReceiverType;
  /** The setting that holds the URL (never the URL itself, in anything shown). */
  readonly urlSetting: string;
  readonly secretSetting?: string;
  readonly url: string;
  readonly secret?: string;
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

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type Complain = (path: string, problem: string) => void;

export function receiverList(
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

export function receiverNames(
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
