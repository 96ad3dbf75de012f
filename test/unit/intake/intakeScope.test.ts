/**
 * What an alert may make the enricher read, checked through the intake: the hub allow-list
 * (IOTHUB_RESOURCE_IDS), the bound on hubs per alert, and the clamp on the alert window.
 */

import { MAX_ALERT_WINDOW_MS, MAX_HUBS_PER_ALERT } from '../../../lib/alerts/alertScope';
import { loadConfig } from '../../../lib/config/loadConfig';
import { planEvidenceQueries } from '../../../lib/evidence/kql';
import { handleAlertRequest, type IntakeServices } from '../../../lib/intake/handleAlertRequest';
import { handleHealthRequest } from '../../../lib/intake/handleHealthRequest';
import { silentLogger } from '../../../lib/common/logger';
import { createServices } from '../../../lib/app/services';
import { InMemoryAlertStore } from '../../../lib/state/memory/memoryState';
import { RecordingQueue } from '../../fakes/recordingQueue';
import { readJson, REPO_ROOT } from '../../support/fixtures';

const WATCHED =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const FOREIGN =
  '/subscriptions/99999999-0000-0000-0000-000000000000/resourcegroups/other/providers/microsoft.devices/iothubs/not-ours';

interface Dimension {
  name: string;
  value: string;
}

/** The parts of a common-schema alert these tests change. */
interface AlertBody {
  data: {
    essentials: { alertTargetIDs?: string[] };
    alertContext: {
      condition: {
        windowStartTime?: string;
        windowEndTime?: string;
        allOf: { dimensions: Dimension[] }[];
      };
    };
  };
}

function sampleAlert(): AlertBody {
  return readJson('samples/alerts/sas-renewal-thermostat-0042.json') as AlertBody;
}

function withHubDimension(alert: AlertBody, ...hubs: string[]): AlertBody {
  const condition = alert.data.alertContext.condition.allOf[0]!;
  condition.dimensions = [
    ...condition.dimensions.filter((d) => d.name !== '_ResourceId'),
    ...hubs.map((value) => ({ name: '_ResourceId', value })),
  ];
  return alert;
}

/** The intake as the function app builds it from the configuration. */
async function intake(env: Record<string, string>): Promise<{
  services: IntakeServices;
  queue: RecordingQueue;
}> {
  const queue = new RecordingQueue();
  const built = await createServices(
    loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: `${REPO_ROOT}/samples/workspace`,
      STATE_STORE: 'memory',
      TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
      ...env,
    }),
    { queue, store: new InMemoryAlertStore(), log: silentLogger },
  );
  return { services: built.intake, queue };
}

async function post(services: IntakeServices, body: unknown) {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return handleAlertRequest({ readBody: async () => bytes }, services);
}

describe('IOTHUB_RESOURCE_IDS allow-list', () => {
  test('an alert about a watched hub is queued (IDs compare case-insensitively)', async () => {
    const { services, queue } = await intake({ IOTHUB_RESOURCE_IDS: WATCHED.toUpperCase() });
    expect((await post(services, sampleAlert())).status).toBe(202);
    expect(queue.messages[0]?.alert.hubResourceIds).toEqual([WATCHED]);
  });

  test('an alert naming only other hubs is refused with 422, the path and the way out', async () => {
    const { services, queue } = await intake({ IOTHUB_RESOURCE_IDS: WATCHED });
    const response = await post(services, withHubDimension(sampleAlert(), FOREIGN));
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      error: expect.stringMatching(
        /names no IoT hub this deployment watches.*iotHubResourceIds/,
      ) as unknown,
      path: 'data.alertContext.condition.allOf.dimensions',
    });
    expect(JSON.stringify(response.body)).not.toContain('not-ours');
    expect(queue.messages).toEqual([]);
  });

  test('other hubs named beside a watched one are dropped, the watched one kept', async () => {
    const { services, queue } = await intake({ IOTHUB_RESOURCE_IDS: WATCHED });
    const response = await post(services, withHubDimension(sampleAlert(), FOREIGN, WATCHED));
    expect(response.status).toBe(202);
    expect(queue.messages[0]?.alert.hubResourceIds).toEqual([WATCHED]);
  });

  test('a metric alert on a foreign hub is refused with the alertTargetIDs path', async () => {
    const { services } = await intake({ IOTHUB_RESOURCE_IDS: WATCHED });
    const alert = readJson('samples/alerts/hub-incident-connected-devices.json') as AlertBody;
    alert.data.essentials.alertTargetIDs = [FOREIGN];
    const response = await post(services, alert);
    expect(response).toMatchObject({
      status: 422,
      body: { path: 'data.essentials.alertTargetIDs' },
    });
  });

  test('empty means any hub, and /api/health warns about it (still 200, same fields)', async () => {
    const { services, queue } = await intake({});
    expect((await post(services, withHubDimension(sampleAlert(), FOREIGN))).status).toBe(202);
    expect(queue.messages[0]?.alert.hubResourceIds).toEqual([FOREIGN]);

    const open = handleHealthRequest({
      LOG_ANALYTICS_WORKSPACE_ID: 'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6',
      TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    });
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({
      status: 'ok',
      problems: [],
      warnings: [
        { key: 'IOTHUB_RESOURCE_IDS', warning: expect.stringMatching(/any IoT hub/) as unknown },
      ],
    });
    expect(Object.keys(open.body as object)).toEqual([
      'status',
      'keys',
      'problems',
      'warnings',
      'routes',
    ]);

    const scoped = handleHealthRequest({
      LOG_ANALYTICS_WORKSPACE_ID: 'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6',
      TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      IOTHUB_RESOURCE_IDS: WATCHED,
    });
    expect(scoped.body).toMatchObject({ status: 'ok', warnings: [] });
  });
});

describe('hubs per alert', () => {
  test(`more than ${MAX_HUBS_PER_ALERT} hubs in one alert are refused with 422`, async () => {
    const { services, queue } = await intake({});
    const hubs = Array.from(
      { length: 400 },
      (_, i) =>
        `/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/rg/providers/microsoft.devices/iothubs/hub-${i}`,
    );
    const response = await post(services, withHubDimension(sampleAlert(), ...hubs));
    expect(response).toMatchObject({
      status: 422,
      body: {
        error: expect.stringMatching(/names 400 IoT hubs; at most 20/) as unknown,
        path: 'data.alertContext.condition.allOf.dimensions',
      },
    });
    expect(queue.messages).toEqual([]);
  });

  test(`exactly ${MAX_HUBS_PER_ALERT} hubs are accepted`, async () => {
    const { services, queue } = await intake({});
    const hubs = Array.from(
      { length: MAX_HUBS_PER_ALERT },
      (_, i) =>
        `/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/rg/providers/microsoft.devices/iothubs/hub-${i}`,
    );
    expect((await post(services, withHubDimension(sampleAlert(), ...hubs))).status).toBe(202);
    expect(queue.messages[0]?.alert.hubResourceIds).toHaveLength(MAX_HUBS_PER_ALERT);
  });
});

describe('evidence span', () => {
  test('a window from 1900 to 2100 is clamped: it ends when the alert fired and lasts 2 days at most', async () => {
    const { services, queue } = await intake({ EVIDENCE_LOOKBACK_MINUTES: '360' });
    const alert = sampleAlert();
    alert.data.alertContext.condition.windowStartTime = '1900-01-01T00:00:00Z';
    alert.data.alertContext.condition.windowEndTime = '2100-01-01T00:00:00Z';
    expect((await post(services, alert)).status).toBe(202);
    const queued = queue.messages[0]!.alert;
    const firedAt = Date.parse(queued.firedAt);
    const end = Date.parse(queued.window.end);
    expect(end).toBe(firedAt + 5 * 60_000);
    expect(end - Date.parse(queued.window.start)).toBe(MAX_ALERT_WINDOW_MS);

    // What the planner then queries: lookback + at most 2 days + the reconnect look-ahead.
    const plan = planEvidenceQueries(queued, { lookbackMinutes: 360 });
    const spanMinutes = (Date.parse(plan.span.end) - Date.parse(plan.span.start)) / 60_000;
    expect(spanMinutes).toBeLessThanOrEqual(360 + MAX_ALERT_WINDOW_MS / 60_000 + 15 + 5);
  });

  test('an ordinary 15-minute window is left exactly as sent', async () => {
    const { services, queue } = await intake({});
    const alert = sampleAlert();
    alert.data.alertContext.condition.windowStartTime = '2026-11-20T05:52:12Z';
    alert.data.alertContext.condition.windowEndTime = '2026-11-20T06:07:12Z';
    expect((await post(services, alert)).status).toBe(202);
    expect(queue.messages[0]?.alert.window).toEqual({
      start: '2026-11-20T05:52:12.000Z',
      end: '2026-11-20T06:07:12.000Z',
    });
  });
});

describe('configuration', () => {
  const base = {
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: '.',
    STATE_STORE: 'memory',
    TEAMS_WORKFLOW_URL: 'https://example.invalid/teams',
  };

  test('IOTHUB_RESOURCE_IDS must hold IoT hub IDs, and the default hub must be one of them', () => {
    expect(() => loadConfig({ ...base, IOTHUB_RESOURCE_IDS: `${WATCHED},not-a-hub` })).toThrow(
      /IOTHUB_RESOURCE_IDS must list IoT hub ARM resource IDs/,
    );
    expect(() =>
      loadConfig({ ...base, IOTHUB_RESOURCE_IDS: WATCHED, DEFAULT_IOTHUB_RESOURCE_ID: FOREIGN }),
    ).toThrow(/DEFAULT_IOTHUB_RESOURCE_ID must be one of IOTHUB_RESOURCE_IDS/);
    expect(
      loadConfig({ ...base, IOTHUB_RESOURCE_IDS: ` ${WATCHED.toUpperCase()} , ${FOREIGN} ` })
        .iotHubResourceIds,
    ).toEqual([WATCHED, FOREIGN]);
  });

  test('INTAKE_AUTH=entra-id needs the tenant and audience, and names what is missing', () => {
    expect(() => loadConfig({ ...base, INTAKE_AUTH: 'entra-id' })).toThrow(
      /ENTRA_TENANT_ID is missing; ENTRA_AUDIENCE is missing/,
    );
    expect(() =>
      loadConfig({
        ...base,
        INTAKE_AUTH: 'entra-id',
        ENTRA_TENANT_ID: 'contoso',
        ENTRA_AUDIENCE: 'api://x',
        ENTRA_ALLOWED_APP_IDS: 'nope',
      }),
    ).toThrow(/ENTRA_TENANT_ID must be the tenant GUID; ENTRA_ALLOWED_APP_IDS must list/);
    const config = loadConfig({
      ...base,
      INTAKE_AUTH: 'entra-id',
      ENTRA_TENANT_ID: '7D1E2A35-0C4B-4F51-9A8E-3B6C2D1F0E99',
      ENTRA_AUDIENCE: 'api://x',
      ENTRA_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
    });
    expect(config.entra).toEqual({
      tenantId: '7d1e2a35-0c4b-4f51-9a8e-3b6c2d1f0e99',
      audience: 'api://x',
      authorityHost: 'https://login.microsoftonline.us',
      allowedAppIds: ['461e8683-5575-4561-ac7f-899cc907d62a'],
    });
    expect(loadConfig(base).entra).toBeUndefined();
  });
});
