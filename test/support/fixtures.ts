/** Reads fixture and sample files by repo-relative path. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(repoPath(...parts), 'utf8')) as unknown;
}

/** A deep copy that a test may mutate. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
