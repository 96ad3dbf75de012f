/**
 * Cold-start figures for `npm run bench`: new Node.js processes, timed from spawn, each against a
 * bare `node -e 0` started just before it (runs interleaved, so a machine that slows down in the
 * middle slows both). Figures only: nothing here asserts a time.
 */

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { processEnvironment } from '../../config/loadConfig';

export const COLD_START_RUNS = 9;
/** Gap between attempts to reach a dev host that is still starting. */
const POLL_MS = 2;
const STARTUP_LIMIT_MS = 60_000;

interface Sample {
  readonly ms: number;
  readonly rssMb?: number;
  /** CPU time (user + system) of the whole process: steadier than wall time on a busy machine. */
  readonly cpuMs?: number;
}

/** What one case measures: a fresh process, timed until it has done its job. */
type Case = () => Promise<Sample>;

/** Prepended to every script: prints its peak memory and CPU time (since the process began). */
const PRINT_USAGE =
  "process.on('exit', () => { const cpu = process.cpuUsage();" +
  ' process.stdout.write(`rss=${process.memoryUsage.rss()} cpu=${cpu.user + cpu.system}`); });';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Runs `node -e <script>` and times it from spawn to exit; the script may print `rss=<bytes>`. */
function timeNode(script: string, cwd: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', script], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.resume();
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`node -e ${script.slice(0, 80)} exited with ${code}`));
        return;
      }
      const rss = /rss=(\d+)/.exec(output)?.[1];
      const cpu = /cpu=(\d+)/.exec(output)?.[1];
      resolve({
        ms,
        ...(rss !== undefined && { rssMb: Number(rss) / 1024 / 1024 }),
        ...(cpu !== undefined && { cpuMs: Number(cpu) / 1000 }),
      });
    });
  });
}

/** CPU time of a running process so far, from /proc (Linux; 10 ms ticks), else undefined. */
function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name: state is field 3, utime 14, stime 15 (man 5 proc).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** One HTTP exchange; resolves with the status, or undefined when nothing listens yet. */
function exchange(
  port: number,
  method: string,
  path: string,
  body?: Buffer,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          resolve(response.statusCode);
        });
      },
    );
    req.on('error', () => {
      resolve(undefined);
    });
    req.end(body);
  });
}

/**
 * Starts a server (`node <args>`, told its port in PORT) and times spawn → the first answer
 * `expected` to `method path`. It is stopped afterwards; its first answers are all that is timed.
 */
async function timeServer(
  root: string,
  args: readonly string[],
  method: string,
  path: string,
  expected: number,
  body?: Buffer,
): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...processEnvironment(), PORT: String(port) },
    stdio: 'ignore',
  });
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const state = { exited: false };
  void exit.then(() => (state.exited = true));
  try {
    for (;;) {
      const status = await exchange(port, method, path, body);
      if (status === expected) {
        const ms = performance.now() - started;
        const cpuMs = child.pid === undefined ? undefined : processCpuMs(child.pid);
        return { ms, ...(cpuMs !== undefined && { cpuMs }) };
      }
      if (status !== undefined) throw new Error(`${method} ${path} answered ${status}`);
      if (state.exited) throw new Error('the dev host exited before answering');
      if (performance.now() - started > STARTUP_LIMIT_MS) {
        throw new Error(`the dev host did not answer within ${STARTUP_LIMIT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    child.kill('SIGTERM');
    await exit;
  }
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(0)}`;
}

function line(label: string, samples: readonly Sample[], bare: readonly Sample[]): string {
  const ms = median(samples.map((s) => s.ms));
  const bareMs = median(bare.map((s) => s.ms));
  const rss = samples.flatMap((s) => (s.rssMb === undefined ? [] : [s.rssMb]));
  const bareRss = bare.flatMap((s) => (s.rssMb === undefined ? [] : [s.rssMb]));
  const memory =
    rss.length > 0 && bareRss.length > 0
      ? `; RSS ${median(rss).toFixed(0)} vs ${median(bareRss).toFixed(0)} MB`
      : '';
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  const bareCpu = bare.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  const cpuFigure =
    cpu.length > 0 && bareCpu.length > 0
      ? `; CPU ${median(cpu).toFixed(0)} vs ${median(bareCpu).toFixed(0)} ms (${signed(median(cpu) - median(bareCpu))} ms)`
      : '';
  return (
    `${label.padEnd(34)} wall ${ms.toFixed(0).padStart(5)} vs ${bareMs.toFixed(0).padStart(4)} ms` +
    ` (×${(ms / bareMs).toFixed(2)}, ${signed(ms - bareMs)} ms)${cpuFigure}${memory}`
  );
}

/**
 * Medians, the ratio of the medians and the difference, for:
 *   - each function module of the tsc output (`dist/functions/*.js`) on its own;
 *   - the deployed bundle (`dist/package/app/dist/index.mjs`, built by `npm run package`);
 *   - the dev host (`npm start` on the sample workspace): spawn to the first answer of
 *     `GET /api/health`, and to the first `202` of `POST /api/alerts`; beside them a bare
 *     `node:http` server's first answer, the floor any HTTP host starts from, and the least that
 *     answers health as the dev host does (`healthFloor.ts`).
 * Wall time is what a caller waits for, but on a shared machine it mostly measures the other
 * processes; the CPU time each process used (whole process, start-up included) is printed beside
 * it, and is the steadier figure there.
 */
export async function coldStartFigures(root: string, runs = COLD_START_RUNS): Promise<string[]> {
  const cases = new Map<string, Case>();
  const functionsDir = join(root, 'dist', 'functions');
  for (const file of readdirSync(functionsDir)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    const module = join(functionsDir, file);
    cases.set(`tsc output: functions/${file}`, () =>
      timeNode(`${PRINT_USAGE} require(${JSON.stringify(module)});`, root),
    );
  }
  const bundle = join(root, 'dist', 'package', 'app', 'dist', 'index.mjs');
  const notes: string[] = [];
  if (existsSync(bundle)) {
    const url = pathToFileURL(bundle).href;
    cases.set('deployed bundle: dist/index.mjs', () =>
      timeNode(`${PRINT_USAGE} import(${JSON.stringify(url)});`, root),
    );
  } else {
    notes.push('deployed bundle: not built (run `npm run package`, or `npm run bench`)');
  }
  const alert = readFileSync(join(root, 'samples', 'alerts', 'sas-renewal-thermostat-0042.json'));
  const devHost = [join(root, 'dist', 'lib', 'tools', 'devhost', 'main.js')];
  // The floor under the dev host's figures: Node's own HTTP server answering its first request.
  const bareServer = [
    '-e',
    "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')",
  ];
  cases.set('bare node:http server: first GET', () =>
    timeServer(root, bareServer, 'GET', '/', 200),
  );
  // What answering health needs at least: that server, the configuration and the health handler.
  const healthFloor = [join(root, 'dist', 'lib', 'tools', 'bench', 'healthFloor.js')];
  cases.set('floor: http + config + health', () =>
    timeServer(root, healthFloor, 'GET', '/api/health', 200),
  );
  cases.set('dev host: first GET /api/health', () =>
    timeServer(root, devHost, 'GET', '/api/health', 200),
  );
  cases.set('dev host: first POST /api/alerts', () =>
    timeServer(root, devHost, 'POST', '/api/alerts', 202, alert),
  );

  const bare: Sample[][] = [...cases.keys()].map(() => []);
  const measured: Sample[][] = [...cases.keys()].map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [index, measure] of [...cases.values()].entries()) {
      bare[index]?.push(await timeNode(PRINT_USAGE, root));
      measured[index]?.push(await measure());
    }
  }
  return [
    ...[...cases.keys()].map((label, index) =>
      line(label, measured[index] ?? [], bare[index] ?? []),
    ),
    ...notes,
  ];
}
