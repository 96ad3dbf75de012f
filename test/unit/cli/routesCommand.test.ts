/**
 * `enricher routes`: which receivers an alert would reach and which route took it, over the
 * bundled samples, offline (receivers need no URL) and without ever printing a URL or secret.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { USAGE } from '../../../lib/tools/cli/runCli';
import { COMMAND_USAGE } from '../../../lib/tools/cli/usage';
import { repoPath } from '../../support/fixtures';
import { captureCli, type Run } from './captureCli';

function cli(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  return captureCli(argv, { env });
}

const sample = (name: string): string => repoPath('samples/alerts', `${name}.json`);
const thermostat = sample('sas-renewal-thermostat-0042');
const pump = sample('flaky-network-pump-station-7');
const meter = sample('credential-rejected-meter-19');
const sensor = sample('hub-incident-sensor-0017');
const hubLevel = sample('hub-incident-connected-devices');
const logs = repoPath('samples/workspace');
const metrics = repoPath('samples/metrics');

const dir = mkdtempSync(join(tmpdir(), 'enricher-routes-'));
let files = 0;

/** Writes a settings file and returns its path. */
function settings(content: unknown): string {
  const path = join(dir, `settings-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Result {
  kind: string;
  cause: string;
  scope: string | null;
  basis: string;
  route: 'default' | { path: string; name?: string }[];
  receivers: string[];
  warnings: { path: string; warning: string }[];
}

async function routesJson(argv: string[], env: Record<string, string> = {}): Promise<Result> {
  const run = await cli(['routes', ...argv, '--format', 'json'], env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Result;
}

const pager = { name: 'pager', type: 'webhook' };
const ops = { name: 'ops-teams', type: 'teams' };

/** Routes in order: the hub incident to the pager, then the fleet hub to ops, default teams. */
const ordered = settings({
  ROUTES: {
    receivers: [pager, ops],
    routes: [
      { name: 'hub incidents', matchers: ['cause=iot-hub-transient'], receivers: ['pager'] },
      { name: 'fleet', matchers: ['hub=contoso-fleet-hub'], receivers: ['ops-teams'] },
    ],
    default: { receivers: ['teams'] },
  },
});

describe('enricher routes: which route takes the alert', () => {
  test('routes are tried in order: the first that matches takes the message', async () => {
    const incident = await routesJson(['--alert', sensor, '--logs', logs, '--config', ordered]);
    expect(incident).toMatchObject({
      cause: 'iot-hub-transient',
      scope: 'fleet',
      basis: 'logs',
      kind: 'incident',
      route: [{ path: 'routes[0]', name: 'hub incidents' }],
      receivers: ['pager'],
    });
    const renewal = await routesJson(['--alert', thermostat, '--logs', logs, '--config', ordered]);
    expect(renewal).toMatchObject({
      cause: 'sas-token-expiry',
      scope: 'device',
      kind: 'alert',
      route: [{ path: 'routes[1]', name: 'fleet' }],
      receivers: ['ops-teams'],
    });
  });

  test('the text names the route, the kind, the cause and the receivers', async () => {
    const run = await cli(['routes', '--alert', sensor, '--logs', logs, '--config', ordered]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^route +routes\[0\] "hub incidents"$/m);
    expect(run.stdout).toMatch(/^receivers +pager$/m);
    expect(run.stdout).toMatch(/^kind +incident$/m);
    expect(run.stdout).toMatch(/^cause +iot-hub-transient, scope fleet \(from the logs\)$/m);
    expect(run.stdout).toMatch(/^routes +ROUTES$/m);
  });

  test('--metrics goes with --logs (the verdict of enricher classify)', async () => {
    const result = await routesJson([
      '--alert',
      hubLevel,
      '--logs',
      logs,
      '--metrics',
      metrics,
      '--config',
      ordered,
    ]);
    expect(result).toMatchObject({ cause: 'iot-hub-transient', receivers: ['pager'] });
  });

  test('a route that continues lets the next ones take the message too', async () => {
    const config = settings({
      ROUTES: {
        receivers: [pager, ops],
        routes: [
          { name: 'audit', matchers: ['hub=~contoso-*'], receivers: ['webhook'], continue: true },
          { matchers: ['device=meter-19'], receivers: ['pager', 'webhook'] },
          { matchers: ['severity=sev3'], receivers: ['ops-teams'] },
        ],
        default: { receivers: ['teams'] },
      },
    });
    const result = await routesJson(['--alert', meter, '--config', config]);
    expect(result.route).toEqual([{ path: 'routes[0]', name: 'audit' }, { path: 'routes[1]' }]);
    expect(result.receivers).toEqual(['webhook', 'pager']);
    const text = await cli(['routes', '--alert', meter, '--config', config]);
    expect(text.stdout).toMatch(/^route +routes\[0\] "audit", routes\[1\]$/m);
  });

  test('no route matches: the default receivers, and the text says default', async () => {
    const config = settings({
      ROUTES: {
        receivers: [pager],
        routes: [{ matchers: ['device=meter-19'], receivers: ['pager'] }],
        default: { receivers: ['teams', 'webhook'] },
      },
    });
    const result = await routesJson(['--alert', pump, '--config', config]);
    expect(result).toMatchObject({ route: 'default', receivers: ['teams', 'webhook'] });
    const text = await cli(['routes', '--alert', pump, '--config', config]);
    expect(text.stdout).toMatch(/^route +default \(no route matched\)$/m);
  });

  test("without a route list, today's settings are the default route", async () => {
    const result = await routesJson(['--alert', pump], {
      TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
      WEBHOOK_URL: 'https://example.invalid/hook',
    });
    expect(result).toMatchObject({ route: 'default', receivers: ['teams', 'webhook'] });
  });
});

describe('enricher routes: the cause it routes on', () => {
  const byCause = settings({
    ROUTES: {
      receivers: [pager],
      routes: [
        { name: 'throttling', matchers: ['cause=throttled'], receivers: ['pager'] },
        { name: 'not renewals', matchers: ['cause!=sas-token-expiry'], receivers: ['webhook'] },
      ],
      default: { receivers: ['teams'] },
    },
  });

  test('--cause supposes a verdict without logs, and says it is supposed', async () => {
    const result = await routesJson([
      '--alert',
      thermostat,
      '--cause',
      'throttled',
      '--config',
      byCause,
    ]);
    expect(result).toMatchObject({
      cause: 'throttled',
      scope: 'device',
      basis: 'supposed',
      kind: 'alert',
      route: [{ path: 'routes[0]', name: 'throttling' }],
      receivers: ['pager'],
    });
    const text = await cli([
      'routes',
      '--alert',
      thermostat,
      '--cause',
      'throttled',
      '--config',
      byCause,
    ]);
    expect(text.stdout).toMatch(
      /^cause +throttled, scope device \(supposed \(--cause\), not diagnosed\)$/m,
    );
  });

  test('--scope subset or fleet with --cause makes the message an incident', async () => {
    const result = await routesJson([
      '--alert',
      pump,
      '--cause',
      'device-or-network',
      '--scope',
      'subset',
      '--config',
      byCause,
    ]);
    expect(result).toMatchObject({ cause: 'device-or-network', scope: 'subset', kind: 'incident' });
    expect(result.receivers).toEqual(['webhook']);
  });

  test('a hub-level alert supposed without --scope is about the fleet', async () => {
    const result = await routesJson(['--alert', hubLevel, '--cause', 'iot-hub-transient']);
    expect(result).toMatchObject({ scope: 'fleet', kind: 'incident' });
  });

  test('neither --logs nor --cause: the cause is unknown and cause routes do not take it', async () => {
    const result = await routesJson(['--alert', thermostat, '--config', byCause]);
    // `cause!=...` holds for a message of no known cause; `cause=...` does not.
    expect(result).toMatchObject({
      cause: 'unknown',
      scope: null,
      basis: 'alert',
      kind: 'alert',
      route: [{ path: 'routes[1]', name: 'not renewals' }],
    });
    const text = await cli(['routes', '--alert', thermostat, '--config', byCause]);
    expect(text.stdout).toMatch(/^cause +unknown \(no --logs or --cause: .*\)$/m);
    // The logs say it is a renewal: then the second route does not take it.
    const diagnosed = await routesJson([
      '--alert',
      thermostat,
      '--logs',
      logs,
      '--config',
      byCause,
    ]);
    expect(diagnosed).toMatchObject({ route: 'default', receivers: ['teams'] });
  });

  test('the alert alone still routes on its hub, rule, severity and devices', async () => {
    const config = settings({
      ROUTES: {
        receivers: [pager, ops],
        routes: [
          {
            matchers: ['alertRule=iothub-connected-devices-low', 'severity=sev2'],
            receivers: ['pager'],
          },
          { matchers: ['device=~pump-*', 'hub=contoso-fleet-hub'], receivers: ['ops-teams'] },
        ],
        default: { receivers: ['teams'] },
      },
    });
    expect((await routesJson(['--alert', hubLevel, '--config', config])).receivers).toEqual([
      'pager',
    ]);
    expect((await routesJson(['--alert', pump, '--config', config])).receivers).toEqual([
      'ops-teams',
    ]);
    expect((await routesJson(['--alert', meter, '--config', config])).receivers).toEqual(['teams']);
  });
});

describe('enricher routes --kind', () => {
  const byKind = settings({
    ROUTES: {
      receivers: [pager, ops],
      routes: [
        { name: 'digests', matchers: ['kind=digest'], receivers: ['ops-teams'] },
        { name: 'incidents', matchers: ['kind=incident'], receivers: ['pager'] },
        { name: 'resolved', matchers: ['kind=resolved|renewal'], receivers: ['webhook'] },
      ],
      default: { receivers: ['teams'] },
    },
  });

  test.each([
    [[], 'alert', 'teams'],
    [['--kind', 'incident'], 'incident', 'pager'],
    [['--kind', 'DIGEST'], 'digest', 'ops-teams'],
    [['--kind', 'resolved'], 'resolved', 'webhook'],
    [['--kind', 'renewal'], 'renewal', 'webhook'],
    [['--kind', 'notice'], 'notice', 'teams'],
  ])('%j → kind %s, receiver %s', async (extra, kind, receiver) => {
    const result = await routesJson(['--alert', pump, '--config', byKind, ...extra]);
    expect(result.kind).toBe(kind);
    expect(result.receivers).toEqual([receiver]);
  });

  test('the default kind is incident when the logs say subset or fleet', async () => {
    const result = await routesJson(['--alert', sensor, '--logs', logs, '--config', byKind]);
    expect(result).toMatchObject({ kind: 'incident', receivers: ['pager'] });
    const asAlert = await routesJson([
      '--alert',
      sensor,
      '--logs',
      logs,
      '--kind',
      'alert',
      '--config',
      byKind,
    ]);
    expect(asAlert).toMatchObject({ kind: 'alert', receivers: ['teams'] });
  });
});

describe('enricher routes: settings', () => {
  const routes = {
    receivers: [pager],
    routes: [{ name: 'meters', matchers: ['device=meter-19'], receivers: ['pager'] }],
    default: { receivers: ['teams'] },
  };

  test('json prints the documented fields', async () => {
    const run = await cli([
      'routes',
      '--alert',
      meter,
      '--json',
      '--config',
      settings({ ROUTES: routes }),
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual([
      'alert',
      'basis',
      'cause',
      'scope',
      'kind',
      'source',
      'route',
      'receivers',
      'warnings',
    ]);
    expect(result).toMatchObject({
      alert: {
        rule: 'iothub-device-disconnected-404104',
        severity: 'sev3',
        hub: expect.stringMatching(/\/iothubs\/contoso-fleet-hub$/) as unknown,
        devices: ['meter-19'],
      },
      source: 'ROUTES',
      route: [{ path: 'routes[0]', name: 'meters' }],
      receivers: ['pager'],
      warnings: [],
    });
  });

  test('ROUTES as JSON text in a local.settings.json', async () => {
    const config = settings({ IsEncrypted: false, Values: { ROUTES: JSON.stringify(routes) } });
    expect((await routesJson(['--alert', meter, '--config', config])).receivers).toEqual(['pager']);
  });

  test('ROUTES_FILE in a settings file is read relative to that file', async () => {
    writeFileSync(join(dir, 'routes.json'), JSON.stringify(routes));
    const config = settings({ ROUTES_FILE: 'routes.json', RENEWAL_POLICY: 'suppress' });
    const result = await routesJson(['--alert', meter, '--config', config]);
    expect(result).toMatchObject({ source: 'ROUTES_FILE', receivers: ['pager'] });
  });

  test('without --config the settings come from the environment', async () => {
    const result = await routesJson(['--alert', meter], { ROUTES: JSON.stringify(routes) });
    expect(result).toMatchObject({ source: 'ROUTES', receivers: ['pager'] });
  });

  test('warnings go to stderr in text, into the warnings field in json', async () => {
    const config = settings({
      IOTHUB_RESOURCE_IDS:
        '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub',
      ROUTES: {
        receivers: [pager],
        routes: [
          { matchers: ['cause=sas-expiry'], receivers: ['pager'] },
          { matchers: ['hub=plant-z-hub'], receivers: ['pager'] },
          { matchers: [], receivers: ['webhook'] },
          { matchers: ['device=meter-19'], receivers: ['pager'] },
        ],
        default: { receivers: ['teams'] },
      },
    });
    const text = await cli(['routes', '--alert', meter, '--config', config]);
    expect(text.code).toBe(0);
    const lines = text.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^enricher: warning: routes\[0\] cause=sas-expiry can never match/);
    expect(lines[1]).toMatch(/^enricher: warning: routes\[1\] hub=plant-z-hub can never match/);
    expect(lines[2]).toMatch(/^enricher: warning: routes\[3\] is never reached: routes\[2\]/);
    expect(text.stdout).toMatch(/^receivers +webhook$/m);

    const json = await cli(['routes', '--alert', meter, '--config', config, '--format', 'json']);
    expect(json.stderr).toBe('');
    const result = JSON.parse(json.stdout) as Result;
    expect(result.warnings.map((w) => w.path)).toEqual(['routes[0]', 'routes[1]', 'routes[3]']);
  });

  test('refused settings: exit 2, every problem with its key and path, nothing on stdout', async () => {
    const config = settings({
      ROUTES: {
        receivers: [{ name: 'pager', type: 'sms' }],
        routes: [{ matchers: ['colour=red'], receivers: ['oncall'] }],
        default: { receivers: ['teams'] },
      },
      RENEWAL_POLICY: 'sometimes',
    });
    const run = await cli(['routes', '--alert', meter, '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'enricher: ROUTES receivers[0].type must be one of teams, webhook\n',
    );
    expect(run.stderr).toContain('enricher: ROUTES routes[0].matchers[0] unknown field');
    expect(run.stderr).toContain(
      'enricher: ROUTES routes[0].receivers[0] names an unknown receiver "oncall"\n',
    );
    expect(run.stderr).toContain('enricher: RENEWAL_POLICY must be one of');
    expect(run.stderr).toMatch(/are refused \(4 problem\(s\)\)\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('refused settings from the environment', async () => {
    const run = await cli(['routes', '--alert', meter], {
      ROUTES: '{"routes": [], "default": {"receivers": ["pager"]}}',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'enricher: ROUTES default.receivers[0] names an unknown receiver "pager"\n',
    );
    expect(run.stderr).toContain('enricher: the settings are refused');
  });
});

describe('enricher routes never prints a URL or a secret', () => {
  const secrets = {
    TEAMS_WORKFLOW_URL: 'https://prod-00.example.invalid/workflows/SECRET-TEAMS?sig=SIGTEAMS',
    WEBHOOK_URL: 'https://hooks.example.invalid/SECRET-HOOK',
    WEBHOOK_SECRET: 'SECRET-SIGNING-KEY-0123456789',
    RECEIVER_PAGER_URL: 'https://pager.example.invalid/SECRET-PAGER?code=SIGPAGER',
    RECEIVER_PAGER_SECRET: 'SECRET-PAGER-SIGNING-KEY',
    ROUTES: JSON.stringify({
      receivers: [{ name: 'pager', type: 'webhook', signed: true }],
      routes: [
        { matchers: ['device=meter-19'], receivers: ['pager', 'webhook'], continue: true },
        { matchers: ['cause=nonsense'], receivers: ['teams'] },
      ],
      default: { receivers: ['teams'] },
    }),
  };

  test.each([[[]], [['--format', 'json']], [['--logs', logs]], [['--cause', 'throttled']]])(
    'in the environment, %j',
    async (extra) => {
      const run = await cli(['routes', '--alert', meter, ...extra], secrets);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/pager/);
      const all = `${run.stdout}${run.stderr}`;
      expect(all).not.toMatch(/SECRET|SIG|https?:|example\.invalid/);
    },
  );

  test('in a settings file, and when the settings are refused', async () => {
    const ok = await cli(['routes', '--alert', meter, '--json', '--config', settings(secrets)]);
    expect(ok.code).toBe(0);
    expect(`${ok.stdout}${ok.stderr}`).not.toMatch(/SECRET|SIG|https?:|example\.invalid/);
    const refused = await cli([
      'routes',
      '--alert',
      meter,
      '--config',
      settings({ ...secrets, ROUTES: { default: { receivers: ['pager'] } } }),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toMatch(/SECRET|SIG|https?:|example\.invalid/);
  });
});

describe('enricher routes: bad usage and unreadable input, exit 2 with one line', () => {
  const notJson = settings('{ "ROUTES": ');
  const notObject = settings('["ROUTES"]');
  const badAlert = join(dir, 'bad-alert.json');
  writeFileSync(badAlert, '{"schemaId": "azureMonitorCommonAlertSchema"');
  const notAlert = join(dir, 'not-alert.json');
  writeFileSync(notAlert, '{"hello": 1}');

  test.each([
    [[], /^enricher: --alert is required$/],
    [
      ['--alert', join(dir, 'missing.json')],
      /^enricher: cannot read alert .*missing\.json: ENOENT$/,
    ],
    [['--alert', badAlert], /^enricher: .*bad-alert\.json is not valid JSON$/],
    [['--alert', notAlert], /^enricher: .*not-alert\.json: /],
    [
      ['--alert', meter, '--config', join(dir, 'nope.json')],
      /^enricher: cannot read config .*: ENOENT$/,
    ],
    [['--alert', meter, '--config', notJson], /^enricher: config .* is not valid JSON$/],
    [['--alert', meter, '--config', notObject], /must be a JSON object of app settings$/],
    [['--alert', meter, '--logs', join(dir, 'no-logs')], /^enricher: cannot read logs .*: ENOENT$/],
    [
      ['--alert', meter, '--cause', 'gremlins'],
      /^enricher: --cause must be one of sas-token-expiry/,
    ],
    [['--alert', meter, '--scope', 'fleet'], /--scope goes with --cause/],
    [['--alert', meter, '--cause', 'throttled', '--scope', 'planet'], /--scope must be one of/],
    [['--alert', meter, '--cause', 'throttled', '--logs', logs], /either --logs .* or --cause/],
    [['--alert', meter, '--metrics', metrics], /--metrics goes with --logs/],
    [['--alert', meter, '--kind', 'email'], /--kind must be one of alert, renewal, incident/],
    [['--alert', meter, '--format', 'teams'], /--format must be text or json/],
    [['--alert', meter, '--bogus'], /^enricher: .*Unknown option '--bogus'/],
    [['--alert', meter, 'extra'], /^enricher: unexpected argument: extra$/],
  ])('routes %j', async (argv, message) => {
    const run = await cli(['routes', ...argv]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr.trimEnd()).toMatch(message);
    expect(run.stderr).not.toContain('unexpected error');
  });
});

describe('enricher routes: help', () => {
  test('routes --help, help routes and the general usage', async () => {
    const own = await cli(['routes', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toBe(`${COMMAND_USAGE.routes}\n`);
    expect(own.stdout).toMatch(/--config SETTINGS\.json/);
    expect(own.stdout).toMatch(/--kind KIND/);
    // Its own lines only: no other command's usage.
    for (const other of ['classify', 'queries', 'replay', 'digest', 'silence', 'ack'])
      expect(own.stdout).not.toContain(`enricher ${other} `);
    const topic = await cli(['help', 'routes']);
    expect(topic.stdout).toBe(own.stdout);
    expect(USAGE).toMatch(/enricher routes --alert ALERT\.json/);
    // --help wins over missing options.
    expect((await cli(['routes', '--kind', 'nope', '--help'])).code).toBe(0);
  });
});
