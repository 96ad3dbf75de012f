/**
 * A digest day (up to 2026-11-20 08:00 UTC) with the hub's limits and removed identities beside
 * the drops, as raw AzureDiagnostics rows: `Connections` rows, and `DeviceTelemetry` error rows
 * for the refused sends. Each device is one case of the digest's families, with its near miss.
 */

import type { DigestFamily } from '../../../lib/digest/digestKql';
import type { ExportRow } from '../../../lib/evidence/exportRows';

export const LIMIT_DAY_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
export const LIMIT_DAY_UNTIL = new Date('2026-11-20T08:00:00Z');

const QUOTA_WORDS =
  "Total number of messages on IotHub 'contoso-fleet-hub' exceeded the allocated quota. Max allowed message count: 8000, current message count: 8001.";

function row(
  clock: string,
  deviceId: string,
  category: 'Connections' | 'DeviceTelemetry',
  operation: string,
  resultType = '',
  resultDescription = '',
  errorMessage?: string,
): ExportRow {
  const properties = {
    deviceId,
    protocol: 'Mqtt',
    ...(category === 'Connections' && { maskedIpAddress: '24.9.142.XXX' }),
    ...(operation === 'deviceConnect' &&
      resultType === '' && { sdkVersion: '.NET/1.42.3 (.NET 8.0.11; Linux; X64)' }),
    ...(errorMessage !== undefined && { errorMessage }),
  };
  return {
    TimeGenerated: `2026-11-20T${clock}.000Z`,
    Category: category,
    ResourceProvider: 'MICROSOFT.DEVICES',
    ResourceType: 'IOTHUBS',
    OperationName: operation,
    ResultType: resultType,
    ResultDescription: resultDescription,
    Level: resultType === '' ? 'Information' : 'Error',
    properties_s: JSON.stringify(properties),
    _ResourceId: LIMIT_DAY_HUB,
  };
}

const connect = (clock: string, deviceId: string): ExportRow =>
  row(clock, deviceId, 'Connections', 'deviceConnect');
const drop = (clock: string, deviceId: string): ExportRow =>
  row(
    clock,
    deviceId,
    'Connections',
    'deviceDisconnect',
    '404104',
    'DeviceConnectionClosedRemotely',
  );
const quotaSend = (clock: string, deviceId: string): ExportRow =>
  row(clock, deviceId, 'DeviceTelemetry', 'ingress', '403002', 'IoTHubQuotaExceeded', QUOTA_WORDS);
const throttledSend = (clock: string, deviceId: string): ExportRow =>
  row(clock, deviceId, 'DeviceTelemetry', 'ingress', '429001', 'ThrottlingException');
const notFound = (clock: string, deviceId: string): ExportRow =>
  row(clock, deviceId, 'Connections', 'deviceConnect', '404001', 'DeviceNotFound');
const notInHub = (clock: string, deviceId: string, operation = 'deviceConnect'): ExportRow =>
  row(
    clock,
    deviceId,
    'Connections',
    operation,
    '401003',
    'IoTHubUnauthorized',
    `IotHub 'contoso-fleet-hub' does not contain the specified device '${deviceId}'`,
  );
const unauthorized = (clock: string, deviceId: string, operation = 'deviceConnect'): ExportRow =>
  row(clock, deviceId, 'Connections', operation, '401003', 'IoTHubUnauthorized', 'Unauthorized');

export const LIMIT_DAY_ROWS: readonly ExportRow[] = [
  ...['quiet-01', 'quiet-02', 'quiet-03', 'quiet-04', 'quiet-05'].map((id) =>
    connect('00:01:00', id),
  ),
  // meter-17: the daily quota is used up. A refused send 80 s before one drop (DeviceTelemetry),
  // a 403002 on the disconnect 2 s before the other: both drops are the quota.
  connect('00:00:10', 'meter-17'),
  quotaSend('02:00:00', 'meter-17'),
  drop('02:01:20', 'meter-17'),
  connect('02:01:40', 'meter-17'),
  row('03:00:00', 'meter-17', 'Connections', 'deviceDisconnect', '403002', 'IoTHubQuotaExceeded'),
  drop('03:00:02', 'meter-17'),
  connect('03:00:20', 'meter-17'),
  // meter-18: a 403002 91 s before its drop is not beside it (the device or its network).
  connect('00:00:12', 'meter-18'),
  quotaSend('04:00:00', 'meter-18'),
  drop('04:01:31', 'meter-18'),
  connect('04:20:00', 'meter-18'),
  // sensor-31: throttled sends 5 min and 4.5 min before one drop, a 429002 on the disconnect
  // 20 s after the other: both drops are throttling.
  connect('00:00:20', 'sensor-31'),
  throttledSend('05:00:00', 'sensor-31'),
  throttledSend('05:00:30', 'sensor-31'),
  drop('05:05:00', 'sensor-31'),
  connect('05:05:10', 'sensor-31'),
  drop('05:40:00', 'sensor-31'),
  row(
    '05:40:20',
    'sensor-31',
    'Connections',
    'deviceDisconnect',
    '429002',
    'ThrottleBacklogLimitExceeded',
  ),
  connect('05:40:30', 'sensor-31'),
  // sensor-32: a 429001 5 min 1 s before its drop is not beside it.
  connect('00:00:22', 'sensor-32'),
  throttledSend('06:00:00', 'sensor-32'),
  drop('06:05:01', 'sensor-32'),
  connect('06:30:00', 'sensor-32'),
  // gateway-04: deleted. Every attempt after its drop refused with 404001 DeviceNotFound; the
  // 403002 beside the drop does not make it the quota (a removed identity comes first).
  connect('00:00:30', 'gateway-04'),
  quotaSend('00:59:30', 'gateway-04'),
  drop('01:00:00', 'gateway-04'),
  notFound('01:00:05', 'gateway-04'),
  notFound('01:01:00', 'gateway-04'),
  notFound('01:05:00', 'gateway-04'),
  // gateway-05: provisioned to another hub. Refused with 401003 "does not contain the specified
  // device": a removed identity, not a rejected credential.
  connect('00:00:32', 'gateway-05'),
  drop('01:30:00', 'gateway-05'),
  notInHub('01:30:10', 'gateway-05'),
  notInHub('01:35:10', 'gateway-05'),
  // pump-09: plain 401003 refusals after its drop: the credential, as before.
  connect('00:00:34', 'pump-09'),
  drop('02:30:00', 'pump-09'),
  unauthorized('02:30:10', 'pump-09'),
  unauthorized('02:35:10', 'pump-09'),
  // pump-10: one refusal of each kind: two of neither, so no verdict from the refusals.
  connect('00:00:36', 'pump-10'),
  drop('03:30:00', 'pump-10'),
  notFound('03:30:10', 'pump-10'),
  unauthorized('03:35:10', 'pump-10'),
  // thermostat-42: the "does not contain" words on the disconnect are no token expiry beside
  // the drop, and no refusal either...
  connect('00:00:38', 'thermostat-42'),
  notInHub('04:29:59', 'thermostat-42', 'deviceDisconnect'),
  drop('04:30:00', 'thermostat-42'),
  connect('04:30:30', 'thermostat-42'),
  // ...where thermostat-43's plain 401003 is (back at once: a token renewal).
  connect('00:00:40', 'thermostat-43'),
  unauthorized('04:44:59', 'thermostat-43', 'deviceDisconnect'),
  drop('04:45:00', 'thermostat-43'),
  connect('04:45:30', 'thermostat-43'),
];

/** The day's drops by family, as `{ drops, devices }`: families not listed have none. */
export const LIMIT_DAY_FAMILIES: Partial<Record<DigestFamily, { drops: number; devices: number }>> =
  {
    'quota-exceeded': { drops: 2, devices: 1 },
    throttled: { drops: 2, devices: 1 },
    'device-removed': { drops: 2, devices: 2 },
    'credential-rejected': { drops: 1, devices: 1 },
    'sas-token-expiry': { drops: 1, devices: 1 },
    'device-or-network': { drops: 4, devices: 4 },
  };

/** The devices in each family, for the flapping list (every family but the harmless two). */
export const LIMIT_DAY_DEVICES: Readonly<Record<string, DigestFamily>> = {
  'meter-17': 'quota-exceeded',
  'meter-18': 'device-or-network',
  'sensor-31': 'throttled',
  'sensor-32': 'device-or-network',
  'gateway-04': 'device-removed',
  'gateway-05': 'device-removed',
  'pump-09': 'credential-rejected',
  'pump-10': 'device-or-network',
  'thermostat-42': 'device-or-network',
  'thermostat-43': 'sas-token-expiry',
};
