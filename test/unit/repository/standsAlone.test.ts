/**
 * A clone of the repository, alone in an empty folder, must pass its tests: nothing tracked may
 * point at files beside the repository, and the data the tests need travels with it unchanged.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { ADAPTIVE_CARD_SCHEMA_PATH } from '../../support/adaptiveCardSchema';
import { REPO_ROOT, repoPath } from '../../support/fixtures';

/** SHA-256 of microsoft/AdaptiveCards `schemas/1.5.0/adaptive-card.json` at 0353e1bd. */
const OFFICIAL_SCHEMA_SHA256 = '5a7e3dec95334c1b6544e44508d095b784eb3146dd75cc6a794e05288f6ab277';

/** Folders that are installed or generated, never written by hand (see `.gitignore`). */
const NOT_SOURCE = new Set([
  '.git',
  'node_modules',
  'dist',
  'coverage',
  '.tools',
  '.azurite',
  '.inbox',
]);

/** The project's own files; walked rather than listed by git, so it also runs in a plain copy. */
function projectFiles(folder = REPO_ROOT): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return NOT_SOURCE.has(entry.name) ? [] : projectFiles(path);
    return entry.isFile() ? [relative(REPO_ROOT, path)] : [];
  });
}

// Built from parts so that this file does not match its own search.
const SIBLING_FOLDER = new RegExp(['\\.\\./', 'shared', '\\b'].join(''));

test('the Adaptive Card schema is the official file, unchanged, inside the repository', () => {
  expect(ADAPTIVE_CARD_SCHEMA_PATH.startsWith(REPO_ROOT)).toBe(true);
  const digest = createHash('sha256').update(readFileSync(ADAPTIVE_CARD_SCHEMA_PATH)).digest('hex');
  expect(digest).toBe(OFFICIAL_SCHEMA_SHA256);
});

test('no tracked file refers to a folder beside the repository', () => {
  const offenders = projectFiles()
    .filter((file) => !file.endsWith('package-lock.json'))
    .filter((file) => {
      const content = readFileSync(repoPath(file));
      return !content.includes(0) && SIBLING_FOLDER.test(content.toString('utf8'));
    });
  expect(offenders).toEqual([]);
});
