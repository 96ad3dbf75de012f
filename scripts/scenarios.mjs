/**
 * Scenario families for `npm run eval`: the patterns fleets produce, several seeds each, with the
 * mess real workspaces have (lost rows, duplicate rows, arrival order). Each scenario is a folder
 * holding `alert.json` (common alert schema), `logs.json` (AzureDiagnostics rows as a JSON
 * array), `metrics.json` (connectedDeviceCount, PT1M) and `expected.json` (cause and scope an
 * expert would give, and why). Deterministic: seeded PRNG, same bytes on every run.
 *
 * Rows are `Connections` rows unless said otherwise; `DeviceTelemetry` error rows (429001
 * throttling, 403002 quota) carry the device in `properties_s` but no address. Every family runs
 * `SEEDS` (`identity` twice as many, as its seeds alternate between two families).
 *
 *   node scripts/generate-samples.mjs --scenarios DIR
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { mulberry32 } from './seededRandom.cjs';

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
  403002: 'Total number of messages on IotHub exceeded the allocated quota',
  404001: 'The device does not exist on this IotHub',
  429001: 'IoT hub throttling limits have been exceeded',
  429002: 'Throttling backlog timeout: the request waited too long in the throttling queue',
};
const DESCRIPTIONS = {
  404104: 'DeviceConnectionClosedRemotely',
  401003: 'IoTHubUnauthorized',
  409002: 'LinkCreationConflict',
  400027: 'ConnectionForcefullyClosedOnNewConnection',
  500001: 'ServerError',
  403002: 'IoTHubQuotaExceeded',
  404001: 'DeviceNotFound',
  429001: 'ThrottlingException',
  429002: 'ThrottlingBacklogTimeout',
};
/** The 401003 texts the hub writes when it knows more than "unauthorized". */
const AUTH_MESSAGES = {
  expired: `${MESSAGES[401003]}: token expired`,
  signature: `${MESSAGES[401003]}: invalid signature`,
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

  /** `hub` (default: the scenario's hub) puts the device's rows under another hub. */
  device(id, sdk, ip, protocol = 'Mqtt', hub = undefined) {
    const d = { id, sdk, ip, protocol, hub };
    this.devices.set(id, d);
    return d;
  }

  /** A Connections row; `message` replaces the code's usual `errorMessage`, `sdk` the device's. */
  row(d, time, op, code, ip, { message, sdk } = {}) {
    if (time < this.start || time >= this.end) return;
    const props = { deviceId: d.id };
    const sdkVersion = sdk ?? d.sdk;
    if (op === 'deviceConnect' && sdkVersion) props.sdkVersion = sdkVersion;
    props.protocol = d.protocol;
    props.authType = null;
    props.maskedIpAddress = ip ?? d.ip;
    props.statusCode = code ? code.slice(0, 3) : null;
    props.errorMessage = code ? (message ?? MESSAGES[code]) : '';
    this.events.push({ time, op, code: code ?? '', props, deviceId: d.id, hub: d.hub });
  }

  /** A DeviceTelemetry error row (a refused send): no address, no protocol, as the hub writes it. */
  telemetry(d, time, code) {
    if (time < this.start || time >= this.end) return;
    const props = {
      deviceId: d.id,
      batching: '0',
      messageSizeInBytes: String(this.r.int(180, 900)),
      EventProcessedUtcTime: new Date(time).toISOString().replace('Z', '0000Z'),
      EventEnqueuedUtcTime: new Date(time - this.r.int(200, 900))
        .toISOString()
        .replace('Z', '0000Z'),
      partitionId: String(this.r.int(0, 3)),
    };
    this.events.push({
      time,
      op: 'ingress',
      code,
      props,
      deviceId: d.id,
      hub: d.hub,
      category: 'DeviceTelemetry',
    });
  }

  connect(d, t, ip, sdk) {
    this.row(d, t, 'deviceConnect', null, ip, { sdk });
  }
  drop(d, t, ip) {
    this.row(d, t, 'deviceDisconnect', '404104', ip);
  }
  expired(d, t, ip, message) {
    this.row(d, t, 'deviceDisconnect', '401003', ip, { message });
  }
  refused(d, t, ip, message) {
    this.row(d, t, 'deviceConnect', '401003', ip, { message });
  }
  clean(d, t, ip) {
    this.row(d, t, 'deviceDisconnect', null, ip);
  }
  offlineFor(d, from, to) {
    this.offline.push([from, to]);
  }

  /**
   * A device's ordinary day from `t` (already connected) until `until`: .NET and Java renew
   * hub-side (401003 on most cycles, 404104, back within seconds), the others renew client side
   * (a clean disconnect and a connect). Returns the time of its last connect.
   */
  normalLife(d, kind, t, until = this.end) {
    let connected = t;
    if (kind === 'dotnet' || kind === 'java') {
      for (;;) {
        t += 60 * MIN + this.r.minutes(4, 7);
        if (t >= until) break;
        if (this.r.chance(0.6)) this.expired(d, t - this.r.seconds(1.5, 7));
        this.drop(d, t);
        connected = t + this.r.seconds(10, 50);
        this.connect(d, connected);
      }
    } else {
      const every = { node: 45, python: 58, c: 48 }[kind] * MIN;
      for (;;) {
        t += every + this.r.seconds(-20, 20);
        if (t >= until) break;
        this.clean(d, t);
        connected = t + this.r.seconds(1, 6);
        this.connect(d, connected);
      }
    }
    return connected;
  }

  /** A background fleet: steady devices, half of them renewing hub-side with staggered phases. */
  background(count, prefix = 'bg', hub = undefined) {
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
        'Mqtt',
        hub,
      );
      const t = this.start - this.r.minutes(0, 65);
      this.connect(d, t);
      this.normalLife(d, kind, t);
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
  const hub = e.hub ?? s.hub;
  return {
    TenantId: WORKSPACE,
    TimeGenerated: new Date(e.time).toISOString(),
    ResourceId: hub.lower.toUpperCase(),
    Category: e.category ?? 'Connections',
    ResourceProvider: 'MICROSOFT.DEVICES',
    Resource: hub.name.toUpperCase(),
    ResourceType: 'IOTHUBS',
    OperationName: e.op,
    ResultType: e.code,
    ResultDescription: e.code ? DESCRIPTIONS[e.code] : '',
    Level: e.code ? 'Error' : 'Information',
    properties_s: JSON.stringify(e.props),
    Type: 'AzureDiagnostics',
    _ResourceId: hub.lower,
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
  return finish(
    s,
    deviceAlert(s, d.id, t),
    51,
    d,
    t,
    seed % 2 === 0
      ? {
          cause: 'credential-rejected',
          scope: 'device',
          why: 'token expired, then the device keeps trying and every attempt is refused with 401003',
        }
      : {
          cause: 'sas-token-expiry',
          scope: 'device',
          why: 'token expired and the device never tried again',
        },
  );
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

// ---------------------------------------------------------------------------------------------
// More families: identities, credentials, quota, throttling, removal, silence
// ---------------------------------------------------------------------------------------------

const C_SDK_180 = 'iothubclient/1.8.0 (native; Linux; x86_64)';
const PYTHON_2121 = 'azure-iot-device-iothub-py/2.12.1';
const JAVA_1293 = 'com.microsoft.azure.sdk.iot.iot-device-client/1.29.3 (Linux; Java 11)';
const EDGE_HUB = '.NET/1.41.3 (.NET 6.0.33; Linux 5.15.0-1064-azure; X64) EdgeHub/1.4.41';

const clamp = (value, lo, hi) => Math.min(hi, Math.max(lo, value));

function address(s, first) {
  return `${first}.${s.r.int(1, 250)}.${s.r.int(0, 250)}.XXX`;
}

/** The mean `connectedDeviceCount` over [from, to), as the metric alert's evaluation saw it. */
function windowAverage(s, total, from, to) {
  const points = metrics(s, total).value[0].timeseries[0].data.filter((p) => {
    const t = Date.parse(p.timeStamp);
    return t >= from && t < to;
  });
  return Math.floor(points.reduce((sum, p) => sum + p.average, 0) / points.length);
}

/** A metric alert whose window starts a minute before `at` and whose value is the real average. */
function dipAlert(s, at, total) {
  const start = Math.floor((at + MIN - 2 * MIN) / MIN) * MIN;
  return metricAlert(s, at + MIN, windowAverage(s, total, start, start + 5 * MIN));
}

/**
 * Two clients on one identity taking turns: each connect (from `addresses[i]`, with `sdks[i]`)
 * kicks the other client off a fraction of a second later with `kick` (400027 MQTT, 409002 AMQP);
 * now and then the connected client drops with 404104 and reconnects without kicking anyone.
 * One such drop is forced after `dropAfter`; returns its time.
 */
function pingPong(s, d, { from, gapMinutes, kick, addresses, sdks, dropAfter }) {
  let t = from;
  let client = 0;
  let kicks = true;
  let alertDrop;
  for (;;) {
    s.connect(d, t, addresses[client], sdks[client]);
    if (kicks) s.row(d, t + s.r.seconds(0.2, 1), 'deviceDisconnect', kick, addresses[1 - client]);
    const next = t + clamp(s.r.minutes(gapMinutes * 0.5, gapMinutes * 1.5), MIN, 40 * MIN);
    if (next >= s.end - 5 * MIN) break;
    const forced = alertDrop === undefined && next > dropAfter;
    if (forced || s.r.chance(0.08)) {
      const at = t + Math.round(s.r.uniform(0.3, 0.8) * (next - t));
      s.drop(d, at, addresses[client]);
      if (forced) alertDrop = at;
      kicks = false;
    } else {
      client = 1 - client;
      kicks = true;
    }
    t = next;
  }
  return alertDrop;
}

/** Two clients with one identity on one masked address kick each other off, for hours. */
function twoClientsOneAddress(seed) {
  const s = new Scenario('two-clients-one-address', seed, `hub-twins-${seed}`);
  s.background(s.r.pick([40, 80]));
  const setups = [
    {
      why: 'two programs on one machine (a telemetry app and a device-streams app) share one connection string',
      protocol: 'Mqtt',
      sdks: [C_SDK_180, C_SDK_180],
    },
    {
      why: 'two Python interpreters run the device script with one connection string',
      protocol: 'Mqtt',
      sdks: [SDKS.python, SDKS.python],
    },
    {
      why: "a test rig opens a second connection with the device's identity",
      protocol: 'Amqp',
      sdks: [SDKS.dotnet, SDKS.dotnet],
    },
    {
      why: "a developer tool monitors C2D with the device's connection string beside the device app (two SDK strings)",
      protocol: 'Mqtt',
      sdks: [C_SDK_180, PYTHON_2121],
    },
    {
      why: 'the app was restarted without stopping the old process: two instances on one machine',
      protocol: 'AmqpWs',
      sdks: [SDKS.java, SDKS.java],
    },
  ];
  const k = setups[(seed - 1) % setups.length];
  const ip = address(s, s.r.int(60, 90));
  const d = s.device('vending-21', k.sdks[0], ip, k.protocol);
  const gapMinutes = s.r.pick([1.5, 4, 10, 20, 30]);
  const kick = k.protocol.startsWith('Amqp') ? '409002' : '400027';
  const drop = pingPong(s, d, {
    from: s.start + s.r.minutes(0, 90),
    gapMinutes,
    kick,
    addresses: [ip, ip],
    sdks: k.sdks,
    dropAfter: s.start + s.r.minutes(360, 460),
  });
  s.loss = 0.02;
  return finish(s, deviceAlert(s, d.id, drop), 0, d, drop, {
    cause: 'duplicate-identity',
    scope: 'device',
    why: `${k.why}: ${kick} right after every connect, about every ${gapMinutes} min, all from ${ip}`,
  });
}

/** The device drops, then every attempt is refused with 401003 and it never connects again. */
function refusedAfterDrop(seed) {
  const s = new Scenario('refused-after-drop', seed, `hub-refused-${seed}`);
  s.background(50);
  const reading = (seed - 1) % 3;
  let d;
  let fatal;
  let why;
  if (reading === 0) {
    // An SDK bug: the Java SDK keeps presenting the expired token.
    d = s.device('press-line-5', JAVA_1293, '92.114.3.XXX');
    const lifetime = s.r.pick([64, 65, 66]);
    let t = s.start + s.r.minutes(0, 20);
    s.connect(d, t);
    const after = s.start + s.r.minutes(240, 400);
    for (;;) {
      t += lifetime * MIN + s.r.seconds(-20, 20);
      if (t >= after) break;
      if (s.r.chance(0.5)) s.expired(d, t - s.r.seconds(1, 5));
      s.drop(d, t);
      t += s.r.seconds(8, 40);
      s.connect(d, t);
    }
    fatal = t;
    s.expired(d, fatal - s.r.seconds(1, 5));
    s.drop(d, fatal);
    for (let a = fatal + s.r.seconds(5, 40); a < s.end; a += s.r.minutes(1, 5)) s.refused(d, a);
    why = `Java SDK 1.29.3 renewed hub-side every ${lifetime} min, then after one expiry every reconnect (every 1-5 min) is refused with 401003: the SDK reuses the expired token`;
  } else if (reading === 1) {
    // Clock drift: after a blip or a reboot the device signs tokens that are already expired.
    const kind = s.r.pick(['c', 'python', 'c']);
    d = s.device('weather-st-12', SDKS[kind], '151.80.22.XXX');
    const t = s.start + s.r.minutes(0, 20);
    s.connect(d, t);
    fatal = s.start + s.r.minutes(240, 400);
    s.normalLife(d, kind, t, fatal - 2 * MIN);
    s.drop(d, fatal);
    const event = s.r.pick(['a network blip', 'a reboot']);
    for (let a = fatal + s.r.seconds(3, 60); a < s.end; a += s.r.seconds(20, 240))
      s.refused(d, a, undefined, AUTH_MESSAGES.expired);
    why = `after ${event} (404104, no 401003 beside it) every attempt from the first is refused with 401003 "token expired": the device clock is off; its sessions before were normal`;
  } else {
    // The key was changed on the hub: the hub closes the session mid-token and refuses the old key.
    d = s.device('kiosk-88', SDKS.dotnet, '84.17.40.XXX', 'Amqp');
    const lifetime = s.r.pick([65, 66, 68]);
    let t = s.start + s.r.minutes(0, 20);
    s.connect(d, t);
    const after = s.start + s.r.minutes(240, 380);
    for (;;) {
      const next = t + lifetime * MIN + s.r.seconds(-20, 20);
      if (next >= after) break;
      if (s.r.chance(0.5)) s.expired(d, next - s.r.seconds(1, 5));
      s.drop(d, next);
      t = next + s.r.seconds(8, 40);
      s.connect(d, t);
    }
    fatal = t + s.r.minutes(15, 45);
    s.expired(d, fatal - s.r.seconds(0.5, 3), undefined, AUTH_MESSAGES.signature);
    s.drop(d, fatal);
    for (let a = fatal + s.r.seconds(1, 10); a < s.end; a += s.r.seconds(5, 60))
      s.refused(d, a, undefined, AUTH_MESSAGES.signature);
    why = `key changed on the hub ${Math.round((fatal - t) / MIN)} min into a ${lifetime}-min session: 401003 and 404104, then every attempt (every 5-60 s, .NET over AMQP) refused with "invalid signature"`;
  }
  s.loss = 0.02;
  return finish(s, deviceAlert(s, d.id, fatal), 51, d, fatal, {
    cause: 'credential-rejected',
    scope: 'device',
    why,
  });
}

/** A renewal wave deep enough that `connectedDeviceCount` dips and its metric alert fires. */
function metricRenewalWave(seed) {
  const s = new Scenario('metric-renewal-wave', seed, `hub-dip-${seed}`);
  const waveDevices = s.r.int(80, 300);
  const backgroundDevices = Math.round(waveDevices * [0, 0.25, 0.8, 1.6, 2.2][(seed - 1) % 5]);
  s.background(backgroundDevices);
  const period = 60 * MIN + s.r.minutes(0, 10);
  const issued = s.start - s.r.minutes(5, 30);
  const sdk = s.r.pick([SDKS.dotnet, SDKS.java, SDKS.none]);
  const withAuth = s.r.chance(0.75);
  const ips = Array.from({ length: 12 }, (_, i) => address(s, 80 + i));
  const fleet = [];
  for (let i = 0; i < waveDevices; i++) {
    const d = s.device(`wave-${String(i).padStart(4, '0')}`, sdk, s.r.pick(ips));
    fleet.push(d);
    s.connect(d, issued + s.r.seconds(0, 40));
  }
  let lastWave;
  let lastDrop;
  for (let w = 1; issued + w * period < s.end - 15 * MIN; w++) {
    const wave = issued + w * period;
    for (const d of fleet) {
      const t = wave + s.r.seconds(0, 30);
      if (withAuth && s.r.chance(0.6)) s.expired(d, t - s.r.seconds(1, 6));
      s.drop(d, t);
      const back = t + s.r.seconds(20, 100);
      s.connect(d, back);
      s.offlineFor(d, t, back);
      if (d === fleet[0]) [lastWave, lastDrop] = [wave, t];
    }
  }
  s.loss = 0.03;
  const total = waveDevices + backgroundDevices;
  const share = waveDevices / total;
  return finish(s, dipAlert(s, lastWave, total), total, fleet[0], lastDrop, {
    cause: 'sas-token-expiry',
    scope: share >= 0.5 ? 'fleet' : 'subset',
    why: `${waveDevices} of ${total} devices (${Math.round(share * 100)} %) renew together every ${Math.round(period / MIN)} min${withAuth ? ' (401003 beside many drops)' : ''}, offline 20-100 s each wave: the count dips and recovers within two minutes; no 500xxx`,
  });
}

/** Identities that belong together: a batch whose tokens expire at once, or leaves of two gateways. */
function subsetIdentities(seed) {
  const s = new Scenario('subset-identities', seed, `hub-batch-${seed}`);
  s.background(s.r.pick([60, 120]));
  if (seed % 2 === 1) {
    const size = s.r.int(4, 12);
    const sdk = s.r.pick([SDKS.dotnet, SDKS.none]);
    const provisioned = Math.floor((s.start + s.r.minutes(200, 330)) / MIN) * MIN;
    const lifetime = s.r.pick([60, 65, 70]);
    const expiry = provisioned + lifetime * MIN;
    let alerted;
    for (let i = 0; i < size; i++) {
      const d = s.device(`batch-7-${String(i).padStart(2, '0')}`, sdk, address(s, 140 + i));
      s.connect(d, provisioned + s.r.seconds(5, 55));
      const t = expiry + s.r.seconds(5, 50);
      s.expired(d, t - s.r.seconds(1, 4));
      s.drop(d, t);
      s.offlineFor(d, t, s.end);
      if (i === 0) alerted = [d, t];
    }
    s.loss = 0.02;
    return finish(s, deviceAlert(s, alerted[0].id, alerted[1]), 0, alerted[0], alerted[1], {
      cause: 'sas-token-expiry',
      scope: 'subset',
      why: `${size} devices provisioned together (one SDK, connected within a minute) get 401003 then 404104 in the same minute ${lifetime} min later, and none reconnects or tries`,
    });
  }
  const size = s.r.int(5, 10);
  const gateways = [address(s, 10), address(s, 10)];
  let alerted;
  for (let i = 0; i < size; i++) {
    const d = s.device(`leaf-${String(i).padStart(2, '0')}`, EDGE_HUB, gateways[i % 2]);
    const drop = pingPong(s, d, {
      from: s.start + s.r.minutes(0, 30),
      gapMinutes: s.r.uniform(3, 15),
      kick: '400027',
      addresses: i % 2 === 0 ? gateways : [gateways[1], gateways[0]],
      sdks: [EDGE_HUB, EDGE_HUB],
      dropAfter: s.start + s.r.minutes(380, 460),
    });
    if (i === 0) alerted = [d, drop];
  }
  s.loss = 0.02;
  return finish(s, deviceAlert(s, alerted[0].id, alerted[1]), 0, alerted[0], alerted[1], {
    cause: 'duplicate-identity',
    scope: 'subset',
    why: `${size} leaf identities held by two gateways (${gateways.join(', ')}): each leaf's connects alternate between them with 400027 right after each connect, for hours`,
  });
}

/** The hub's daily message quota is used up: most devices are refused (403002) and dropped. */
function quota(seed) {
  const s = new Scenario('quota', seed, `hub-quota-${seed}`);
  const size = s.r.int(60, 150);
  const share = s.r.uniform(0.6, 0.95);
  const q = s.start + s.r.minutes(330, 420);
  const ips = Array.from({ length: 12 }, (_, i) => address(s, 30 + i));
  const message = (t) =>
    `Total number of messages on IotHub '${s.hub.name}' exceeded the allocated quota. Max allowed message count: 400000, current message count: ${400000 + Math.max(1, Math.round((t - q) / (2 * SEC)))}`;
  let alerted;
  let affected = 0;
  for (let i = 0; i < size; i++) {
    const kind = s.r.pick(['dotnet', 'java', 'node', 'python', 'c', 'dotnet']);
    const d = s.device(`meter-${String(i).padStart(4, '0')}`, SDKS[kind], s.r.pick(ips));
    const t0 = s.start - s.r.minutes(0, 65);
    s.connect(d, t0);
    if (s.r.next() >= share) {
      s.normalLife(d, kind, t0);
      continue;
    }
    affected++;
    const from = q + s.r.seconds(0, 240);
    s.normalLife(d, kind, t0, from - MIN);
    const drops = [];
    for (let t = from; t < s.end;) {
      if (s.r.chance(0.3)) s.telemetry(d, t - s.r.seconds(0.5, 3), '403002');
      s.row(d, t, 'deviceDisconnect', '403002', undefined, { message: message(t) });
      const drop = t + s.r.seconds(1, 3);
      s.drop(d, drop);
      const back = drop + s.r.seconds(3, 30);
      s.connect(d, back);
      s.offlineFor(d, drop, back);
      drops.push(drop);
      t = back + s.r.minutes(2, 8);
    }
    alerted ??= [d, drops[Math.min(2, drops.length - 1)]];
  }
  s.loss = 0.03;
  const alert =
    seed % 2 === 0
      ? deviceAlert(s, alerted[0].id, alerted[1])
      : dipAlert(s, q + s.r.minutes(8, 20), size);
  return finish(s, alert, size, alerted[0], alerted[1], {
    cause: 'quota-exceeded',
    scope: 'fleet',
    why: `from ${new Date(q).toISOString().slice(11, 16)} ${affected} of ${size} devices get 403002 IoTHubQuotaExceeded then 404104 every few minutes, reconnect and are refused again; no 500xxx`,
  });
}

/** Devices sending too fast: 429001 telemetry bursts, and drops on a short regular period. */
function throttling(seed) {
  const fleetWide = seed % 2 === 0;
  const s = new Scenario('throttling', seed, `hub-throttle-${seed}`);
  const cycle = (d, from, period, burst, dropAfter) => {
    let alertDrop;
    for (let t = from; t < s.end - 5 * MIN; t += period + s.r.seconds(-20, 20)) {
      for (let k = s.r.int(burst[0], burst[1]); k > 0; k--)
        s.telemetry(d, t + s.r.seconds(0, 8), '429001');
      const forced = alertDrop === undefined && t > dropAfter;
      if (!forced && !s.r.chance(0.85)) continue;
      const at = t + s.r.seconds(9, 15);
      if (s.r.chance(0.5))
        s.row(d, at - s.r.seconds(0.3, 2), 'deviceDisconnect', s.r.pick(['429001', '429002']));
      s.drop(d, at);
      const back = at + s.r.seconds(1, 10);
      s.connect(d, back);
      s.offlineFor(d, at, back);
      if (forced) alertDrop = at;
    }
    return alertDrop;
  };
  if (!fleetWide) {
    s.background(60);
    const kind = s.r.pick(['python', 'node', 'c', 'dotnet']);
    const d = s.device('flowmeter-12', SDKS[kind], '46.101.7.XXX');
    const period = s.r.pick([3, 5, 8, 12]);
    const t0 = s.start + s.r.minutes(0, 20);
    s.connect(d, t0);
    const from = s.start + s.r.minutes(60, 200);
    s.normalLife(d, kind, t0, from - MIN);
    const drop = cycle(d, from, period * MIN, [3, 15], s.start + s.r.minutes(380, 460));
    s.loss = 0.03;
    return finish(s, deviceAlert(s, d.id, drop), 61, d, drop, {
      cause: 'throttled',
      scope: 'device',
      why: `one device sends too fast: bursts of 429001 on its telemetry and a 404104 about every ${period} min (429001/429002 beside some), quick reconnects`,
    });
  }
  const size = s.r.int(60, 150);
  const share = s.r.uniform(0.6, 0.9);
  const from = s.start + s.r.minutes(380, 440);
  const ips = Array.from({ length: 12 }, (_, i) => address(s, 50 + i));
  let alerted;
  let affected = 0;
  for (let i = 0; i < size; i++) {
    const kind = s.r.pick(['dotnet', 'java', 'node', 'python', 'c', 'dotnet']);
    const d = s.device(`tracker-${String(i).padStart(4, '0')}`, SDKS[kind], s.r.pick(ips));
    const t0 = s.start - s.r.minutes(0, 65);
    s.connect(d, t0);
    if (s.r.next() >= share) {
      s.normalLife(d, kind, t0);
      continue;
    }
    affected++;
    const start = from + s.r.seconds(0, 180);
    s.normalLife(d, kind, t0, start - MIN);
    const drop = cycle(d, start, s.r.pick([4, 6, 10]) * MIN, [1, 4], start + 10 * MIN);
    alerted ??= [d, drop];
  }
  s.loss = 0.03;
  return finish(s, deviceAlert(s, alerted[0].id, alerted[1]), size, alerted[0], alerted[1], {
    cause: 'throttled',
    scope: 'fleet',
    why: `from ${new Date(from).toISOString().slice(11, 16)} ${affected} of ${size} devices send too fast (a firmware push): 429001 bursts and regular 404104 drops with quick reconnects`,
  });
}

/** The identity is gone from the hub: every reconnect is refused as an unknown device. */
function deviceRemoved(seed) {
  const s = new Scenario('device-removed', seed, `hub-removed-${seed}`);
  s.background(50);
  const variants = [
    { why: 'the identity was deleted', notFoundFirst: true, refusal: '404001' },
    { why: 'the identity was deleted or disabled', notFoundFirst: false, refusal: '404001' },
    {
      why: 'DPS re-provisioned the device to another hub',
      notFoundFirst: false,
      refusal: '401003',
    },
    { why: 'the identity was deleted', notFoundFirst: true, refusal: '401003' },
  ];
  const v = variants[(seed - 1) % variants.length];
  const kind = s.r.pick(['dotnet', 'java', 'python', 'node']);
  const d = s.device('cold-room-3', SDKS[kind], '178.62.9.XXX');
  const t0 = s.start + s.r.minutes(0, 20);
  s.connect(d, t0);
  const removed = s.start + s.r.minutes(240, 420);
  s.normalLife(d, kind, t0, removed - 2 * MIN);
  const notFound = `The device '${d.id}' does not exist on IotHub '${s.hub.name}'`;
  const notContained = `IotHub '${s.hub.name}' does not contain the specified device '${d.id}'`;
  if (v.notFoundFirst)
    s.row(d, removed - s.r.seconds(0.5, 2), 'deviceDisconnect', '404001', undefined, {
      message: notFound,
    });
  s.drop(d, removed);
  const [lo, hi] = s.r.pick([
    [5, 30],
    [30, 120],
    [60, 300],
  ]);
  for (let a = removed + s.r.seconds(2, 30); a < s.end; a += s.r.seconds(lo, hi)) {
    s.row(d, a, 'deviceConnect', v.refusal, undefined, {
      message: v.refusal === '404001' ? notFound : notContained,
    });
  }
  s.loss = 0.02;
  return finish(s, deviceAlert(s, d.id, removed), 51, d, removed, {
    cause: 'device-removed',
    scope: 'device',
    why: `${v.why}: ${v.notFoundFirst ? '404001 then ' : ''}404104, then every attempt (every ${lo}-${hi} s) refused with ${v.refusal === '404001' ? '404001 DeviceNotFound' : '401003 "does not contain the specified device"'}; no connect after`,
  });
}

/** Nothing to read: no Connections rows for the hub, or none for the alerted device. */
function noLogs(seed) {
  const s = new Scenario('no-logs', seed, `hub-silent-${seed}`);
  const variant = (seed - 1) % 4;
  const alerted = { id: 'chiller-31' };
  const at = s.start + s.r.minutes(300, 420);
  let why;
  if (variant === 0) {
    const lab = {
      name: `hub-lab-${seed}`,
      lower: `/subscriptions/${SUBSCRIPTION}/resourcegroups/iot-lab/providers/microsoft.devices/iothubs/hub-lab-${seed}`,
    };
    s.background(60, 'lab', lab);
    // The lab hub has a device of the same name that drops: not the alerted hub's.
    const twin = s.device('chiller-31', SDKS.dotnet, '62.4.19.XXX', 'Mqtt', lab);
    s.connect(twin, s.start + s.r.minutes(0, 10));
    s.drop(twin, at);
    s.connect(twin, at + s.r.seconds(10, 40));
    why = `the workspace holds only another hub's rows (${lab.name}, with its own chiller-31): the alerted hub sends no Connections logs here`;
  } else if (variant === 1) {
    why =
      'the workspace holds no Connections rows at all: no diagnostic setting, or logs not ingested yet';
  } else if (variant === 2) {
    s.background(60);
    why = 'the hub logs normally, but the alerted device has no rows: its logs are late';
  } else {
    s.background(60);
    const spelled = s.device('chiller_31', SDKS.dotnet, '62.4.19.XXX');
    const t0 = s.start + s.r.minutes(0, 10);
    s.connect(spelled, t0);
    s.normalLife(spelled, 'dotnet', t0);
    why =
      'the hub logs normally, but the alert names chiller-31 and the rows say chiller_31: the alert splits on another spelling';
  }
  s.loss = 0.02;
  return finish(s, deviceAlert(s, alerted.id, at), 60, alerted, at, {
    cause: 'unknown',
    scope: 'device',
    why,
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
  'two-clients-one-address': twoClientsOneAddress,
  'refused-after-drop': refusedAfterDrop,
  'metric-renewal-wave': metricRenewalWave,
  'subset-identities': subsetIdentities,
  quota,
  throttling,
  'device-removed': deviceRemoved,
  'no-logs': noLogs,
};

export const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** The seeds of a family: `identity` alternates between two families, so it runs twice as many. */
export function seedsOf(name) {
  return name === 'identity' ? [...SEEDS, ...SEEDS.map((seed) => seed + SEEDS.length)] : SEEDS;
}

/** Writes every scenario under `dir/<family>-<seed>/`; returns their folders and expectations. */
export function writeScenarios(dir) {
  const written = [];
  for (const [name, build] of Object.entries(FAMILIES)) {
    for (const seed of seedsOf(name)) {
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
