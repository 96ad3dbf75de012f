/**
 * Finds the Chrome or Chromium that the browser tests launch, and decides what to do when there is
 * none: install Debian's `chromium` when this machine allows it, or stop at once with the one
 * command to run. Everything it asks of the machine goes through `ChromiumHost`, so the unit tests
 * use a fake PATH and file system and never run apt; `systemHost()` is the real machine.
 */

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Looked for on PATH in this order: Chromium (what CI tests with) first. */
export const BROWSER_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
] as const;

/** Where macOS installs the apps (also where `brew install --cask` puts them). */
export const MACOS_BROWSERS = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
] as const;

/** The command to print on other Linux systems, by their os-release ID or ID_LIKE. */
const OTHER_LINUX_INSTALL: Readonly<Record<string, string>> = {
  fedora: 'sudo dnf install -y chromium',
  arch: 'sudo pacman -S --noconfirm chromium',
  suse: 'sudo zypper install -y chromium',
  alpine: 'sudo apk add chromium',
};

export const DEBIAN_INSTALL_COMMAND = 'apt-get update && apt-get install -y chromium';

export interface BrowserLookup {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly isExecutable: (path: string) => boolean;
}

export interface ChromiumHost extends BrowserLookup {
  /** The text of /etc/os-release, or undefined when there is none. */
  readonly osRelease: () => string | undefined;
  readonly isRoot: () => boolean;
  /** `sudo -n true` succeeds: sudo without a password prompt. */
  readonly canSudo: () => boolean;
  /** Runs a command with its output on the console; returns its exit status. */
  readonly run: (argv: readonly string[]) => number;
  readonly log: (line: string) => void;
}

export interface FoundBrowser {
  readonly path: string;
  readonly from: 'CHROME_PATH' | 'PATH' | 'macOS';
}

/** Thrown when the browser tests cannot have a browser; its message says what to run. */
export class ChromiumSetupError extends Error {
  override readonly name = 'ChromiumSetupError';
}

/** CHROME_PATH wins (a wrong one is an error, not a fallback), then PATH, then macOS's apps. */
export function findChromium(lookup: BrowserLookup): FoundBrowser | undefined {
  const chromePath = lookup.env.CHROME_PATH;
  if (chromePath !== undefined && chromePath !== '') {
    if (!lookup.isExecutable(chromePath)) {
      throw new ChromiumSetupError(
        `CHROME_PATH is ${chromePath}, which is not an executable file: point it at Chrome or Chromium, or unset it.`,
      );
    }
    return { path: chromePath, from: 'CHROME_PATH' };
  }
  const dirs = (lookup.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const name of BROWSER_NAMES) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (lookup.isExecutable(path)) return { path, from: 'PATH' };
    }
  }
  if (lookup.platform === 'darwin') {
    const app = MACOS_BROWSERS.find((path) => lookup.isExecutable(path));
    if (app !== undefined) return { path: app, from: 'macOS' };
  }
  return undefined;
}

export type MissingChromiumPlan =
  | { readonly install: true; readonly commands: readonly (readonly string[])[] }
  | { readonly install: false; readonly message: string };

function osReleaseIds(text: string | undefined): string[] {
  const ids: string[] = [];
  for (const line of (text ?? '').split('\n')) {
    const match = /^(ID|ID_LIKE)=["']?([^"'\n]*)["']?\s*$/.exec(line);
    if (match?.[2] !== undefined) ids.push(...match[2].toLowerCase().split(/\s+/));
  }
  return ids;
}

function missingMessage(command: string, why: string): string {
  return [
    'The browser tests (test/integration/inboxBrowser.test.ts) need Chrome or Chromium, and none',
    'was found: CHROME_PATH is not set, and PATH has none of',
    `${BROWSER_NAMES.join(', ')}.`,
    `${why} Run:`,
    '',
    `    ${command}`,
    '',
    'then npm test again, or set CHROME_PATH to a Chrome or Chromium executable.',
  ].join('\n');
}

/** What to do when no browser was found: install (Debian, as root or with sudo -n) or say how. */
export function planForMissingChromium(host: ChromiumHost): MissingChromiumPlan {
  if (host.platform === 'darwin') {
    return {
      install: false,
      message: missingMessage('brew install --cask google-chrome', 'macOS: install Google Chrome.'),
    };
  }
  if (host.platform !== 'linux') {
    return {
      install: false,
      message: missingMessage(
        'set CHROME_PATH=<path to chrome.exe>',
        `The tests install a browser only on Debian (this is ${host.platform}).`,
      ),
    };
  }
  const ids = osReleaseIds(host.osRelease());
  if (ids.includes('ubuntu')) {
    return {
      install: false,
      message: missingMessage(
        'sudo snap install chromium',
        "Ubuntu packages Chromium as a snap (apt's chromium-browser only installs that snap), which the tests do not install for you; Google Chrome's .deb works too.",
      ),
    };
  }
  if (!ids.includes('debian')) {
    const known = Object.entries(OTHER_LINUX_INSTALL).find(([id]) => ids.includes(id));
    return {
      install: false,
      message: missingMessage(
        known?.[1] ?? "install chromium with this system's package manager",
        'The tests install a browser only on Debian; install Chromium or Google Chrome.',
      ),
    };
  }
  const apt = (...args: string[]) => ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
  const commands = [apt('update', '-qq'), apt('install', '-y', '-qq', 'chromium')];
  if (host.isRoot()) return { install: true, commands };
  if (host.canSudo()) {
    return { install: true, commands: commands.map((argv) => ['sudo', '-n', ...argv]) };
  }
  return {
    install: false,
    message: missingMessage(
      'sudo apt-get update && sudo apt-get install -y chromium',
      'This user is not root and cannot sudo without a password, so the tests did not install it.',
    ),
  };
}

/**
 * The browser to launch: found, or installed when the machine allows it (saying so), else a
 * `ChromiumSetupError` with the command to run. Nothing but the lookup runs when one is found.
 */
export function ensureChromium(host: ChromiumHost): FoundBrowser {
  const found = findChromium(host);
  if (found !== undefined) return found;
  const plan = planForMissingChromium(host);
  if (!plan.install) throw new ChromiumSetupError(plan.message);
  host.log(
    `Chrome or Chromium not found: installing Debian's chromium for the browser tests (${DEBIAN_INSTALL_COMMAND}${plan.commands[0]?.[0] === 'sudo' ? ', with sudo' : ''}); this takes a minute…`,
  );
  for (const argv of plan.commands) {
    const status = host.run(argv);
    if (status !== 0) {
      throw new ChromiumSetupError(
        `Installing Chromium failed: \`${argv.join(' ')}\` exited with ${status}. Fix that and run ${DEBIAN_INSTALL_COMMAND} yourself, or set CHROME_PATH to a Chrome or Chromium executable.`,
      );
    }
  }
  const installed = findChromium(host);
  if (installed === undefined) {
    throw new ChromiumSetupError(
      `Installed Debian's chromium, but none of ${BROWSER_NAMES.join(', ')} is on PATH: set CHROME_PATH to it (usually /usr/bin/chromium).`,
    );
  }
  host.log(`Installed ${installed.path}.`);
  return installed;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The real machine. */
export function systemHost(env: NodeJS.ProcessEnv = process.env): ChromiumHost {
  return {
    env,
    platform: process.platform,
    isExecutable: isExecutableFile,
    osRelease: () => {
      try {
        return readFileSync('/etc/os-release', 'utf8');
      } catch {
        return undefined;
      }
    },
    isRoot: () => process.getuid?.() === 0,
    canSudo: () =>
      spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0,
    run: (argv) => {
      const [command = '', ...args] = argv;
      const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      return result.status ?? 1;
    },
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
