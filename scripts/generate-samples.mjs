#!/usr/bin/env node
/**
 * Generates the sample workspace, metrics, alert payloads and test fixtures for the IoT Hub
 * disconnect scenario of 2026-11-20 (UTC). Deterministic: a seeded PRNG (mulberry32) drives every
 * random choice, so every run writes byte-identical files.
 *
 *   node scripts/generate-samples.mjs      (npm run samples)
 *   node scripts/generate-samples.mjs --scenarios DIR
 *       writes the scenario families of scripts/scenarios.mjs (for `npm run eval`) to DIR instead
 *
 * Writes samples/workspace, samples/metrics, samples/alerts, samples/README.md,
 * test/fixtures/logs, test/fixtures/alerts and test/fixtures/metrics.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { mulberry32 } from './seededRandom.cjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEED = 20261120;

const scenariosAt = process.argv.indexOf('--scenarios');
if (scenariosAt !== -1) {
  const { writeScenarios } = await import('./scenarios.mjs');
  const target = process.argv[scenariosAt + 1] ?? join(ROOT, 'dist', 'scenarios');
  console.log(`${writeScenarios(target).length} scenarios written to ${target}`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

const SEC = 1000;
const MIN = 60 * SEC;
const DAY_START = Date.UTC(2026, 10, 20);
const START = DAY_START;
const END = DAY_START + 8 * 60 * MIN;

/** `hh:mm:ss.fff` on the scenario day → epoch ms. */
function at(hms) {
  const [h, m, s] = hms.split(':');
  return DAY_START + Number(h) * 3600 * SEC + Number(m) * MIN + Math.round(Number(s) * SEC);
}

function iso(ms) {
  return new Date(ms).toISOString();
}

/** ISO 8601 without milliseconds (alert windows, metric time stamps). */
function isoSeconds(ms) {
  return iso(ms).replace(/\.\d{3}Z$/, 'Z');
}

/** ISO 8601 with seven fractional digits, as .NET writes them (firedDateTime, link time spans). */
function iso7(ms, extraDigits = '0000') {
  return iso(ms).replace(/Z$/, `${extraDigits}Z`);
}

function hhmmss(ms) {
  return iso(ms).slice(11, 19);
}

function hhmmssfff(ms) {
  return iso(ms).slice(11, 23);
}

/** `11/20/2026, 1:05:03.123 AM`: the Log Analytics portal's CSV export form (UTC). */
function portalCsvTime(ms) {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  const fff = String(d.getUTCMilliseconds()).padStart(3, '0');
  const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  return `${date}, ${h12}:${mm}:${ss}.${fff} ${h < 12 ? 'AM' : 'PM'}`;
}

/** `11/20/2026 5:00:00 AM`: the older log alert payload form. */
function legacyAlertTime(ms) {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  return `${date} ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** An independent random stream per purpose, so one scenario's draws never shift another's. */
function rngFor(name) {
  const next = mulberry32(fnv1a(name) ^ SEED);
  const uniform = (lo, hi) => lo + (hi - lo) * next();
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(next() * 16)];
    return s;
  };
  return {
    next,
    uniform,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    /** Milliseconds in [lo, hi] seconds. */
    seconds: (lo, hi) => Math.round(uniform(lo, hi) * SEC),
    /** Milliseconds in [lo, hi] minutes. */
    minutes: (lo, hi) => Math.round(uniform(lo, hi) * MIN),
    guid: () =>
      `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`,
    digits: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += String(Math.floor(next() * 10));
      return s;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Azure resources
// ---------------------------------------------------------------------------------------------

const SUBSCRIPTION = '3f2d4487-b0fc-4125-8bd5-7ad17384221e';
const AAD_TENANT = 'c4a1e8d2-6b3f-4f7a-9d25-0e8b1f6a3c97';
const WORKSPACE_GUID = 'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6';
const WORKSPACE_ARM =
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/monitoring/providers/` +
  'Microsoft.OperationalInsights/workspaces/law-contoso-fleet';
const WORKSPACE_ID_LOWER = WORKSPACE_ARM.toLowerCase();

function hub(resourceGroup, name, location) {
  const canonical =
    `/subscriptions/${SUBSCRIPTION}/resourceGroups/${resourceGroup}/providers/` +
    `Microsoft.Devices/IotHubs/${name}`;
  return {
    name,
    resourceGroup,
    location,
    canonical,
    lower: canonical.toLowerCase(),
    upper: canonical.toUpperCase(),
  };
}

const FLEET_HUB = hub('iot-prod', 'contoso-fleet-hub', 'westeurope');
const LAB_HUB = hub('iot-lab', 'contoso-lab-hub', 'northeurope');

// ---------------------------------------------------------------------------------------------
// Log records (AzureDiagnostics)
// ---------------------------------------------------------------------------------------------

const MESSAGES = {
  404104: 'Device disconnected, see cause and resolution at https://aka.ms/iothub404104',
  401003: 'Authentication failed for this device, renew token or certificate and reconnect',
  400027:
    'The connection was closed because another client connected with the same device identity',
  500001: 'An internal server error occurred, retry the operation',
  500008: 'The connection request timed out before it could be completed',
  429001: 'ThrottlingException',
};
const DESCRIPTIONS = {
  404104: 'DeviceConnectionClosedRemotely',
  401003: 'IoTHubUnauthorized',
  400027: 'ConnectionForcefullyClosedOnNewConnection',
  500001: 'ServerError',
  500008: 'GenericTimeout',
  429001: 'ThrottlingException',
};
const AUTH_TYPE_JSON = JSON.stringify({
  scope: 'device',
  type: 'sas',
  issuer: 'iothub',
  acceptingIpFilterRule: null,
});

/** Every generated event, in generation order. `hub` is FLEET_HUB or LAB_HUB. */
const events = [];

function emit(event) {
  if (event.time < START || event.time >= END) return null;
  events.push(event);
  return event;
}

function connectionProps(device, ip, withSdk, code) {
  const props = { deviceId: device.id };
  if (withSdk) props.sdkVersion = device.sdkVersion;
  props.protocol = device.protocol;
  props.authType = null;
  props.maskedIpAddress = ip;
  props.statusCode = code ? code.slice(0, 3) : null;
  props.errorMessage = code ? MESSAGES[code] : '';
  return props;
}

function connectionEvent(device, time, op, code, ip, withSdk) {
  return emit({
    hub: device.hub,
    time,
    category: 'Connections',
    operationName: op,
    level: code ? 'Error' : 'Information',
    resultType: code ?? '',
    resultDescription: code ? DESCRIPTIONS[code] : '',
    props: connectionProps(device, ip ?? device.ip, withSdk, code),
  });
}

const connected = (d, t, ip) => connectionEvent(d, t, 'deviceConnect', null, ip, true);
const connectFailed = (d, t, code, ip) => connectionEvent(d, t, 'deviceConnect', code, ip, true);
const disconnectedCleanly = (d, t, ip) =>
  connectionEvent(d, t, 'deviceDisconnect', null, ip, false);
const dropped = (d, t, code, ip) => connectionEvent(d, t, 'deviceDisconnect', code, ip, false);

function twinOperation(device, time, op) {
  return emit({
    hub: device.hub,
    time,
    category: 'D2CTwinOperations',
    operationName: op,
    level: 'Information',
    resultType: '',
    resultDescription: '',
    props: {
      deviceId: device.id,
      protocol: device.protocol,
      authenticationType: AUTH_TYPE_JSON,
      sdkVersion: device.sdkVersion,
    },
  });
}

function throttled(device, time, rng) {
  const enqueued = time - rng.int(20, 900);
  return emit({
    hub: device.hub,
    time,
    category: 'DeviceTelemetry',
    operationName: 'ingress',
    level: 'Error',
    resultType: '429001',
    resultDescription: DESCRIPTIONS[429001],
    props: {
      deviceId: device.id,
      batching: '0',
      messageSizeInBytes: String(rng.int(180, 2400)),
      EventProcessedUtcTime: iso7(time, rng.digits(4)),
      EventEnqueuedUtcTime: iso7(enqueued, rng.digits(4)),
      partitionId: String(rng.int(0, 3)),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Devices and SDKs
// ---------------------------------------------------------------------------------------------

/** Masked public IPs per site: devices at one site share a NAT address. */
const SITES = [
  { name: 'rotterdam-plant', ips: ['24.9.142.XXX'] },
  { name: 'antwerp-depot', ips: ['73.162.215.XXX'] },
  { name: 'hamburg-yard', ips: ['81.2.69.XXX', '81.2.70.XXX'] },
  { name: 'lyon-warehouse', ips: ['92.40.17.XXX'] },
  { name: 'milan-office', ips: ['145.14.88.XXX'] },
  { name: 'gdansk-terminal', ips: ['188.146.3.XXX'] },
];

function dotnetSdk(rng, version) {
  const runtime = rng.pick(['.NET 8.0.11', '.NET 8.0.10', '.NET 6.0.33']);
  const os = rng.pick([
    'Linux 5.15.0-1057-azure #65-Ubuntu SMP Tue Feb 27 18:10:35 UTC 2024',
    'Linux 6.1.0-26-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.112-1 (2024-09-30)',
    'Microsoft Windows 10.0.19045',
  ]);
  const guid = rng.guid().toUpperCase();
  return `.NET/${version} (${runtime}; ${os}; X64; {${guid}})`;
}

const SDKS = {
  dotnet: (rng) => dotnetSdk(rng, rng.pick(['1.42.3', '1.42.3', '1.41.2', '1.39.1'])),
  java: (rng) =>
    `com.microsoft.azure.sdk.iot.iot-device-client/${rng.pick(['2.4.1', '2.4.1', '2.3.0'])}`,
  node: (rng) =>
    `azure-iot-device/${rng.pick(['1.18.4', '1.18.4', '1.18.3'])} (node ${rng.pick([
      'v18.19.0',
      'v20.11.1',
    ])}; Linux 5.15.0-1057-azure; x64)`,
  c: (rng) => `iothubclient/${rng.pick(['1.14.0', '1.13.0'])} (native; Linux; x86_64)`,
  python: (rng) => `azure-iot-device-iothub-py/${rng.pick(['2.13.1', '2.13.1', '2.12.0'])}`,
};

/** How each SDK renews its SAS token over MQTT (iothub-disconnects.md §4.2). */
const RENEWAL = {
  dotnet: { kind: 'hub' },
  java: { kind: 'hub' },
  node: { kind: 'timer', periodMin: 45 },
  python: { kind: 'timer', periodMin: 58 },
  c: { kind: 'connect', periodMin: 48 },
};

function makeDevice(id, sdk, protocol, ip, sdkVersion, hubRef = FLEET_HUB) {
  const renewal = protocol === 'Amqp' ? { kind: 'none' } : RENEWAL[sdk];
  return { id, sdk, protocol, ip, sdkVersion, renewal, hub: hubRef, outages: [], offline: [] };
}

/** Connection-less periods, used to compute connectedDeviceCount. */
function offline(device, from, to) {
  device.offline.push([from, to]);
}

// ---------------------------------------------------------------------------------------------
// Background fleet
// ---------------------------------------------------------------------------------------------

const FLEET_SIZE = 150;
const fleetRng = rngFor('fleet');
const SDK_WEIGHTS = [
  ['dotnet', 0.36],
  ['java', 0.08],
  ['node', 0.2],
  ['c', 0.12],
  ['python', 0.24],
];

function pickSdk(rng) {
  let r = rng.next();
  for (const [sdk, w] of SDK_WEIGHTS) {
    if (r < w) return sdk;
    r -= w;
  }
  return 'python';
}

const sensors = [];
for (let i = 1; i <= FLEET_SIZE; i++) {
  const id = `sensor-${String(i).padStart(4, '0')}`;
  let sdk = pickSdk(fleetRng);
  if (id === 'sensor-0017') sdk = 'python'; // its only 404104 is the incident
  const site = fleetRng.pick(SITES);
  const ip = fleetRng.pick(site.ips);
  let protocol = 'Mqtt';
  if (sdk === 'dotnet' && fleetRng.chance(0.28)) protocol = 'Amqp';
  if (sdk === 'node' && fleetRng.chance(0.1)) protocol = 'Amqp';
  if (id === 'sensor-0017') protocol = 'Mqtt';
  const device = makeDevice(id, sdk, protocol, ip, SDKS[sdk](fleetRng));
  device.site = site.name;
  sensors.push(device);
}

// --- Hub-side incident: 05:12-05:17, ~80 % of the sensors drop, 500xxx on reconnects ---------

const INCIDENT = {
  firstDrop: at('05:12:04'),
  lastDrop: at('05:14:54'),
  /** Until then connect attempts fail with 500001 / 500008. */
  unhealthyUntil: at('05:17:20'),
};
const incidentRng = rngFor('incident');
const FORCED_INCIDENT = {
  'sensor-0017': {
    drop: at('05:12:38.214'),
    failures: [
      [at('05:12:46.903'), '500008'],
      [at('05:13:29.517'), '500001'],
    ],
    reconnect: at('05:21:47.062'),
  },
};

for (const device of sensors) {
  const forced = FORCED_INCIDENT[device.id];
  if (!forced && !incidentRng.chance(0.84)) continue;
  let outage = forced;
  if (!outage) {
    const span = INCIDENT.lastDrop - INCIDENT.firstDrop;
    const drop = INCIDENT.firstDrop + Math.round(span * Math.pow(incidentRng.next(), 1.4));
    const reconnect = drop + incidentRng.minutes(5, 15);
    const failures = [];
    let attempt = drop + incidentRng.seconds(4, 12);
    const tries = incidentRng.pick([0, 1, 1, 2, 2, 3]);
    for (let k = 0; k < tries && attempt < INCIDENT.unhealthyUntil; k++) {
      failures.push([attempt, incidentRng.chance(0.55) ? '500001' : '500008']);
      attempt += incidentRng.seconds(15 * 2 ** k, 40 * 2 ** k);
    }
    outage = { drop, failures, reconnect };
  }
  device.outages.push({ kind: 'incident', start: outage.drop, end: outage.reconnect, ...outage });
}

// --- A few random device-side drops (network), away from the incident -----------------------

const noiseRng = rngFor('random-drops');
for (let n = 0; n < 10; n++) {
  const device = noiseRng.pick(sensors.filter((d) => d.id !== 'sensor-0017'));
  const inMorning = noiseRng.chance(0.6);
  const drop = inMorning
    ? at('00:20:00') + noiseRng.minutes(0, 270)
    : at('05:45:00') + noiseRng.minutes(0, 115);
  const reconnect = drop + noiseRng.minutes(1, 20);
  const clash = device.outages.some((o) => drop < o.end + 5 * MIN && reconnect > o.start - 5 * MIN);
  if (clash) continue;
  device.outages.push({
    kind: 'network',
    start: drop,
    end: reconnect,
    drop,
    failures: [],
    reconnect,
  });
}

function emitOutage(device, outage) {
  dropped(device, outage.drop, '404104');
  for (const [time, code] of outage.failures) connectFailed(device, time, code);
  connected(device, outage.reconnect);
  offline(device, outage.drop, outage.reconnect);
}

/** The outage (if any) that a renewal at `time` would run into. */
function clashingOutage(device, time, before, after) {
  return device.outages.find((o) => time > o.start - before && time < o.end + after);
}

/** SAS renewal, hub-initiated (.NET / Java over MQTT): 401003 (sometimes), 404104, reconnect. */
function hubSideRenewal(device, rng, time, with401003) {
  let drop = time;
  if (with401003) {
    dropped(device, time, '401003');
    drop = time + rng.seconds(1.5, 7);
  }
  dropped(device, drop, '404104');
  const reconnect = drop + rng.seconds(10, 50);
  connected(device, reconnect);
  offline(device, time, reconnect);
  return reconnect;
}

/** SAS renewal, client-initiated (Node / C / Python over MQTT): clean disconnect, reconnect. */
function clientSideRenewal(device, rng, time) {
  disconnectedCleanly(device, time);
  const reconnect = time + rng.seconds(1.2, 6);
  connected(device, reconnect);
  offline(device, time, reconnect);
  return reconnect;
}

const graceMs = (rng) => 60 * MIN + rng.minutes(3.8, 5.6);

/** While the hub is degraded, devices it did not drop see no renewals (and no successful reconnects). */
const duringIncident = (time) => time >= at('05:10:30') && time < INCIDENT.unhealthyUntil;
const afterIncident = (rng) => INCIDENT.unhealthyUntil + rng.minutes(0.2, 3);

function simulateRenewals(device, rng) {
  const renewal = device.renewal;
  if (renewal.kind === 'hub') {
    let next = START + rng.minutes(1, 66);
    while (next < END) {
      const clash = clashingOutage(device, next, 3 * MIN, MIN);
      if (clash) {
        next = clash.end + graceMs(rng);
        continue;
      }
      if (duringIncident(next)) {
        next = afterIncident(rng);
        continue;
      }
      const reconnect = hubSideRenewal(device, rng, next, rng.chance(0.62));
      next = reconnect + graceMs(rng);
    }
  } else if (renewal.kind === 'timer') {
    const period = renewal.periodMin * MIN;
    for (let tick = START + rng.minutes(0, renewal.periodMin); tick < END;) {
      if (!clashingOutage(device, tick, MIN, MIN) && !duringIncident(tick)) {
        clientSideRenewal(device, rng, tick);
      }
      tick += period + rng.seconds(-1, 1);
    }
  } else if (renewal.kind === 'connect') {
    const period = renewal.periodMin * MIN;
    let next = START + rng.minutes(0, renewal.periodMin);
    while (next < END) {
      const clash = clashingOutage(device, next, MIN, MIN);
      if (clash) {
        next = clash.end + period + rng.seconds(0.2, 3);
        continue;
      }
      if (duringIncident(next)) {
        next = afterIncident(rng);
        continue;
      }
      const reconnect = clientSideRenewal(device, rng, next);
      next = reconnect + period + rng.seconds(0.2, 3);
    }
  }
}

const twinRng = rngFor('twin');
for (const device of sensors) {
  const rng = rngFor(`renewals:${device.id}`);
  for (const outage of device.outages) emitOutage(device, outage);
  simulateRenewals(device, rng);
}

// Twin reads after a few reconnects: other-category rows the reader must skip.
for (const event of [...events]) {
  if (event.operationName !== 'deviceConnect' || event.level !== 'Information') continue;
  if (!twinRng.chance(0.04)) continue;
  const device = sensors.find((d) => d.id === event.props.deviceId);
  if (device) twinOperation(device, event.time + twinRng.seconds(0.4, 2.5), 'read');
}

// Throttling burst on four sensors (DeviceTelemetry 429001), 03:10-03:14.
{
  const rng = rngFor('throttling');
  const burst = sensors.slice(30, 34);
  for (let k = 0; k < 12; k++) {
    throttled(burst[k % burst.length], at('03:10:05') + rng.seconds(0, 215), rng);
  }
}

// ---------------------------------------------------------------------------------------------
// thermostat-0042: the clean SAS-renewal story (.NET, MQTT, hub-side renewal every ~65 min)
// ---------------------------------------------------------------------------------------------

const thermostat = makeDevice(
  'thermostat-0042',
  'dotnet',
  'Mqtt',
  '24.9.142.XXX',
  '.NET/1.42.3 (.NET 8.0.11; Linux 5.15.0-1057-azure #65-Ubuntu SMP Tue Feb 27 18:10:35 UTC 2024; X64; {6B0E5C2F-91D4-4A7E-B3C8-2F7D1E4A9C05})',
);
/** [404104 time, 401003 seconds before it (0 = none), reconnect seconds after it]. */
const THERMOSTAT_CYCLES = [
  ['00:38:12.412', 2.6, 27.9],
  ['01:43:55.087', 0, 24.6],
  ['02:49:31.730', 3.1, 21.2],
  ['03:54:02.268', 4.8, 33.5],
  ['04:59:48.941', 0, 22.8],
  ['06:05:37.153', 2.2, 21.4],
  ['07:10:44.602', 3.9, 35.1],
];
const thermostatStory = [];
{
  const rng = rngFor('thermostat');
  for (const [dropAt, before401, reconnectAfter] of THERMOSTAT_CYCLES) {
    const drop = at(dropAt);
    const first = before401 > 0 ? drop - Math.round(before401 * SEC) : drop;
    if (before401 > 0) dropped(thermostat, first, '401003');
    dropped(thermostat, drop, '404104');
    const reconnect = drop + Math.round(reconnectAfter * SEC);
    connected(thermostat, reconnect);
    twinOperation(thermostat, reconnect + rng.seconds(1.5, 4), 'update');
    offline(thermostat, first, reconnect);
    thermostatStory.push({ unauthorized: before401 > 0 ? first : null, drop, reconnect });
  }
}

// ---------------------------------------------------------------------------------------------
// pump-station-7: flaky cellular link, old Node SDK (device-or-network)
// ---------------------------------------------------------------------------------------------

const PUMP_IPS = { A: '37.228.235.XXX', B: '37.228.241.XXX', C: '77.111.246.XXX' };
const pump = makeDevice(
  'pump-station-7',
  'node',
  'Mqtt',
  PUMP_IPS.A,
  'azure-iot-device/1.17.1 (node v10.16.0; Linux 4.9.140-tegra; arm64)',
);
/** [404104 time, reconnect delay in minutes, masked IP after the reconnect]. */
const PUMP_DROPS = [
  ['01:12:44.318', 2.3, 'A'],
  ['01:19:51.602', 13.8, 'B'],
  ['01:57:30.145', 3.6, 'B'],
  ['02:09:58.877', 24.7, 'C'],
  ['03:45:11.503', 7.2, 'C'],
  ['04:22:36.224', 18.7, 'A'],
  ['05:31:40.769', 8.5, 'B'],
  ['06:14:27.091', 4.1, 'C'],
  ['07:03:50.436', 21.0, 'A'],
];
const pumpStory = [];
{
  const rng = rngFor('pump');
  let ip = PUMP_IPS.A;
  const drops = PUMP_DROPS.map(([dropAt, delayMin, next]) => {
    const drop = at(dropAt);
    const reconnect = drop + Math.round(delayMin * MIN) + rng.int(0, 999);
    return { drop, reconnect, ipBefore: '', ipAfter: PUMP_IPS[next] };
  });
  for (const d of drops) {
    d.ipBefore = ip;
    ip = d.ipAfter;
    pump.outages.push({ kind: 'network', start: d.drop, end: d.reconnect });
  }
  const ipAt = (time) => {
    let current = PUMP_IPS.A;
    for (const d of drops) if (d.reconnect <= time) current = d.ipAfter;
    return current;
  };
  for (const d of drops) {
    dropped(pump, d.drop, '404104', d.ipBefore);
    connected(pump, d.reconnect, d.ipAfter);
    twinOperation(pump, d.reconnect + rng.seconds(0.8, 3), 'read');
    offline(pump, d.drop, d.reconnect);
    pumpStory.push(d);
  }
  // Node renews its SAS token on a 45-minute timer: clean disconnect + connect when online.
  for (let tick = at('00:05:30.214'); tick < END; tick += 45 * MIN + rng.int(0, 600)) {
    if (clashingOutage(pump, tick, MIN, MIN)) continue;
    const ipNow = ipAt(tick);
    disconnectedCleanly(pump, tick, ipNow);
    const reconnect = tick + rng.seconds(1.5, 4.5);
    connected(pump, reconnect, ipNow);
    offline(pump, tick, reconnect);
  }
}

// ---------------------------------------------------------------------------------------------
// gateway-dup-3: two clients share one identity for an hour (400027, alternating IPs)
// ---------------------------------------------------------------------------------------------

const GATEWAY_IPS = { original: '81.2.69.XXX', clone: '92.40.17.XXX' };
const gateway = makeDevice(
  'gateway-dup-3',
  'c',
  'Mqtt',
  GATEWAY_IPS.original,
  'iothubclient/1.13.0 (native; Linux; armv7l)',
);
const gatewayStory = { clashes: [], drops: [], first: 0, last: 0 };
{
  const rng = rngFor('gateway');
  const dupStart = at('02:01:17.604');
  const dupEnd = at('02:59:00');
  /** Iterations (1-based) at which the current holder drops with 404104 before the other connects. */
  const dropBeforeConnect = new Set([4, 9]);
  let holder = 'original';
  let t = dupStart;
  let n = 0;
  let lastOriginalConnect = 0;
  while (t < dupEnd || holder === 'clone') {
    n++;
    const other = holder === 'original' ? 'clone' : 'original';
    if (dropBeforeConnect.has(n)) {
      const drop = t - rng.seconds(25, 50);
      dropped(gateway, drop, '404104', GATEWAY_IPS[holder]);
      gatewayStory.drops.push({ time: drop, ip: GATEWAY_IPS[holder] });
      connected(gateway, t, GATEWAY_IPS[other]);
    } else {
      connected(gateway, t, GATEWAY_IPS[other]);
      const kicked = t + rng.int(250, 900);
      dropped(gateway, kicked, '400027', GATEWAY_IPS[holder]);
      gatewayStory.clashes.push({ time: kicked, kickedIp: GATEWAY_IPS[holder] });
    }
    if (other === 'original') lastOriginalConnect = t;
    holder = other;
    t += rng.minutes(2, 6);
  }
  gatewayStory.first = dupStart;
  gatewayStory.last = lastOriginalConnect;
  gateway.outages.push({ kind: 'duplicate', start: dupStart, end: lastOriginalConnect });
  // The C SDK reconnects with a fresh SAS token every 48 minutes (clean disconnect + connect).
  let next = at('00:21:07.512');
  while (next < END) {
    const clash = clashingOutage(gateway, next, MIN, MIN);
    if (clash) {
      next = clash.end + 48 * MIN + rng.seconds(0.2, 3);
      continue;
    }
    const reconnect = clientSideRenewal(gateway, rng, next);
    next = reconnect + 48 * MIN + rng.seconds(0.2, 3);
  }
}

// ---------------------------------------------------------------------------------------------
// meter-19: credential rejected after a drop (401003 on every connect attempt, never back)
// ---------------------------------------------------------------------------------------------

const meter = makeDevice(
  'meter-19',
  'dotnet',
  'Mqtt',
  '145.14.88.XXX',
  '.NET/1.41.2 (.NET 6.0.33; Linux 5.10.0-26-arm64 #1 SMP Debian 5.10.197-1 (2023-09-29); Arm64; {0D3A8B71-5E2C-4F96-A1D4-7C9E3B6F2A80})',
);
const meterStory = { renewals: [], drop: 0, attempts: [] };
{
  const rng = rngFor('meter');
  // Normal hub-side renewals before the key was regenerated on the hub.
  for (const [dropAt, before401, after] of [
    ['00:27:51.446', 3.4, 31.2],
    ['01:33:20.915', 0, 18.3],
    ['02:38:49.270', 2.7, 26.0],
  ]) {
    const drop = at(dropAt);
    const first = before401 > 0 ? drop - Math.round(before401 * SEC) : drop;
    if (before401 > 0) dropped(meter, first, '401003');
    dropped(meter, drop, '404104');
    const reconnect = drop + Math.round(after * SEC);
    connected(meter, reconnect);
    offline(meter, first, reconnect);
    meterStory.renewals.push(drop);
  }
  meterStory.drop = at('03:44:21.337');
  dropped(meter, meterStory.drop, '404104');
  offline(meter, meterStory.drop, END);
  for (let t = meterStory.drop + rng.seconds(6, 12); t < END; t += rng.minutes(1, 5)) {
    connectFailed(meter, t, '401003');
    meterStory.attempts.push(t);
  }
}

// ---------------------------------------------------------------------------------------------
// Another hub in the same workspace (must be filtered out)
// ---------------------------------------------------------------------------------------------

{
  const rng = rngFor('lab');
  const labThermostat = makeDevice(
    'thermostat-0042',
    'dotnet',
    'Mqtt',
    '52.174.9.XXX',
    '.NET/1.42.3 (.NET 8.0.11; Microsoft Windows 10.0.22631; X64; {A9C41E07-3B6D-4E25-8F1A-6D0B2C7E5F93})',
    LAB_HUB,
  );
  const labSim = (n) =>
    makeDevice(
      `lab-sim-0${n}`,
      'node',
      'Mqtt',
      '52.174.9.XXX',
      'azure-iot-device/1.18.4 (node v20.11.1; Linux 6.5.0-1025-azure; x64)',
      LAB_HUB,
    );
  for (const dropAt of ['02:12:10.503', '04:31:55.120', '06:04:51.877']) {
    const drop = at(dropAt);
    dropped(labThermostat, drop, '404104');
    connected(labThermostat, drop + rng.seconds(12, 40));
  }
  const sim1 = labSim(1);
  dropped(sim1, at('05:13:20.441'), '404104');
  connected(sim1, at('05:13:51.006'));
  const sim2 = labSim(2);
  for (const tickAt of ['01:02:11.310', '01:47:11.702', '03:33:40.045']) {
    disconnectedCleanly(sim2, at(tickAt));
    connected(sim2, at(tickAt) + rng.seconds(1.5, 4));
  }
}

// ---------------------------------------------------------------------------------------------
// Rows, duplicates, arrival order
// ---------------------------------------------------------------------------------------------

const COLUMNS = [
  ['TenantId', 'string'],
  ['TimeGenerated', 'datetime'],
  ['ResourceId', 'string'],
  ['Category', 'string'],
  ['ResourceGroup', 'string'],
  ['SubscriptionId', 'string'],
  ['ResourceProvider', 'string'],
  ['Resource', 'string'],
  ['ResourceType', 'string'],
  ['OperationName', 'string'],
  ['ResultType', 'string'],
  ['ResultDescription', 'string'],
  ['Level', 'string'],
  ['location_s', 'string'],
  ['properties_s', 'string'],
  ['SourceSystem', 'string'],
  ['Type', 'string'],
  ['_ResourceId', 'string'],
];

function toRow(event) {
  const h = event.hub;
  return {
    TenantId: WORKSPACE_GUID,
    TimeGenerated: iso(event.time),
    ResourceId: h.upper,
    Category: event.category,
    ResourceGroup: h.resourceGroup.toUpperCase(),
    SubscriptionId: SUBSCRIPTION.toUpperCase(),
    ResourceProvider: 'MICROSOFT.DEVICES',
    Resource: h.name.toUpperCase(),
    ResourceType: 'IOTHUBS',
    OperationName: event.operationName,
    ResultType: event.resultType,
    ResultDescription: event.resultDescription,
    Level: event.level,
    location_s: h.location,
    properties_s: JSON.stringify(event.props),
    SourceSystem: 'Azure',
    Type: 'AzureDiagnostics',
    _ResourceId: h.lower,
  };
}

const isEvent = (e, hubRef, deviceId, resultType) =>
  e.hub === hubRef && e.props.deviceId === deviceId && e.resultType === resultType;

/** Exact duplicate rows (ingested twice). */
const duplicated = [
  events.find(
    (e) => isEvent(e, FLEET_HUB, 'thermostat-0042', '404104') && e.time === at('03:54:02.268'),
  ),
  events.find(
    (e) => isEvent(e, FLEET_HUB, 'pump-station-7', '404104') && e.time === at('03:45:11.503'),
  ),
  events.find((e) => isEvent(e, FLEET_HUB, 'gateway-dup-3', '400027')),
  events.find(
    (e) => isEvent(e, FLEET_HUB, 'meter-19', '401003') && e.operationName === 'deviceConnect',
  ),
];
{
  const rng = rngFor('duplicates');
  const sensorEvents = events.filter(
    (e) => e.props.deviceId.startsWith('sensor-0') && e.props.deviceId !== 'sensor-0017',
  );
  for (let k = 0; k < 4; k++) duplicated.push(rng.pick(sensorEvents));
}

/** Arrival order: event time plus an ingestion delay, so rows are close to, not strictly, sorted. */
function arrivalOrder(list, rngName) {
  const rng = rngFor(rngName);
  return list
    .map((event, index) => {
      let delay = 15 * SEC - Math.log(1 - rng.next()) * 45 * SEC;
      if (rng.chance(0.03)) delay += rng.minutes(2, 8);
      return { event, index, arrival: event.time + delay };
    })
    .sort((a, b) => a.arrival - b.arrival || a.index - b.index)
    .map((x) => x.event);
}

const allEvents = arrivalOrder([...events, ...duplicated], 'arrival');
const allRows = allEvents.map(toRow);

// ---------------------------------------------------------------------------------------------
// Metrics: connectedDeviceCount (PT1M, average/minimum/maximum) from the fleet hub's devices
// ---------------------------------------------------------------------------------------------

const fleetDevices = [...sensors, thermostat, pump, gateway, meter];

function connectedAt(time) {
  let count = 0;
  for (const d of fleetDevices) {
    if (!d.offline.some(([from, to]) => time >= from && time < to)) count++;
  }
  return count;
}

const metricPoints = [];
for (let minute = START; minute < END; minute += MIN) {
  const samples = [];
  for (let s = 0; s < 60; s += 10) samples.push(connectedAt(minute + s * SEC));
  const average = samples.reduce((a, b) => a + b, 0) / samples.length;
  metricPoints.push({
    timeStamp: isoSeconds(minute),
    average: Math.round(average * 100) / 100,
    minimum: Math.min(...samples),
    maximum: Math.max(...samples),
  });
}

function metricsResponse(points, from, to) {
  return {
    cost: points.length,
    timespan: `${isoSeconds(from)}/${isoSeconds(to)}`,
    interval: 'PT1M',
    value: [
      {
        id: `${FLEET_HUB.canonical}/providers/Microsoft.Insights/metrics/connectedDeviceCount`,
        type: 'Microsoft.Insights/metrics',
        name: { value: 'connectedDeviceCount', localizedValue: 'Connected devices' },
        displayDescription: 'Number of devices connected to your IoT hub',
        unit: 'Count',
        timeseries: [{ metadatavalues: [], data: points }],
        errorCode: 'Success',
      },
    ],
    namespace: 'Microsoft.Devices/IotHubs',
    resourceregion: FLEET_HUB.location,
  };
}

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------

const LOG_RULE = 'iothub-device-disconnected-404104';
const LOG_RULE_ID =
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/monitoring/providers/` +
  `microsoft.insights/scheduledqueryrules/${LOG_RULE}`;
const LOG_RULE_QUERY = [
  'AzureDiagnostics',
  '| where ResourceProvider == "MICROSOFT.DEVICES" and ResourceType == "IOTHUBS"',
  '| where Category == "Connections" and OperationName == "deviceDisconnect"',
  '| where ResultType == "404104"',
  '| extend DeviceId = tostring(parse_json(properties_s).deviceId)',
  '| project TimeGenerated, DeviceId, _ResourceId, ResultType, ResultDescription',
].join('\n');
const METRIC_RULE = 'iothub-connected-devices-low';
const METRIC_RULE_ID =
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/iot-prod/providers/` +
  `microsoft.insights/metricAlerts/${METRIC_RULE}`;
const METRIC_THRESHOLD = 120;

/** Percent-encodes everything except unreserved characters (the alert links' style). */
function encodeStrict(text) {
  return Array.from(Buffer.from(text, 'utf8'), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** `2026-11-20T05%3a52%3a37.0000000Z`: the lower-case escapes of the links' timespan. */
function linkTime(ms) {
  return iso7(ms).replace(/:/g, '%3a');
}

/** zlib stream with one stored (uncompressed) block: a deterministic stand-in for the portal's deflate. */
function zlibStored(bytes) {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const len = bytes.length;
  const out = Buffer.alloc(2 + 5 + len + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  out[2] = 0x01;
  out.writeUInt16LE(len, 3);
  out.writeUInt16LE(~len & 0xffff, 5);
  bytes.copy(out, 7);
  out.writeUInt32BE(((b << 16) | a) >>> 0, 7 + len);
  return out;
}

function alertLinks(query, dims, window) {
  const scope = encodeURIComponent(JSON.stringify({ resources: [{ resourceId: WORKSPACE_ARM }] }));
  const timespan = `${linkTime(window.start)}%2f${linkTime(window.end)}`;
  const filter = dims.map((d) => `tostring(${d.name}) == "${d.value}"`).join(' and ');
  const filtered = `${query}\n| where ${filter}`;
  const ui = (q) =>
    `https://portal.azure.com#@${AAD_TENANT}/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/source/Alerts.EmailLinks/scope/${scope}/q/${encodeURIComponent(
      zlibStored(Buffer.from(q, 'utf8')).toString('base64'),
    )}/prettify/1/timespan/${timespan}`;
  const between = `| where TimeGenerated between(datetime(${iso7(window.start).slice(0, -1)})..datetime(${iso7(
    window.end,
  ).slice(0, -1)}))`;
  const api = (q) =>
    `https://api.loganalytics.io/v1/workspaces/${WORKSPACE_GUID}/query?query=${encodeStrict(
      q + between,
    )}&timespan=${timespan}`;
  return {
    linkToSearchResultsUI: ui(query),
    linkToFilteredSearchResultsUI: ui(filtered),
    linkToSearchResultsAPI: api(query),
    linkToFilteredSearchResultsAPI: api(filtered),
  };
}

function count404104(deviceId, window) {
  return allEvents.filter(
    (e) =>
      e.hub === FLEET_HUB &&
      e.category === 'Connections' &&
      e.operationName === 'deviceDisconnect' &&
      e.resultType === '404104' &&
      e.props.deviceId === deviceId &&
      e.time >= window.start &&
      e.time < window.end,
  ).length;
}

const alertRng = rngFor('alerts');

function alertId() {
  return `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/${alertRng.guid()}`;
}

function logAlert(deviceId, dropTime, endAfterSeconds) {
  const end = Math.floor((dropTime + endAfterSeconds * SEC) / SEC) * SEC;
  const window = { start: end - 15 * MIN, end };
  const fired = end + alertRng.seconds(35, 70);
  const dims = [
    { name: 'DeviceId', value: deviceId },
    { name: '_ResourceId', value: FLEET_HUB.lower },
  ];
  const payload = {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: alertId(),
        alertRule: LOG_RULE,
        alertRuleID: LOG_RULE_ID,
        severity: 'Sev3',
        signalType: 'Log',
        monitorCondition: 'Fired',
        monitoringService: 'Log Alerts V2',
        alertTargetIDs: [WORKSPACE_ID_LOWER],
        configurationItems: [FLEET_HUB.lower],
        originAlertId: alertRng.guid(),
        firedDateTime: iso7(fired, alertRng.digits(4)),
        description:
          'IoT Hub device disconnected (404104 DeviceConnectionClosedRemotely), split per device',
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
        targetResourceType: 'microsoft.operationalinsights/workspaces',
        targetResourceGroup: 'monitoring',
      },
      alertContext: {
        properties: { hub: FLEET_HUB.name, runbook: 'iothub-disconnects' },
        conditionType: 'LogQueryCriteria',
        condition: {
          windowSize: 'PT15M',
          allOf: [
            {
              searchQuery: LOG_RULE_QUERY,
              metricMeasureColumn: null,
              targetResourceTypes: "['Microsoft.OperationalInsights/workspaces']",
              operator: 'GreaterThan',
              threshold: '0',
              timeAggregation: 'Count',
              dimensions: dims,
              metricValue: count404104(deviceId, window),
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
              ...alertLinks(LOG_RULE_QUERY, dims, window),
            },
          ],
          windowStartTime: isoSeconds(window.start),
          windowEndTime: isoSeconds(window.end),
        },
      },
      customProperties: { hub: FLEET_HUB.name, runbook: 'iothub-disconnects' },
    },
  };
  return { payload, window, fired, drop: dropTime };
}

function metricAverage(from, to) {
  const points = metricPoints.filter(
    (p) => Date.parse(p.timeStamp) >= from && Date.parse(p.timeStamp) < to,
  );
  return points.reduce((a, p) => a + p.average, 0) / points.length;
}

/** First 5-minute window (evaluated every minute) whose average is below the threshold. */
function metricAlertWindow() {
  for (let end = at('05:00:00'); end < END; end += MIN) {
    const value = metricAverage(end - 5 * MIN, end);
    if (value < METRIC_THRESHOLD) return { start: end - 5 * MIN, end, value };
  }
  throw new Error('the incident never crossed the metric threshold');
}

function metricAlert() {
  const w = metricAlertWindow();
  const fired = w.end + alertRng.seconds(70, 100);
  const payload = {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: alertId(),
        alertRule: METRIC_RULE,
        alertRuleId: METRIC_RULE_ID,
        severity: 'Sev2',
        signalType: 'Metric',
        monitorCondition: 'Fired',
        monitoringService: 'Platform',
        alertTargetIDs: [FLEET_HUB.lower],
        configurationItems: [FLEET_HUB.name],
        originAlertId: `${SUBSCRIPTION}_iot-prod_microsoft.insights_metricAlerts_${METRIC_RULE}_-${alertRng.digits(10)}`,
        firedDateTime: iso7(fired, alertRng.digits(4)),
        description: 'Connected devices on contoso-fleet-hub dropped below 120',
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
      },
      alertContext: {
        properties: null,
        conditionType: 'SingleResourceMultipleMetricCriteria',
        condition: {
          windowSize: 'PT5M',
          allOf: [
            {
              metricName: 'connectedDeviceCount',
              metricNamespace: 'Microsoft.Devices/IotHubs',
              operator: 'LessThan',
              threshold: String(METRIC_THRESHOLD),
              timeAggregation: 'Average',
              dimensions: [],
              metricValue: Math.round(w.value * 1000) / 1000,
              webTestName: null,
            },
          ],
          windowStartTime: iso(w.start),
          windowEndTime: iso(w.end),
        },
      },
      customProperties: null,
    },
  };
  return { payload, window: w, fired };
}

const thermostatAlertCycle = thermostatStory[5];
const pumpAlertDrop = pumpStory[7];
const gatewayAlertDrop = gatewayStory.drops[1];
const ALERTS = [
  {
    file: 'sas-renewal-thermostat-0042.json',
    cause: 'sas-token-expiry',
    device: 'thermostat-0042',
    ...logAlert('thermostat-0042', thermostatAlertCycle.drop, 95),
  },
  {
    file: 'flaky-network-pump-station-7.json',
    cause: 'device-or-network',
    device: 'pump-station-7',
    ...logAlert('pump-station-7', pumpAlertDrop.drop, 80),
  },
  {
    file: 'duplicate-identity-gateway-dup-3.json',
    cause: 'duplicate-identity',
    device: 'gateway-dup-3',
    ...logAlert('gateway-dup-3', gatewayAlertDrop.time, 100),
  },
  {
    file: 'credential-rejected-meter-19.json',
    cause: 'credential-rejected',
    device: 'meter-19',
    ...logAlert('meter-19', meterStory.drop, 75),
  },
  {
    file: 'hub-incident-sensor-0017.json',
    cause: 'iot-hub-transient',
    device: 'sensor-0017',
    ...logAlert('sensor-0017', FORCED_INCIDENT['sensor-0017'].drop, 85),
  },
  { file: 'hub-incident-connected-devices.json', cause: 'iot-hub-transient', ...metricAlert() },
];

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

const PRINT_WIDTH = 100;

/** JSON laid out the way Prettier formats .json files (objects expanded, short arrays inline). */
function formatJson(value) {
  return `${fmt(value, '', 0, 0)}\n`;
}

function fmt(value, indent, head, tail) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const line = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      if (head + line.length + tail <= PRINT_WIDTH) return line;
    }
    const items = value.map((v, i) => {
      const comma = i < value.length - 1 ? ',' : '';
      return `${inner}${fmt(v, inner, inner.length, comma.length)}${comma}`;
    });
    return `[\n${items.join('\n')}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  const items = keys.map((k, i) => {
    const comma = i < keys.length - 1 ? ',' : '';
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${fmt(value[k], inner, inner.length + key.length, comma.length)}${comma}`;
  });
  return `{\n${items.join('\n')}\n${indent}}`;
}

/** Query API body with one row per line: valid JSON, readable diffs, small. */
function queryResponseCompact(rows) {
  const columns = COLUMNS.map(([name, type]) => ({ name, type }));
  const lines = rows.map((r) => JSON.stringify(COLUMNS.map(([name]) => r[name])));
  return (
    `{"tables":[{"name":"PrimaryResult","columns":${JSON.stringify(columns)},"rows":[\n` +
    `${lines.join(',\n')}\n]}]}\n`
  );
}

function queryResponse(rows) {
  return {
    tables: [
      {
        name: 'PrimaryResult',
        columns: COLUMNS.map(([name, type]) => ({ name, type })),
        rows: rows.map((r) => COLUMNS.map(([name]) => r[name])),
      },
    ],
  };
}

function csvField(value) {
  const text = String(value ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The portal's CSV export: `TimeGenerated [UTC]` header and US-style datetimes, CRLF lines. */
function portalCsv(rows) {
  const header = COLUMNS.map(([name, type]) => (type === 'datetime' ? `${name} [UTC]` : name));
  const lines = rows.map((r) =>
    COLUMNS.map(([name, type]) =>
      csvField(type === 'datetime' ? portalCsvTime(Date.parse(r[name])) : r[name]),
    ).join(','),
  );
  return `${[header.map(csvField).join(','), ...lines].join('\r\n')}\r\n`;
}

function write(relative, content) {
  const path = join(ROOT, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return relative;
}

// ---------------------------------------------------------------------------------------------
// Small fixture: thermostat-0042 and pump-station-7, 00:00-04:10, plus one row of each kind of noise
// ---------------------------------------------------------------------------------------------

const SMALL_END = at('04:10:00');
const smallEvents = [];
{
  const isSmallDevice = (e) =>
    e.hub === FLEET_HUB &&
    e.category === 'Connections' &&
    ['thermostat-0042', 'pump-station-7'].includes(e.props.deviceId) &&
    e.time < SMALL_END;
  smallEvents.push(...events.filter(isSmallDevice));
  smallEvents.push(
    events.find((e) => e.hub === LAB_HUB && e.props.deviceId === 'thermostat-0042'),
    events.find(
      (e) => e.category === 'D2CTwinOperations' && e.props.deviceId === 'thermostat-0042',
    ),
    duplicated[0],
  );
}
const smallRows = arrivalOrder(smallEvents, 'small-arrival').map(toRow);

// ---------------------------------------------------------------------------------------------
// Reference alert payloads (alerts-and-delivery.md §1.7) and composed variants
// ---------------------------------------------------------------------------------------------

const REFERENCE_METRIC_COMMON = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId:
        '/subscriptions/<subscription ID>/providers/Microsoft.AlertsManagement/alerts/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e',
      alertRule: 'WCUS-R2-Gen2',
      alertRuleId:
        '/subscriptions/<subscription ID>/resourceGroups/<resource-group>/providers/microsoft.insights/metricAlerts/WCUS-R2-Gen2',
      severity: 'Sev3',
      signalType: 'Metric',
      monitorCondition: 'Resolved',
      monitoringService: 'Platform',
      alertTargetIDs: [
        '/subscriptions/<subscription ID>/resourcegroups/pipelinealertrg/providers/microsoft.compute/virtualmachines/wcus-r2-gen2',
      ],
      configurationItems: ['wcus-r2-gen2'],
      originAlertId:
        '3f2d4487-b0fc-4125-8bd5-7ad17384221e_PipeLineAlertRG_microsoft.insights_metricAlerts_WCUS-R2-Gen2_-117781227',
      firedDateTime: '2019-03-22T13:58:24.3713213Z',
      resolvedDateTime: '2019-03-22T14:03:16.2246313Z',
      description: '',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
    },
    alertContext: {
      properties: null,
      conditionType: 'SingleResourceMultipleMetricCriteria',
      condition: {
        windowSize: 'PT5M',
        allOf: [
          {
            metricName: 'Percentage CPU',
            metricNamespace: 'Microsoft.Compute/virtualMachines',
            operator: 'GreaterThan',
            threshold: '25',
            timeAggregation: 'Average',
            dimensions: [{ name: 'ResourceId', value: 'a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1' }],
            metricValue: 7.727,
          },
        ],
      },
    },
    customProperties: { Key1: 'Value1', Key2: 'Value2' },
  },
};

const REFERENCE_LOG_ALERTS_V2 = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId:
        '/subscriptions/12345a-1234b-123c-123d-12345678e/providers/Microsoft.AlertsManagement/alerts/12345a-1234b-123c-123d-12345678e',
      alertRule: 'AcmeRule',
      severity: 'Sev4',
      signalType: 'Log',
      monitorCondition: 'Fired',
      monitoringService: 'Log Alerts V2',
      alertTargetIDs: [
        '/subscriptions/12345a-1234b-123c-123d-12345678e/resourcegroups/ai-engineering/providers/microsoft.compute/virtualmachines/testvm',
      ],
      originAlertId: '123c123d-1a23-1bf3-ba1d-dd1234ff5a67',
      firedDateTime: '2020-07-09T14:04:49.99645Z',
      description: 'log alert rule V2',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
    },
    alertContext: {
      properties: { name1: 'value1', name2: 'value2' },
      conditionType: 'LogQueryCriteria',
      condition: {
        windowSize: 'PT10M',
        allOf: [
          {
            searchQuery: 'Heartbeat',
            metricMeasureColumn: 'CounterValue',
            targetResourceTypes: "['Microsoft.Compute/virtualMachines']",
            operator: 'LowerThan',
            threshold: '1',
            timeAggregation: 'Count',
            dimensions: [
              {
                name: 'ResourceId',
                value:
                  '/subscriptions/12345a-1234b-123c-123d-12345678e/resourceGroups/TEST/providers/Microsoft.Compute/virtualMachines/testvm',
              },
            ],
            metricValue: 0.0,
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            linkToSearchResultsUI:
              'https://portal.azure.com#@12f345bf-12f3-12af-12ab-1d2cd345db67/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/source/Alerts.EmailLinks/scope/%7B%22resources%22%3A%5B%7B%22resourceId%22%3A%22%2Fsubscriptions%2F12345a-1234b-123c-123d-12345678e%2FresourceGroups%2FTEST%2Fproviders%2FMicrosoft.Compute%2FvirtualMachines%2Ftestvm%22%7D%5D%7D/q/eJzzSE0sKklKTSypUSjPSC1KVQjJzE11T81LLUosSU1RSEotKU9NzdNIAfJKgDIaRgZGBroG5roGliGGxlYmJlbGJnoGEKCpp4dDmSmKMk0A/prettify/1/timespan/2020-07-07T13%3a54%3a34.0000000Z%2f2020-07-09T13%3a54%3a34.0000000Z',
            linkToFilteredSearchResultsUI:
              'https://portal.azure.com#@12f345bf-12f3-12af-12ab-1d2cd345db67/blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/source/Alerts.EmailLinks/scope/%7B%22resources%22%3A%5B%7B%22resourceId%22%3A%22%2Fsubscriptions%2F12345a-1234b-123c-123d-12345678e%2FresourceGroups%2FTEST%2Fproviders%2FMicrosoft.Compute%2FvirtualMachines%2Ftestvm%22%7D%5D%7D/q/eJzzSE0sKklKTSypUSjPSC1KVQjJzE11T81LLUosSU1RSEotKU9NzdNIAfJKgDIaRgZGBroG5roGliGGxlYmJlbGJnoGEKCpp4dDmSmKMk0A/prettify/1/timespan/2020-07-07T13%3a54%3a34.0000000Z%2f2020-07-09T13%3a54%3a34.0000000Z',
            linkToSearchResultsAPI:
              'https://api.loganalytics.io/v1/subscriptions/12345a-1234b-123c-123d-12345678e/resourceGroups/TEST/providers/Microsoft.Compute/virtualMachines/testvm/query?query=Heartbeat%7C%20where%20TimeGenerated%20between%28datetime%282020-07-09T13%3A44%3A34.0000000%29..datetime%282020-07-09T13%3A54%3A34.0000000%29%29&timespan=2020-07-07T13%3a54%3a34.0000000Z%2f2020-07-09T13%3a54%3a34.0000000Z',
            linkToFilteredSearchResultsAPI:
              'https://api.loganalytics.io/v1/subscriptions/12345a-1234b-123c-123d-12345678e/resourceGroups/TEST/providers/Microsoft.Compute/virtualMachines/testvm/query?query=Heartbeat%7C%20where%20TimeGenerated%20between%28datetime%282020-07-09T13%3A44%3A34.0000000%29..datetime%282020-07-09T13%3A54%3A34.0000000%29%29&timespan=2020-07-07T13%3a54%3a34.0000000Z%2f2020-07-09T13%3a54%3a34.0000000Z',
          },
        ],
        windowStartTime: '2020-07-07T13:54:34Z',
        windowEndTime: '2020-07-09T13:54:34Z',
      },
    },
  },
};

const REFERENCE_LEGACY_LOG_ANALYTICS = {
  SubscriptionId: '12345a-1234b-123c-123d-12345678e',
  AlertRuleName: 'AcmeRule',
  SearchQuery:
    'Perf | where ObjectName == "Processor" and CounterName == "% Processor Time" | summarize AggregatedValue = avg(CounterValue) by bin(TimeGenerated, 5m), Computer',
  SearchIntervalStartTimeUtc: '2018-03-26T08:10:40Z',
  SearchIntervalEndtimeUtc: '2018-03-26T09:10:40Z',
  AlertThresholdOperator: 'Greater Than',
  AlertThresholdValue: 0,
  ResultCount: 2,
  SearchIntervalInSeconds: 3600,
  LinkToSearchResults:
    'https://portal.azure.com/#Analyticsblade/search/index?_timeInterval.intervalEnd=2018-03-26T09%3a10%3a40.0000000Z&_timeInterval.intervalDuration=3600&q=Usage',
  LinkToFilteredSearchResultsUI:
    'https://portal.azure.com/#Analyticsblade/search/index?_timeInterval.intervalEnd=2018-03-26T09%3a10%3a40.0000000Z&_timeInterval.intervalDuration=3600&q=Usage',
  LinkToSearchResultsAPI:
    'https://api.loganalytics.io/v1/workspaces/workspaceID/query?query=Heartbeat&timespan=2020-05-07T18%3a11%3a51.0000000Z%2f2020-05-07T18%3a16%3a51.0000000Z',
  LinkToFilteredSearchResultsAPI:
    'https://api.loganalytics.io/v1/workspaces/workspaceID/query?query=Heartbeat&timespan=2020-05-07T18%3a11%3a51.0000000Z%2f2020-05-07T18%3a16%3a51.0000000Z',
  Description: 'log alert rule',
  Severity: 'Warning',
  AffectedConfigurationItems: ['INC-Gen2Alert'],
  Dimensions: [{ name: 'Computer', value: 'INC-Gen2Alert' }],
  SearchResult: {
    tables: [
      {
        name: 'PrimaryResult',
        columns: [
          { name: '$table', type: 'string' },
          { name: 'Computer', type: 'string' },
          { name: 'TimeGenerated', type: 'datetime' },
        ],
        rows: [
          ['Fabrikam', '33446677a', '2018-02-02T15:03:12.18Z'],
          ['Contoso', '33445566b', '2018-02-02T15:16:53.932Z'],
        ],
      },
    ],
  },
  WorkspaceId: '12345a-1234b-123c-123d-12345678e',
  AlertType: 'Metric measurement',
};

const ACTIVITY_LOG_ADMINISTRATIVE = {
  schemaId: 'azureMonitorCommonAlertSchema',
  data: {
    essentials: {
      alertId:
        '/subscriptions/<subscription ID>/providers/Microsoft.AlertsManagement/alerts/bbbb1b1b-cc2c-dd3d-ee4e-ffffff5f5f5f',
      alertRule: 'WCUS-R2-ActLog',
      alertRuleID:
        '/subscriptions/<subscription ID>/resourceGroups/PipeLineAlertRG/providers/microsoft.insights/activityLogAlerts/WCUS-R2-ActLog',
      severity: 'Sev4',
      signalType: 'Activity Log',
      monitorCondition: 'Fired',
      monitoringService: 'Activity Log - Administrative',
      alertTargetIDs: [
        '/subscriptions/<subscription ID>/resourcegroups/pipelinealertrg/providers/microsoft.compute/virtualmachines/wcus-r2-actlog',
      ],
      configurationItems: ['wcus-r2-actlog'],
      originAlertId: 'aaaabbbb-0000-cccc-1111-dddd2222eeee_123456789',
      firedDateTime: '2019-03-22T13:56:58.4432213Z',
      description: '',
      essentialsVersion: '1.0',
      alertContextVersion: '1.0',
    },
    alertContext: {
      authorization: {
        action: 'Microsoft.Compute/virtualMachines/restart/action',
        scope:
          '/subscriptions/<subscription ID>/resourceGroups/PipeLineAlertRG/providers/Microsoft.Compute/virtualMachines/WCUS-R2-ActLog',
      },
      channels: 'Operation',
      claims:
        '{"aud":"https://management.core.windows.net/","iss":"https://sts.windows.net/12345a-1234b-123c-123d-12345678e/","iat":"1553260826","nbf":"1553260826","exp":"1553264726","aio":"42JgYNjdt+rr+3j/dx68v018XhuFAwA=","appid":"11112222-bbbb-3333-cccc-4444dddd5555","appidacr":"2","http://schemas.microsoft.com/identity/claims/identityprovider":"https://sts.windows.net/12345a-1234b-123c-123d-12345678e/","http://schemas.microsoft.com/identity/claims/objectidentifier":"22223333-cccc-4444-dddd-5555eeee6666","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier":"22223333-cccc-4444-dddd-5555eeee6666","http://schemas.microsoft.com/identity/claims/tenantid":"12345a-1234b-123c-123d-12345678e","uti":"v5wYC9t9ekuA2rkZSVZbAA","ver":"1.0"}',
      caller: '22223333-cccc-4444-dddd-5555eeee6666',
      correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd',
      eventSource: 'Administrative',
      eventTimestamp: '2019-03-22T13:56:31.2917159+00:00',
      eventDataId: 'aaaabbbb-0000-cccc-1111-dddd2222eeee',
      level: 'Informational',
      operationName: 'Microsoft.Compute/virtualMachines/restart/action',
      operationId: 'aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb',
      status: 'Succeeded',
      subStatus: '',
      submissionTimestamp: '2019-03-22T13:56:54.067593+00:00',
    },
    customProperties: null,
  },
};

function resourceHealth() {
  const rng = rngFor('resource-health');
  const event = at('05:13:42.811');
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/${rng.guid()}`,
        alertRule: 'iothub-resource-health',
        alertRuleID: `/subscriptions/${SUBSCRIPTION}/resourceGroups/iot-prod/providers/microsoft.insights/activityLogAlerts/iothub-resource-health`,
        severity: 'Sev4',
        signalType: 'Activity Log',
        monitorCondition: 'Fired',
        monitoringService: 'Resource Health',
        alertTargetIDs: [FLEET_HUB.lower],
        configurationItems: [FLEET_HUB.name],
        originAlertId: `${rng.guid()}_${rng.digits(9)}`,
        firedDateTime: iso7(event + 3 * MIN + 12 * SEC, rng.digits(4)),
        description: 'Resource Health of contoso-fleet-hub changed',
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
      },
      alertContext: {
        channels: 'Admin, Operation',
        correlationId: rng.guid(),
        eventSource: 'ResourceHealth',
        eventTimestamp: `${iso(event).slice(0, -1)}+00:00`,
        eventDataId: rng.guid(),
        level: 'Warning',
        operationName: 'Microsoft.Resourcehealth/healthevent/Activated/action',
        operationId: rng.guid(),
        properties: {
          title: 'We are sorry, your IoT hub is experiencing connectivity issues',
          details: null,
          currentHealthStatus: 'Degraded',
          previousHealthStatus: 'Available',
          type: 'Downtime',
          cause: 'PlatformInitiated',
        },
        status: 'Active',
        submissionTimestamp: `${iso7(event + 2 * MIN + 38 * SEC, '4488').slice(0, -1)}+00:00`,
      },
      customProperties: null,
    },
  };
}

function legacyMetric(metric) {
  const w = metric.window;
  return {
    schemaId: 'AzureMonitorMetricAlert',
    data: {
      version: '2.0',
      status: 'Activated',
      context: {
        timestamp: iso7(metric.fired, '1714'),
        id: METRIC_RULE_ID,
        name: METRIC_RULE,
        description: 'Connected devices on contoso-fleet-hub dropped below 120',
        conditionType: 'SingleResourceMultipleMetricCriteria',
        severity: '2',
        condition: {
          windowSize: 'PT5M',
          allOf: [
            {
              metricName: 'connectedDeviceCount',
              metricNamespace: 'Microsoft.Devices/IotHubs',
              dimensions: [],
              operator: 'LessThan',
              threshold: String(METRIC_THRESHOLD),
              timeAggregation: 'Average',
              metricValue: Math.round(w.value * 1000) / 1000,
            },
          ],
        },
        subscriptionId: SUBSCRIPTION,
        resourceGroupName: FLEET_HUB.resourceGroup,
        resourceName: FLEET_HUB.name,
        resourceType: 'Microsoft.Devices/IotHubs',
        resourceId: FLEET_HUB.canonical,
        portalLink: `https://portal.azure.com/#resource${FLEET_HUB.canonical}`,
      },
      properties: {},
    },
  };
}

/** The older log alert API inside the common schema, for thermostat-0042's 03:54 drop. */
function logAnalyticsInCommon() {
  const rng = rngFor('log-analytics-in-common');
  const window = { start: at('03:41:00'), end: at('03:56:00') };
  const query = [
    LOG_RULE_QUERY,
    '| summarize AggregatedValue = count() by bin(TimeGenerated, 5m), DeviceId, _ResourceId',
  ].join('\n');
  const bin = at('03:50:00');
  const value = count404104('thermostat-0042', { start: bin, end: bin + 5 * MIN });
  const link = `https://portal.azure.com/#Analyticsblade/search/index?_timeInterval.intervalEnd=${linkTime(
    window.end,
  )}&_timeInterval.intervalDuration=900&q=${encodeStrict(query)}`;
  const api = `https://api.loganalytics.io/v1/workspaces/${WORKSPACE_GUID}/query?query=${encodeStrict(
    query,
  )}&timespan=${linkTime(window.start)}%2f${linkTime(window.end)}`;
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/${rng.guid()}`,
        alertRule: 'iothub-device-disconnected-legacy',
        severity: 'Sev3',
        signalType: 'Log',
        monitorCondition: 'Fired',
        monitoringService: 'Log Analytics',
        alertTargetIDs: [WORKSPACE_ID_LOWER],
        configurationItems: [FLEET_HUB.lower],
        originAlertId: `${WORKSPACE_GUID}_${rng.guid().replace(/-/g, '')}`,
        firedDateTime: iso7(window.end + 52 * SEC, rng.digits(4)),
        description: 'IoT Hub device disconnected (404104), older log alert API',
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
      },
      alertContext: {
        SearchQuery: query,
        SearchIntervalStartTimeUtc: legacyAlertTime(window.start),
        SearchIntervalEndtimeUtc: legacyAlertTime(window.end),
        ResultCount: 1,
        LinkToSearchResults: link,
        LinkToFilteredSearchResultsUI: link,
        LinkToSearchResultsAPI: api,
        LinkToFilteredSearchResultsAPI: api,
        SeverityDescription: 'Informational',
        WorkspaceId: WORKSPACE_GUID,
        SearchIntervalDurationMin: '15',
        AffectedConfigurationItems: [FLEET_HUB.lower],
        SearchIntervalInMinutes: '15',
        Threshold: 0,
        Operator: 'Greater Than',
        Dimensions: [
          { name: 'DeviceId', value: 'thermostat-0042' },
          { name: '_ResourceId', value: FLEET_HUB.lower },
        ],
        SearchResults: {
          tables: [
            {
              name: 'PrimaryResult',
              columns: [
                { name: 'TimeGenerated', type: 'datetime' },
                { name: 'DeviceId', type: 'string' },
                { name: '_ResourceId', type: 'string' },
                { name: 'AggregatedValue', type: 'long' },
              ],
              rows: [[iso(bin), 'thermostat-0042', FLEET_HUB.lower, value]],
            },
          ],
          dataSources: [{ resourceId: WORKSPACE_ID_LOWER, tables: ['AzureDiagnostics'] }],
        },
        IncludedSearchResults: 'True',
        AlertType: 'Metric measurement',
      },
      customProperties: null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// README
// ---------------------------------------------------------------------------------------------

const fleetRows = allRows.filter((r) => r._ResourceId === FLEET_HUB.lower);
const connectionRows = fleetRows.filter((r) => r.Category === 'Connections');

function incidentFacts() {
  const drops = sensors.flatMap((d) =>
    d.outages.filter((o) => o.kind === 'incident').map((o) => ({ device: d, ...o })),
  );
  const failures = drops.flatMap((d) => d.failures);
  const minMetric = metricPoints.reduce((a, p) => (p.minimum < a.minimum ? p : a));
  return {
    devices: drops.length,
    firstDrop: Math.min(...drops.map((d) => d.drop)),
    lastDrop: Math.max(...drops.map((d) => d.drop)),
    lastReconnect: Math.max(...drops.map((d) => d.reconnect)),
    failures: failures.length,
    e500001: failures.filter(([, c]) => c === '500001').length,
    e500008: failures.filter(([, c]) => c === '500008').length,
    minMetric,
  };
}

function intervals(times) {
  return times.slice(1).map((t, i) => ((t - times[i]) / MIN).toFixed(1));
}

function readme() {
  const inc = incidentFacts();
  const sdkCounts = {};
  for (const d of sensors) {
    const key = `${d.sdk}/${d.protocol}`;
    sdkCounts[key] = (sdkCounts[key] ?? 0) + 1;
  }
  const alertLines = ALERTS.map((a) => {
    const w = a.window;
    return `- \`alerts/${a.file}\`: window ${hhmmss(w.start)}–${hhmmss(w.end)}, fired ${hhmmss(a.fired)}, expected cause \`${a.cause}\``;
  });
  const t = thermostatStory;
  const dupIps = `${GATEWAY_IPS.original} / ${GATEWAY_IPS.clone}`;
  const lines = [
    '# Sample workspace: contoso-fleet-hub on 2026-11-20',
    '',
    'Generated by `npm run samples` (`scripts/generate-samples.mjs`, seeded, byte-identical on every run). Do not edit by hand.',
    'All times are UTC on 2026-11-20. Connections logs cover 00:00–08:00.',
    '',
    '## Resources',
    '',
    `- IoT hub: \`${FLEET_HUB.upper}\` in raw logs (\`ResourceId\`), \`${FLEET_HUB.lower}\` in \`_ResourceId\` and in alerts. Region ${FLEET_HUB.location}.`,
    `- Log Analytics workspace: \`${WORKSPACE_ID_LOWER}\` (workspace ID \`${WORKSPACE_GUID}\`, also the \`TenantId\` column).`,
    `- Noise hub in the same workspace: \`${LAB_HUB.lower}\`.`,
    '',
    '## Files',
    '',
    `- \`workspace/AzureDiagnostics.json\`: Log Analytics query API response body, ${allRows.length} rows (${fleetRows.length} from the fleet hub, of which ${connectionRows.length} Connections; ${allRows.length - fleetRows.length} from the lab hub; ${duplicated.length} exact duplicate rows). Rows are in arrival order, not sorted by \`TimeGenerated\`. \`TimeGenerated\` is ISO 8601 with milliseconds and \`Z\`; \`properties_s\` is a JSON string.`,
    `- \`metrics/connectedDeviceCount.json\`: Azure Monitor metrics REST response, PT1M, average/minimum/maximum, 00:00–08:00, ${fleetDevices.length} devices when all are connected.`,
    '- `alerts/*.json`: common alert schema payloads as an action group posts them (below).',
    '',
    '## Scenarios',
    '',
    '### Background fleet (not alerted on)',
    '',
    `${sensors.length} devices \`sensor-0001\`…\`sensor-${String(FLEET_SIZE).padStart(4, '0')}\` at ${SITES.length} sites (masked IPs shared per site). SDK/protocol mix: ${Object.entries(
      sdkCounts,
    )
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    '- .NET and Java over MQTT renew hub-side: `deviceDisconnect` 401003 IoTHubUnauthorized (in about 60 % of cycles), 404104 1.5–7 s later, `deviceConnect` 10–50 s after the 404104; every 63.7–67 min.',
    '- Node (45 min), Python (58 min) and C (48 min) over MQTT renew client-side: Information `deviceDisconnect` with empty `ResultType`, `deviceConnect` 1–6 s later. No 404104.',
    '- AMQP devices renew without disconnecting: no Connections rows outside the incident.',
    '- A few random one-off 404104 drops (reconnect 1–20 min later) on background sensors.',
    '- Noise: D2CTwinOperations `read`/`update` rows after some reconnects, a DeviceTelemetry 429001 burst on `sensor-0031`…`sensor-0034` at 03:10–03:14, lab-hub rows (including a lab `thermostat-0042` with 404104 at 02:12:10, 04:31:55 and 06:04:51 and `lab-sim-01` 404104 at 05:13:20), and exact duplicate rows.',
    '',
    '### thermostat-0042: SAS token renewal (cause `sas-token-expiry`)',
    '',
    `.NET 1.42.3 over MQTT at ${thermostat.ip}. 404104 at ${t.map((c) => hhmmss(c.drop)).join(', ')} (intervals ${intervals(t.map((c) => c.drop)).join(', ')} min). 401003 a few seconds before the 404104 at ${t
      .filter((c) => c.unauthorized)
      .map((c) => hhmmss(c.unauthorized))
      .join(
        ', ',
      )}; reconnect 21–36 s after every drop. The 404104 row at 03:54:02.268 is duplicated.`,
    '',
    '### pump-station-7: flaky cellular link (cause `device-or-network`)',
    '',
    `Old Node SDK (\`${pump.sdkVersion}\`) over MQTT. 404104 at ${pumpStory.map((d) => hhmmss(d.drop)).join(', ')} (intervals ${intervals(pumpStory.map((d) => d.drop)).join(', ')} min), reconnects after ${pumpStory
      .map((d) => ((d.reconnect - d.drop) / MIN).toFixed(1))
      .join(
        ', ',
      )} min, masked IP changing between ${Object.values(PUMP_IPS).join(', ')}. No 401003. Clean 45-minute SAS renewals (Information rows) whenever it stays online long enough. The 404104 row at 03:45:11.503 is duplicated.`,
    '',
    '### Hub-side incident (cause `iot-hub-transient`)',
    '',
    `${inc.devices} of ${sensors.length} sensors get 404104 between ${hhmmssfff(inc.firstDrop)} and ${hhmmssfff(inc.lastDrop)}. ${inc.failures} failed \`deviceConnect\` attempts (Level Error) follow until 05:17:20: ${inc.e500001} × 500001 ServerError and ${inc.e500008} × 500008 GenericTimeout. Devices reconnect 5–15 minutes after their drop (last at ${hhmmss(inc.lastReconnect)}). \`connectedDeviceCount\` bottoms out at ${inc.minMetric.minimum} (minute ${inc.minMetric.timeStamp.slice(11, 16)}). The special devices above and below are not affected.`,
    '',
    `\`sensor-0017\` (Python, MQTT; its only 404104 of the day): 404104 at 05:12:38.214, 500008 at 05:12:46.903, 500001 at 05:13:29.517, reconnect at 05:21:47.062.`,
    '',
    '### gateway-dup-3: duplicate identity (cause `duplicate-identity`)',
    '',
    `C SDK over MQTT. From ${hhmmssfff(gatewayStory.first)} to ${hhmmssfff(gatewayStory.last)} a cloned gateway uses the same identity: ${gatewayStory.clashes.length} × 400027 ConnectionForcefullyClosedOnNewConnection, each a fraction of a second after the other client's \`deviceConnect\`, masked IPs alternating ${dupIps}. Two 404104 drops inside that hour, at ${gatewayStory.drops.map((d) => hhmmssfff(d.time)).join(' and ')}. Clean 48-minute SAS renewals before and after.`,
    '',
    '### meter-19: credential rejected (cause `credential-rejected`)',
    '',
    `.NET 1.41.2 over MQTT at ${meter.ip}. Normal hub-side renewals (404104 at ${meterStory.renewals.map(hhmmss).join(', ')}, reconnecting within 31 s), then 404104 at ${hhmmssfff(meterStory.drop)} and ${meterStory.attempts.length} failed \`deviceConnect\` attempts (Level Error, 401003 IoTHubUnauthorized) every 1–5 min from ${hhmmss(meterStory.attempts[0])} to ${hhmmss(meterStory.attempts[meterStory.attempts.length - 1])}. No successful \`deviceConnect\` after ${hhmmss(meterStory.drop)}.`,
    '',
    '## Alerts',
    '',
    `The log alerts come from the Log Alerts V2 rule \`${LOG_RULE}\` (workspace scope, 15-minute window, count > 0, split by \`DeviceId\` and \`_ResourceId\`); \`metricValue\` is the number of 404104 rows (duplicates included) for the device in the window. The metric alert comes from \`${METRIC_RULE}\` (Average of \`connectedDeviceCount\` over 5 minutes LessThan ${METRIC_THRESHOLD}).`,
    '',
    ...alertLines,
    '',
    '## Notes',
    '',
    '- Only the 404104 `errorMessage` is a documented log string; the 401003 text is one of the messages listed in the error-code docs; the texts for 400027, 500001 and 500008 are illustrative.',
    '- `authType` is `null` and `sdkVersion` appears only on `deviceConnect` rows, as in the real samples.',
    '- Cards carry a _History_ line ("is this new for this device?"). The workspace holds 8 hours, so the labels say how much they read, e.g. `Recurring: 6 drops in the 6 h of logs read` for thermostat-0042 and `First drop in the 5 h of logs read` for sensor-0017; against a real workspace the history query reads 30 days.',
    '',
    '## Scenario families for `npm run eval` (scripts/scenarios.mjs)',
    '',
    'Not committed: `npm run eval` writes them to a temporary folder (`node scripts/generate-samples.mjs --scenarios DIR` or `node scripts/eval.mjs --keep DIR` keeps them), runs `enricher classify --json` on each (two at a time) and prints accuracy per family, a confusion matrix and the mean confidence of right and wrong verdicts. Ten seeds per family (`identity` runs twenty: ten `reconnect-race`, ten `duplicate-identity`); every scenario loses 2–4 % of its rows (never the alerted drop), duplicates about 2 % and shuffles the arrival order. Each folder holds `alert.json`, `logs.json`, `metrics.json` and `expected.json` (cause, scope and why). Rows are `Connections` rows, except the `DeviceTelemetry` error rows (403002, 429001) of `quota` and `throttling`.',
    '',
    '| family | what happens | expected |',
    '| --- | --- | --- |',
    '| `sync-renewal` | 120–400 devices got their SAS tokens at the same moment (failover, mass reboot); every 64–69 min they drop with 404104 in the same minute, half with 401003, and reconnect within seconds; no 500xxx; connected devices barely dip. Alert on one device or on `connectedDeviceCount`. | `sas-token-expiry`, `fleet` (or `subset` when they are under half the hub) |',
    '| `periodic-not-token` | one device drops like a clock that is not its token: NAT idle time-out every 4 min, firewall every 10 min, carrier every 30 min, Node.js SDK (renews client side) every 45 min, Python SDK on a 65-min cron, a .NET device rebooted by a watchdog every 2 h | `device-or-network`, `device` |',
    '| `device-renewal` | the control: .NET or Java renewing hub-side every 65–68 min (401003 on half the cycles), or a 30-min custom lifetime with 401003 | `sas-token-expiry`, `device` |',
    '| `cohort` | 3–9 devices behind one masked address (one site) drop within 90 s and come back minutes later, in a busy hub | `device-or-network`, `subset` |',
    '| `expiry-no-return` | 401003 then 404104 one token lifetime after the connect, and the device never returns: it does not try (odd seeds), or it keeps trying and every attempt is refused with 401003 (even seeds) | `sas-token-expiry`, `device`, `reconnected: false` / `credential-rejected`, `device` |',
    '| `mass-drop` | 45–70 % of a 1,500–3,000-device hub drops within 100 s (more devices than the 500 the query lists), with or without 500001; connected devices fall | `iot-hub-transient`, `fleet` |',
    '| `reconnect-race` / `duplicate-identity` | one 409002 or 400027 right after a reconnect that followed a network drop (a reconnect race, however many a flaky link has), or kicks from two addresses taking turns, each after the other client connects | `device-or-network` / `duplicate-identity`, `device` |',
    "| `two-clients-one-address` | two clients with one identity on one masked address (two programs on one machine, two Python interpreters, a test rig's second connection, a developer tool using the device's connection string, an app started twice): each connect kicks the other client 0.2–1 s later (400027 over MQTT, 409002 over AMQP), every 1.5–30 min for hours, a few 404104 between; one setup shows two SDK strings | `duplicate-identity`, `device` |",
    '| `refused-after-drop` | after a drop every attempt is refused with 401003 and the device never connects again: the Java SDK 1.29.3 reusing its expired token (401003 and 404104 at an expiry, retries every 1–5 min); a clock gone wrong after a blip or a reboot (404104 alone, then "token expired" from the first attempt); a key changed on the hub mid-session (.NET over AMQP, "invalid signature", retries every 5–60 s) | `credential-rejected`, `device` |',
    '| `metric-renewal-wave` | a renewal wave deep enough for the metric alert: 80–300 devices (31–100 % of the hub) renew together every 60–70 min, often with 401003, each offline 20–100 s, so `connectedDeviceCount` dips 30–100 % and recovers within two or three minutes; the metric alert covers the latest wave | `sas-token-expiry`, `fleet` (or `subset` when they are under half the hub) |',
    "| `subset-identities` | 4–12 devices provisioned together (one SDK, .NET or none, connected within a minute) whose tokens expire in the same minute (401003, 404104), none returning or trying (odd seeds); or 5–10 leaf identities held by two IoT Edge gateways, each leaf's connects alternating between their two 10.x addresses with 400027 right after each connect (even seeds) | `sas-token-expiry`, `subset` / `duplicate-identity`, `subset` |",
    '| `quota` | from some time on, 60–95 % of a 60–150-device hub get 403002 IoTHubQuotaExceeded ("exceeded the allocated quota", some `DeviceTelemetry` 403002 rows too) and a 404104 1–3 s later, reconnect within 30 s and are refused again every few minutes; no 500xxx. Alert on one device or on `connectedDeviceCount` | `quota-exceeded`, `fleet` |',
    '| `throttling` | one device (odd seeds) or 60–90 % of the hub (even seeds) sends too fast: bursts of `DeviceTelemetry` 429001 and a 404104 on a short regular period (3–12 min), with a 429001/429002 `deviceDisconnect` beside half the drops, back within 10 s | `throttled`, `device` / `fleet` |',
    "| `device-removed` | the identity was deleted, disabled or re-provisioned to another hub: 404104 (after a 404001 DeviceNotFound on half the seeds), then every attempt, every 5 s–5 min, refused with 404001 or with 401003 \"IotHub '…' does not contain the specified device '…'\"; no connect after | `device-removed`, `device` |",
    "| `no-logs` | the workspace holds only another hub's rows (with a device of the same name), or no rows at all; or the hub logs normally but the alerted device has no rows (late, or its ID spelled differently in the rows) | `unknown`, `device` |",
    '',
    '`npm run eval` also runs the 17 real-world cases in `test/fixtures/realworld-v1/` (public reports turned into alerts and logs; see its `README.md` and `cases.json`) and prints them one by one, then `real-world: N of 17 causes and scopes right`. `--generated-only` and `--realworld-only` run one part alone.',
    '',
    '## Test fixtures (same script)',
    '',
    `- \`test/fixtures/logs/small.*\`: one scenario in the three export formats (query API body, JSON array of row objects, portal CSV with \`TimeGenerated [UTC]\` and CRLF lines), ${smallRows.length} rows in arrival order: the fleet hub's Connections rows of \`thermostat-0042\` (404104 at 00:38:12, 01:43:55, 02:49:31, 03:54:02) and \`pump-station-7\` (404104 at 01:12:44, 01:19:51, 01:57:30, 02:09:58, 03:45:11) before 04:10, plus one lab-hub row (\`thermostat-0042\` 404104 at 02:12:10.503), one D2CTwinOperations row (00:38:43), and one exact duplicate (the 404104 at 03:54:02.268).`,
    '- `test/fixtures/alerts/`: the Microsoft reference payloads (`reference-*.json`, copied unchanged), an Activity Log - Administrative alert, a Resource Health alert for the fleet hub (Degraded at 05:13:42), a legacy `AzureMonitorMetricAlert` for the incident, and an older-API `Log Analytics` alert inside the common schema for the `thermostat-0042` drop at 03:54:02 (window 3:41:00 AM–3:56:00 AM, search results embedded).',
    '- `test/fixtures/metrics/small.json`: `connectedDeviceCount` from 05:08 to 05:17 plus a 05:18 point that has only a time stamp (not aggregated yet).',
    '',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Write everything
// ---------------------------------------------------------------------------------------------

const written = [];
written.push(write('samples/workspace/AzureDiagnostics.json', queryResponseCompact(allRows)));
written.push(
  write(
    'samples/metrics/connectedDeviceCount.json',
    formatJson(metricsResponse(metricPoints, START, END)),
  ),
);
for (const a of ALERTS) written.push(write(`samples/alerts/${a.file}`, formatJson(a.payload)));
written.push(write('samples/README.md', readme()));

written.push(
  write('test/fixtures/logs/small.query-response.json', formatJson(queryResponse(smallRows))),
);
written.push(write('test/fixtures/logs/small.rows.json', formatJson(smallRows)));
written.push(write('test/fixtures/logs/small.csv', portalCsv(smallRows)));

const metric = ALERTS.find((a) => a.file === 'hub-incident-connected-devices.json');
written.push(
  write('test/fixtures/alerts/reference-metric-common.json', formatJson(REFERENCE_METRIC_COMMON)),
);
written.push(
  write('test/fixtures/alerts/reference-log-alerts-v2.json', formatJson(REFERENCE_LOG_ALERTS_V2)),
);
written.push(
  write(
    'test/fixtures/alerts/reference-legacy-log-analytics.json',
    formatJson(REFERENCE_LEGACY_LOG_ANALYTICS),
  ),
);
written.push(
  write(
    'test/fixtures/alerts/activity-log-administrative.json',
    formatJson(ACTIVITY_LOG_ADMINISTRATIVE),
  ),
);
written.push(write('test/fixtures/alerts/resource-health.json', formatJson(resourceHealth())));
written.push(write('test/fixtures/alerts/legacy-metric.json', formatJson(legacyMetric(metric))));
written.push(
  write('test/fixtures/alerts/log-analytics-in-common.json', formatJson(logAnalyticsInCommon())),
);

{
  const from = at('05:08:00');
  const points = metricPoints.filter((p) => {
    const t = Date.parse(p.timeStamp);
    return t >= from && t < from + 10 * MIN;
  });
  // The newest minute is not aggregated yet: the API returns only its time stamp.
  const pending = [...points, { timeStamp: isoSeconds(from + 10 * MIN) }];
  written.push(
    write(
      'test/fixtures/metrics/small.json',
      formatJson(metricsResponse(pending, from, from + 11 * MIN)),
    ),
  );
}

console.log(`rows: ${allRows.length} (small fixture: ${smallRows.length})`);
for (const file of written) console.log(`wrote ${file}`);
