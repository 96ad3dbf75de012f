/**
 * Jest `globalSetup` (package.json "jest"): before any test runs, makes sure the browser tests
 * have a Chrome or Chromium. It finds one (CHROME_PATH, PATH, macOS's apps), installs Debian's
 * `chromium` when the machine allows it, or fails the run at once with the command to run. The
 * path found goes to the tests in CHROME_PATH. With a browser present this is a PATH lookup, and
 * a run that leaves the browser tests out does not look at all.
 */

import { join } from 'node:path';

import { ChromiumSetupError, ensureChromium, systemHost } from './findChromium';

/** The parts of Jest's configs read here (typed locally: `@jest/types` is not a dependency). */
interface JestGlobalConfig {
  readonly testPathPatterns?: {
    readonly toExecutor?: (options: { rootDir: string }) => {
      readonly isMatch: (path: string) => boolean;
    };
  };
}
interface JestProjectConfig {
  readonly rootDir: string;
  readonly testPathIgnorePatterns?: readonly string[];
}

export const BROWSER_TESTS = ['test/integration/inboxBrowser.test.ts'];

/** Whether this run selects a browser test by its path; when unsure, it does. */
export function runsBrowserTests(global: JestGlobalConfig, project: JestProjectConfig): boolean {
  return BROWSER_TESTS.some((file) => {
    const path = join(project.rootDir, file);
    if ((project.testPathIgnorePatterns ?? []).some((p) => new RegExp(p).test(path))) return false;
    try {
      const executor = global.testPathPatterns?.toExecutor?.({ rootDir: project.rootDir });
      return executor?.isMatch(path) ?? true;
    } catch {
      return true;
    }
  });
}

export default function globalSetup(global: JestGlobalConfig, project: JestProjectConfig): void {
  if (!runsBrowserTests(global, project)) return;
  try {
    process.env.CHROME_PATH = ensureChromium(systemHost()).path;
  } catch (error: unknown) {
    if (!(error instanceof ChromiumSetupError)) throw error;
    // The message is the whole story: no stack trace under it.
    const failure = new Error(`\n\n${error.message}\n`);
    failure.stack = failure.message;
    throw failure;
  }
}
