/**
 * What the offline commands (`classify`, `queries`, `routes`, `whatif`) read from disk and from
 * their options, each problem a one-line `CliUsageError` naming the file or option: an alert file,
 * an export or metrics source, a JSON settings file, `--lookback-minutes`.
 */

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

import type { Alert } from '../../alerts/alert';
import { parseAlert } from '../../alerts/parseAlert';
import type { Environment } from '../../config/configKeys';

/** Where a command prints: its answer, and its warnings and errors. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Bad usage or an unreadable input: the command prints its message on one line, exit 2. */
export class CliUsageError extends Error {}

/** An error's message on one line. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

/** A file error's code (`ENOENT`), or its message on one line. */
function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? oneLine(error);
}

/** A file's text; `cannot read WHAT PATH: CODE` when it cannot be read. */
export async function readText(what: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new CliUsageError(`cannot read ${what} ${path}: ${errorCode(error)}`);
  }
}

/** A JSON file (a leading BOM allowed); `NAME is not valid JSON` when it does not parse. */
async function readJsonFile(what: string, path: string, name: string): Promise<unknown> {
  const text = await readText(what, path);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new CliUsageError(`${name} is not valid JSON`);
  }
}

/** An alert file (the common alert schema), parsed as the app parses it. */
export async function readAlertFile(
  path: string,
  deviceIdDimension: string,
  defaultHub: string | undefined,
): Promise<Alert> {
  const json = await readJsonFile('alert', path, path);
  try {
    return parseAlert(json, {
      deviceIdDimension,
      ...(defaultHub !== undefined && { defaultIotHubResourceId: defaultHub }),
    });
  } catch (error: unknown) {
    throw new CliUsageError(`${path}: ${oneLine(error)}`);
  }
}

/** An evidence source (`logs`, `metrics`) loaded from its path. */
export async function loadSource<T>(
  what: string,
  path: string,
  load: (p: string) => Promise<T>,
): Promise<T> {
  try {
    return await load(path);
  } catch (error: unknown) {
    throw new CliUsageError(`cannot read ${what} ${path}: ${errorCode(error)}`);
  }
}

/** `--lookback-minutes`: a whole number from 10 to 10080, 360 when not given. */
export function lookbackMinutesOf(text: string | undefined): number {
  const lookbackText = text ?? '360';
  const lookbackMinutes = Number(lookbackText);
  if (!/^\d+$/.test(lookbackText) || lookbackMinutes < 10 || lookbackMinutes > 10_080)
    throw new CliUsageError('--lookback-minutes must be a whole number from 10 to 10080');
  return lookbackMinutes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `--config`: a JSON object of app settings, or `local.settings.json` (`{"Values": {...}}`).
 * A value that is an object or a list (`"ROUTES": {...}`) stands for its JSON text; null is left
 * out.
 */
export async function readConfigFile(path: string): Promise<Environment> {
  const json = await readJsonFile('config', path, `config ${path}`);
  if (!isObject(json)) {
    throw new CliUsageError(`config ${path} must be a JSON object of app settings`);
  }
  const values = isObject(json.Values) ? json.Values : json;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    // Numbers and booleans as their text; objects and lists as their JSON text.
    env[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return env;
}

/** Reads `ROUTES_FILE`: relative to the settings file it is named in, else to where we run. */
export function settingsFileReader(settingsFile: string | undefined): (path: string) => string {
  const base = settingsFile === undefined ? process.cwd() : dirname(resolve(settingsFile));
  return (path) => readFileSync(resolve(base, path), 'utf8');
}

/**
 * How each command starts: `--help` prints its usage (true: the command exits 0); any positional
 * argument is refused.
 */
export function printedHelp(
  io: Pick<CommandIo, 'stdout'>,
  help: boolean | undefined,
  positionals: readonly string[],
  usage: string,
): boolean {
  if (help) {
    io.stdout(`${usage}\n`);
    return true;
  }
  if (positionals.length > 0)
    throw new CliUsageError(`unexpected argument: ${positionals[0] ?? ''}`);
  return false;
}

/** The options of the commands that read alerts and evidence: classify, queries, routes, whatif. */
export const ALERT_INPUT_OPTIONS = {
  logs: { type: 'string' },
  metrics: { type: 'string' },
  format: { type: 'string' },
  'device-dimension': { type: 'string' },
  'default-hub': { type: 'string' },
  'lookback-minutes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A command's arguments, strictly: its options and positionals. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: T,
): ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: T }>
> {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
}
