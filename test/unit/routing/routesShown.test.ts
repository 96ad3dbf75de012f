/**
 * Where the routes are shown: `GET /api/health` lists them by receiver name and warns about
 * routes that cannot do what was meant; the service provider warns once at start-up. Never a URL.
 */

import { createServiceProvider } from '../../../lib/app/services';
import { loadConfig } from '../../../lib/config/loadConfig';
import { handleHealthRequest } from '../../../lib/intake/handleHealthRequest';

const ENV = {
  EVIDENCE_SOURCE: 'export-files',
  EXPORT_LOGS_PATH: 'logs.json',
  STATE_STORE: 'memory',
  TEAMS_WORKFLOW_URL: 'https://teams.example.test/flow?sig=TEAMS-SECRET',
  RECEIVER_PLANT_A_URL: 'https://plant-a.example.test/flow?sig=PLANT-SECRET',
  ROUTES: JSON.stringify({
    receivers: [{ name: 'plant-a', type: 'teams' }],
    routes: [
      { name: 'plant A', matchers: ['hub=~plant-a-*'], receivers: ['plant-a'] },
      { matchers: ['cause=sas-expiry'], receivers: ['plant-a'] },
    ],
    default: { receivers: ['teams'] },
  }),
};

test('/api/health lists receivers and routes by name, and the warnings, never a URL', () => {
  const { status, body } = handleHealthRequest(ENV);
  expect(status).toBe(200);
  const text = JSON.stringify(body);
  expect(body).toMatchObject({
    routes: {
      source: 'ROUTES',
      receivers: [
        { name: 'teams', type: 'teams', urlSetting: 'TEAMS_WORKFLOW_URL', signed: false },
        { name: 'plant-a', type: 'teams', urlSetting: 'RECEIVER_PLANT_A_URL', signed: false },
      ],
      routes: [
        {
          path: 'routes[0]',
          name: 'plant A',
          matchers: ['hub=~plant-a-*'],
          receivers: ['plant-a'],
        },
        { path: 'routes[1]', matchers: ['cause=sas-expiry'], receivers: ['plant-a'] },
      ],
      default: ['teams'],
    },
  });
  expect((body as { warnings: { key: string; warning: string }[] }).warnings).toContainEqual({
    key: 'ROUTES',
    warning: expect.stringMatching(/^routes\[1\] cause=sas-expiry can never match/) as string,
  });
  for (const secret of ['TEAMS-SECRET', 'PLANT-SECRET', 'example.test'])
    expect(text).not.toContain(secret);
});

test('a refused route list makes /api/health 503 with the path, and no URL', () => {
  const { status, body } = handleHealthRequest({
    ...ENV,
    ROUTES: JSON.stringify({
      routes: [{ receivers: ['nobody'] }],
      default: { receivers: ['teams'] },
    }),
  });
  expect(status).toBe(503);
  expect((body as { problems: unknown[] }).problems).toContainEqual({
    key: 'ROUTES',
    problem: 'routes[0].receivers[0] names an unknown receiver "nobody"',
  });
  expect(JSON.stringify(body)).not.toContain('example.test');
});

test('the service provider warns once at start-up about routes that cannot match', () => {
  const warnings: string[] = [];
  createServiceProvider(loadConfig(ENV), {
    log: {
      info: () => undefined,
      error: () => undefined,
      warn: (line: unknown) => warnings.push(String(line)),
    },
  });
  expect(warnings).toEqual([
    expect.stringMatching(/^ROUTES routes\[1\] cause=sas-expiry can never match: known values are/),
  ]);
});
