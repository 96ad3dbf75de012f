/**
 * Scenario families for `npm run eval`: the patterns fleets produce, several seeds each, with the
 * mess real workspaces have (lost rows, duplicate rows, arrival order). Each scenario is a folder
 * holding `alert.json` (common alert schema), `logs.json` (AzureDiagnostics rows as a JSON
 * array), `metrics.json` (connectedDeviceCount, PT1M) and `expected.json` (cause and scope an
 * expert would give, and why). Deterministic: seeded PRNG, same bytes on every run.
 *
 *   node scripts/generate-samples.mjs --scenarios DIR
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { mulberry32 } from './seededRandom.mjs';

const SEC = 1000;
const MIN = 60 * SEC;
const DAY = Date.UTC(2026, 10, 21);
const SUBSCRIPTION = '5e0c1a9d-7b2f-4c3e-9a41-2d8f6b0e7c15';
const WORKSPACE = 'c9e4b2d1-8f3a-4e6b-a7c5-1d0f9e8b2a34';

function rng(seed) {
  const next = mulberry32(seed);
  const uniform = (lo, hi) => lo + (hi - lo) * next();
  return {
    next,
    uniform,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    seconds: (lo, hi) => Math.round(uniform(lo, hi) * SEC),
    minutes: (lo, hi) => Math.round(uniform(lo, hi) * MIN),
  };
}

const SDKS = {
  dotnet: '.NET/1.42.3 (.NET 8.0.11; Ubuntu 22.04.4 LTS; X64)',
  dotnetOld:
    'Microsoft.Azure.Devices.Client/1.36.0 (.NET Framework 4.8; Microsoft Windows 10.0.17763; X64)',
  java: 'com.microsoft.azure.sdk.iot.iot-device-client/2.4.1 (Java 17; Linux; amd64)',
  node: 'azure-iot-device/1.17.3 (node v14.17.0; CentOS 7.9.2009; x64)',
  python: 'azure-iot-device-iothub-py/2.13.1',
  pythonV1: 'python/1.4.6 iothubclient/1.2.12 (native; Linux; x86_64)',
  c: 'iothubclient/1.2.14 (native; freertos; esp platform)',
  none: undefined,
};

const MESSAGES = {
  404104: 'Device disconnected, see cause and resolution at https://aka.ms/iothub404104',
  401003: 'Authentication failed for this device, renew token or certificate and reconnect',
  409002: 'Link creation conflict',
  400027: 'Connection was forcefully closed on new connection',
  500001: 'Server error',
};
const DESCRIPTIONS = {
  404104: 'DeviceConnectionClosedRemotely',
  401003: 'IoTHubUnauthorized',
  409002: 'LinkCreationConflict',
  400027: 'ConnectionForcefullyClosedOnNewConnection',
  500001: 'ServerError',
};

/** One scenario under construction: its hub, its devices' rows, its metric. */
class Scenario {
  constructor(family, seed, hubName) {
    this.family = family;
    this.seed = seed;
    this.r = rng(seed * 7919 + family.length * 104729);
    this.hub = {
      name: hubName,
      lower: `/subscriptions/${SUBSCRIPTION}/resourcegroups/iot-${family}/providers/microsoft.devices/iothubs/${hubName}`,
    };
    this.events = [];
    this.start = DAY;
    this.end = DAY + 9 * 60 * MIN;
    /** Minutes each device is offline: [deviceId, from, to] for the metric. */
    this.offline = [];
    this.devices = new Map();
  }

  device(id, sdk, ip, protocol = 'Mqtt') {
    const d = { id, sdk, ip, protocol };
    this.devices.set(id, d);
    return d;
  }

  row(d, time, op, code, ip) {
    if (time < this.start || time >= this.end) return;
    const props = { deviceId: d.id };
    if (op === 'deviceConnect' && d.sdk) props.sdkVersion = d.sdk;
    props.protocol = d.protocol;
    props.authType = null;
    props.maskedIpAddress = ip ?? d.ip;
    props.statusCode = code ? code.slice(0, 3) : null;
    props.errorMessage = code ? MESSAGES[code] : '';
    this.events.push({ time, op, code: code ?? '', props, deviceId: d.id });
  }

  connect(d, t, ip) {
    this.row(d, t, 'deviceConnect', null, ip);
  }
  drop(d, t, ip) {
    this.row(d, t, 'deviceDisconnect', '404104', ip);
  }
  expired(d, t, ip) {
    this.row(d, t, 'deviceDisconnect', '401003', ip);
  }
  refused(d, t, ip) {
    this.row(d, t, 'deviceConnect', '401003', ip);
  }
  clean(d, t, ip) {
    this.row(d, t, 'deviceDisconnect', null, ip);
  }
  offlineFor(d, from, to) {
    this.offline.push([from, to]);
  }

  /** A background fleet: steady devices, half of them renewing hub-side with staggered phases. */
  background(count, prefix = 'bg') {
    const sites = Array.from(
      { length: 8 },
      (_, i) => `${20 + i}.${this.r.int(10, 250)}.${this.r.int(0, 250)}.XXX`,
    );
    for (let i = 0; i < count; i++) {
      const kind = this.r.pick(['dotnet', 'java', 'node', 'python', 'c', 'dotnet']);
      const d = this.device(
        `${prefix}-${String(i).padStart(4, '0')}`,
        SDKS[kind],
        this.r.pick(sites),
      );
      let t = this.start - this.r.minutes(0, 65);
      this.connect(d, t);
      if (kind === 'dotnet' || kind === 'java') {
        for (;;) {
          t += 60 * MIN + this.r.minutes(4, 7);
          if (t >= this.end) break;
          if (this.r.chance(0.6)) this.expired(d, t - this.r.seconds(1.5, 7));
          this.drop(d, t);
          const back = t + this.r.seconds(10, 50);
          this.connect(d, back);
        }
      } else {
        const every = { node: 45, python: 58, c: 48 }[kind] * MIN;
        for (;;) {
          t += every + this.r.seconds(-20, 20);
          if (t >= this.end) break;
          this.clean(d, t);
          this.connect(d, t + this.r.seconds(1, 6));
        }
      }
      if (this.r.chance(0.04)) {
        const at = this.start + this.r.minutes(30, 500);
        this.drop(d, at);
        this.connect(d, at + this.r.minutes(1, 20));
        this.offlineFor(d, at, at + 5 * MIN);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rows, loss, duplicates, order; alerts; metrics
// ---------------------------------------------------------------------------------------------

function toRow(s, e) {
  return {
    TenantId: WORKSPACE,
    TimeGenerated: new Date(e.time).toISOString(),
    ResourceId: s.hub.lower.toUpperCase(),
    Category: 'Connections',
    ResourceProvider: 'MICROSOFT.DEVICES',
    Resource: s.hub.name.toUpperCase(),
    ResourceType: 'IOTHUBS',
    OperationName: e.op,
    ResultType: e.code,
    ResultDescription: e.code ? DESCRIPTIONS[e.code] : '',
    Level: e.code ? 'Error' : 'Information',
    properties_s: JSON.stringify(e.props),
    Type: 'AzureDiagnostics',
    _ResourceId: s.hub.lower,
  };
}

/** Lose a few rows (never the alert's own drop), duplicate a few, shuffle the arrival order. */
function messyRows(s, keep) {
  const rows = [];
  for (const e of s.events) {
    if (e !== keep && s.r.chance(s.loss)) continue;
    const row = toRow(s, e);
    rows.push(row);
    if (s.r.chance(0.02)) rows.push({ ...row });
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(s.r.next() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
}

function metrics(s, total) {
  const data = [];
  for (let t = s.start; t < s.end; t += MIN) {
    const gone = s.offline.filter(([from, to]) => from <= t + MIN && to > t).length;
    const value = Math.max(0, total - gone);
    data.push({
      timeStamp: new Date(t).toISOString().replace('.000Z', 'Z'),
      average: value,
      minimum: value,
      maximum: value,
    });
  }
  return {
    timespan: `${new Date(s.start).toISOString()}/${new Date(s.end).toISOString()}`,
    interval: 'PT1M',
    value: [
      {
        id: `${s.hub.lower}/providers/Microsoft.Insights/metrics/connectedDeviceCount`,
        type: 'Microsoft.Insights/metrics',
        name: { value: 'connectedDeviceCount', localizedValue: 'Connected devices' },
        unit: 'Count',
        timeseries: [{ metadatavalues: [], data }],
        errorCode: 'Success',
      },
    ],
  };
}

function essentials(s, rule, signalType, service, firedAt) {
  return {
    alertId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/${s.family}-${s.seed}`,
    alertRule: rule,
    severity: 'Sev3',
    signalType,
    monitorCondition: 'Fired',
    monitoringService: service,
    alertTargetIDs: [s.hub.lower],
    configurationItems: [s.hub.lower],
    originAlertId: `${s.family}-${s.seed}`,
    firedDateTime: new Date(firedAt).toISOString(),
    essentialsVersion: '1.0',
    alertContextVersion: '1.0',
  };
}

function deviceAlert(s, deviceId, dropTime) {
  const end = dropTime + 4 * MIN;
  const start = end - 15 * MIN;
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: essentials(
        s,
        'iothub-device-disconnected-404104',
        'Log',
        'Log Alerts V2',
        end + MIN,
      ),
      alertContext: {
        conditionType: 'LogQueryCriteria',
        condition: {
          windowSize: 'PT15M',
          allOf: [
            {
              searchQuery: 'AzureDiagnostics | where ResultType == "404104"',
              operator: 'GreaterThan',
              threshold: '0',
              timeAggregation: 'Count',
              dimensions: [
                { name: 'DeviceId', value: deviceId },
                { name: '_ResourceId', value: s.hub.lower },
              ],
              metricValue: 1,
            },
          ],
          windowStartTime: new Date(start).toISOString(),
          windowEndTime: new Date(end).toISOString(),
        },
      },
      customProperties: {},
    },
  };
}

function metricAlert(s, at, value) {
  const start = Math.floor((at - 2 * MIN) / MIN) * MIN;
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: essentials(
        s,
        'iothub-connected-devices-low',
        'Metric',
        'Platform',
        start + 6 * MIN,
      ),
      alertContext: {
        conditionType: 'SingleResourceMultipleMetricCriteria',
        condition: {
          windowSize: 'PT5M',
          allOf: [
            {
              metricName: 'connectedDeviceCount',
              metricNamespace: 'Microsoft.Devices/IotHubs',
              operator: 'LessThan',
              threshold: String(value + 1),
              timeAggregation: 'Average',
              dimensions: [],
              metricValue: value,
            },
          ],
          windowStartTime: new Date(start).toISOString(),
          windowEndTime: new Date(start + 5 * MIN).toISOString(),
        },
      },
      customProperties: {},
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Families
// ---------------------------------------------------------------------------------------------

/** Tokens issued together (failover, mass reboot): every lifetime the same devices drop together. */
function syncRenewal(seed) {
  const s = new Scenario('sync-renewal', seed, `hub-wave-${seed}`);
  const waveDevices = s.r.int(120, 400);
  const backgroundDevices = s.r.pick([0, 40, waveDevices]);
  s.background(backgroundDevices);
  const period = 60 * MIN + s.r.minutes(4, 9);
  const issued = s.start - s.r.minutes(5, 30);
  const sdk = s.r.pick([SDKS.dotnet, SDKS.java, SDKS.none]);
  const withAuth = s.r.chance(0.75);
  const ips = Array.from(
    { length: 12 },
    (_, i) => `${80 + i}.${s.r.int(1, 250)}.${s.r.int(1, 250)}.XXX`,
  );
  const fleet = [];
  for (let i = 0; i < waveDevices; i++) {
    const d = s.device(`wave-${String(i).padStart(4, '0')}`, sdk, s.r.pick(ips));
    fleet.push(d);
    s.connect(d, issued + s.r.seconds(0, 40));
  }
  let last;
  for (let w = 1; issued + w * period < s.end - 20 * MIN; w++) {
    const wave = issued + w * period;
    for (const d of fleet) {
      const t = wave + s.r.seconds(0, 45);
      if (withAuth && s.r.chance(0.5)) s.expired(d, t - s.r.seconds(1, 6));
      s.drop(d, t);
      s.connect(d, t + s.r.seconds(3, 40));
      if (d === fleet[0]) last = t;
    }
  }
  s.loss = 0.03;
  const total = waveDevices + backgroundDevices;
  const scope = waveDevices / total >= 0.5 ? 'fleet' : 'subset';
  const alert =
    seed % 2 === 0 ? deviceAlert(s, fleet[0].id, last) : metricAlert(s, last + MIN, total - 3);
  return finish(s, alert, total, fleet[0], last, {
    cause: 'sas-token-expiry',
    scope,
    why: `${waveDevices} devices got tokens together and drop every ${Math.round(period / MIN)} min${withAuth ? ' with 401003' : ''}; quick reconnects, no 500xxx`,
  });
}

/** Regular drops that are not the token: idle time-outs, client-renewing SDKs, watchdogs. */
function periodicNotToken(seed) {
  const s = new Scenario('periodic-not-token', seed, `hub-periodic-${seed}`);
  s.background(60);
  const kinds = [
    { sdk: SDKS.none, period: 4, back: [2, 8], why: 'NAT idle time-out every ~4 min' },
    { sdk: SDKS.c, period: 10, back: [1, 5], why: 'firewall idle time-out every ~10 min' },
    { sdk: SDKS.none, period: 30, back: [1, 6], why: 'carrier idle time-out every ~30 min' },
    {
      sdk: SDKS.node,
      period: 45,
      back: [1, 4],
      why: 'Node SDK renews client side; the 404104 every 45 min is not its renewal',
    },
    {
      sdk: SDKS.python,
      period: 65,
      back: [2, 9],
      why: 'Python SDK renews client side; a 65-min clock is a cron job',
    },
    {
      sdk: SDKS.dotnet,
      period: 120,
      back: [240, 420],
      why: 'watchdog reboot every 2 h, slow return',
    },
  ];
  const k = kinds[(seed - 1) % kinds.length];
  const d = s.device('edge-gw-17', k.sdk, '31.13.72.XXX');
  let t = s.start + s.r.minutes(0, 5);
  s.connect(d, t);
  let last;
  while (t + k.period * MIN < s.end - 15 * MIN) {
    t += k.period * MIN + s.r.seconds(-15, 15);
    s.drop(d, t);
    last = t;
    t += s.r.seconds(k.back[0], k.back[1]);
    s.connect(d, t);
  }
  s.loss = 0.03;
  return finish(s, deviceAlert(s, d.id, last), 61, d, last, {
    cause: 'device-or-network',
    scope: 'device',
    why: k.why,
  });
}

/** One device on the hub-side token clock: the single-device renewal (a control). */
function deviceRenewal(seed) {
  const s = new Scenario('device-renewal', seed, `hub-renew-${seed}`);
  s.background(50);
  const sdk = s.r.pick([SDKS.dotnet, SDKS.java, SDKS.dotnetOld]);
  const d = s.device('chiller-04', sdk, '62.4.19.XXX');
  const lifetime = s.r.pick([65, 66, 68, 30]);
  let t = s.start + s.r.minutes(0, 10);
  s.connect(d, t);
  let last;
  while (t + lifetime * MIN < s.end - 15 * MIN) {
    t += lifetime * MIN + s.r.seconds(-20, 20);
    const auth = lifetime === 30 || s.r.chance(0.5);
    if (auth) s.expired(d, t - s.r.seconds(1, 5));
    s.drop(d, t);
    last = t;
    t += s.r.seconds(8, 45);
    s.connect(d, t);
  }
  s.loss = 0.03;
  return finish(s, deviceAlert(s, d.id, last), 51, d, last, {
    cause: 'sas-token-expiry',
    scope: 'device',
    why: `hub-side renewal every ${lifetime} min`,
  });
}

/** Devices behind one address (a site), one SDK version, dropping within a minute or two. */
function cohort(seed) {
  const s = new Scenario('cohort', seed, `hub-site-${seed}`);
  s.background(s.r.pick([60, 150]));
  const size = s.r.int(3, 9);
  const ip = `81.2.${60 + seed}.XXX`;
  const sdk = s.r.pick([SDKS.node, SDKS.c, SDKS.dotnet]);
  const at = s.start + s.r.minutes(300, 420);
  let alerted;
  for (let i = 0; i < size; i++) {
    const d = s.device(`site-b-${String(i).padStart(2, '0')}`, sdk, ip);
    s.connect(d, s.start - s.r.minutes(1, 30));
    const t = at + s.r.seconds(0, 90);
    s.drop(d, t);
    s.connect(d, t + s.r.minutes(4, 25), ip);
    s.offlineFor(d, t, t + 10 * MIN);
    if (i === 0) alerted = [d, t];
  }
  s.loss = 0.02;
  return finish(s, deviceAlert(s, alerted[0].id, alerted[1]), 0, alerted[0], alerted[1], {
    cause: 'device-or-network',
    scope: 'subset',
    why: `${size} devices behind ${ip} dropped within 90 s`,
  });
}

/** 401003 then 404104 at the token lifetime, and the device never comes back. */
function expiryNoReturn(seed) {
  const s = new Scenario('expiry-no-return', seed, `hub-expired-${seed}`);
  s.background(50);
  const sdk = s.r.pick([SDKS.none, SDKS.c, SDKS.dotnet]);
  const d = s.device('rtos-node-9', sdk, '100.64.3.XXX');
  const connectAt = s.start + s.r.minutes(180, 300);
  s.connect(d, connectAt);
  const t = connectAt + s.r.minutes(64, 69);
  s.expired(d, t - s.r.seconds(1, 5));
  s.drop(d, t);
  if (seed % 2 === 0) {
    for (let a = t + s.r.seconds(5, 30); a < s.end; a += s.r.minutes(1, 6)) s.refused(d, a);
  }
  s.loss = 0.02;
  return finish(s, deviceAlert(s, d.id, t), 51, d, t, {
    cause: 'sas-token-expiry',
    scope: 'device',
    why: `token expired ${seed % 2 === 0 ? 'and every retry reuses it' : 'and no retry'}`,
  });
}

/** A hub outage on a big hub: 60 % drop at once, more than the capped list, sometimes no 500xxx. */
function massDrop(seed) {
  const s = new Scenario('mass-drop', seed, `hub-big-${seed}`);
  const size = s.r.int(1500, 3000);
  const share = s.r.uniform(0.45, 0.7);
  const at = s.start + s.r.minutes(320, 400);
  const withErrors = seed % 2 === 1;
  let alerted;
  const ips = Array.from({ length: 40 }, (_, i) => `${100 + i}.${s.r.int(1, 250)}.0.XXX`);
  for (let i = 0; i < size; i++) {
    const d = s.device(
      `m-${String(i).padStart(5, '0')}`,
      SDKS[s.r.pick(['dotnet', 'node', 'python', 'c'])],
      s.r.pick(ips),
    );
    s.connect(d, s.start + s.r.minutes(0, 120));
    if (s.r.next() < share) {
      const t = at + s.r.seconds(0, 100);
      s.drop(d, t);
      if (withErrors && s.r.chance(0.3))
        s.row(d, t + s.r.seconds(5, 60), 'deviceConnect', '500001');
      const back = t + s.r.minutes(6, 25);
      s.connect(d, back);
      s.offlineFor(d, t, back);
      alerted ??= [d, t];
    }
  }
  s.loss = 0.04;
  const alert =
    seed % 2 === 0
      ? deviceAlert(s, alerted[0].id, alerted[1])
      : metricAlert(s, at + 3 * MIN, Math.round(size * (1 - share)));
  return finish(s, alert, size, alerted[0], alerted[1], {
    cause: 'iot-hub-transient',
    scope: 'fleet',
    why: `${Math.round(share * 100)} % of ${size} devices at once${withErrors ? ' with 500001' : ', no 500xxx'}`,
  });
}

/** One 409002 after a network drop (a reconnect race), or a clone kicking from two addresses. */
function identity(seed) {
  const race = seed % 2 === 1;
  const s = new Scenario(race ? 'reconnect-race' : 'duplicate-identity', seed, `hub-id-${seed}`);
  s.background(50);
  const d = s.device('pos-terminal-3', SDKS.java, '5.44.16.XXX', race ? 'Amqp' : 'Mqtt');
  s.connect(d, s.start + s.r.minutes(0, 30));
  let alertDrop;
  if (race) {
    const t = s.start + s.r.minutes(300, 400);
    s.drop(d, t);
    const back = t + s.r.seconds(5, 40);
    s.connect(d, back, '5.44.17.XXX');
    s.row(
      d,
      back + s.r.seconds(1, 20),
      'deviceDisconnect',
      s.r.pick(['409002', '400027']),
      '5.44.16.XXX',
    );
    alertDrop = t;
  } else {
    const clone = '188.21.9.XXX';
    let t = s.start + s.r.minutes(300, 330);
    for (let i = 0; i < s.r.int(3, 8); i++) {
      const [me, other] = i % 2 === 0 ? [clone, d.ip] : [d.ip, clone];
      s.connect(d, t, me);
      s.row(d, t + s.r.seconds(0.2, 0.9), 'deviceDisconnect', '400027', other);
      if (i === 1) {
        s.drop(d, t + s.r.minutes(2, 3), me);
        alertDrop = t + 2 * MIN;
      }
      t += s.r.minutes(3, 9);
    }
    alertDrop ??= t;
    s.drop(d, alertDrop);
  }
  s.loss = 0.02;
  return finish(s, deviceAlert(s, d.id, alertDrop), 51, d, alertDrop, {
    cause: race ? 'device-or-network' : 'duplicate-identity',
    scope: 'device',
    why: race ? 'one kick right after the reconnect' : 'kicks from two addresses, alternating',
  });
}

function finish(s, alert, total, device, dropTime, expected) {
  const keep = s.events.find(
    (e) => e.deviceId === device.id && e.time === dropTime && e.code === '404104',
  );
  s.events.sort((a, b) => a.time - b.time);
  return {
    name: `${s.family}-${s.seed}`,
    family: s.family,
    alert,
    logs: messyRows(s, keep),
    metrics: metrics(s, total || s.devices.size),
    expected: { family: s.family, seed: s.seed, ...expected },
  };
}

export const FAMILIES = {
  'sync-renewal': syncRenewal,
  'periodic-not-token': periodicNotToken,
  'device-renewal': deviceRenewal,
  cohort,
  'expiry-no-return': expiryNoReturn,
  'mass-drop': massDrop,
  identity,
};

export const SEEDS = [1, 2, 3, 4, 5, 6];

/** Writes every scenario under `dir/<family>-<seed>/`; returns their folders and expectations. */
export function writeScenarios(dir) {
  const written = [];
  for (const build of Object.values(FAMILIES)) {
    for (const seed of SEEDS) {
      const scenario = build(seed);
      const folder = join(dir, scenario.name);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'alert.json'), `${JSON.stringify(scenario.alert, null, 2)}\n`);
      writeFileSync(join(folder, 'logs.json'), JSON.stringify(scenario.logs));
      writeFileSync(join(folder, 'metrics.json'), JSON.stringify(scenario.metrics));
      writeFileSync(
        join(folder, 'expected.json'),
        `${JSON.stringify(scenario.expected, null, 2)}\n`,
      );
      written.push({ folder, expected: scenario.expected });
    }
  }
  return written;
}
