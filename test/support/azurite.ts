/**
 * Starts Azurite (the npm `azurite` devDependency) in a child process for the integration tests:
 * no global install, no Docker. Each call gets its own free ports, in-memory storage and a
 * temporary working directory, and `stop()` kills the process and waits for it to exit.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Azurite {
  /** Connection string for the well-known `devstoreaccount1` account on the chosen ports. */
  readonly connectionString: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly queueServiceUri: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly tableServiceUri: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const ACCOUNT = 'devstoreaccount1';
/** The documented Azurite development key; not a secret. */
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const ATTEMPTS = 3;

/** The `azurite` CLI entry point, found through the installed package's `bin`. */
function azuriteCli(): string {
  const manifestPath = require.resolve('azurite/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: Record<string, string>;
  };
  const bin = manifest.bin?.azurite;
  if (bin === undefined) throw new Error('The azurite package declares no `azurite` bin');
  return join(dirname(manifestPath), bin);
}

/** A port that was free a moment ago (bind to port 0, read it, release it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
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

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, STOP_TIMEOUT_MS)) return;
  child.kill('SIGKILL');
  await waitForExit(child, STOP_TIMEOUT_MS);
}

async function startOnce(cli: string): Promise<Azurite> {
  const [blobPort, queuePort, tablePort] = (await freePorts(3)) as [number, number, number];
  // In-memory persistence cannot be combined with --location; the temporary working directory
  // keeps anything Azurite might still write out of the repository.
  const workDir = mkdtempSync(join(tmpdir(), 'azurite-'));
  const env = { ...process.env };
  delete env.AZURITE_ACCOUNTS; // always the well-known devstoreaccount1
  const child = spawn(
    process.execPath,
    [
      cli,
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      '64',
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
    ],
    { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const cleanUp = async (): Promise<void> => {
    await kill(child);
    rmSync(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
      await cleanUp();
      throw new Error(
        `Azurite exited before listening (${spawnError?.message ?? `code ${String(child.exitCode)}`}): ${output.trim()}`,
      );
    }
    if ((await accepts(queuePort)) && (await accepts(tablePort))) break;
    if (Date.now() > deadline) {
      await cleanUp();
      throw new Error(`Azurite did not listen within ${START_TIMEOUT_MS} ms: ${output.trim()}`);
    }
    await delay(50);
  }

  const endpoint = (port: number): string => `http://${HOST}:${port}/${ACCOUNT}`;
  let stopped: Promise<void> | undefined;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=${endpoint(blobPort)};QueueEndpoint=${endpoint(queuePort)};` +
      `TableEndpoint=${endpoint(tablePort)};`,
    queueServiceUri: endpoint(queuePort),
    tableServiceUri: endpoint(tablePort),
    stop: () => (stopped ??= cleanUp()),
  };
}

/** Starts Azurite; retries with new ports if another process took one in the meantime. */
export async function startAzurite(): Promise<Azurite> {
  const cli = azuriteCli();
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      return await startOnce(cli);
    } catch (error: unknown) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('Azurite did not start');
}

/** A port nothing listens on: bound and released, for "storage is down" tests. */
export function closedPort(): Promise<number> {
  return freePort();
}

/** A connection string for the well-known account whose endpoints all point at `port`. */
export function connectionStringFor(port: number): string {
  const endpoint = `http://${HOST}:${port}/${ACCOUNT}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
    `BlobEndpoint=${endpoint};QueueEndpoint=${endpoint};TableEndpoint=${endpoint};`
  );
}
