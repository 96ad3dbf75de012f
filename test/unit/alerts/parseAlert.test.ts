import { idempotencyKey } from '../../../lib/alerts/alert';
import { parseAlert } from '../../../lib/alerts/parseAlert';
import { AppError } from '../../../lib/common/errors';
import { clone, readJson } from '../../support/fixtures';

const options = { deviceIdDimension: 'DeviceId' };
const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

function refusal(body: unknown): AppError {
  try {
    parseAlert(body, options);
  } catch (error: unknown) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the payload to be refused');
}

/* eslint-disable @typescript-eslint/no-unsafe-member-access -- mutating raw JSON payloads */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('parseAlert: accepted payloads', () => {
  test('Log Alerts V2 split by device: device, hub, window, links, custom properties', () => {
    const alert = parseAlert(readJson('samples/alerts/sas-renewal-thermostat-0042.json'), options);
    expect(alert).toMatchObject({
      signal: 'log',
      condition: 'Fired',
      severity: 'Sev3',
      monitoringService: 'Log Alerts V2',
      deviceIds: ['thermostat-0042'],
      hubResourceIds: [HUB],
      window: { start: '2026-11-20T05:52:12.000Z', end: '2026-11-20T06:07:12.000Z' },
      isDisconnectAlert: true,
    });
    expect(alert.logSearch?.linkToFilteredSearchResultsUI).toMatch(/^https:\/\/portal\.azure\.com/);
    expect(Object.keys(alert.customProperties).length).toBeGreaterThan(0);
  });

  test('the Microsoft Log Alerts V2 reference sample is accepted, with no IoT hub', () => {
    const alert = parseAlert(
      readJson('test/fixtures/alerts/reference-log-alerts-v2.json'),
      options,
    );
    expect(alert.signal).toBe('log');
    expect(alert.hubResourceIds).toEqual([]);
    expect(alert.window).toEqual({
      start: '2020-07-07T13:54:34.000Z',
      end: '2020-07-09T13:54:34.000Z',
    });
    expect(alert.customProperties).toEqual({ name1: 'value1', name2: 'value2' });
  });

  test('a configured default hub is used when the alert names none', () => {
    const alert = parseAlert(readJson('test/fixtures/alerts/reference-log-alerts-v2.json'), {
      ...options,
      defaultIotHubResourceId: HUB.toUpperCase(),
    });
    expect(alert.hubResourceIds).toEqual([HUB]);
  });

  test('metric alert on connectedDeviceCount: hub from the targets, value and threshold as numbers', () => {
    const alert = parseAlert(
      readJson('samples/alerts/hub-incident-connected-devices.json'),
      options,
    );
    expect(alert).toMatchObject({
      signal: 'metric',
      hubResourceIds: [HUB],
      deviceIds: [],
      metric: {
        metricName: 'connectedDeviceCount',
        threshold: 120,
        value: 111.8,
        operator: 'LessThan',
      },
      isDisconnectAlert: true,
    });
  });

  test('metric alert without window times: the window is derived from windowSize and fired time', () => {
    const alert = parseAlert(
      readJson('test/fixtures/alerts/reference-metric-common.json'),
      options,
    );
    expect(alert.window).toEqual({
      start: '2019-03-22T13:53:24.371Z',
      end: '2019-03-22T13:58:24.371Z',
    });
    expect(alert.condition).toBe('Resolved');
    expect(alert.resolvedAt).toBe('2019-03-22T14:03:16.224Z');
    // Percentage CPU is not about device connections: passed on without diagnosis.
    expect(alert.isDisconnectAlert).toBe(false);
  });

  test('older Log Analytics shape inside the common schema: US-style times, results, configuration items', () => {
    const alert = parseAlert(
      readJson('test/fixtures/alerts/log-analytics-in-common.json'),
      options,
    );
    expect(alert.signal).toBe('log');
    expect(alert.window.end).toBe('2026-11-20T03:56:00.000Z');
    expect(alert.window.start).toBe('2026-11-20T03:41:00.000Z');
    expect(alert.deviceIds).toContain('thermostat-0042');
    expect(alert.hubResourceIds).toEqual([HUB]);
  });

  test.each([
    ['activity-log-administrative.json', 'activity-log'],
    ['resource-health.json', 'resource-health'],
  ])('%s is accepted as %s and not diagnosed', (file, signal) => {
    const alert = parseAlert(readJson('test/fixtures/alerts', file), options);
    expect(alert.signal).toBe(signal);
    expect(alert.isDisconnectAlert).toBe(false);
  });

  test('the device dimension name is configurable and matched case-insensitively', () => {
    const body = clone(readJson('samples/alerts/flaky-network-pump-station-7.json')) as Json;
    for (const d of body.data.alertContext.condition.allOf[0].dimensions) {
      if (d.name === 'DeviceId') d.name = 'deviceName';
    }
    expect(parseAlert(body, options).deviceIds).toEqual([]);
    expect(parseAlert(body, { deviceIdDimension: 'DEVICENAME' }).deviceIds).toEqual([
      'pump-station-7',
    ]);
  });

  test('hub IDs compare case-insensitively: an upper-case dimension and a lower-case target are one hub', () => {
    const body = clone(readJson('samples/alerts/flaky-network-pump-station-7.json')) as Json;
    body.data.essentials.alertTargetIDs = [HUB];
    for (const d of body.data.alertContext.condition.allOf[0].dimensions) {
      if (d.name === '_ResourceId') d.value = HUB.toUpperCase();
    }
    expect(parseAlert(body, options).hubResourceIds).toEqual([HUB]);
  });

  test('idempotency key: same instance and condition collide, Resolved differs', () => {
    const alert = parseAlert(readJson('samples/alerts/sas-renewal-thermostat-0042.json'), options);
    expect(idempotencyKey(alert)).toBe(idempotencyKey({ ...alert, id: alert.id.toUpperCase() }));
    expect(idempotencyKey(alert)).not.toBe(idempotencyKey({ ...alert, condition: 'Resolved' }));
  });
});

describe('parseAlert: refused payloads say what is wrong and where', () => {
  test.each([
    ['a JSON array', 400, [], ''],
    ['a string', 400, 'alert', ''],
    ['null', 400, null, ''],
    ['an object without schemaId', 400, { data: {} }, 'schemaId'],
    ['an unknown schemaId', 422, { schemaId: 'somethingElse', data: {} }, 'schemaId'],
  ])('%s → %i', (_name, status, body, path) => {
    const error = refusal(body);
    expect(error.status).toBe(status);
    expect(error.path).toBe(path);
  });

  test.each([
    ['reference-legacy-log-analytics.json', /legacy Log Analytics/],
    ['legacy-metric.json', /legacy \(non-common\) metric/],
  ])('legacy payload %s → 422 telling to enable the common schema', (file, kind) => {
    const error = refusal(readJson('test/fixtures/alerts', file));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(kind);
    expect(error.message).toMatch(/common alert schema/);
  });

  const base = readJson('samples/alerts/sas-renewal-thermostat-0042.json') as Json;
  const metric = readJson('samples/alerts/hub-incident-connected-devices.json') as Json;
  test.each<[string, string, Json, (body: Json) => void]>([
    ['missing alertId', 'data.essentials.alertId', base, (b) => delete b.data.essentials.alertId],
    ['empty alertId', 'data.essentials.alertId', base, (b) => (b.data.essentials.alertId = '')],
    [
      'severity as a number',
      'data.essentials.severity',
      base,
      (b) => (b.data.essentials.severity = 3),
    ],
    [
      'unknown severity',
      'data.essentials.severity',
      base,
      (b) => (b.data.essentials.severity = 'Sev9'),
    ],
    [
      'monitorCondition typo',
      'data.essentials.monitorCondition',
      base,
      (b) => (b.data.essentials.monitorCondition = 'fired'),
    ],
    [
      'firedDateTime not a date',
      'data.essentials.firedDateTime',
      base,
      (b) => (b.data.essentials.firedDateTime = 'yesterday'),
    ],
    ['essentials missing', 'data.essentials', base, (b) => delete b.data.essentials],
    [
      'alertTargetIDs a string',
      'data.essentials.alertTargetIDs',
      base,
      (b) => (b.data.essentials.alertTargetIDs = 'x'),
    ],
    [
      'condition.allOf empty',
      'data.alertContext.condition.allOf',
      base,
      (b) => (b.data.alertContext.condition.allOf = []),
    ],
    [
      'dimension value an object',
      'data.alertContext.condition.allOf.0.dimensions.0.value',
      base,
      (b) => (b.data.alertContext.condition.allOf[0].dimensions[0].value = {}),
    ],
    [
      'windowSize not a duration',
      'data.alertContext.condition.windowSize',
      base,
      (b) => (b.data.alertContext.condition.windowSize = 'ten minutes'),
    ],
    [
      'windowStartTime not a date',
      'data.alertContext.condition.windowStartTime',
      base,
      (b) => (b.data.alertContext.condition.windowStartTime = '13:00'),
    ],
    [
      'metricName missing',
      'data.alertContext.condition.allOf.0.metricName',
      metric,
      (b) => delete b.data.alertContext.condition.allOf[0].metricName,
    ],
    [
      'threshold an array',
      'data.alertContext.condition.allOf.0.threshold',
      metric,
      (b) => (b.data.alertContext.condition.allOf[0].threshold = [1]),
    ],
  ])('%s → 422 at %s', (_name, path, source, mutate) => {
    const body = clone(source);
    mutate(body);
    const error = refusal(body);
    expect(error.status).toBe(422);
    expect(error.path).toBe(path);
    expect(error.message).toContain(path);
  });
});
