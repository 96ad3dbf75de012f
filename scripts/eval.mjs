#!/usr/bin/env node
/**
 * `npm run eval`: runs the CLI contract (`enricher classify --json`) over the real-world cases in
 * `test/fixtures/realworld-v1/` (public reports turned into alerts and logs; expected verdicts in
 * its `cases.json`) and over every scenario family in `scripts/scenarios.mjs`. It prints accuracy
 * per generated family, a confusion matrix of causes and the mean confidence of right and wrong
 * verdicts, then the real-world cases one by one and how many of them were right. A verdict is
 * right when cause and scope both match the expectation. Figures, not pass/fail; exit 1 only when
 * the CLI itself fails.
 *
 *   npm run eval                             (builds first)
 *   node scripts/eval.mjs --realworld-only   only the real-world cases
 *   node scripts/eval.mjs --generated-only   only the generated families
 *   node scripts/eval.mjs --keep DIR         keep the generated scenarios in DIR
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The causes in the enricher's own order, from the build `npm run eval` makes first.
import { CAUSES } from '../dist/lib/diagnose/diagnosis.js';
import { writeScenarios } from './scenarios.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'lib', 'tools', 'cli', 'main.js');
const REALWORLD = join(ROOT, 'test', 'fixtures', 'realworld-v1');
/** CLI processes at once: each case is one process; more than 2 only contend on small machines. */
const PARALLEL = 2;

const args = process.argv.slice(2);
const realworldOnly = args.includes('--realworld-only');
const generatedOnly = args.includes('--generated-only');
if (realworldOnly && generatedOnly) {
  console.error('use at most one of --realworld-only and --generated-only');
  process.exit(2);
}
const keepAt = args.indexOf('--keep');
if (keepAt !== -1 && args[keepAt + 1] === undefined) {
  console.error('--keep needs a folder');
  process.exit(2);
}

/** `enricher classify --json` on one case: the verdict, or the reason it failed. */
function classify(folder) {
  const argv = [
    CLI,
    'classify',
    '--alert',
    join(folder, 'alert.json'),
    '--logs',
    join(folder, 'logs.json'),
  ];
  if (existsSync(join(folder, 'metrics.json')))
    argv.push('--metrics', join(folder, 'metrics.json'));
  argv.push('--json');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error) => resolve({ error: error.message }));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code !== 0) return resolve({ error: `exit ${code}: ${stderr}` });
      try {
        resolve({ verdict: JSON.parse(Buffer.concat(out).toString('utf8')) });
      } catch (error) {
        resolve({ error: `output is not JSON: ${error.message}` });
      }
    });
  });
}

/** Classifies every case, `PARALLEL` at a time, in order; counts the CLI failures. */
async function classifyAll(cases) {
  const results = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const { folder, expected } = cases[i];
      const run = await classify(folder);
      if (run.error !== undefined) {
        failures++;
        console.error(`${folder}: ${run.error}`);
        continue;
      }
      const { verdict } = run;
      const right = verdict.cause === expected.cause && verdict.scope === expected.scope;
      results[i] = { expected, verdict, right };
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return results.filter((r) => r !== undefined);
}

const pad = (text, width) => String(text).padEnd(width);
const mean = (values) =>
  values.length === 0 ? '–' : (values.reduce((a, b) => a + b, 0) / values.length).toFixed(2);
const percent = (part, whole) => `${Math.round((100 * part) / whole)} %`;
const confidence = (value) => (typeof value === 'number' ? value.toFixed(2) : '–');

let failures = 0;

async function realWorld() {
  const cases = JSON.parse(readFileSync(join(REALWORLD, 'cases.json'), 'utf8')).map((c) => ({
    folder: join(REALWORLD, c.slug),
    expected: { slug: c.slug, cause: c.confirmedCause, scope: c.scope },
  }));
  const results = await classifyAll(cases);
  const slugWidth = Math.max(...cases.map((c) => c.expected.slug.length)) + 2;
  console.log(`\nreal-world cases (${REALWORLD.slice(ROOT.length + 1)})`);
  console.log(
    `${pad('case', slugWidth)} ${pad('expected cause/scope', 29)} ${pad('got cause/scope', 29)} ${pad('conf', 5)} verdict`,
  );
  for (const { expected, verdict, right } of results) {
    console.log(
      `${pad(expected.slug, slugWidth)} ${pad(`${expected.cause}/${expected.scope}`, 29)} ${pad(`${verdict.cause}/${verdict.scope}`, 29)} ${pad(confidence(verdict.confidence), 5)} ${right ? 'right' : 'WRONG'}`,
    );
  }
  const right = results.filter((r) => r.right).length;
  console.log(`real-world: ${right} of ${cases.length} causes and scopes right`);
}

async function generated() {
  const dir = keepAt === -1 ? mkdtempSync(join(tmpdir(), 'enricher-eval-')) : args[keepAt + 1];
  const results = await classifyAll(writeScenarios(dir));

  const familyWidth = Math.max(22, ...results.map((r) => r.expected.family.length)) + 2;
  console.log(
    `\n${pad('family', familyWidth)} ${pad('right', 7)} ${pad('accuracy', 9)} wrong verdicts (#seed got cause/scope, expected)`,
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
      `${pad(family, familyWidth)} ${pad(`${right}/${rows.length}`, 7)} ${pad(percent(right, rows.length), 9)} ${wrong}`,
    );
  }
  const right = results.filter((r) => r.right);
  console.log(
    `${pad('all generated', familyWidth)} ${pad(`${right.length}/${results.length}`, 7)} ${percent(right.length, results.length)}`,
  );

  console.log('\nconfusion matrix of causes (rows: expected, columns: diagnosed)');
  const causes = [
    ...CAUSES,
    ...new Set(results.map((r) => r.verdict.cause).filter((c) => !CAUSES.includes(c))),
  ];
  const short = (cause) =>
    cause
      .split('-')
      .map((w) => w[0])
      .join('');
  const causeWidth = Math.max(...causes.map((c) => c.length)) + 2;
  console.log(`${pad('', causeWidth)} ${causes.map((c) => pad(short(c), 5)).join('')}`);
  for (const expected of causes) {
    const rows = results.filter((r) => r.expected.cause === expected);
    if (rows.length === 0) continue;
    const cells = causes.map((got) => pad(rows.filter((r) => r.verdict.cause === got).length, 5));
    console.log(`${pad(expected, causeWidth)} ${cells.join('')}`);
  }
  console.log(`(${causes.map((c) => `${short(c)} = ${c}`).join(', ')})`);

  const wrong = results.filter((r) => !r.right);
  console.log(
    `\nmean confidence: right ${mean(right.map((r) => r.verdict.confidence))} (n=${right.length}), wrong ${mean(wrong.map((r) => r.verdict.confidence))} (n=${wrong.length})`,
  );
  if (keepAt === -1) rmSync(dir, { recursive: true, force: true });
  else console.log(`scenarios kept in ${dir}`);
}

if (!realworldOnly) await generated();
if (!generatedOnly) await realWorld();
if (failures > 0) {
  console.error(`${failures} case(s) failed to run`);
  process.exitCode = 1;
}
