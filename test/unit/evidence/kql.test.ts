import type { Alert } from '../../../lib/alerts/alert';
import {
  FLEET_BIN_MINUTES,
  MAX_DEVICES_PER_ALERT,
  MAX_DISCONNECTED_DEVICES,
  MAX_TIMELINE_ROWS,
  MIN_FLEET_HISTORY_MINUTES,
  RECONNECT_LOOKAHEAD_MINUTES,
  WINDOW_MARGIN_MINUTES,
  isIotHubResourceId,
  kqlString,
  planEvidenceQueries,
  type EvidencePlan,
  type QueryName,
} from '../../../lib/evidence/kql';
import { testAlert } from '../../support/testAlert';

const HUB =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/hub-prod-01';
const HUB_2 =
  '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg.iot_(eu)/providers/microsoft.devices/iothubs/hub-02';

function alertWith(overrides: Partial<Alert> = {}): Alert {
  return testAlert({ hubResourceIds: [HUB], deviceIds: ['sensor-0042'], ...overrides });
}

function queryOf(plan: EvidencePlan, name: QueryName): string {
  const query = plan.queries.find((q) => q.name === name);
  if (query === undefined) throw new Error(`no ${name} query`);
  return query.query;
}

describe('kqlString', () => {
  test.each([
    ['empty', '', '""'],
    ['plain', 'sensor-0042', '"sensor-0042"'],
    ['double quote', 'a"b', '"a\\"b"'],
    ['single quote (no escape needed)', "a'b", '"a\'b"'],
    ['backslash', 'a\\b', '"a\\\\b"'],
    ['trailing backslash', 'a\\', '"a\\\\"'],
    ['backslash then quote', '\\"', '"\\\\\\""'],
    ['newline', 'a\nb', '"a\\nb"'],
    ['carriage return', 'a\rb', '"a\\rb"'],
    ['tab', 'a\tb', '"a\\tb"'],
    ['NUL dropped', 'a\u0000b', '"ab"'],
    ['BEL dropped', 'a\u0007b', '"ab"'],
    ['unit separator dropped', 'a\u001fb', '"ab"'],
    ['DEL dropped', 'a\u007fb', '"ab"'],
    ['space kept', 'a b', '"a b"'],
    ['unicode kept', 'Gerät-Ω-设备-🚀', '"Gerät-Ω-设备-🚀"'],
    ['line separator kept', 'a\u2028b', '"a\u2028b"'],
    ['injection attempt', '"); AzureActivity | take 1 //', '"\\"); AzureActivity | take 1 //"'],
  ])('%s', (_case, input, expected) => {
    expect(kqlString(input)).toBe(expected);
  });

  test('always yields one literal: quotes inside are all escaped', () => {
    for (const value of ['"', '\\"', '\\\\"', '"\\', 'a"\\"b']) {
      const literal = kqlString(value);
      const inner = literal.slice(1, -1);
      expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
      // Every quote inside is preceded by an odd number of backslashes.
      for (const match of inner.matchAll(/(\\*)"/g)) {
        expect((match[1] ?? '').length % 2).toBe(1);
      }
    }
  });
});

describe('isIotHubResourceId', () => {
  test.each([
    [HUB, true],
    [HUB_2, true],
    ['/subscriptions/abc/resourcegroups/r/providers/microsoft.devices/iothubs/h', true],
    [HUB.toUpperCase(), false],
    [HUB.replace('microsoft.devices/iothubs', 'microsoft.devices/provisioningservices'), false],
    [HUB.replace('microsoft.devices', 'microsoft.storage'), false],
    [`${HUB}/`, false],
    [`${HUB}\n`, false],
    [`${HUB}/certificates/c1`, false],
    [`${HUB}")`, false],
    [HUB.replace('rg-iot', 'rg"iot'), false],
    [HUB.replace('rg-iot', 'rg iot'), false],
    [HUB.replace('hub-prod-01', 'hub_prod'), false],
    ['subscriptions/x/resourcegroups/r/providers/microsoft.devices/iothubs/h', false],
    ['', false],
  ])('%j → %s', (id, expected) => {
    expect(isIotHubResourceId(id)).toBe(expected);
  });
});

describe('planEvidenceQueries', () => {
  test('reads from the look-back before the window to 15 minutes after it', () => {
    const plan = planEvidenceQueries(alertWith(), { lookbackMinutes: 360 });

    expect(RECONNECT_LOOKAHEAD_MINUTES).toBe(15);
    expect(plan.alertWindow).toEqual({
      start: '2024-05-01T10:00:00.000Z',
      end: '2024-05-01T10:05:00.000Z',
    });
    expect(plan.span).toEqual({
      start: '2024-05-01T04:00:00.000Z',
      end: '2024-05-01T10:20:00.000Z',
    });
    const spans = Object.fromEntries(plan.queries.map((q) => [q.name, q.timespan]));
    expect(spans).toEqual({
      deviceTimeline: plan.span,
      fleetActivity: plan.span,
      fleetSize: plan.span,
      disconnectedDevices: {
        start: '2024-05-01T09:55:00.000Z',
        end: '2024-05-01T10:10:00.000Z',
      },
      // The device's own history: 30 days up to the end of the alert window.
      deviceHistory: {
        start: '2024-04-01T10:05:00.000Z',
        end: '2024-05-01T10:05:00.000Z',
      },
    });
    expect(WINDOW_MARGIN_MINUTES).toBe(5);
  });

  test(`the hub activity reaches at least ${MIN_FLEET_HISTORY_MINUTES} min back, to see earlier renewal waves`, () => {
    const plan = planEvidenceQueries(alertWith(), { lookbackMinutes: 60 });
    const fleet = plan.queries.find((q) => q.name === 'fleetActivity');
    expect(fleet?.timespan).toEqual({
      start: '2024-05-01T06:00:00.000Z',
      end: plan.span.end,
    });
    expect(plan.span.start).toBe('2024-05-01T09:00:00.000Z');
    const longer = planEvidenceQueries(alertWith(), { lookbackMinutes: 600 });
    expect(longer.queries.find((q) => q.name === 'fleetActivity')?.timespan).toEqual(longer.span);
  });

  test('every capped query also returns its uncapped count, taken before the cap', () => {
    const plan = planEvidenceQueries(alertWith(), { lookbackMinutes: 60 });
    for (const [name, column] of [
      ['deviceTimeline', 'TotalRows'],
      ['disconnectedDevices', 'DroppedDevices'],
    ] as const) {
      const lines = queryOf(plan, name).split('\n');
      expect(lines[0]).toMatch(/^let Rows = materialize\(AzureDiagnostics$/);
      const top = lines.findIndex((l) => l.startsWith('| top '));
      expect(lines[top - 1]).toBe('Rows');
      expect(lines[top + 1]).toBe(`| extend ${column} = toscalar(Rows | count)`);
    }
  });

  test('follows the look-back setting', () => {
    const plan = planEvidenceQueries(alertWith(), { lookbackMinutes: 10 });
    expect(plan.span.start).toBe('2024-05-01T09:50:00.000Z');
  });

  test('plans the five queries for a device alert, each filtered to the hub', () => {
    const plan = planEvidenceQueries(alertWith(), { lookbackMinutes: 60 });

    expect(plan.queries.map((q) => q.name)).toEqual([
      'deviceTimeline',
      'fleetActivity',
      'fleetSize',
      'disconnectedDevices',
      'deviceHistory',
    ]);
    for (const query of plan.queries) {
      expect(query.query).toContain(`_ResourceId in~ (${kqlString(HUB)})`);
      expect(query.query).toContain('Category in ("Connections", "DeviceTelemetry")');
      expect(query.filter).toEqual({ hubResourceIds: [HUB], deviceIds: ['sensor-0042'] });
    }
    expect(queryOf(plan, 'deviceTimeline')).toContain('DeviceId in ("sensor-0042")');
    expect(queryOf(plan, 'deviceHistory')).toContain('DeviceId in ("sensor-0042")');
  });

  test('keeps the time range out of the KQL and bounds the rows', () => {
    const plan = planEvidenceQueries(alertWith(), { lookbackMinutes: 60 });

    for (const query of plan.queries) {
      expect(query.query).not.toMatch(/\bago\(|\bnow\(|datetime\(|TimeGenerated\s*[<>]/);
    }
    expect(queryOf(plan, 'deviceTimeline')).toContain(`| top ${MAX_TIMELINE_ROWS} by`);
    expect(queryOf(plan, 'disconnectedDevices')).toContain(`| top ${MAX_DISCONNECTED_DEVICES} by`);
    expect(queryOf(plan, 'fleetActivity')).toContain(
      `by bin(TimeGenerated, ${FLEET_BIN_MINUTES}m)`,
    );
    expect(queryOf(plan, 'fleetSize')).toContain('| summarize Devices = dcount(DeviceId)');
  });

  test('plans no deviceTimeline or deviceHistory for an alert without devices', () => {
    const plan = planEvidenceQueries(alertWith({ deviceIds: [] }), { lookbackMinutes: 60 });

    expect(plan.queries.map((q) => q.name)).toEqual([
      'fleetActivity',
      'fleetSize',
      'disconnectedDevices',
    ]);
    expect(plan.deviceIds).toEqual([]);
  });

  test.each([
    ['no hub at all', []],
    ['only invalid hubs', [HUB.toUpperCase(), `${HUB}")| take 1`]],
  ])('plans no query when there is %s', (_case, hubResourceIds) => {
    const plan = planEvidenceQueries(alertWith({ hubResourceIds }), { lookbackMinutes: 60 });

    expect(plan.queries).toEqual([]);
    expect(plan.hubResourceIds).toEqual([]);
  });

  test(`caps the devices at ${MAX_DEVICES_PER_ALERT}`, () => {
    const deviceIds = Array.from({ length: 60 }, (_, i) => `device-${i}`);
    const plan = planEvidenceQueries(alertWith({ deviceIds }), { lookbackMinutes: 60 });

    expect(MAX_DEVICES_PER_ALERT).toBe(50);
    expect(plan.deviceIds).toEqual(deviceIds.slice(0, 50));
    const timeline = queryOf(plan, 'deviceTimeline');
    expect(timeline).toContain('"device-49"');
    expect(timeline).not.toContain('"device-50"');
    expect(timeline.match(/"device-\d+"/g)).toHaveLength(50);
  });

  test('drops hub IDs that fail validation and keeps the valid ones in order', () => {
    const invalid = [
      `${HUB}" or 1==1 or "`,
      HUB.replace('microsoft.devices', 'microsoft.storage'),
      HUB.toUpperCase(),
    ];
    const plan = planEvidenceQueries(
      alertWith({ hubResourceIds: [invalid[0] ?? '', HUB, ...invalid.slice(1), HUB_2] }),
      {
        lookbackMinutes: 60,
      },
    );

    expect(plan.hubResourceIds).toEqual([HUB, HUB_2]);
    for (const query of plan.queries) {
      expect(query.query).toContain(`_ResourceId in~ (${kqlString(HUB)}, ${kqlString(HUB_2)})`);
      expect(query.filter.hubResourceIds).toEqual([HUB, HUB_2]);
      expect(query.query).not.toContain('or 1==1');
      expect(query.query).not.toContain('microsoft.storage');
    }
  });

  test('escapes device IDs through kqlString', () => {
    const deviceIds = ['"); AzureActivity | take 1 //', 'a\\b'];
    const plan = planEvidenceQueries(alertWith({ deviceIds }), { lookbackMinutes: 60 });

    expect(queryOf(plan, 'deviceTimeline')).toContain(
      `DeviceId in (${deviceIds.map(kqlString).join(', ')})`,
    );
  });
});
