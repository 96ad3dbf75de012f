/**
 * `npm run bench`: prints the figures behind the performance goals. Figures, not pass/fail:
 * shared machines are noisy, so nothing here asserts a time.
 *
 *   - intake: time to validate, deduplicate and enqueue one alert (goal: well under 1 s)
 *   - enrichment: evidence + diagnosis per sample alert over the sample workspace
 *   - CLI-style load: reading the 8-hour sample workspace export
 *   - card size against the 26 KB Teams budget
 *   - cold start against bare Node.js: each function module, the deployed bundle, and the dev
 *     host's first answers (lib/bench/coldStart.ts; goal: bundle within +100 ms, health +30 ms)
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { parseAlert } from '../alerts/parseAlert';
import { repoRoot } from '../devhost/main';
import { buildReport } from '../enrichAlert';
import { COLD_START_RUNS, coldStartFigures } from './coldStart';
import { ExportFileSource } from '../evidence/exportFileSource';
import { MetricsFileSource } from '../evidence/metricsFile';
import { handleAlertRequest } from '../intake/handleAlertRequest';
import { silentLogger } from '../logger';
import { byteSize, renderTeamsMessage } from '../render/teamsCard';
import { InMemoryAlertQueue, InMemoryAlertStore } from '../state/memoryState';

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${at(1).toFixed(2)} ms (n=${samples.length})`;
}

async function main(): Promise<void> {
  const root = repoRoot();
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
      size = byteSize(renderTeamsMessage(report));
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
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
