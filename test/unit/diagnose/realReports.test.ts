/**
 * The boundaries the real reports taught (issue 15): one race kick versus a recurring kick from
 * one address; the hub's quota on one device versus on most of the fleet; throttling versus an
 * idle time-out; a device the hub no longer has; a renewal wave seen through a metric alert's
 * brief dip; identities that fail together.
 */

import { diagnose } from '../../../lib/diagnose/diagnose';
import { clockSpan, timeRange } from '../../../lib/diagnose/format';
import type { ConnectionEvent, Evidence, MetricPoint } from '../../../lib/evidence/evidence';
import { fleetActivityOf } from '../../../lib/evidence/aggregate';
import { at, deviceAlert, event, HUB, quietFleet, reportFor } from '../../support/scenario';
import { testAlert } from '../../support/testAlert';

/** An event with any result code and message, e.g. 404001 on a connect. */
function coded(
  deviceId: string,
  minutes: number,
  operation: 'deviceConnect' | 'deviceDisconnect' | 'send',
  resultType: string,
  errorMessage?: string,
  ip = '24.9.142.XXX',
): ConnectionEvent {
  return {
    ...event(deviceId, minutes, '404104', ip),
    operation,
    resultType,
    resultDescription: resultType,
    ...(errorMessage !== undefined && { errorMessage }),
    ...(operation === 'send' && { category: 'DeviceTelemetry' }),
  };
}

async function verdict(deviceId: string, events: ConnectionEvent[], from: number, to: number) {
  return (await reportFor(deviceAlert([deviceId], from, to), [...quietFleet(30), ...events]))
    .diagnosis;
}

describe('a kick that keeps recurring is a second client, whatever the address', () => {
  const sameAddress = '195.145.33.XXX';

  test('one kick right after the device came back from its own drop is a reconnect race', async () => {
    const events = [
      event('d1', 0, 'connect', sameAddress),
      event('d1', 100, '404104', sameAddress),
      event('d1', 100.5, 'connect', sameAddress),
      event('d1', 100.52, '400027', sameAddress),
    ];
    const diagnosis = await verdict('d1', events, 90, 105);
    expect(diagnosis?.cause).toBe('device-or-network');
    expect(diagnosis?.evidence.map((e) => e.signal)).toContain('reconnect-race');
  });

  test('connect then kicked within a second, again and again from one address: duplicate identity', async () => {
    const events: ConnectionEvent[] = [event('d2', 0, 'connect', sameAddress)];
    for (const t of [20, 55, 93, 131, 170]) {
      events.push(
        event('d2', t, 'connect', sameAddress),
        event('d2', t + 0.01, '400027', sameAddress),
      );
    }
    events.push(
      event('d2', 171, '404104', sameAddress),
      event('d2', 171.3, 'connect', sameAddress),
    );
    const diagnosis = await verdict('d2', events, 160, 175);
    expect(diagnosis).toMatchObject({ cause: 'duplicate-identity', scope: 'device' });
    expect(diagnosis?.evidence.map((e) => e.signal)).toContain('one-address');
  });

  test('two kicks from one address are not yet enough; three are', async () => {
    const kicks = (times: number[]): ConnectionEvent[] => [
      event('d3', 0, 'connect', sameAddress),
      ...times.flatMap((t) => [
        event('d3', t, 'connect', sameAddress),
        event('d3', t + 0.01, '400027', sameAddress),
      ]),
      event('d3', 150, '404104', sameAddress),
      event('d3', 150.4, 'connect', sameAddress),
    ];
    expect((await verdict('d3', kicks([40, 90]), 140, 155))?.cause).toBe('device-or-network');
    expect((await verdict('d3', kicks([40, 90, 120]), 140, 155))?.cause).toBe('duplicate-identity');
  });

  test('two clients announcing different SDKs is named as a strong sign', async () => {
    const events: ConnectionEvent[] = [];
    for (const [i, t] of [10, 40, 70, 100].entries()) {
      const connect = event('d4', t, 'connect', sameAddress);
      events.push(
        {
          ...connect,
          sdkVersion:
            i % 2 === 0
              ? 'iothubclient/1.8.0 (native; Linux)'
              : 'azure-iot-device-iothub-py/2.12.1',
        },
        event('d4', t + 0.01, '400027', sameAddress),
      );
    }
    events.push(
      event('d4', 101, '404104', sameAddress),
      event('d4', 101.2, 'connect', sameAddress),
    );
    const diagnosis = await verdict('d4', events, 95, 105);
    expect(diagnosis?.cause).toBe('duplicate-identity');
    expect(diagnosis?.evidence.find((e) => e.signal === 'two-client-sdks')?.text).toMatch(
      /iothubclient\/1\.8\.0.*azure-iot-device-iothub-py/,
    );
  });
});

describe('a device the hub no longer has', () => {
  test.each([
    ['404001 DeviceNotFound', (t: number) => coded('r1', t, 'deviceConnect', '404001')],
    [
      '401003 "does not contain the specified device"',
      (t: number) =>
        coded(
          'r1',
          t,
          'deviceConnect',
          '401003',
          "IotHub 'contoso-fleet-hub' does not contain the specified device 'r1'",
        ),
    ],
  ])('every attempt refused with %s: device-removed', async (_name, refusal) => {
    const events = [event('r1', 0, 'connect'), event('r1', 100, '404104')];
    for (let t = 101; t < 140; t += 4) events.push(refusal(t));
    const diagnosis = await verdict('r1', events, 90, 105);
    expect(diagnosis).toMatchObject({ cause: 'device-removed', reconnected: false });
    expect(diagnosis?.actions[0]).toMatch(/deleted, disabled/);
  });
});

describe("the hub's quota: one device versus most of the fleet", () => {
  const quotaMessage =
    "Total number of messages on IotHub 'contoso-fleet-hub' exceeded the allocated quota";

  test('403002 beside the drop of one device: quota-exceeded for that device, saying the quota is the hub’s', async () => {
    const events = [
      event('q1', 0, 'connect'),
      coded('q1', 99.9, 'deviceDisconnect', '403002', quotaMessage),
      event('q1', 100, '404104'),
      event('q1', 100.3, 'connect'),
    ];
    const diagnosis = await verdict('q1', events, 90, 105);
    expect(diagnosis).toMatchObject({ cause: 'quota-exceeded', scope: 'device' });
    expect(diagnosis?.summary).toMatch(/quota is the hub's/);
    expect(diagnosis?.evidence.some((e) => e.text.includes('403002 IoTHubQuotaExceeded'))).toBe(
      true,
    );
  });

  test('connects refused with 403002 after the drop belong to the quota too', async () => {
    const events = [event('q2', 0, 'connect'), event('q2', 100, '404104')];
    for (let t = 103; t < 118; t += 3) {
      events.push(coded('q2', t, 'deviceConnect', '403002', quotaMessage));
    }
    const diagnosis = await verdict('q2', events, 90, 105);
    expect(diagnosis).toMatchObject({ cause: 'quota-exceeded', reconnected: false });
  });

  test('403002 beside the drops of most of the fleet: quota-exceeded for the fleet, not a hub incident', async () => {
    const events: ConnectionEvent[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `f-${i}`;
      events.push(event(id, i, 'connect'));
      if (i < 30) {
        events.push(
          coded(id, 100 + i * 0.05, 'deviceDisconnect', '403002', quotaMessage),
          event(id, 100.05 + i * 0.05, '404104'),
          event(id, 101 + i * 0.05, 'connect'),
        );
      }
    }
    const { diagnosis } = await reportFor(deviceAlert(['f-0'], 90, 105), events);
    expect(diagnosis).toMatchObject({ cause: 'quota-exceeded', scope: 'fleet' });
    expect(diagnosis?.summary).toMatch(/Not a hub incident/);
  });
});

describe('a clock without 401003 on an SDK that waits for the hub', () => {
  const clock = (id: string, period: number): ConnectionEvent[] => {
    const events: ConnectionEvent[] = [event(id, 0, 'connect')];
    for (let t = period; t < 300; t += period) {
      events.push(event(id, t, '404104'), event(id, t + 0.8, 'connect'));
    }
    return events;
  };

  test('every 20 min is a configured token lifetime (the hub closes it; keep-alives keep idle time-outs away)', async () => {
    const diagnosis = await verdict('j20', clock('j20', 20), 270, 285);
    expect(diagnosis?.cause).toBe('sas-token-expiry');
    expect(diagnosis?.evidence.map((e) => e.signal)).toContain('configured-lifetime');
  });

  test("every 30 min is the hub's idle cap (a keep-alive above 1,177 s), not a token", async () => {
    expect((await verdict('j30', clock('j30', 30), 260, 275))?.cause).toBe('device-or-network');
  });
});

describe('throttling is not a network idle time-out', () => {
  test('429001 on the sends before each short-clock drop: throttled', async () => {
    const events: ConnectionEvent[] = [event('t1', 0, 'connect')];
    for (let t = 10; t < 120; t += 10) {
      events.push(
        coded('t1', t - 0.5, 'send', '429001', 'Throttling exception'),
        event('t1', t, '404104'),
        event('t1', t + 0.05, 'connect'),
      );
    }
    const diagnosis = await verdict('t1', events, 105, 115);
    expect(diagnosis).toMatchObject({ cause: 'throttled', scope: 'device', reconnected: true });
    expect(diagnosis?.summary).toMatch(/Not a network idle time-out/);
  });

  test('the same clock without 429xxx stays an idle time-out on the path', async () => {
    const events: ConnectionEvent[] = [event('t2', 0, 'connect')];
    for (let t = 10; t < 120; t += 10) {
      events.push(event('t2', t, '404104'), event('t2', t + 0.05, 'connect'));
    }
    expect((await verdict('t2', events, 105, 115))?.cause).toBe('device-or-network');
  });
});

describe('a renewal wave seen through the connectedDeviceCount metric alert', () => {
  /** 60 devices whose tokens were issued together: 401003 and 404104 every 65 min, back in 20 s. */
  function waves(): ConnectionEvent[] {
    const events: ConnectionEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `w-${i}`;
      events.push(event(id, 0.1, 'connect'));
      for (let t = 65; t <= 325; t += 65) {
        events.push(
          event(id, t - 0.05, '401003'),
          event(id, t + i * 0.005, '404104'),
          event(id, t + 0.35, 'connect'),
        );
      }
    }
    return events.sort((a, b) => a.ms - b.ms);
  }

  function metric(dipMinutes: number): MetricPoint[] {
    return Array.from({ length: 340 }, (_, m) => {
      const value = m >= 325 && m < 325 + dipMinutes ? 20 : 60;
      return { time: at(m), average: value, minimum: value, maximum: value };
    });
  }

  function evidenceWith(dipMinutes: number): Evidence {
    const deviceEvents = waves();
    const dropped = [
      ...new Set(
        deviceEvents
          .filter((e) => e.resultType === '404104' && e.ms >= Date.parse(at(320)))
          .map((e) => e.deviceId),
      ),
    ];
    return {
      alertWindow: { start: at(322), end: at(327) },
      span: { start: at(0), end: at(342) },
      hubResourceIds: [HUB],
      deviceEvents: [],
      fleetActivity: fleetActivityOf(deviceEvents),
      fleetSize: 60,
      disconnectedDevices: dropped.map((deviceId) => ({
        deviceId,
        disconnects: 1,
        firstDisconnect: at(325),
        lastDisconnect: at(325.3),
      })),
      disconnectedDeviceCount: dropped.length,
      connectedDeviceCount: metric(dipMinutes),
      gaps: [],
    };
  }

  const metricAlert = testAlert({
    id: '/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/metric-wave',
    rule: 'iothub-connected-devices-low',
    firedAt: at(328),
    window: { start: at(322), end: at(327) },
    hubResourceIds: [HUB],
    deviceIds: [],
    dimensions: [],
  });

  test('a deep dip that is back within two minutes, on the token clock: a renewal wave', () => {
    const diagnosis = diagnose(metricAlert, evidenceWith(2));
    expect(diagnosis.cause).toBe('sas-token-expiry');
    expect(diagnosis.evidence.map((e) => e.signal)).toContain('connected-devices-brief-dip');
  });

  test('the same waves with devices gone for 15 minutes: a hub incident', () => {
    expect(diagnose(metricAlert, evidenceWith(15)).cause).toBe('iot-hub-transient');
  });
});

describe('identities that fail together are a subset, naming them', () => {
  test('devices started together whose tokens expire together and never come back', async () => {
    const events: ConnectionEvent[] = [];
    for (let i = 0; i < 6; i++) {
      const id = `batch-${i}`;
      events.push(
        event(id, 35 + i * 0.1, 'connect', '10.1.2.XXX'),
        event(id, 100.9 + i * 0.05, '401003', '10.1.2.XXX'),
        event(id, 101 + i * 0.05, '404104', '10.1.2.XXX'),
      );
    }
    const diagnosis = await verdict('batch-0', events, 90, 105);
    expect(diagnosis).toMatchObject({
      cause: 'sas-token-expiry',
      scope: 'subset',
      reconnected: false,
    });
    expect(diagnosis?.devices).toEqual(expect.arrayContaining(['batch-0', 'batch-3', 'batch-5']));
  });

  test('one device alone keeps scope device', async () => {
    const events = [
      event('alone', 35, 'connect'),
      event('alone', 100.9, '401003'),
      event('alone', 101, '404104'),
    ];
    expect((await verdict('alone', events, 90, 105))?.scope).toBe('device');
  });
});

describe('words: a range is never empty or doubled', () => {
  test.each([
    ['2026-11-20T23:10:05Z', '2026-11-20T23:10:55Z', 'at 23:10 UTC', '23:10 UTC'],
    [
      '2026-11-20T23:10:00Z',
      '2026-11-20T23:40:00Z',
      'between 23:10 and 23:40 UTC',
      '23:10–23:40 UTC',
    ],
    [
      '2026-11-20T23:50:00Z',
      '2026-11-21T00:10:00Z',
      'between 2026-11-20 23:50 UTC and 2026-11-21 00:10 UTC',
      '2026-11-20 23:50–2026-11-21 00:10 UTC',
    ],
  ])('%s to %s', (from, to, range, span) => {
    expect(timeRange(from, to)).toBe(range);
    expect(timeRange(to, from)).toBe(range);
    expect(clockSpan(from, to)).toBe(span);
  });

  test('no evidence of any real-report pattern reads "between X and X" or an unfinished phrase', async () => {
    const events = [event('w1', 0, 'connect')];
    for (const t of [20, 20.2, 20.4]) {
      events.push(
        event('w1', t, 'connect', '1.2.3.XXX'),
        event('w1', t + 0.01, '400027', '1.2.3.XXX'),
      );
    }
    events.push(event('w1', 21, '404104', '1.2.3.XXX'));
    const diagnosis = await verdict('w1', events, 12, 27);
    const texts = [diagnosis?.summary ?? '', ...(diagnosis?.evidence.map((e) => e.text) ?? [])];
    for (const text of texts) {
      expect(text).not.toMatch(/between (\d\d:\d\d)(?: UTC)? and \1/);
      expect(text).not.toMatch(/usually rate|\(\)|\s,/);
    }
  });
});
