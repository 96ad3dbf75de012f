/**
 * What `enricher whatif` reads from disk: a folder of recorded alerts (each file one common
 * alert schema payload, or a JSON array of them), and the settings files of both sides. Every
 * unreadable alert is reported and skipped; the replay goes on with the rest.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parseAlert } from '../../alerts/parseAlert';
import type { RecordedAlert } from '../../whatif/runWhatif';

export interface AlertFolder {
  readonly alerts: RecordedAlert[];
  readonly skipped: { source: string; problem: string }[];
}

export interface ParseOptions {
  readonly deviceIdDimension: string;
  readonly defaultIotHubResourceId?: string;
}

const MAX_FILES = 200_000;

async function jsonFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [folder];
  while (pending.length > 0 && found.length < MAX_FILES) {
    const dir = pending.shift() ?? '';
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) found.push(path);
    }
  }
  return found;
}

function problemOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) return code;
  return (error instanceof Error ? error.message : String(error))
    .replace(/\s+/g, ' ')
    .slice(0, 200);
}

/** Reads every `.json` file under the folder (or the one file given). */
export async function readAlertFolder(path: string, options: ParseOptions): Promise<AlertFolder> {
  const files = (await readdir(path).then(
    () => true,
    () => false,
  ))
    ? await jsonFiles(path)
    : [path];
  const alerts: RecordedAlert[] = [];
  const skipped: AlertFolder['skipped'] = [];
  for (const file of files) {
    let payloads: unknown[];
    try {
      const json: unknown = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
      payloads = Array.isArray(json) ? json : [json];
    } catch (error: unknown) {
      skipped.push({
        source: file,
        problem:
          error instanceof SyntaxError
            ? 'is not valid JSON'
            : `cannot be read (${problemOf(error)})`,
      });
      continue;
    }
    payloads.forEach((payload, i) => {
      const source = payloads.length === 1 ? file : `${file}[${i}]`;
      try {
        alerts.push({ alert: parseAlert(payload, options), source });
      } catch (error: unknown) {
        skipped.push({ source, problem: problemOf(error) });
      }
    });
  }
  return { alerts, skipped };
}
