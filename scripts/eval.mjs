#!/usr/bin/env node
/**
 * `npm run eval`: runs the CLI contract (`enricher classify --json`) over every scenario family in
 * `scripts/scenarios.mjs` and prints accuracy per family, a confusion matrix of causes, and the
 * mean confidence of right and wrong verdicts. A verdict is right when cause and scope both match
 * the expectation stored beside the scenario. Figures, not pass/fail; exit 1 only when the CLI
 * itself fails.
 *
 *   npm run eval                 (builds first)
 *   node scripts/eval.mjs --keep DIR   keep the generated scenarios in DIR
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { writeScenarios } from './scenarios.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const CAUSES = [
  'sas-token-expiry',
  'device-or-network',
  'iot-hub-transient',
  'duplicate-identity',
  'credential-rejected',
  'unknown',
];

const keepAt = process.argv.indexOf('--keep');
const dir =
  keepAt === -1 ? mkdtempSync(join(tmpdir(), 'enricher-eval-')) : process.argv[keepAt + 1];
const scenarios = writeScenarios(dir);

const results = [];
let failures = 0;
for (const { folder, expected } of scenarios) {
  const run = spawnSync(
    process.execPath,
    [
      CLI,
      'classify',
      '--alert',
      join(folder, 'alert.json'),
      '--logs',
      join(folder, 'logs.json'),
      '--metrics',
      join(folder, 'metrics.json'),
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (run.status !== 0) {
    failures++;
    console.error(`${folder}: exit ${run.status}: ${run.stderr.trim()}`);
    continue;
  }
  const verdict = JSON.parse(run.stdout);
  const right = verdict.cause === expected.cause && verdict.scope === expected.scope;
  results.push({ expected, verdict, right });
}

const pad = (text, width) => String(text).padEnd(width);
const mean = (values) =>
  values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;

console.log(
  `\n${pad('family', 20)} ${pad('right', 7)} ${pad('accuracy', 9)} wrong verdicts (got cause/scope, expected)`,
);
const families = [...new Set(results.map((r) => r.expected.family))];
for (const family of families) {
  const rows = results.filter((r) => r.expected.family === family);
  const right = rows.filter((r) => r.right).length;
  const wrong = rows
    .filter((r) => !r.right)
    .map(
      (r) =>
        `#${r.expected.seed} ${r.verdict.cause}/${r.verdict.scope} (${r.expected.cause}/${r.expected.scope})`,
    )
    .join('; ');
  console.log(
    `${pad(family, 20)} ${pad(`${right}/${rows.length}`, 7)} ${pad(`${Math.round((100 * right) / rows.length)} %`, 9)} ${wrong}`,
  );
}
const right = results.filter((r) => r.right);
console.log(
  `${pad('all', 20)} ${pad(`${right.length}/${results.length}`, 7)} ${Math.round((100 * right.length) / results.length)} %`,
);

console.log('\nconfusion matrix of causes (rows: expected, columns: diagnosed)');
const short = (cause) =>
  cause
    .split('-')
    .map((w) => w[0])
    .join('');
console.log(`${pad('', 20)} ${CAUSES.map((c) => pad(short(c), 5)).join('')}`);
for (const expected of CAUSES) {
  const rows = results.filter((r) => r.expected.cause === expected);
  if (rows.length === 0) continue;
  const cells = CAUSES.map((got) => pad(rows.filter((r) => r.verdict.cause === got).length, 5));
  console.log(`${pad(expected, 20)} ${cells.join('')}`);
}
console.log(`(${CAUSES.map((c) => `${short(c)} = ${c}`).join(', ')})`);

const wrong = results.filter((r) => !r.right);
console.log(
  `\nmean confidence: right ${mean(right.map((r) => r.verdict.confidence)).toFixed(2)} (n=${right.length}), wrong ${wrong.length === 0 ? '–' : mean(wrong.map((r) => r.verdict.confidence)).toFixed(2)} (n=${wrong.length})`,
);
if (keepAt === -1) rmSync(dir, { recursive: true, force: true });
else console.log(`scenarios kept in ${dir}`);
if (failures > 0) {
  console.error(`${failures} scenario(s) failed to run`);
  process.exitCode = 1;
}
