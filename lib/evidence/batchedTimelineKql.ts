/**
 * The timelines of several devices of one hub in one query, for a storm of per-device alerts.
 * Pure: no I/O. Same safety as `kql.ts`: device IDs reach KQL only through `kqlString`, hub IDs
 * are validated, rows are bounded per device (one chatty device cannot crowd out the others) and
 * in total, and the time range travels as the query API's `timespan`.
 */

import { connectionsOf, isIotHubResourceId, kqlString, MAX_DEVICES_PER_ALERT } from './kql';

/** Devices per batched query. */
export const MAX_DEVICES_PER_BATCH = MAX_DEVICES_PER_ALERT;
/**
 * Latest events kept per device in a batch: with 50 devices the answer stays far inside the
 * query API's 500,000-row and 64 MB limits. Hours of a device's history rarely hold a tenth.
 */
export const MAX_BATCHED_ROWS_PER_DEVICE = 1000;

export function buildDeviceTimelinesQuery(
  hubResourceIds: readonly string[],
  deviceIds: readonly string[],
): string {
  const hubs = hubResourceIds.filter(isIotHubResourceId);
  if (hubs.length === 0) throw new Error('A batched timeline needs at least one valid IoT hub');
  if (deviceIds.length === 0 || deviceIds.length > MAX_DEVICES_PER_BATCH) {
    throw new Error(`A batched timeline reads 1 to ${MAX_DEVICES_PER_BATCH} devices`);
  }
  return [
    ...connectionsOf(hubs),
    '| extend Properties = parse_json(column_ifexists("properties_s", ""))',
    '| extend DeviceId = tostring(Properties.deviceId)',
    `| where DeviceId in (${deviceIds.map(kqlString).join(', ')})`,
    '| project TimeGenerated, _ResourceId, DeviceId, OperationName, Level, ResultType, ResultDescription,',
    '    SdkVersion = tostring(Properties.sdkVersion), Protocol = tostring(Properties.protocol),',
    '    MaskedIpAddress = tostring(Properties.maskedIpAddress),',
    '    ErrorMessage = tostring(Properties.errorMessage), Category',
    '| sort by DeviceId asc, TimeGenerated desc',
    '| extend RowOfDevice = row_number(1, prev(DeviceId) != DeviceId)',
    `| where RowOfDevice <= ${MAX_BATCHED_ROWS_PER_DEVICE}`,
    '| project-away RowOfDevice',
  ].join('\n');
}

/**
 * The device ID as it stands inside the KQL literal, and so as the rows name it: `kqlString`
 * drops control characters other than line feed, carriage return and tab.
 */
export function literalDeviceId(deviceId: string): string {
  let kept = '';
  for (const char of deviceId) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n' || char === '\r' || char === '\t' || (code >= 0x20 && code !== 0x7f)) {
      kept += char;
    }
  }
  return kept;
}
