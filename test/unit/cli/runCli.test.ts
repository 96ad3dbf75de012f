import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { USAGE } from '../../../lib/tools/cli/runCli';
import { teamsEnvelopeProblems } from '../../support/adaptiveCardSchema';
import { repoPath } from '../../support/fixtures';
import { captureCli, type Run } from './captureCli';

function cli(...argv: string[]): Promise<Run> {
  return captureCli(argv);
}

const alert = repoPath('samples/alerts/sas-renewal-thermostat-0042.json');
const logs = repoPath('samples/workspace');
const metrics = repoPath('samples/metrics');

describe('enricher classify', () => {
  test('--json prints one diagnosis object with the documented keys', async () => {
    const run = await cli('classify', '--alert', alert, '--logs', logs, '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual([
      'cause',
      'scope',
      'confidence',
      'devices',
      'summary',
      'evidence',
      'actions',
      'reconnected',
    ]);
    expect(result).toMatchObject({
      cause: 'sas-token-expiry',
      scope: 'device',
      devices: ['thermostat-0042'],
      reconnected: true,
    });
  });

  test('the three export formats of the same logs give the same diagnosis', async () => {
    const small = repoPath('samples/alerts/flaky-network-pump-station-7.json');
    const outputs = await Promise.all(
      ['small.query-response.json', 'small.rows.json', 'small.csv'].map((file) =>
        cli('classify', '--alert', small, '--logs', repoPath('test/fixtures/logs', file), '--json'),
      ),
    );
    for (const run of outputs) expect(run.code).toBe(0);
    expect(outputs[1]?.stdout).toBe(outputs[0]?.stdout);
    expect(outputs[2]?.stdout).toBe(outputs[0]?.stdout);
  });

  test('--metrics adds the connected-devices dip to a fleet diagnosis', async () => {
    const fleet = repoPath('samples/alerts/hub-incident-connected-devices.json');
    const without = JSON.parse(
      (await cli('classify', '--alert', fleet, '--logs', logs, '--json')).stdout,
    ) as { evidence: { signal: string }[] };
    const withMetrics = JSON.parse(
      (await cli('classify', '--alert', fleet, '--logs', logs, '--metrics', metrics, '--json'))
        .stdout,
    ) as {
      cause: string;
      evidence: { signal: string }[];
    };
    expect(withMetrics.cause).toBe('iot-hub-transient');
    expect(without.evidence.map((e) => e.signal)).not.toContain('connected-devices-dip');
    expect(withMetrics.evidence.map((e) => e.signal)).toContain('connected-devices-dip');
  });

  test('--format teams prints the Workflows body that would be posted', async () => {
    const run = await cli('classify', '--alert', alert, '--logs', logs, '--format', 'teams');
    expect(run.code).toBe(0);
    expect(teamsEnvelopeProblems(JSON.parse(run.stdout))).toEqual([]);
  });

  test('--format webhook prints the versioned payload', async () => {
    const run = await cli('classify', '--alert', alert, '--logs', logs, '--format', 'webhook');
    expect(JSON.parse(run.stdout)).toMatchObject({
      version: 4,
      event: 'alert.enriched',
      data: { presentation: 'full', diagnosis: { cause: 'sas-token-expiry' } },
    });
  });

  test('--format text prints the message for humans', async () => {
    const run = await cli('classify', '--alert', alert, '--logs', logs, '--format', 'text');
    expect(run.stdout.split('\n')[0]).toBe('SAS token renewal (expected, harmless)');
  });
});

describe('enricher queries', () => {
  test('prints every KQL query with its timespan as JSON', async () => {
    const run = await cli('queries', '--alert', alert);
    expect(run.code).toBe(0);
    const queries = JSON.parse(run.stdout) as { name: string; query: string; timespan: string }[];
    expect(queries.map((q) => q.name)).toEqual([
      'deviceTimeline',
      'fleetActivity',
      'fleetSize',
      'disconnectedDevices',
      'deviceHistory',
    ]);
    for (const q of queries) {
      // Capped queries name their rows first, to count them before the cap; the history names
      // its drop episodes first, to count them twice.
      expect(q.query).toMatch(/^(let (Rows|Episodes) = materialize\()?AzureDiagnostics\n/);
      expect(q.timespan).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\/\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    }
    expect(queries[0]?.query).toContain('"thermostat-0042"');
    expect(queries[0]?.timespan).toBe('2026-11-19T23:52:12.000Z/2026-11-20T06:22:12.000Z');
    // The device's history: 30 days up to the end of the alert window.
    expect(queries[4]?.timespan).toBe('2026-10-21T06:07:12.000Z/2026-11-20T06:07:12.000Z');
  });

  test('--lookback-minutes moves the start of the span', async () => {
    const run = await cli('queries', '--alert', alert, '--lookback-minutes', '60');
    const queries = JSON.parse(run.stdout) as { timespan: string }[];
    expect(queries[0]?.timespan.startsWith('2026-11-20T04:52:12.000Z/')).toBe(true);
  });
});

describe('bad usage and unreadable input: exit 2 with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enricher-cli-'));
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, 'hello');
  const notAlert = join(dir, 'not-alert.json');
  writeFileSync(notAlert, '{"hello": 1}');
  const badLogs = join(dir, 'bad.csv');
  writeFileSync(badLogs, 'a,b\n1,2\n');

  test.each([
    ['no command', [], /missing command/],
    ['unknown command', ['explain', '--alert', alert], /unknown command: explain/],
    [
      'unknown command alone',
      ['bogus'],
      /^enricher: unknown command: bogus \(commands: classify, queries, routes, whatif, replay, digest;/,
    ],
    ['unknown command with --help', ['whatnot', '--help'], /unknown command: whatnot/],
    ['unknown command, unknown option', ['bogus', '--foo'], /unknown command: bogus/],
    ['unknown command after an option', ['--json', 'bogus'], /unknown command: bogus/],
    ['help on an unknown command', ['help', 'bogus'], /unknown command: bogus/],
    ['replay after an option', ['--json', 'replay'], /replay comes first/],
    ['unknown option', ['classify', '--alrt', alert], /Unknown option '--alrt'/],
    ['no --alert', ['queries'], /--alert is required/],
    ['no output choice', ['classify', '--alert', alert, '--logs', logs], /--json or --format/],
    [
      'bad format',
      ['classify', '--alert', alert, '--logs', logs, '--format', 'pdf'],
      /--format must be one of/,
    ],
    [
      'both --json and --format',
      ['classify', '--alert', alert, '--logs', logs, '--json', '--format', 'text'],
      /either --json or --format/,
    ],
    ['no --logs', ['classify', '--alert', alert, '--json'], /--logs is required/],
    [
      'missing alert file',
      ['queries', '--alert', join(dir, 'missing.json')],
      /cannot read alert .*ENOENT/,
    ],
    ['alert not JSON', ['queries', '--alert', notJson], /is not valid JSON/],
    ['not an alert', ['queries', '--alert', notAlert], /schemaId is missing/],
    [
      'missing logs',
      ['classify', '--alert', alert, '--logs', join(dir, 'nope'), '--json'],
      /cannot read logs .*ENOENT/,
    ],
    [
      'logs in no known format',
      ['classify', '--alert', alert, '--logs', badLogs, '--json'],
      /cannot read logs .*TimeGenerated/,
    ],
    [
      'metrics not metrics',
      ['classify', '--alert', alert, '--logs', logs, '--metrics', notAlert, '--json'],
      /cannot read metrics/,
    ],
    [
      'bad lookback',
      ['queries', '--alert', alert, '--lookback-minutes', 'lots'],
      /--lookback-minutes/,
    ],
    ['extra argument', ['queries', 'extra', '--alert', alert], /unexpected argument: extra/],
  ])('%s', async (_name, argv, message) => {
    const run = await cli(...argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/unexpected error/);
  });

  test('--help prints usage and exits 0', async () => {
    const run = await cli('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('enricher classify');
  });
});

describe('help', () => {
  test.each([['--help'], ['-h'], ['help']])(
    '%s prints the general usage, every command, and exits 0',
    async (flag) => {
      const run = await cli(flag);
      expect(run).toMatchObject({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
      for (const command of ['classify', 'queries', 'replay', 'digest']) {
        expect(run.stdout).toContain(`enricher ${command} `);
      }
      expect(run.stdout).toContain('enricher COMMAND --help');
    },
  );

  test.each([
    ['classify', ['--alert ALERT.json', '--logs LOGS', '--metrics', '--format teams|webhook|text']],
    ['queries', ['--alert ALERT.json', '--lookback-minutes N', '--default-hub']],
    ['replay', ['--receiver NAME', '--channel NAME', '--list']],
    ['digest', ['--hub HUB_RESOURCE_ID', '--until ISO', '--format teams|webhook|text|json']],
  ])('%s --help prints its own usage and options, exit 0', async (command, options) => {
    const run = await cli(command, '--help');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^Usage:\n  enricher ${command} `));
    for (const option of options) expect(run.stdout).toContain(option);
    // Its own lines only: no other command's usage.
    const others = ['classify', 'queries', 'replay', 'digest'].filter((c) => c !== command);
    for (const other of others) expect(run.stdout).not.toContain(`enricher ${other} `);
    // `enricher help COMMAND` says the same.
    expect((await cli('help', command)).stdout).toBe(run.stdout);
  });

  test("a command's --help wins over its missing options", async () => {
    const run = await cli('classify', '--help', '--json');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('enricher classify --alert');
  });
});
