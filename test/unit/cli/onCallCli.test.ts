/**
 * `enricher silence` and `enricher ack` over memory stores handed in: what each prints, exit 2
 * with one line for bad input, and the plain warning that memory state is this process's only.
 */

import type { OnCallCliServices } from '../../../lib/tools/cli/onCallCommands';
import { InMemoryIncidentStore } from '../../../lib/state/memory/memoryIncidentStore';
import { InMemorySilenceStore } from '../../../lib/state/memory/memorySilenceStore';
import { captureCli, type Run } from './captureCli';

const NOW = new Date('2026-11-20T09:00:00Z');

function services(inMemory = false): OnCallCliServices {
  return {
    silences: new InMemorySilenceStore(),
    incidents: new InMemoryIncidentStore(),
    silenceMaxDays: 30,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => NOW,
    maintenanceWindows: [],
    inMemory,
  };
}

function cli(onCall: OnCallCliServices, ...argv: string[]): Promise<Run> {
  return captureCli(argv, { now: () => NOW, onCall: async () => onCall });
}

describe('enricher silence', () => {
  test('add, list (text and json), expire', async () => {
    const s = services();
    const add = await cli(
      s,
      'silence',
      'add',
      '--match',
      'hub=contoso-fleet-hub',
      '--match',
      'cause=device-or-network',
      '--for',
      '4h',
      '--by',
      'ana',
      '--comment',
      'cellular work',
      '--id',
      'cell',
    );
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toMatch(/^Silence added: cell\n/);
    expect(add.stdout).toContain('2026-11-20 09:00 UTC to 2026-11-20 13:00 UTC');
    const text = await cli(s, 'silence', 'list');
    expect(text.stdout).toMatch(
      /^cell {2}\[active\] {2}hub=contoso-fleet-hub, cause=device-or-network/,
    );
    const json = await cli(s, 'silence', 'list', '--format', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      silences: [{ id: 'cell', createdBy: 'ana', held: 0, active: true }],
      maintenanceWindows: [],
    });
    const expire = await cli(s, 'silence', 'expire', 'cell', '--by', 'ben');
    expect(expire).toMatchObject({
      code: 0,
      stdout: 'Silence cell ended; it held back 0 message(s)\n',
    });
    expect((await cli(s, 'silence', 'list')).stdout).toMatch(
      /\[ended\].*\n.*ended 2026-11-20 09:00 UTC by ben/,
    );
  });

  test('--until-resolved incident:ID, and --all for a broad one', async () => {
    const s = services();
    const run = await cli(
      s,
      'silence',
      'add',
      '--match',
      'cause=device-or-network',
      '--until-resolved',
      'incident:inc-3',
      '--by',
      'ana',
      '--all',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('or until incident inc-3 resolves');
  });

  test.each([
    [['silence', 'add', '--match', 'hub=h', '--by', 'ana'], /say how long/],
    [['silence', 'add', '--match', 'hub=h', '--for', '4h'], /--by NAME is required/],
    [
      ['silence', 'add', '--match', 'colour=red', '--for', '4h', '--by', 'a'],
      /^enricher: --match #1: unknown field/,
    ],
    [
      ['silence', 'add', '--match', 'cause=x', '--for', '4h', '--by', 'a'],
      /^enricher: --match: .*all/,
    ],
    [['silence', 'add', '--match', 'hub=h', '--for', '4 hours', '--by', 'a'], /^enricher: --for: /],
    [
      [
        'silence',
        'add',
        '--match',
        'hub=h',
        '--for',
        '4h',
        '--until',
        '2026-11-21T00:00:00Z',
        '--by',
        'a',
      ],
      /either --for or --until/,
    ],
    [
      ['silence', 'add', '--match', 'hub=h', '--until-resolved', 'device:x', '--by', 'a'],
      /--until-resolved/,
    ],
    [['silence', 'list', '--format', 'csv'], /--format must be text or json/],
    [['silence', 'expire', '--by', 'ben'], /which silence/],
    [['silence', 'bogus'], /unknown subcommand/],
    [['silence', 'add', '--bogus'], /Unknown option/],
    [['ack', 'inc-1'], /--by NAME is required/],
  ])('exit 2 with one line: %j', async (argv, message) => {
    const run = await cli(services(), ...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('expire of an unknown silence: exit 1, said plainly', async () => {
    const run = await cli(services(), 'silence', 'expire', 'nope', '--by', 'ben');
    expect(run).toMatchObject({ code: 1, stderr: 'enricher: No silence nope\n' });
  });

  test('memory state says it only affects this process', async () => {
    const run = await cli(services(true), 'silence', 'list');
    expect(run.stderr).toMatch(/STATE_STORE=memory: this only affects this process/);
  });

  test('help for each', async () => {
    expect((await cli(services(), 'silence', '--help')).stdout).toMatch(/enricher silence add/);
    expect((await cli(services(), 'help', 'ack')).stdout).toMatch(/enricher ack INCIDENT_ID/);
    expect((await cli(services(), '--help')).stdout).toMatch(/enricher silence list/);
  });
});

describe('enricher ack', () => {
  test('an unknown incident: exit 1; a bad configuration: exit 2 naming the setting', async () => {
    expect(await cli(services(), 'ack', 'inc-0', '--by', 'ana')).toMatchObject({
      code: 1,
      stderr: 'enricher: No open incident inc-0\n',
    });
    const { code, stderr } = await captureCli(['ack', 'inc-0', '--by', 'ana'], {
      now: () => NOW,
      env: { STATE_STORE: 'nonsense' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/settings do not load.*STATE_STORE/);
  });
});
