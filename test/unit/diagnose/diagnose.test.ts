import { readdirSync } from 'node:fs';

import { parseAlert } from '../../../lib/alerts/parseAlert';
import { buildReport } from '../../../lib/app/enrichAlert';
import type { EvidenceSource } from '../../../lib/evidence/evidenceSource';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { MetricsFileSource } from '../../../lib/evidence/metricsFile';
import { periodicityOf } from '../../../lib/diagnose/periodicity';
import { parseSdkVersion } from '../../../lib/diagnose/sdkFamilies';
import { readJson, repoPath } from '../../support/fixtures';
import { deviceAlert, event, quietFleet, reportFor } from '../../support/scenario';

describe('diagnosis of the bundled sample workspace', () => {
  let evidence: ExportFileSource;
  let metrics: MetricsFileSource;
  beforeAll(async () => {
    evidence = await ExportFileSource.fromPath(repoPath('samples/workspace'));
    metrics = await MetricsFileSource.fromPath(repoPath('samples/metrics'));
  });

  test('every sample alert has an expectation below', () => {
    expect(
      readdirSync(repoPath('samples/alerts'))
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual([
      'credential-rejected-meter-19.json',
      'duplicate-identity-gateway-dup-3.json',
      'flaky-network-pump-station-7.json',
      'hub-incident-connected-devices.json',
      'hub-incident-sensor-0017.json',
      'sas-renewal-thermostat-0042.json',
    ]);
  });

  test.each([
    [
      'sas-renewal-thermostat-0042.json',
      'sas-token-expiry',
      'device',
      ['periodic-disconnects', 'auth-expired', 'quick-reconnect'],
      0.9,
    ],
    [
      'flaky-network-pump-station-7.json',
      'device-or-network',
      'device',
      ['irregular-disconnects', 'slow-reconnect', 'outdated-sdk'],
      0.7,
    ],
    [
      'duplicate-identity-gateway-dup-3.json',
      'duplicate-identity',
      'device',
      ['duplicate-identity-errors', 'alternating-addresses'],
      0.85,
    ],
    [
      'credential-rejected-meter-19.json',
      'credential-rejected',
      'device',
      ['auth-refused', 'no-reconnect'],
      0.8,
    ],
    [
      'hub-incident-sensor-0017.json',
      'iot-hub-transient',
      'fleet',
      ['mass-disconnect', 'server-errors', 'connected-devices-dip'],
      0.8,
    ],
    [
      'hub-incident-connected-devices.json',
      'iot-hub-transient',
      'fleet',
      ['mass-disconnect', 'server-errors', 'connected-devices-dip'],
      0.8,
    ],
  ])('%s → %s (%s)', async (file, cause, scope, signals, minConfidence) => {
    const alert = parseAlert(readJson('samples/alerts', file), { deviceIdDimension: 'DeviceId' });
    const report = await buildReport(alert, {
      sources: { evidence, metrics },
      lookbackMinutes: 360,
      now: () => new Date('2026-11-20T09:00:00Z'),
    });
    const diagnosis = report.diagnosis;
    expect(diagnosis).toMatchObject({ cause, scope });
    expect(diagnosis?.confidence).toBeGreaterThanOrEqual(minConfidence);
    expect(diagnosis?.evidence.map((e) => e.signal)).toEqual(expect.arrayContaining(signals));
    expect(diagnosis?.actions.length).toBeGreaterThan(0);
    for (const device of alert.deviceIds) expect(diagnosis?.devices).toContain(device);
  });

  test('the incident span is the core of the drop, not the scattered renewals around it', async () => {
    const alert = parseAlert(readJson('samples/alerts/hub-incident-connected-devices.json'), {
      deviceIdDimension: 'DeviceId',
    });
    const report = await buildReport(alert, {
      sources: { evidence, metrics },
      lookbackMinutes: 360,
      now: () => new Date(),
    });
    expect(report.diagnosis?.summary).toMatch(/between 05:1\d and 05:1\d UTC/);
  });
});

describe('diagnosis rules on synthetic histories', () => {
  test('SAS expiry seen directly (401003 beside the drop, quick reconnect) without enough history for a period', async () => {
    const events = [
      ...quietFleet(30),
      event('d1', 10, 'connect'),
      event('d1', 70, '401003'),
      event('d1', 70.05, '404104'),
      event('d1', 70.5, 'connect'),
    ];
    const { diagnosis } = await reportFor(deviceAlert(['d1'], 60, 75), events);
    expect(diagnosis?.cause).toBe('sas-token-expiry');
    expect(diagnosis?.confidence).toBeLessThan(0.9);
    expect(diagnosis?.evidence.map((e) => e.signal)).not.toContain('periodic-disconnects');
  });

  test('a regular drop every ~65 min with a quick reconnect is SAS renewal even without 401003', async () => {
    const events = [...quietFleet(30)];
    for (let t = 5; t < 400; t += 65)
      events.push(event('d1', t, '404104'), event('d1', t + 0.4, 'connect'));
    const { diagnosis } = await reportFor(deviceAlert(['d1'], 320, 335), events);
    expect(diagnosis?.cause).toBe('sas-token-expiry');
    expect(diagnosis?.evidence.map((e) => e.signal)).toContain('periodic-disconnects');
  });

  test('irregular drops with long outages and an address change are the device or its network', async () => {
    const events = [...quietFleet(30)];
    const drops = [3, 20, 95, 130, 260];
    for (const [i, t] of drops.entries()) {
      events.push(
        event('d2', t, '404104', `10.0.${i}.XXX`),
        event('d2', t + 9, 'connect', `10.0.${i + 1}.XXX`),
      );
    }
    const { diagnosis } = await reportFor(deviceAlert(['d2'], 250, 265), events);
    expect(diagnosis).toMatchObject({ cause: 'device-or-network', scope: 'device' });
    expect(diagnosis?.evidence.map((e) => e.signal)).toEqual(
      expect.arrayContaining(['irregular-disconnects', 'slow-reconnect', 'address-changed']),
    );
  });

  test('a device that never comes back, without 401003, is not reconnected yet (device or network)', async () => {
    const events = [...quietFleet(30), event('d3', 1, 'connect'), event('d3', 100, '404104')];
    const { diagnosis } = await reportFor(deviceAlert(['d3'], 90, 105), events);
    expect(diagnosis?.cause).toBe('device-or-network');
    expect(diagnosis?.evidence.map((e) => e.signal)).toContain('no-reconnect');
  });

  test('rejected credentials outrank a hub incident happening at the same time', async () => {
    const events = quietFleet(40);
    for (let i = 0; i < 40; i++)
      events.push(event(`quiet-${String(i).padStart(3, '0')}`, 100.2, '404104'));
    events.push(event('meter', 1, 'connect'), event('meter', 100, '404104'));
    for (let t = 101; t < 130; t += 3) events.push(event('meter', t, '401003-connect'));
    const { diagnosis } = await reportFor(deviceAlert(['meter'], 90, 105), events);
    expect(diagnosis?.cause).toBe('credential-rejected');
  });

  test('a device caught in a mass drop is diagnosed as a hub incident', async () => {
    const events = quietFleet(40);
    for (let i = 0; i < 40; i++) {
      const id = `quiet-${String(i).padStart(3, '0')}`;
      events.push(
        event(id, 100 + i * 0.02, '404104'),
        event(id, 100.1, '500001-connect'),
        event(id, 106 + i * 0.1, 'connect'),
      );
    }
    const { diagnosis } = await reportFor(deviceAlert(['quiet-007'], 90, 105), events);
    expect(diagnosis).toMatchObject({ cause: 'iot-hub-transient', scope: 'fleet' });
    expect(diagnosis?.devices[0]).toBe('quiet-007');
    expect(diagnosis?.summary).toMatch(/40 of 40 devices/);
  });

  test('a fleet alert where one site drops together names the shared network (subset)', async () => {
    const events = quietFleet(60);
    for (let i = 0; i < 6; i++)
      events.push(
        event(`site-${i}`, 1, 'connect', '81.2.69.XXX'),
        event(`site-${i}`, 100 + i * 0.1, '404104', '81.2.69.XXX'),
      );
    events.push(event('elsewhere', 101, '404104', '99.1.1.XXX'));
    const { diagnosis } = await reportFor(deviceAlert([], 95, 105), events);
    expect(diagnosis).toMatchObject({ cause: 'device-or-network', scope: 'subset' });
    expect(diagnosis?.summary).toContain('81.2.69.XXX');
    expect(diagnosis?.devices).toHaveLength(6);
    expect(diagnosis?.actions[0]).toMatch(/network the affected devices share/);
  });

  test('no Connections logs at all → unknown, pointing at the diagnostic setting', async () => {
    const { diagnosis } = await reportFor(deviceAlert(['d1'], 90, 105), []);
    expect(diagnosis).toMatchObject({ cause: 'unknown' });
    expect(diagnosis?.summary).toMatch(/diagnostic setting/);
  });

  test('the alerted device is absent from otherwise healthy logs → unknown, saying so', async () => {
    const { diagnosis } = await reportFor(deviceAlert(['ghost'], 90, 105), quietFleet(10));
    expect(diagnosis?.cause).toBe('unknown');
    expect(diagnosis?.summary).toMatch(/No Connections logs for ghost/);
  });

  test('no hub → unknown with the reason among the evidence', async () => {
    const alert = { ...deviceAlert(['d1'], 90, 105), hubResourceIds: [] };
    const { diagnosis } = await reportFor(alert, quietFleet(10));
    expect(diagnosis?.cause).toBe('unknown');
    expect(diagnosis?.evidence.map((e) => e.text).join(' ')).toMatch(/DEFAULT_IOTHUB_RESOURCE_ID/);
  });

  test('a failing evidence source becomes a stated gap, not a crash', async () => {
    const failing: EvidenceSource = {
      deviceTimeline: () => Promise.reject(new Error('403 InsufficientAccessError')),
      fleetActivity: () =>
        Promise.resolve({
          value: [],
          warning: 'partial result (PartialError: some shards failed)',
        }),
      fleetSize: () => Promise.resolve({ value: 0 }),
      disconnectedDevices: () => Promise.resolve({ value: { rows: [], total: 0 } }),
      deviceHistory: () => Promise.resolve({ value: [] }),
    };
    const report = await buildReport(deviceAlert(['d1'], 90, 105), {
      sources: { evidence: failing },
      lookbackMinutes: 60,
      now: () => new Date(),
    });
    expect(report.diagnosis?.cause).toBe('unknown');
    const gaps =
      report.diagnosis?.evidence.filter((e) => e.signal === 'gap').map((e) => e.text) ?? [];
    expect(gaps).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/deviceTimeline: query failed \(403/),
        expect.stringMatching(/fleetActivity: partial result/),
      ]),
    );
  });

  test('alerts that are not about disconnects are passed on without a diagnosis', async () => {
    const alert = {
      ...deviceAlert([], 90, 105),
      isDisconnectAlert: false,
      signal: 'activity-log' as const,
    };
    const report = await reportFor(alert, quietFleet(5));
    expect(report.diagnosis).toBeUndefined();
  });

  test('the same evidence always gives the same verdict', async () => {
    const events = [
      ...quietFleet(20),
      event('d1', 10, 'connect'),
      event('d1', 70, '401003'),
      event('d1', 70.05, '404104'),
      event('d1', 70.5, 'connect'),
    ];
    const first = await reportFor(deviceAlert(['d1'], 60, 75), events);
    const second = await reportFor(deviceAlert(['d1'], 60, 75), [...events].reverse());
    expect(second.diagnosis).toEqual(first.diagnosis);
  });
});

describe('signal helpers', () => {
  test.each([
    ['azure-iot-device/1.17.1 (node v10.16.0; Windows_NT)', true],
    ['azure-iot-device/1.18.4 (node v18.19.0; Linux)', false],
    ['.NET/1.38.0 (.NET Core 3.1.19; Windows)', true],
    ['.NET/1.42.3 (.NET 8.0.11; Linux)', false],
    ['com.microsoft.azure.sdk.iot.iot-device-client/1.30.1', true],
    ['azure-iot-device-iothub-py/2.13.1', false],
  ])('%s outdated: %s', (sdk, outdated) => {
    expect(parseSdkVersion(sdk)?.outdated).toBe(outdated);
  });

  test('SDKs without a release floor, and unknown strings, are not judged outdated', () => {
    expect(parseSdkVersion('C + (OSSimplified = Eclipse ThreadX)')?.outdated).toBe(false);
    expect(parseSdkVersion('my-mqtt-stack/0.1')).toBeUndefined();
    expect(parseSdkVersion(undefined)).toBeUndefined();
  });

  test('periodicity: drops within one episode count once; two intervals are needed', () => {
    expect(periodicityOf([event('d', 0, '404104'), event('d', 65, '404104')])).toBeUndefined();
    const p = periodicityOf([0, 0.5, 65, 130].map((t) => event('d', t, '404104')));
    expect(p?.intervals).toHaveLength(2);
    expect(p?.regular).toBe(true);
  });
});
