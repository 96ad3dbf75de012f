import { chromium, type Browser } from 'playwright-core';

import {
  ChromiumSetupError,
  findChromium,
  planForMissingChromium,
  systemHost,
} from './findChromium';

/** Flags for a quiet, offline, throw-away headless Chromium. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The browser to launch: CHROME_PATH (which the Jest globalSetup sets to what it found or
 * installed), else a Chrome or Chromium on PATH or among macOS's apps: a system browser, not
 * `npx playwright install`, which needs a download the tests cannot rely on. Throws with the
 * command to run when there is none, so the browser tests fail, never skip.
 */
export function chromiumPath(): string {
  const host = systemHost();
  const found = findChromium(host);
  if (found !== undefined) return found.path;
  const plan = planForMissingChromium(host);
  throw new ChromiumSetupError(
    plan.install
      ? 'No Chrome or Chromium: run npm test (its globalSetup installs Chromium here), or set CHROME_PATH.'
      : plan.message,
  );
}

/**
 * Launches Chrome or Chromium (see `chromiumPath`) through playwright-core. Every launch gets a
 * fresh temporary profile: playwright-core refuses a `--user-data-dir` argument on `launch()` and
 * instead creates its own `playwright_chromiumdev_profile-*` directory under the OS temp dir,
 * passes it as `--user-data-dir` and deletes it when the browser closes.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}
