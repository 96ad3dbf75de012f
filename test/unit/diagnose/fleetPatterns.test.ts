/**
 * The patterns fleets produce, each rule with its boundaries: synchronised renewal waves, periods
 * that are not the token (just inside and outside the token window, session length), cohorts of
 * 2 vs 3, token expiry without return, reconnect races vs alternating kicks, and counts that scale.
 */

import type { Alert } from '../../../lib/alerts/alert';
import { diagnose } from '../../../lib/diagnose/diagnose';
import type { ConnectionEvent, Evidence } from '../../../lib/evidence/evidence';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { MAX_DISCONNECTED_DEVICES, planEvidenceQueries } from '../../../lib/evidence/kql';
import { at, deviceAlert, event, HUB, quietFleet, reportFor } from '../../support/scenario';

const NODE_SDK = 'azure-iot-device/1.18.4 (node v18.19.0; Linux; x64)';

function withSdk(e: ConnectionEvent, sdkVersion: string | undefined): ConnectionEvent {
  if (e.operation !== 'deviceConnect') return e;
  const rest: ConnectionEvent = { ...e };
  delete (rest as { sdkVersion?: string }).sdkVersion;
  return sdkVersion === undefined ? rest : { ...rest, sdkVersion };
}

/** A device that drops every `period` minutes from `first`, back after `back` minutes. */
function periodic(
  id: string,
  period: number,
  options: { first?: number; back?: number; sdk?: string | null; auth?: boolean } = {},
): ConnectionEvent[] {
  const { first = 5, back = 0.4, auth = false } = options;
  const sdk = options.sdk === null ? undefined : (options.sdk ?? '.NET/1.42.3 (.NET 8; Linux)');
  const events = [withSdk(event(id, first - period + back + 0.1, 'connect'), sdk)];
  for (let t = first; t < 470; t += period) {
    if (auth) events.push(event(id, t - 0.05, '401003'));
    events.push(event(id, t, '404104'), withSdk(event(id, t + back, 'connect'), sdk));
  }
  return events.filter((e) => Date.parse(e.time) >= Date.parse(at(0)));
}

function lastDropBefore(events: ConnectionEvent[], minute: number): number {
  const drops = events
    .filter((e) => e.resultType === '404104' && Date.parse(e.time) <= Date.parse(at(minute)))
    .map((e) => (Date.parse(e.time) - Date.parse(at(0))) / 60_000);
  return drops[drops.length - 1] ?? 0;
}

async function verdictFor(id: string, events: ConnectionEvent[], minute = 440) {
  const drop = lastDropBefore(events, minute);
  const { diagnosis } = await reportFor(deviceAlert([id], drop - 10, drop + 5), [
    ...quietFleet(30),
    ...events,
  ]);
  return diagnosis;
}

describe('a period is not proof of token expiry', () => {
  test.each([
    [59, 'device-or-network'],
    [61, 'sas-token-expiry'],
    [75, 'sas-token-expiry'],
    [77, 'device-or-network'],
  ])(
    'a .NET device dropping every %s min with an instant return and no 401003 → %s',
    async (period, cause) => {
      const diagnosis = await verdictFor('net-1', periodic('net-1', period));
      expect(diagnosis?.cause).toBe(cause);
      if (cause === 'device-or-network') {
        expect(diagnosis?.evidence.map((e) => e.signal)).toContain('periodic-not-token');
      }
    },
  );

  test('a 401003 beside the drops makes a custom token lifetime (every 30 min) a renewal', async () => {
    const diagnosis = await verdictFor('net-2', periodic('net-2', 30, { auth: true }));
    expect(diagnosis?.cause).toBe('sas-token-expiry');
    expect(diagnosis?.reconnected).toBe(true);
  });

  test('every ~30 min with an instant reconnect and no 401003 is an idle time-out on the path', async () => {
    const diagnosis = await verdictFor('cam-3', periodic('cam-3', 30, { sdk: null }));
    expect(diagnosis?.cause).toBe('device-or-network');
    expect(diagnosis?.summary).toMatch(/every ~30 min with an instant reconnect: an idle time-out/);
    expect(diagnosis?.actions[0]).toMatch(/keep-alive/);
  });

  test('an SDK that renews client side (Node.js) on a 65-min clock is not renewing', async () => {
    const diagnosis = await verdictFor('node-4', periodic('node-4', 65, { sdk: NODE_SDK }));
    expect(diagnosis?.cause).toBe('device-or-network');
    const reason = diagnosis?.evidence.find((e) => e.signal === 'periodic-not-token');
    expect(reason?.text).toMatch(/Node\.js device SDK renews the token itself/);
  });

  test('AMQP refreshes tokens on the open connection: a 65-min clock over AMQP is not the token', async () => {
    const events = periodic('amqp-5', 65).map((e) => ({ ...e, protocol: 'Amqp' }));
    expect((await verdictFor('amqp-5', events))?.cause).toBe('device-or-network');
  });

  test('session length: drops 65 min apart but sessions of 35 min are not a token clock', async () => {
    const events = periodic('net-6', 65);
    // The app restarts its connection 30 min into every session (a clean disconnect and connect).
    for (let t = 5; t < 470; t += 65) {
      events.push(event('net-6', t + 30, 'renew'), event('net-6', t + 30.05, 'connect'));
    }
    const diagnosis = await verdictFor('net-6', events);
    expect(diagnosis?.cause).toBe('device-or-network');
  });

  test('one lost log row does not break the clock', async () => {
    const events = periodic('net-7', 65).filter((e) => e.time !== at(135));
    expect((await verdictFor('net-7', events))?.cause).toBe('sas-token-expiry');
  });
});

describe('after the drop: no attempt is the token, refused attempts are the credential', () => {
  const expiredThenSilent = (retries: boolean, observedMinutes: number): ConnectionEvent[] => {
    const events = [
      event('t1', 0, 'connect'),
      event('t1', 65.9, '401003'),
      event('t1', 66, '404104'),
    ];
    if (retries) {
      for (let t = 67; t < 66 + observedMinutes; t += 5)
        events.push(event('t1', t, '401003-connect'));
    }
    return events;
  };

  test('401003 then 404104, then every attempt refused: credential-rejected, naming the readings without stating one', async () => {
    const { diagnosis } = await reportFor(deviceAlert(['t1'], 55, 70), [
      ...quietFleet(20),
      ...expiredThenSilent(true, 40),
    ]);
    expect(diagnosis).toMatchObject({ cause: 'credential-rejected', reconnected: false });
    expect(diagnosis?.summary).toMatch(/keeps trying/);
    expect(diagnosis?.summary).toMatch(/readings/);
    expect(diagnosis?.summary).not.toMatch(/retrying with the same expired token/);
    const readings = diagnosis?.evidence.filter((e) => e.signal.startsWith('reading-'));
    expect(readings?.map((r) => r.signal)).toEqual(
      expect.arrayContaining(['reading-app-reuses-token', 'reading-clock-drift']),
    );
  });

  test('401003 at the drop and a return only after 14 min: the token, with a slow app, never "no token expiry"', async () => {
    const events = [
      event('t2', 0, 'connect'),
      event('t2', 65.9, '401003'),
      event('t2', 66, '404104'),
      event('t2', 80, 'connect'),
    ];
    const { diagnosis } = await reportFor(deviceAlert(['t2'], 55, 70), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis).toMatchObject({ cause: 'sas-token-expiry', reconnected: true });
    expect(diagnosis?.summary).toMatch(/took 14 min to reconnect/);
    expect(diagnosis?.summary).not.toMatch(/no token expiry/i);
  });

  test('a first reconnect refused with 401003, then a new token within a minute: a renewal', async () => {
    const events = [
      event('t3', 0, 'connect'),
      event('t3', 66, '404104'),
      event('t3', 66.2, '401003-connect'),
      event('t3', 66.6, 'connect'),
    ];
    const { diagnosis } = await reportFor(deviceAlert(['t3'], 55, 70), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis).toMatchObject({ cause: 'sas-token-expiry', reconnected: true });
  });

  test('no retry at all is the same verdict, saying no attempt was made', async () => {
    const { diagnosis } = await reportFor(deviceAlert(['t1'], 55, 70), [
      ...quietFleet(20),
      ...expiredThenSilent(false, 0),
    ]);
    expect(diagnosis).toMatchObject({ cause: 'sas-token-expiry', reconnected: false });
    expect(diagnosis?.summary).toMatch(/has made no attempt to reconnect/);
  });

  test('refusals after a drop with no 401003 beside it, on a device that renewed fine before: rejected credentials', async () => {
    const events = [
      event('t1', 0, 'connect'),
      event('t1', 1, '404104'),
      event('t1', 1.3, 'connect'),
      event('t1', 30, '404104'),
    ];
    for (let t = 31; t < 80; t += 5) events.push(event('t1', t, '401003-connect'));
    const { diagnosis } = await reportFor(deviceAlert(['t1'], 20, 35), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis?.cause).toBe('credential-rejected');
  });

  test('the 401003 row lost, a session one token lifetime long, one refused attempt: a token, with doubt', async () => {
    const events = expiredThenSilent(true, 40).filter(
      (e) =>
        (e.operation !== 'deviceDisconnect' || e.resultType !== '401003') &&
        Date.parse(e.time) <= Date.parse(at(68)),
    );
    const { diagnosis } = await reportFor(deviceAlert(['t1'], 55, 70), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis).toMatchObject({ cause: 'sas-token-expiry', reconnected: false });
    expect(diagnosis?.confidence).toBeLessThan(0.6);
    expect(diagnosis?.wouldChange).toMatch(/401003/);
  });

  test('the boundary: one refused attempt is not "keeps trying", two are', async () => {
    const once = expiredThenSilent(true, 40).filter(
      (e) => Date.parse(e.time) <= Date.parse(at(68)),
    );
    const twice = expiredThenSilent(true, 40).filter(
      (e) => Date.parse(e.time) <= Date.parse(at(73)),
    );
    const verdict = async (events: ConnectionEvent[]) =>
      (await reportFor(deviceAlert(['t1'], 55, 70), [...quietFleet(20), ...events])).diagnosis;
    expect((await verdict(once))?.cause).toBe('sas-token-expiry');
    expect((await verdict(twice))?.cause).toBe('credential-rejected');
  });
});

describe('cohorts make a subset', () => {
  function site(count: number): ConnectionEvent[] {
    const events: ConnectionEvent[] = [];
    for (let i = 0; i < count; i++) {
      const id = `site-${i}`;
      events.push(
        event(id, 1, 'connect', '81.2.69.XXX'),
        event(id, 200 + i * 0.4, '404104', '81.2.69.XXX'),
        event(id, 212 + i, 'connect', '81.2.69.XXX'),
      );
    }
    return events;
  }

  test('3 devices behind one address dropping within a minute: subset, naming the cohort', async () => {
    const { diagnosis } = await reportFor(deviceAlert(['site-0'], 195, 205), [
      ...quietFleet(40),
      ...site(3),
    ]);
    expect(diagnosis).toMatchObject({ cause: 'device-or-network', scope: 'subset' });
    expect(diagnosis?.summary).toMatch(/3 devices behind 81\.2\.69\.XXX dropped within 48 s/);
    expect(diagnosis?.devices).toEqual(['site-0', 'site-1', 'site-2']);
    expect(diagnosis?.summary).not.toMatch(/no sign of trouble elsewhere/);
  });

  test('2 devices are not a cohort: scope device', async () => {
    const { diagnosis } = await reportFor(deviceAlert(['site-0'], 195, 205), [
      ...quietFleet(40),
      ...site(2),
    ]);
    expect(diagnosis).toMatchObject({ cause: 'device-or-network', scope: 'device' });
    expect(diagnosis?.summary).toMatch(/1 other device dropped in the window/);
  });
});

describe('a reconnect race is not a duplicate identity', () => {
  test('one 409002 right after a reconnect that followed a network drop', async () => {
    const events = [
      event('r1', 1, 'connect', '10.0.0.XXX'),
      event('r1', 100, '404104', '10.0.0.XXX'),
      event('r1', 100.2, 'connect', '10.0.1.XXX'),
      {
        ...event('r1', 100.25, '400027', '10.0.0.XXX'),
        resultType: '409002',
        resultDescription: 'LinkCreationConflict',
      },
    ];
    const { diagnosis } = await reportFor(deviceAlert(['r1'], 90, 105), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis?.cause).toBe('device-or-network');
    expect(diagnosis?.evidence.map((e) => e.signal)).toContain('reconnect-race');
  });

  test('a flaky link with a kick after several of its reconnects, from changing addresses, is still races', async () => {
    // Hours apart, each kick a second after the device came back from its own 404104.
    const events: ConnectionEvent[] = [event('f1', 1, 'connect', '10.0.0.XXX')];
    for (const [i, t] of [60, 150, 240, 330].entries()) {
      const address = `10.0.${(i + 1) % 3}.XXX`;
      events.push(event('f1', t, '404104', '10.0.0.XXX'), event('f1', t + 2, 'connect', address), {
        ...event('f1', t + 2.02, '400027', '10.0.0.XXX'),
        resultType: '409002',
      });
    }
    const { diagnosis } = await reportFor(deviceAlert(['f1'], 320, 335), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis?.cause).toBe('device-or-network');
    expect(diagnosis?.evidence.find((e) => e.signal === 'reconnect-race')?.text).toMatch(
      /4× 409002.*each right after the device came back from a drop/,
    );
  });

  test('a kick right after a connect that followed no drop of the device is not a race', async () => {
    // Two kicks, each after the other client's connect; the device itself never dropped before.
    const events = [
      event('k1', 60, 'connect', '81.2.69.XXX'),
      event('k1', 60.1, '400027', '92.40.17.XXX'),
      event('k1', 66, 'connect', '92.40.17.XXX'),
      event('k1', 66.1, '400027', '81.2.69.XXX'),
      event('k1', 72, 'connect', '81.2.69.XXX'),
      event('k1', 75, '404104', '81.2.69.XXX'),
    ];
    const { diagnosis } = await reportFor(deviceAlert(['k1'], 65, 80), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis?.cause).toBe('duplicate-identity');
  });

  test('kicks from two addresses taking turns are a duplicate identity', async () => {
    const events: ConnectionEvent[] = [];
    for (let i = 0; i < 3; i++) {
      const [mine, theirs] =
        i % 2 === 0 ? ['81.2.69.XXX', '92.40.17.XXX'] : ['92.40.17.XXX', '81.2.69.XXX'];
      events.push(
        event('g1', 60 + i * 7, 'connect', mine),
        event('g1', 60 + i * 7 + 0.1, '400027', theirs),
      );
    }
    const { diagnosis } = await reportFor(deviceAlert(['g1'], 60, 80), [
      ...quietFleet(20),
      ...events,
    ]);
    expect(diagnosis?.cause).toBe('duplicate-identity');
  });
});

describe('fleet-synchronised token renewal is not a hub incident', () => {
  /** `count` devices that got their tokens together: every 65 min they drop in the same minute. */
  function wave(count: number, options: { serverErrors?: boolean; waves?: number } = {}) {
    const events: ConnectionEvent[] = [];
    const waves = options.waves ?? 7;
    for (let i = 0; i < count; i++) {
      const id = `fleet-${String(i).padStart(4, '0')}`;
      events.push(event(id, 0.2 + (i % 40) * 0.01, 'connect'));
      for (let w = 0; w < waves; w++) {
        const t = 66 + w * 65 + (i % 30) * 0.01 + (7 - waves) * 65;
        if (i % 3 === 0) events.push(event(id, t - 0.05, '401003'));
        events.push(event(id, t, '404104'), event(id, t + 0.3 + (i % 10) * 0.05, 'connect'));
        if (options.serverErrors && w === waves - 1)
          events.push(event(id, t + 0.1, '500001-connect'));
      }
    }
    return events;
  }
  const lastWave = 66 + 6 * 65;

  test('a device alert during the 7th wave: sas-token-expiry, scope fleet, jitter advice', async () => {
    const { diagnosis } = await reportFor(
      deviceAlert(['fleet-0007'], lastWave - 10, lastWave + 3),
      wave(120),
      480,
    );
    expect(diagnosis).toMatchObject({ cause: 'sas-token-expiry', scope: 'fleet' });
    expect(diagnosis?.evidence.map((e) => e.signal)).toEqual(
      expect.arrayContaining(['renewal-waves', 'auth-expired', 'quick-reconnect', 'same-devices']),
    );
    expect(diagnosis?.actions.join(' ')).toMatch(/jitter/);
  });

  test('a fleet alert (no device) during the wave reads the same', async () => {
    const { diagnosis } = await reportFor(
      deviceAlert([], lastWave - 10, lastWave + 3),
      wave(120),
      480,
    );
    expect(diagnosis).toMatchObject({ cause: 'sas-token-expiry', scope: 'fleet' });
  });

  test('the same drop with a burst of 500xxx is a hub incident', async () => {
    const { diagnosis } = await reportFor(
      deviceAlert(['fleet-0007'], lastWave - 10, lastWave + 3),
      wave(120, { serverErrors: true }),
      480,
    );
    expect(diagnosis?.cause).toBe('iot-hub-transient');
  });

  test('a single mass drop with no history of waves and no 500xxx stands on its own: hub incident', async () => {
    const { diagnosis } = await reportFor(
      deviceAlert(['fleet-0007'], lastWave - 10, lastWave + 3),
      wave(120, { waves: 1 }),
      480,
    );
    expect(diagnosis).toMatchObject({ cause: 'iot-hub-transient', scope: 'fleet' });
  });
});

describe('counts that scale', () => {
  const base = (overrides: Partial<Evidence>): Evidence => ({
    alertWindow: { start: at(100), end: at(115) },
    span: { start: at(0), end: at(130) },
    hubResourceIds: [HUB],
    deviceEvents: [],
    fleetActivity: [],
    fleetSize: 100_000,
    disconnectedDevices: Array.from({ length: MAX_DISCONNECTED_DEVICES }, (_, i) => ({
      deviceId: `dev-${i}`,
      disconnects: 1,
      firstDisconnect: at(105 + (i % 60) / 60),
      lastDisconnect: at(105 + (i % 60) / 60),
      maskedIpAddress: `10.${i % 200}.0.XXX`,
    })),
    disconnectedDeviceCount: MAX_DISCONNECTED_DEVICES,
    gaps: [],
    ...overrides,
  });
  const fleetAlert: Alert = deviceAlert([], 100, 115);

  test('60 % of a 100,000-device hub reads as 60,000 devices, not the 500 listed', () => {
    const diagnosis = diagnose(fleetAlert, base({ disconnectedDeviceCount: 60_000 }));
    expect(diagnosis.cause).toBe('iot-hub-transient');
    expect(diagnosis.summary).toMatch(/^60000 of 100000 devices \(60%\)/);
  });

  test('the capped list alone would have missed it', () => {
    expect(diagnose(fleetAlert, base({})).cause).not.toBe('iot-hub-transient');
  });

  test('a deep dip in connected devices stands on its own when the hub logged nothing', () => {
    const points = [
      ...Array.from({ length: 20 }, (_, i) => ({ time: at(80 + i), average: 1000 })),
      ...Array.from({ length: 10 }, (_, i) => ({ time: at(101 + i), average: 300 })),
    ];
    const diagnosis = diagnose(
      fleetAlert,
      base({
        disconnectedDevices: [],
        disconnectedDeviceCount: 0,
        fleetSize: 1000,
        connectedDeviceCount: points,
      }),
    );
    expect(diagnosis.cause).toBe('iot-hub-transient');
  });

  test('export files give the uncapped count too', async () => {
    const events = Array.from({ length: 700 }, (_, i) => event(`d-${i}`, 101, '404104'));
    const source = ExportFileSource.fromEvents(events);
    const plan = planEvidenceQueries(fleetAlert, { lookbackMinutes: 60 });
    const query = plan.queries.find((q) => q.name === 'disconnectedDevices');
    if (!query) throw new Error('no query');
    const answer = (await source.disconnectedDevices(query)).value;
    expect(answer.rows).toHaveLength(MAX_DISCONNECTED_DEVICES);
    expect(answer.total).toBe(700);
  });
});
