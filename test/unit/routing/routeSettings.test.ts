/**
 * The route list's settings: exact paths in every refusal, URLs never in the settings nor in
 * anything shown, and warnings for routes that cannot do what was meant.
 */

import { ConfigError, loadConfig } from '../../../lib/config/loadConfig';
import { parseRouting, type RoutingSettings } from '../../../lib/config/routeSettings';
import { routeWarnings } from '../../../lib/routing/routeWarnings';
import { routingView } from '../../../lib/routing/routingView';

const PLANT_A_URL = 'https://plant-a.example.test/hook?sig=SECRET-A';
const PROVISIONING_URL = 'https://prov.example.test/hook?sig=SECRET-P';

const ENV = {
  EVIDENCE_SOURCE: 'export-files',
  EXPORT_LOGS_PATH: 'logs.json',
  STATE_STORE: 'memory',
  TEAMS_WORKFLOW_URL: 'https://teams.example.test/flow?sig=SECRET-T',
  RECEIVER_PLANT_A_URL: PLANT_A_URL,
  RECEIVER_PROVISIONING_URL: PROVISIONING_URL,
  RECEIVER_PROVISIONING_SECRET: 'hmac-secret-value',
};

const ROUTES = {
  receivers: [
    { name: 'plant-a', type: 'teams' },
    { name: 'provisioning', type: 'webhook', signed: true },
  ],
  routes: [
    { name: 'plant A', matchers: ['hub=~plant-a-*'], receivers: ['plant-a'], continue: true },
    { matchers: ['cause=duplicate-identity|credential-rejected'], receivers: ['provisioning'] },
  ],
  default: { receivers: ['teams'] },
};

function without<T extends object>(value: T, key: keyof T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)) as Partial<T>;
}

function problemsOf(routes: unknown, env: Partial<Record<string, string>> = ENV): string[] {
  try {
    loadConfig({ ...env, ROUTES: typeof routes === 'string' ? routes : JSON.stringify(routes) });
    return [];
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.key} ${p.problem}`);
  }
}

function routingOf(routes: unknown): RoutingSettings {
  return loadConfig({ ...ENV, ROUTES: JSON.stringify(routes) }).routing;
}

describe('loading the route list', () => {
  test('receivers take their URLs and secrets from their own settings', () => {
    const routing = routingOf(ROUTES);
    expect(routing.source).toBe('ROUTES');
    expect(routing.receivers.map((r) => [r.name, r.type, r.urlSetting])).toEqual([
      ['teams', 'teams', 'TEAMS_WORKFLOW_URL'],
      ['plant-a', 'teams', 'RECEIVER_PLANT_A_URL'],
      ['provisioning', 'webhook', 'RECEIVER_PROVISIONING_URL'],
    ]);
    expect(routing.receivers[2]).toMatchObject({
      url: PROVISIONING_URL,
      secret: 'hmac-secret-value',
    });
    expect(routing.routes.map((r) => [r.path, r.receivers, r.continue])).toEqual([
      ['routes[0]', ['plant-a'], true],
      ['routes[1]', ['provisioning'], false],
    ]);
    expect(routing.defaultReceivers).toEqual(['teams']);
  });

  test("without a route list, today's settings are the default route to both channels", () => {
    const routing = loadConfig({ ...ENV, WEBHOOK_URL: 'https://hook.example.test/x' }).routing;
    expect(routing.source).toBe('TEAMS_WORKFLOW_URL/WEBHOOK_URL');
    expect(routing.routes).toEqual([]);
    expect(routing.defaultReceivers).toEqual(['teams', 'webhook']);
  });

  test('ROUTES_FILE is read through the seam; a missing file is a problem, not a crash', () => {
    const env = { ...ENV };
    const config = loadConfig({ ...env, ROUTES_FILE: '/routes.json' }, (path) => {
      expect(path).toBe('/routes.json');
      return JSON.stringify(ROUTES);
    });
    expect(config.routing.source).toBe('ROUTES_FILE');
    expect(() =>
      loadConfig({ ...env, ROUTES_FILE: '/nowhere.json' }, () => {
        throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      }),
    ).toThrow(/ROUTES_FILE cannot be read \(ENOENT\)/);
    expect(() => loadConfig({ ...env, ROUTES_FILE: '/r.json', ROUTES: '{}' }, () => '{}')).toThrow(
      /ROUTES_FILE and ROUTES are both set/,
    );
  });

  test('a route naming an unknown receiver is refused with its path', () => {
    const routes = { ...ROUTES, routes: [{ matchers: [], receivers: ['plant-b'] }] };
    expect(problemsOf(routes)).toEqual([
      'ROUTES routes[0].receivers[0] names an unknown receiver "plant-b"',
    ]);
  });

  test('a built-in receiver whose setting is unset is named as such', () => {
    const routes = { ...ROUTES, default: { receivers: ['webhook'] } };
    expect(problemsOf(routes)).toEqual([
      'ROUTES default.receivers[0] names the receiver "webhook", but WEBHOOK_URL is not set',
    ]);
  });

  test('a receiver without a URL is refused, naming the setting to set', () => {
    const env = without(ENV, 'RECEIVER_PLANT_A_URL');
    expect(problemsOf(ROUTES, env)).toEqual([
      'ROUTES receivers[0] (plant-a) has no URL: set RECEIVER_PLANT_A_URL',
    ]);
  });

  test('a signed receiver without its secret is refused', () => {
    const env = without(ENV, 'RECEIVER_PROVISIONING_SECRET');
    expect(problemsOf(ROUTES, env)).toEqual([
      'ROUTES receivers[1] (provisioning) is signed but has no secret: set RECEIVER_PROVISIONING_SECRET',
    ]);
  });

  test('a route list without its default is refused', () => {
    const routes = without(ROUTES, 'default');
    expect(problemsOf(routes)).toEqual([
      'ROUTES default is missing: name the receivers of messages no route matches, {"receivers": ["teams"]}',
    ]);
  });

  test('a URL written into the route list is refused without being echoed', () => {
    const routes = {
      ...ROUTES,
      receivers: [{ name: 'plant-a', type: 'teams', url: PLANT_A_URL }, ROUTES.receivers[1]],
    };
    const problems = problemsOf(routes);
    expect(problems[0]).toMatch(/^ROUTES receivers\[0\] must not hold a URL or secret/);
    expect(problems.join(' ')).not.toContain('SECRET-A');
  });

  test('bad JSON, bad matchers, bad fields: each with its path, all at once', () => {
    expect(problemsOf('{')[0]).toMatch(/^ROUTES is not JSON/);
    const routes = {
      ...ROUTES,
      routes: [
        { matchers: ['colour=red'], receivers: ['teams'] },
        { matchers: ['cause=throttled|'], receivers: ['teams'], cntinue: true },
        { matchers: 'hub=x', receivers: [] },
      ],
    };
    expect(problemsOf(routes)).toEqual([
      expect.stringMatching(
        /^ROUTES routes\[0\]\.matchers\[0\] unknown field; use one of kind, hub/,
      ),
      'ROUTES routes[1].cntinue is not a route field (name, matchers, receivers, continue)',
      'ROUTES routes[1].matchers[0] cause needs a value on each side of |',
      expect.stringMatching(/^ROUTES routes\[2\]\.matchers must be a list/),
      'ROUTES routes[2].receivers must name one or more receivers',
    ]);
  });

  test('receivers named like the built-ins, twice, or badly are refused', () => {
    const routes = {
      ...ROUTES,
      receivers: [
        { name: 'teams', type: 'teams' },
        { name: 'plant-a', type: 'teams' },
        { name: 'plant-a', type: 'teams' },
        { name: 'Plant B', type: 'teams' },
        { name: 'provisioning', type: 'email' },
      ],
    };
    const problems = problemsOf(routes);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^ROUTES receivers\[0\]\.name "teams" is the built-in receiver of TEAMS_WORKFLOW_URL/,
        ),
        'ROUTES receivers[2].name "plant-a" is declared twice',
        expect.stringMatching(/^ROUTES receivers\[3\]\.name must be lower-case/),
        'ROUTES receivers[4].type must be one of teams, webhook',
      ]),
    );
  });

  test('the view shows receivers and routes by name, never a URL or secret', () => {
    const view = JSON.stringify(routingView(routingOf(ROUTES)));
    expect(view).toContain('RECEIVER_PLANT_A_URL');
    expect(view).toContain('hub=~plant-a-*');
    for (const secret of ['SECRET-A', 'SECRET-P', 'SECRET-T', 'hmac-secret-value', 'example.test'])
      expect(view).not.toContain(secret);
  });

  test('parseRouting alone: no route list and no channel gives an empty default', () => {
    expect(parseRouting({}, undefined).routing.defaultReceivers).toEqual([]);
  });
});

describe('warnings', () => {
  function warningsOf(routes: object[], hubs: string[] = []): string[] {
    return routeWarnings(routingOf({ ...ROUTES, routes }), hubs).map(
      (w) => `${w.path} ${w.warning}`,
    );
  }

  test('a matcher that can never match', () => {
    expect(
      warningsOf(
        [
          { matchers: ['cause=sas-expiry'], receivers: ['teams'] },
          { matchers: ['kind=incident', 'kind=digest'], receivers: ['teams'] },
          { matchers: ['kind=digest', 'cause=throttled'], receivers: ['teams'] },
          { matchers: ['hub=plant-c-01'], receivers: ['teams'] },
          { matchers: ['severity=~sev?', 'scope=~f*'], receivers: ['teams'] },
        ],
        ['plant-a-01', 'retail-02'],
      ),
    ).toEqual([
      expect.stringMatching(
        /^routes\[0\] cause=sas-expiry can never match: known values are sas-token-expiry/,
      ),
      'routes[1] kind=incident and kind=digest can never both match: a message has one kind',
      'routes[2] cause=throttled can never match a digest or notice: they carry no cause',
      'routes[3] hub=plant-c-01 can never match: no watched hub (IOTHUB_RESOURCE_IDS) has that name',
    ]);
  });

  test('a route that duplicates one above, or that a catch-all above always takes', () => {
    expect(
      warningsOf([
        { matchers: ['cause=throttled', 'hub=~plant-*'], receivers: ['plant-a'] },
        { matchers: ['hub=~plant-*', 'cause=throttled'], receivers: ['teams'] },
        { matchers: ['cause=quota-exceeded'], receivers: ['plant-a'], continue: true },
        { matchers: ['cause=quota-exceeded'], receivers: ['teams'] },
        { matchers: [], receivers: ['teams'] },
        { matchers: ['kind=digest'], receivers: ['plant-a'] },
      ]),
    ).toEqual([
      'routes[1] duplicates the matchers of routes[0], which takes those messages first: it is never reached',
      'routes[3] duplicates the matchers of routes[2]',
      'routes[5] is never reached: routes[4] above matches every message and does not continue',
    ]);
  });

  test('a sound list has no warnings', () => {
    expect(routeWarnings(routingOf(ROUTES), ['plant-a-01'])).toEqual([]);
  });
});
