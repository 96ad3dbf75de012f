/**
 * `npm run bench:exports`: peak memory of reading a large Log Analytics export, the way the CLI
 * and the dev host do (`ExportFileSource.fromPath`). Goal: peak RSS under 2x the file size.
 * Figures only.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { ExportFileSource } from '../../evidence/exportFileSource';
import { type ExportFormat, writeExportFixture } from './exportFixture';

const MiB = 1024 * 1024;

async function loadAndReport(file: string): Promise<void> {
  const started = performance.now();
  const source = await ExportFileSource.fromPath(file);
  const ms = performance.now() - started;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ events: source.events.length, ms, peakRssBytes }));
}

/**
 * Writes a 1,000,000-row export in each format (or `--rows n`), loads each in a fresh Node process
 * and prints the file size, the peak resident set size (RSS) and their ratio.
 */
async function main(): Promise<void> {
  const rows = Number(process.argv[3] ?? '1000000');
  const dir = mkdtempSync(join(tmpdir(), 'enricher-export-bench-'));
  try {
    console.log(
      `export memory: ${rows.toLocaleString('en')} rows per file, goal peak RSS < 2x file size`,
    );
    for (const format of ['csv', 'query-response', 'rows'] as ExportFormat[]) {
      const file = join(dir, `export.${format === 'csv' ? 'csv' : 'json'}`);
      const bytes = await writeExportFixture(file, format, { rows });
      const output = execFileSync(process.execPath, [__filename, file], {
        encoding: 'utf8',
        maxBuffer: 1 * MiB,
      });
      const result = JSON.parse(output) as { events: number; ms: number; peakRssBytes: number };
      console.log(
        `  ${format.padEnd(15)} file ${(bytes / MiB).toFixed(0)} MiB, ${result.events.toLocaleString('en')} events in ${(result.ms / 1000).toFixed(1)} s, peak RSS ${(result.peakRssBytes / MiB).toFixed(0)} MiB = ${(result.peakRssBytes / bytes).toFixed(2)}x the file`,
      );
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run as `node dist/lib/tools/bench/exportMemory.js [FILE]`: with FILE it is the child that loads it.
const file = process.argv[2];
(file !== undefined && file !== '--rows' ? loadAndReport(file) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
