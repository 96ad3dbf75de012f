/**
 * Azurite (the `azurite` devDependency) for the connection-event benchmarks, started as the tests
 * start it: a child process on free ports of 127.0.0.1, a temporary folder, the well-known
 * development account.
 *
 * In memory, Azurite never pauses to save, but each queue message is an extent of its own, and its
 * queue garbage collection (every 60 s) removes the deleted ones one by one from a list, in time
 * that grows with the square of their number: thousands of deleted checks stall it for seconds,
 * and every storage call of the enricher then runs out of time. On disk, messages share extents,
 * but Azurite saves its whole database every 5 s. So: in memory unless many messages are deleted.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { processEnvironment } from '../../config/loadConfig';
import { freePorts } from './freePort';

export interface BenchAzurite {
  readonly queuePort: number;
  readonly tablePort: number;
  /** For the well-known `devstoreaccount1` on these ports. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const ACCOUNT = 'devstoreaccount1';
/** The documented Azurite development key; not a secret. */
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const START_TIMEOUT_MS = 20_000;

/** A connection string of the development account whose queue and table go to these ports. */
export function developmentConnectionString(queuePort: number, tablePort: number): string {
  const endpoint = (port: number): string => `http://${HOST}:${port}/${ACCOUNT}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
    `QueueEndpoint=${endpoint(queuePort)};TableEndpoint=${endpoint(tablePort)};`
  );
}

function azuriteCli(): string {
  const manifestPath = require.resolve('azurite/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: Record<string, string>;
  };
  const bin = manifest.bin?.azurite;
  if (bin === undefined) throw new Error('The azurite package declares no `azurite` bin');
  return join(dirname(manifestPath), bin);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
}

export interface AzuriteOptions {
  /** Keep the data in memory (see above) rather than in the temporary folder. */
  readonly inMemory: boolean;
}

export async function startBenchAzurite(options: AzuriteOptions): Promise<BenchAzurite> {
  const [blobPort, queuePort, tablePort] = (await freePorts(3)) as [number, number, number];
  const workDir = mkdtempSync(join(tmpdir(), 'bench-azurite-'));
  const env = { ...processEnvironment() };
  delete env.AZURITE_ACCOUNTS; // always the well-known account
  const args = [
    azuriteCli(),
    ...(options.inMemory ? ['--inMemoryPersistence'] : ['--location', workDir]),
    '--silent',
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
    '--blobHost',
    HOST,
    '--blobPort',
    String(blobPort),
    '--queueHost',
    HOST,
    '--queuePort',
    String(queuePort),
    '--tableHost',
    HOST,
    '--tablePort',
    String(tablePort),
  ];
  const child = spawn(process.execPath, args, { cwd: workDir, env, stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
    rmSync(workDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!((await accepts(queuePort)) && (await accepts(tablePort)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('Azurite did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    queuePort,
    tablePort,
    connectionString: developmentConnectionString(queuePort, tablePort),
    stop,
  };
}
