/**
 * Exports above 125,000 rows once crashed the CLI ("Maximum call stack size exceeded" from
 * `rows.push(...rows)`) and the hand-written CSV reader held the whole text. They are now read
 * as streams: these tests load 126,000-row exports (plus repeated rows) end to end. Peak memory
 * for 1,000,000 rows is measured by `npm run bench:exports`, not asserted here. Each test takes
 * tens of seconds on an idle machine; the generous time-outs are for shared, loaded ones.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FIXTURE_HUB, writeExportFixture } from '../../lib/tools/bench/exportFixture';
import { runCli } from '../../lib/tools/cli/runCli';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { readJson } from '../support/fixtures';

const ROWS = 126_000;
const DUPLICATE_EVERY = 1000;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'enricher-large-export-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// One format per test keeps the suite's time down: CSV (the reader that held the whole text)
// here, the query API JSON (the one that overflowed the stack) through the CLI below. The bench
// covers all three formats at 1,000,000 rows.
test('a CSV export of 126,000 rows (and repeated rows) loads whole, deduplicated, oldest first', async () => {
  const file = join(dir, 'big.csv');
  await writeExportFixture(file, 'csv', { rows: ROWS, duplicateEvery: DUPLICATE_EVERY });
  const source = await ExportFileSource.fromPath(file);
  expect(source.events).toHaveLength(ROWS);
  expect(source.events[0]).toMatchObject({
    time: '2026-11-20T00:00:00.000Z',
    hubResourceId: FIXTURE_HUB,
    deviceId: 'device-00000',
    operation: 'deviceConnect',
  });
  expect(source.events[ROWS - 1]?.time).toBe(
    new Date(Date.parse('2026-11-20T00:00:00Z') + (ROWS - 1) * 100).toISOString(),
  );
  expect(source.events.filter((e) => e.resultType === '404104')).toHaveLength(ROWS / 2);
  rmSync(file);
}, 600_000);

test('the CLI classifies an alert over a 126,000-row query API export', async () => {
  const file = join(dir, 'cli.json');
  await writeExportFixture(file, 'query-response', { rows: ROWS });
  const alert = readJson('samples/alerts/sas-renewal-thermostat-0042.json') as {
    data: {
      essentials: { firedDateTime: string; configurationItems: string[] };
      alertContext: { condition: { allOf: { dimensions: { name: string; value: string }[] }[] } };
    };
  };
  alert.data.essentials.firedDateTime = '2026-11-20T03:30:00Z';
  alert.data.alertContext.condition.allOf[0]!.dimensions = [
    { name: 'DeviceId', value: 'device-00001' },
    { name: '_ResourceId', value: FIXTURE_HUB },
  ];
  const alertFile = join(dir, 'alert.json');
  writeFileSync(alertFile, JSON.stringify(alert));
  let stdout = '';
  let stderr = '';
  const code = await runCli(['classify', '--alert', alertFile, '--logs', file, '--json'], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    now: () => new Date('2026-11-20T04:00:00Z'),
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const result = JSON.parse(stdout) as { cause: string; devices: string[] };
  expect(result.devices).toContain('device-00001');
}, 600_000);
