/**
 * What `GET /api/health` says about the configuration: the status of each key by name (never a
 * value, since some are secrets), the problems `loadConfig` finds, and settings that work but
 * weaken a guarantee. Kept light: the health path loads no SDK.
 */

import { CONFIG_KEYS, type Environment, listOf, readKey } from './configKeys';
import { type Config, ConfigError, type ConfigProblem, loadConfig } from './loadConfig';

export interface KeyStatus {
  readonly name: string;
  readonly status: 'set' | 'default' | 'unset' | 'invalid' | 'missing';
  readonly secret: boolean;
}

/** A setting that works but weakens a guarantee; reported by name, like problems. */
export interface ConfigWarning {
  readonly key: string;
  readonly warning: string;
}

export interface ConfigReport {
  readonly ok: boolean;
  readonly keys: readonly KeyStatus[];
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly ConfigWarning[];
  /** The loaded configuration, when it has no problem. */
  readonly config?: Readonly<Config>;
}

function warningsOf(env: Environment): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (listOf(readKey(env, 'IOTHUB_RESOURCE_IDS')).length === 0)
    warnings.push({
      key: 'IOTHUB_RESOURCE_IDS',
      warning: 'is empty: alerts naming any IoT hub, in any subscription, are queried',
    });
  return warnings;
}

/** `RECEIVER_<NAME>_URL` as a pattern of setting names. */
function settingPattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/<[A-Z]+>/g, '[A-Z0-9_]+')}$`);
}

/** The health view of the configuration: status by key *name*, never a value. */
export function reportConfig(env: Environment): ConfigReport {
  let problems: readonly ConfigProblem[] = [];
  let config: Readonly<Config> | undefined;
  try {
    config = loadConfig(env);
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  const keys = CONFIG_KEYS.map((key): KeyStatus => {
    const problem = problems.find((p) => p.key === key.name);
    const isSet = key.name.includes('<')
      ? Object.keys(env).some(
          (name) => settingPattern(key.name).test(name) && (env[name]?.trim() ?? '') !== '',
        )
      : (env[key.name]?.trim() ?? '') !== '';
    const status: KeyStatus['status'] = problem
      ? isSet
        ? 'invalid'
        : 'missing'
      : isSet
        ? 'set'
        : key.default !== undefined
          ? 'default'
          : 'unset';
    return { name: key.name, status, secret: key.secret };
  });
  return {
    ok: problems.length === 0,
    keys,
    problems,
    warnings: warningsOf(env),
    ...(config && { config }),
  };
}
