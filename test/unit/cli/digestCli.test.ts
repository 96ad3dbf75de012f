/** `enricher digest`: the daily digest over an export, and one-line errors on bad usage. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { teamsEnvelopeProblems } from '../../support/adaptiveCardSchema';
import { repoPath } from '../../support/fixtures';
import { captureCli, type Run } from './captureCli';

function cli(...argv: string[]): Promise<Run> {
  return captureCli(argv);
}

const logs = repoPath('samples/workspace');
const metrics = repoPath('samples/metrics');
const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourceGroups/iot-prod/providers/Microsoft.Devices/IotHubs/contoso-fleet-hub';

describe('enricher digest', () => {
  test('--format text ends the day at the export’s last event and names the flaky device', async () => {
    const run = await cli('digest', '--logs', logs, '--hub', HUB, '--format', 'text');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [headline] = run.stdout.split('\n');
    expect(headline).toBe('Fleet health of contoso-fleet-hub, 24 h to 2026-11-20 08:00 UTC');
    expect(run.stdout).toMatch(/- pump-station-7: 9 unexplained drops/);
    expect(run.stdout).toMatch(/- meter-19: gone since 03:44 UTC/);
  });

  test('--metrics shows how far connected devices fell during the incident', async () => {
    const run = await cli(
      'digest',
      '--logs',
      logs,
      '--hub',
      HUB,
      '--metrics',
      metrics,
      '--format',
      'text',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /05:10–05:15 UTC: 125 of \d+ devices dropped at once.*connected devices fell to 28/,
    );
  });

  test('--format teams prints the Workflows body that would be posted', async () => {
    const run = await cli('digest', '--logs', logs, '--hub', HUB, '--format', 'teams');
    expect(run.code).toBe(0);
    expect(teamsEnvelopeProblems(JSON.parse(run.stdout))).toEqual([]);
  });

  test('--format webhook prints the digest.daily event, --format json the report', async () => {
    const webhook = await cli('digest', '--logs', logs, '--hub', HUB, '--format', 'webhook');
    expect(JSON.parse(webhook.stdout)).toMatchObject({ event: 'digest.daily', version: 4 });
    const json = await cli('digest', '--logs', logs, '--hub', HUB, '--json');
    const report = JSON.parse(json.stdout) as { sections: { id: string }[] };
    expect(report.sections.map((s) => s.id)).toEqual([
      'families',
      'flapping',
      'sdks',
      'sites',
      'stopped',
      'incidents',
      'activity',
    ]);
  });

  test('--until picks the day; a day with no logs says so', async () => {
    const run = await cli(
      'digest',
      '--logs',
      logs,
      '--hub',
      HUB,
      '--until',
      '2026-11-10T00:00:00Z',
      '--format',
      'text',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/No 404104 disconnects in the 24 hours \(0 devices logged\)/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'enricher-digest-'));
  const badLogs = join(dir, 'bad.csv');
  writeFileSync(badLogs, 'a,b\n1,2\n');

  test.each([
    ['no format', ['digest', '--logs', logs, '--hub', HUB], /--format teams\|webhook\|text\|json/],
    [
      'bad format',
      ['digest', '--logs', logs, '--hub', HUB, '--format', 'pdf'],
      /--format must be one of/,
    ],
    ['no --logs', ['digest', '--hub', HUB, '--format', 'text'], /--logs is required/],
    ['no --hub', ['digest', '--logs', logs, '--format', 'text'], /--hub is required/],
    [
      'hostile --hub',
      ['digest', '--logs', logs, '--hub', `${HUB}" | take 1`, '--format', 'text'],
      /--hub must be an IoT hub ARM resource ID/,
    ],
    [
      'bad --until',
      ['digest', '--logs', logs, '--hub', HUB, '--until', 'soon', '--format', 'text'],
      /--until/,
    ],
    [
      'missing logs',
      ['digest', '--logs', join(dir, 'nope'), '--hub', HUB, '--format', 'text'],
      /cannot read logs .*ENOENT/,
    ],
    [
      'bad logs',
      ['digest', '--logs', badLogs, '--hub', HUB, '--format', 'text'],
      /cannot read logs/,
    ],
  ])('%s: exit 2 with one line', async (_name, argv, message) => {
    const run = await cli(...argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/unexpected error/);
  });
});
