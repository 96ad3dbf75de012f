/**
 * `npm run bench`: prints the figures behind the performance goals. Figures, not pass/fail:
 * shared machines are noisy, so nothing here asserts a time.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { parseAlert } from '../../alerts/parseAlert';
import { diagnose } from '../../diagnose/diagnose';
import { repoRoot } from '../devhost/repoRoot';
import { benchDigest } from './digestBench';
import { benchHistory } from './historyBench';
import { buildReport } from '../../app/enrichAlert';
import { COLD_START_RUNS, coldStartFigures } from './coldStart';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { MetricsFileSource } from '../../evidence/metricsFile';
import { handleAlertRequest } from '../../intake/handleAlertRequest';
import { silentLogger } from '../../common/logger';
import { byteSize } from '../../render/adaptiveCard';
import { renderAlertCard } from '../../render/teamsCards';
import { InMemoryAlertQueue, InMemoryAlertStore } from '../../state/memory/memoryState';
import { flakyFleet } from './flakyFleet';
import { benchConnectionEvents } from './connectionEventsBench';
import { BENCH_USAGE } from './usage';
import { benchLoneAlert, describeLoneAlert } from './loneAlert';
import { describeStorm, runStorm, type StormRun } from './storm';
import { benchWhatif } from './whatifBench';

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${at(1).toFixed(2)} ms (n=${samples.length})`;
}

function benchDiagnose(devices: number, runs: number): void {
  const { alert, evidence } = flakyFleet(devices);
  let cause = '';
  for (let warm = 0; warm < 3; warm++) cause = diagnose(alert, evidence).cause;
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    diagnose(alert, evidence);
    times.push(performance.now() - started);
  }
  console.log(
    `diagnose ${devices} flaky devices × 12 h (${evidence.deviceEvents.length} events) → ${cause}: ${stats(times)}`,
  );
}

/**
 * One Functions instance works on `batchSize` queue messages plus `newBatchThreshold` (half a
 * batch) at once; the storms run with host.json's setting.
 */
async function instanceConcurrency(root: string): Promise<number> {
  const host = JSON.parse(await readFile(join(root, 'host.json'), 'utf8')) as {
    extensions?: { queues?: { batchSize?: number } };
  };
  const batchSize = host.extensions?.queues?.batchSize ?? 16;
  return batchSize + Math.floor(batchSize / 2);
}

function stormRuns(concurrency: number): StormRun[] {
  return [
    { alerts: 300, arrivalMs: 0, concurrency, unshared: true },
    { alerts: 300, arrivalMs: 0, concurrency },
    { alerts: 1000, arrivalMs: 0, concurrency, unshared: true },
    { alerts: 1000, arrivalMs: 0, concurrency },
    { alerts: 1000, arrivalMs: 60_000, concurrency },
    { alerts: 1000, arrivalMs: 0, concurrency: 48 },
    // At the lone-alert figure's 300 ms per query: a storm batches as much at a real round trip.
    { alerts: 300, arrivalMs: 0, concurrency, queryDelayMs: 300 },
  ];
}

/** The sample one-device alert the storm and the lone alert vary. */
async function sampleAlert(root: string) {
  const sample = await readFile(join(root, 'samples', 'alerts', 'hub-incident-sensor-0017.json'));
  return parseAlert(JSON.parse(sample.toString('utf8')), { deviceIdDimension: 'DeviceId' });
}

async function storms(root: string): Promise<void> {
  const base = await sampleAlert(root);
  const runs = stormRuns(await instanceConcurrency(root));
  for (const run of runs) console.log(describeStorm(run, await runStorm(run, base)));
}

async function loneAlert(root: string): Promise<void> {
  console.log(describeLoneAlert(await benchLoneAlert(await sampleAlert(root))));
}

/**
 *   - intake: time to validate, deduplicate and enqueue one alert (goal: well under 1 s)
 *   - enrichment: evidence + diagnosis per sample alert over the sample workspace
 *   - CLI-style load: reading the 8-hour sample workspace export
 *   - card size against the 26 KB Teams budget
 *   - diagnose alone on flaky fleets: 50 devices × 12 h (~10,000 events; goal ≤ 5 ms median)
 *     and 500 devices (goal ≤ 60 ms median)
 *   - storm: 300 and 1,000 one-device alerts of one hub incident within a minute, through the
 *     real clients against local Log Analytics and metrics endpoints (`storm.ts`); `--storm`
 *     runs only that part, `--no-storm` skips it
 *   - a lone alert's evidence against one query's round trip, the local Log Analytics server
 *     answering each query after 300 ms (`loneAlert.ts`; goal ≤ 1.1× one query); `--lone` runs
 *     only that part
 *   - the daily digest of a 100,000-device hub: rows read and wall time (`digestBench.ts`)
 *   - the device-history query ("is this new for this device?") per alert at 100,000 devices:
 *     rows returned and time (`historyBench.ts`); `--history` runs only that part
 *   - cold start against bare Node.js: each function module, the deployed bundle, and the dev
 *     host's first answers (`coldStart.ts`; goal: bundle within +100 ms, health +30 ms)
 *   - connection events: intake at 10,000 a minute, drop to card, a day of renewals, a hub outage
 *     (`connectionEventsBench.ts`): only with `--events`, which runs only that part (it takes
 *     longer than everything else together: a day of renewals on Azurite alone is minutes)
 *   - enricher whatif over 10,080 recorded alerts of the generated scenarios (`whatifBench.ts`;
 *     goal ≤ 30 s): only with `--whatif`, which runs only that part (minutes, and a 12 GB heap)
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(BENCH_USAGE);
    return;
  }
  const root = repoRoot();
  if (args.includes('--events')) {
    await benchConnectionEvents(root);
    return;
  }
  if (args.includes('--whatif')) {
    await benchWhatif(root);
    return;
  }
  benchDiagnose(50, 100);
  benchDiagnose(500, 30);

  if (args.includes('--storm')) {
    await storms(root);
    return;
  }
  if (args.includes('--history')) {
    await benchHistory();
    return;
  }
  if (args.includes('--lone')) {
    await loneAlert(root);
    return;
  }
  const alertsDir = join(root, 'samples', 'alerts');
  const files = (await readdir(alertsDir)).filter((f) => f.endsWith('.json')).sort();
  const bodies = await Promise.all(files.map((f) => readFile(join(alertsDir, f))));

  // Intake: 1000 distinct alerts (alertId varied so none is a duplicate).
  const queue = new InMemoryAlertQueue();
  const store = new InMemoryAlertStore();
  const intake: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const text = (bodies[i % bodies.length] ?? Buffer.from(''))
      .toString('utf8')
      .replace(/"alertId":\s*"([^"]+)"/, `"alertId": "$1-${i}"`);
    const bytes = new TextEncoder().encode(text);
    const started = performance.now();
    const response = await handleAlertRequest(
      { readBody: () => Promise.resolve(bytes) },
      {
        queue,
        store,
        parseOptions: { deviceIdDimension: 'DeviceId' },
        log: silentLogger,
        now: () => new Date(),
      },
    );
    intake.push(performance.now() - started);
    if (response.status !== 202) throw new Error(`intake answered ${response.status}`);
  }
  console.log(`intake (validate + dedupe + enqueue): ${stats(intake)}`);

  const loadStarted = performance.now();
  const evidence = await ExportFileSource.fromPath(join(root, 'samples', 'workspace'));
  const metrics = await MetricsFileSource.fromPath(join(root, 'samples', 'metrics'));
  console.log(
    `load sample workspace (${evidence.events.length} Connections events): ${(performance.now() - loadStarted).toFixed(0)} ms`,
  );

  for (const [index, file] of files.entries()) {
    const alert = parseAlert(JSON.parse((bodies[index] ?? Buffer.from('{}')).toString('utf8')), {
      deviceIdDimension: 'DeviceId',
    });
    const times: number[] = [];
    let size = 0;
    let cause = '';
    for (let run = 0; run < 20; run++) {
      const started = performance.now();
      const report = await buildReport(alert, {
        sources: { evidence, metrics },
        lookbackMinutes: 360,
        now: () => new Date(),
      });
      times.push(performance.now() - started);
      size = byteSize(renderAlertCard(report));
      cause = report.diagnosis?.cause ?? 'none';
    }
    console.log(
      `enrich ${file} → ${cause}: ${stats(times)}; Teams body ${(size / 1024).toFixed(1)} KB of 26 KB`,
    );
  }

  console.log(
    `cold start: new processes, medians of ${COLD_START_RUNS} runs interleaved with bare \`node -e 0\` (Node.js ${process.version})`,
  );
  for (const figure of await coldStartFigures(root)) console.log(`  ${figure}`);

  await loneAlert(root);
  if (!args.includes('--no-storm')) await storms(root);
  await benchDigest();
  await benchHistory();
  await (await import('./silenceBench.js')).benchSilences(root);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
