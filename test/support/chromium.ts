import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's `chromium` package; `npx playwright install` cannot download browsers here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

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

export const CHROMIUM_MISSING_MESSAGE =
  `Headless Chromium is required for the browser tests but ${CHROMIUM_PATH} does not exist. ` +
  'Install it with: apt-get update && apt-get install -y chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Launches Debian's Chromium through playwright-core. Every launch gets a fresh temporary profile:
 * playwright-core refuses a `--user-data-dir` argument on `launch()` and instead creates its own
 * `playwright_chromiumdev_profile-*` directory under the OS temp dir, passes it as
 * `--user-data-dir` and deletes it when the browser closes. Throws (so tests fail, never skip)
 * when Chromium is not installed.
 */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(CHROMIUM_MISSING_MESSAGE);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}
