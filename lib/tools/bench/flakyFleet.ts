/**
 * Synthetic evidence for the `diagnose` benchmark: devices on flaky links for 12 hours (drops
 * every few minutes, reconnects after seconds to minutes, now and then a 401003 or a 409002),
 * about 200 Connections events per device. Seeded, so every run measures the same work.
 */

import type { Alert } from '../../alerts/alert';
import type { ConnectionEvent, Evidence } from '../../evidence/evidence';
import { SharedStrings } from '../../evidence/connectionEvents';
import { mulberry32 } from './seededRandom';

const HUB =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/bench/providers/microsoft.devices/iothubs/bench-hub';
const START = Date.parse('2026-11-20T00:00:00Z');
const HOURS = 12;

type Row = readonly [
  deviceId: string,
  ms: number,
  operation: string,
  resultType: string,
  ip: string,
];

function row(
  [deviceId, ms, operation, resultType, ip]: Row,
  strings: SharedStrings,
): ConnectionEvent {
  return {
    time: new Date(ms).toISOString(),
    ms,
    hubResourceId: HUB,
    deviceId,
    operation,
    level: resultType === '' ? 'Information' : 'Error',
    resultType,
    resultDescription: resultType,
    protocol: 'Mqtt',
    maskedIpAddress: strings.text(ip),
    ...(operation === 'deviceConnect' && { sdkVersion: 'azure-iot-device/1.17.3 (node v14)' }),
  };
}

export interface BenchCase {
  readonly alert: Alert;
  readonly evidence: Evidence;
}

export function flakyFleet(devices: number): BenchCase {
  const random = mulberry32(devices);
  const end = START + HOURS * 3_600_000;
  const rows: Row[] = [];
  const ids: string[] = [];
  for (let d = 0; d < devices; d++) {
    const id = `flaky-${String(d).padStart(4, '0')}`;
    ids.push(id);
    let ms = START + random() * 300_000;
    rows.push([id, ms, 'deviceConnect', '', `10.${d % 250}.0.XXX`]);
    while (ms < end) {
      ms += 120_000 + random() * 600_000;
      const ip = `10.${d % 250}.${Math.floor(random() * 3)}.XXX`;
      if (random() < 0.1) rows.push([id, ms - 2_000, 'deviceDisconnect', '401003', ip]);
      rows.push([id, ms, 'deviceDisconnect', '404104', ip]);
      ms += 5_000 + random() * 240_000;
      rows.push([id, ms, 'deviceConnect', '', ip]);
      if (random() < 0.03) rows.push([id, ms + 500, 'deviceDisconnect', '409002', ip]);
    }
  }
  // Built in time order, with repeated values shared, as the adapters build them from a query
  // answer sorted by time.
  const strings = new SharedStrings();
  const events = rows.sort((a, b) => a[1] - b[1]).map((r) => row(r, strings));
  const windowEnd = new Date(end - 15 * 60_000).toISOString();
  const windowStart = new Date(end - 30 * 60_000).toISOString();
  const evidence: Evidence = {
    alertWindow: { start: windowStart, end: windowEnd },
    span: { start: new Date(START).toISOString(), end: new Date(end).toISOString() },
    hubResourceIds: [HUB],
    deviceEvents: events,
    fleetActivity: [],
    fleetSize: devices * 4,
    disconnectedDevices: [],
    disconnectedDeviceCount: 0,
    gaps: [],
  };
  const alert: Alert = {
    id: `bench-${devices}`,
    rule: 'bench',
    severity: 'Sev3',
    condition: 'Fired',
    signal: 'log',
    monitoringService: 'Log Alerts V2',
    firedAt: windowEnd,
    window: { start: windowStart, end: windowEnd },
    hubResourceIds: [HUB],
    deviceIds: ids,
    dimensions: [],
    customProperties: {},
    isDisconnectAlert: true,
  };
  return { alert, evidence };
}
