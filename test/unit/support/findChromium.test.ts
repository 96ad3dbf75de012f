import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  type ChromiumHost,
  ChromiumSetupError,
  ensureChromium,
  findChromium,
  planForMissingChromium,
  systemHost,
} from '../../support/findChromium';
import { runsBrowserTests } from '../../support/globalSetup';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n';

/** A fake machine: `files` are the executables; `run` records commands and never runs them. */
function fakeHost(
  options: {
    env?: Record<string, string | undefined>;
    platform?: NodeJS.Platform;
    files?: string[];
    osRelease?: string;
    root?: boolean;
    sudo?: boolean;
    /** Executables that appear once `apt-get install` has "run". */
    installs?: string[];
    status?: number;
  } = {},
): ChromiumHost & { ran: string[][]; logged: string[]; sudoAsked: number } {
  const files = new Set(options.files ?? []);
  const ran: string[][] = [];
  const logged: string[] = [];
  const host = {
    env: options.env ?? { PATH: '/usr/local/bin:/usr/bin:/bin' },
    platform: options.platform ?? 'linux',
    isExecutable: (path: string) => files.has(path),
    osRelease: () => options.osRelease,
    isRoot: () => options.root ?? false,
    canSudo: () => {
      host.sudoAsked += 1;
      return options.sudo ?? false;
    },
    run: (argv: readonly string[]) => {
      ran.push([...argv]);
      if (argv.includes('install')) for (const file of options.installs ?? []) files.add(file);
      return options.status ?? 0;
    },
    log: (line: string) => logged.push(line),
    ran,
    logged,
    sudoAsked: 0,
  };
  return host;
}

function setupError(action: () => unknown): string {
  try {
    action();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ChromiumSetupError);
    return (error as Error).message;
  }
  throw new Error('expected a ChromiumSetupError');
}

describe('findChromium', () => {
  test('CHROME_PATH wins over PATH', () => {
    const host = fakeHost({
      env: { CHROME_PATH: '/opt/chrome/chrome', PATH: '/usr/bin' },
      files: ['/opt/chrome/chrome', '/usr/bin/chromium'],
    });
    expect(findChromium(host)).toEqual({ path: '/opt/chrome/chrome', from: 'CHROME_PATH' });
  });

  test('a CHROME_PATH that is not executable is an error, not a fallback', () => {
    const host = fakeHost({
      env: { CHROME_PATH: '/opt/typo/chrome', PATH: '/usr/bin' },
      files: ['/usr/bin/chromium'],
    });
    expect(setupError(() => findChromium(host))).toMatch(/CHROME_PATH is \/opt\/typo\/chrome/);
  });

  test('searches PATH for chromium, chromium-browser, google-chrome, google-chrome-stable', () => {
    const env = { PATH: '/home/me/bin:/usr/local/bin:/usr/bin' };
    expect(findChromium(fakeHost({ env, files: ['/usr/bin/chromium'] }))).toEqual({
      path: '/usr/bin/chromium',
      from: 'PATH',
    });
    expect(findChromium(fakeHost({ env, files: ['/usr/local/bin/chromium-browser'] }))?.path).toBe(
      '/usr/local/bin/chromium-browser',
    );
    expect(findChromium(fakeHost({ env, files: ['/home/me/bin/google-chrome'] }))?.path).toBe(
      '/home/me/bin/google-chrome',
    );
    expect(findChromium(fakeHost({ env, files: ['/usr/bin/google-chrome-stable'] }))?.path).toBe(
      '/usr/bin/google-chrome-stable',
    );
    // Chromium (what CI tests with) before Chrome, wherever they are on PATH.
    expect(
      findChromium(fakeHost({ env, files: ['/home/me/bin/google-chrome', '/usr/bin/chromium'] }))
        ?.path,
    ).toBe('/usr/bin/chromium');
  });

  test("on macOS, Google Chrome's app when PATH has none", () => {
    const app = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(findChromium(fakeHost({ platform: 'darwin', files: [app] }))).toEqual({
      path: app,
      from: 'macOS',
    });
    // The app folders are macOS's only.
    expect(findChromium(fakeHost({ platform: 'linux', files: [app] }))).toBeUndefined();
  });

  test('not found: the message names what was looked for and the install command', () => {
    const host = fakeHost({ osRelease: DEBIAN, sudo: false });
    expect(findChromium(host)).toBeUndefined();
    const message = setupError(() => ensureChromium(host));
    expect(message).toContain('CHROME_PATH is not set');
    expect(message).toContain('chromium, chromium-browser, google-chrome, google-chrome-stable');
    expect(message).toContain('sudo apt-get update && sudo apt-get install -y chromium');
    expect(host.ran).toEqual([]);
  });

  test('the real file system with an empty PATH and no CHROME_PATH finds nothing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-browser-'));
    // Linux, so that a Mac with Chrome in /Applications finds nothing either.
    const real: ChromiumHost = { ...systemHost({ PATH: empty }), platform: 'linux' };
    expect(findChromium(real)).toBeUndefined();
    // No root, no sudo: fails at once with the command, and runs nothing.
    const host: ChromiumHost = {
      ...real,
      osRelease: () => DEBIAN,
      isRoot: () => false,
      canSudo: () => false,
      run: () => {
        throw new Error('must not run anything');
      },
    };
    const started = Date.now();
    expect(setupError(() => ensureChromium(host))).toContain(
      'sudo apt-get update && sudo apt-get install -y chromium',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('ensureChromium: install or fail fast', () => {
  test('a browser on PATH: nothing else is asked or run', () => {
    const host = fakeHost({ files: ['/usr/bin/chromium'], osRelease: DEBIAN, root: true });
    expect(ensureChromium(host).path).toBe('/usr/bin/chromium');
    expect(host.ran).toEqual([]);
    expect(host.logged).toEqual([]);
  });

  test('Debian as root: installs chromium with apt, says so, and finds it', () => {
    const host = fakeHost({ osRelease: DEBIAN, root: true, installs: ['/usr/bin/chromium'] });
    expect(ensureChromium(host)).toEqual({ path: '/usr/bin/chromium', from: 'PATH' });
    expect(host.ran).toEqual([
      ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-qq'],
      ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', 'chromium'],
    ]);
    expect(host.sudoAsked).toBe(0);
    expect(host.logged[0]).toMatch(/installing Debian's chromium .*apt-get install -y chromium/);
    expect(host.logged[1]).toBe('Installed /usr/bin/chromium.');
  });

  test('Debian with passwordless sudo: the same commands through sudo -n', () => {
    const host = fakeHost({ osRelease: DEBIAN, sudo: true, installs: ['/usr/bin/chromium'] });
    expect(ensureChromium(host).path).toBe('/usr/bin/chromium');
    expect(host.ran.map((argv) => argv.slice(0, 2))).toEqual([
      ['sudo', '-n'],
      ['sudo', '-n'],
    ]);
    expect(host.logged[0]).toContain('with sudo');
  });

  test('a failed apt-get stops with the command to run', () => {
    const host = fakeHost({ osRelease: DEBIAN, root: true, status: 100 });
    expect(setupError(() => ensureChromium(host))).toMatch(
      /apt-get update -qq` exited with 100.*apt-get update && apt-get install -y chromium/,
    );
    expect(host.ran).toHaveLength(1);
  });

  test.each([
    [
      'Debian, no root, no sudo',
      { osRelease: DEBIAN },
      'sudo apt-get update && sudo apt-get install -y chromium',
    ],
    ['Ubuntu, even as root', { osRelease: UBUNTU, root: true }, 'sudo snap install chromium'],
    ['Fedora', { osRelease: FEDORA, root: true }, 'sudo dnf install -y chromium'],
    ['no os-release', { root: true }, "install chromium with this system's package manager"],
    ['macOS', { platform: 'darwin' as const }, 'brew install --cask google-chrome'],
    ['Windows', { platform: 'win32' as const }, 'set CHROME_PATH='],
  ])('%s: fails fast with the command, installs nothing', (_name, options, command) => {
    const host = fakeHost(options);
    const plan = planForMissingChromium(host);
    expect(plan.install).toBe(false);
    const message = setupError(() => ensureChromium(host));
    expect(message).toContain(`    ${command}`);
    expect(message).toContain('set CHROME_PATH');
    expect(host.ran).toEqual([]);
  });
});

describe('globalSetup looks for a browser only when the run has browser tests', () => {
  const rootDir = '/repo';
  const patterns = (...p: string[]) => ({
    testPathPatterns: {
      toExecutor: () => ({ isMatch: (path: string) => p.some((x) => new RegExp(x).test(path)) }),
    },
  });

  test.each([
    ['every test', {}, {}, true],
    ['the browser test by name', patterns('inboxBrowser'), {}, true],
    ['the unit tests only', patterns('test/unit/cli'), {}, false],
    ['the fault matrix', patterns('test/faults'), {}, false],
    ['all but the integration tests', {}, { testPathIgnorePatterns: ['test/integration'] }, false],
  ])('%s', (_name, global, project, expected) => {
    expect(runsBrowserTests(global, { rootDir, ...project })).toBe(expected);
  });
});
