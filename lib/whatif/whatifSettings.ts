/**
 * One side of a what-if: the settings that decide what is posted and to whom (read offline, so
 * receivers need no URL), and the silences in force. A settings file is a JSON object of app
 * settings (`{"RENEWAL_POLICY": "suppress", "ROUTES": {...}}`) or a `local.settings.json`
 * (`{"Values": {...}}`), with an optional `"silences": [...]` list. Pure: the caller reads files.
 */

import type { Environment } from '../config/configKeys';
import { type PolicySettings, type ReadText, readPolicySettings } from '../config/policySettings';
import { newSilence, SilenceRequestError } from '../silences/newSilence';
import type { Silence } from '../silences/silence';

export interface WhatifSide {
  /** `deployed` or `candidate`: what the output calls it. */
  readonly label: string;
  readonly policy: PolicySettings;
  /** Undefined: the other side's silences (a candidate that does not mention silences). */
  readonly silences?: readonly SilenceSpec[];
}

/** A silence as a what-if file writes it: matchers and, optionally, its span. */
export interface SilenceSpec {
  readonly id: string;
  readonly matchers: readonly string[];
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly comment?: string;
  readonly all?: boolean;
}

export class WhatifSettingsError extends Error {
  override name = 'WhatifSettingsError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Settings as strings: JSON-valued settings (ROUTES, MAINTENANCE_WINDOWS) may be written as JSON. */
function settingsOf(values: Record<string, unknown>, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'silences') continue;
    if (typeof value === 'string') env[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') env[key] = String(value);
    else if (typeof value === 'object' && value !== null) env[key] = JSON.stringify(value);
    else throw new WhatifSettingsError(`${where}: ${key} must be text, a number or JSON`);
  }
  return env;
}

function silenceSpecs(value: unknown, where: string): SilenceSpec[] {
  if (!Array.isArray(value)) throw new WhatifSettingsError(`${where}: silences must be a list`);
  return value.map((entry: unknown, i): SilenceSpec => {
    const path = `${where}: silences[${i}]`;
    if (!isObject(entry)) throw new WhatifSettingsError(`${path} must be an object`);
    const { id, startsAt, endsAt, comment, all } = entry;
    // As written by hand (`"cause=throttled"`), or as `enricher silence list --format json` prints.
    const matchers = Array.isArray(entry.matchers)
      ? entry.matchers.map((m: unknown) =>
          isObject(m) && typeof m.field === 'string' && typeof m.op === 'string'
            ? `${m.field}${m.op}${String(m.value)}`
            : m,
        )
      : undefined;
    if (!matchers || matchers.some((m) => typeof m !== 'string'))
      throw new WhatifSettingsError(`${path}.matchers must be a list of field=value texts`);
    const text = (v: unknown, field: string): string | undefined => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw new WhatifSettingsError(`${path}.${field} must be text`);
      return v;
    };
    return {
      id: text(id, 'id') ?? `silence-${i + 1}`,
      matchers: matchers as string[],
      ...(text(startsAt, 'startsAt') !== undefined && { startsAt: startsAt as string }),
      ...(text(endsAt, 'endsAt') !== undefined && { endsAt: endsAt as string }),
      ...(text(comment, 'comment') !== undefined && { comment: comment as string }),
      ...(all === true && { all: true }),
    };
  });
}

/** A silences file: a JSON list of silences, or `{"silences": [...]}`. */
export function parseSilenceList(text: string, where: string): SilenceSpec[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new WhatifSettingsError(`${where} is not JSON`);
  }
  const list = isObject(document) ? document.silences : document;
  return silenceSpecs(list, where);
}

/** A settings file's text → its settings and silences; throws a one-line error naming the file. */
export function parseSettingsFile(
  text: string,
  where: string,
): { env: Record<string, string>; silences?: SilenceSpec[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new WhatifSettingsError(`${where} is not JSON`);
  }
  if (!isObject(document))
    throw new WhatifSettingsError(`${where} must be a JSON object of settings`);
  const values = isObject(document.Values) ? document.Values : document;
  const silences =
    document.silences === undefined ? undefined : silenceSpecs(document.silences, where);
  return { env: settingsOf(values, where), ...(silences && { silences }) };
}

/** The side's policy settings; every problem at once, by key and path, never a value. */
export function whatifSide(
  label: string,
  env: Environment,
  readText: ReadText,
  silences?: readonly SilenceSpec[],
): WhatifSide {
  const problems: string[] = [];
  const policy = readPolicySettings(
    env,
    readText,
    (key, problem) => problems.push(`${key} ${problem}`),
    { offline: true },
  );
  if (problems.length > 0)
    throw new WhatifSettingsError(`The ${label} settings are refused: ${problems.join('; ')}`);
  return { label, policy, ...(silences && { silences }) };
}

const REPLAY_SILENCE_DAYS = 3650;

/** The side's silences as the policy applies them, from the replay's first alert on. */
export function silencesOf(specs: readonly SilenceSpec[], label: string, from: Date): Silence[] {
  return specs.map((spec) => {
    try {
      const startsAt = spec.startsAt ?? new Date(from.getTime() - 1000).toISOString();
      const start = new Date(Date.parse(startsAt));
      return newSilence(
        {
          matchers: spec.matchers,
          startsAt,
          endsAt:
            spec.endsAt ??
            new Date(start.getTime() + (REPLAY_SILENCE_DAYS - 1) * 86_400_000).toISOString(),
          createdBy: 'whatif',
          ...(spec.comment !== undefined && { comment: spec.comment }),
          ...(spec.all === true && { all: true }),
        },
        Number.isNaN(start.getTime()) ? from : start,
        spec.id,
        { maxDays: REPLAY_SILENCE_DAYS },
      );
    } catch (error: unknown) {
      if (error instanceof SilenceRequestError)
        throw new WhatifSettingsError(
          `The ${label} silence ${spec.id}: ${error.path} ${error.message}`,
        );
      throw error;
    }
  });
}
