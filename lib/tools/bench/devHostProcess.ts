/**
 * Starts `benchDevHost.ts` as a child process and talks to it: its URL once it listens, what it
 * logged as a problem, and its peak memory (RSS) when it stops. A process of its own, so that the
 * dev host's answer times and memory are its own, not the benchmark's sending and counting.
 */

import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { Environment } from '../../config/configKeys';

export interface DevHostProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Lines it wrote to stderr (warnings and errors), the first 200. */
  problems(): readonly string[];
  /** Stops it and resolves with its peak RSS in MB (undefined if it did not say). */
  stop(): Promise<number | undefined>;
}

const START_TIMEOUT_MS = 30_000;
const MAX_PROBLEM_LINES = 200;

export function startDevHostProcess(env: Environment): Promise<DevHostProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'benchDevHost.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const problems: string[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line !== '' && problems.length < MAX_PROBLEM_LINES) problems.push(line.slice(0, 300));
    }
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The bench dev host did not listen: ${problems.join(' | ')}`));
    }, START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const url = /listening http:\/\/localhost:(\d+)/.exec(stdout)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      stdout = stdout.replace(/listening \S+\n?/, '');
      resolve({
        url: `http://127.0.0.1:${url}`,
        problems: () => problems,
        async stop() {
          child.kill('SIGTERM');
          await exited;
          const kb = /maxRssKb (\d+)/.exec(stdout)?.[1];
          return kb === undefined ? undefined : Number(kb) / 1024;
        },
      });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The bench dev host exited: ${problems.join(' | ')}`));
    });
  });
}
