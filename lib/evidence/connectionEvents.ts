/**
 * Raw AzureDiagnostics rows → `ConnectionEvent`s, with the same filters the KQL applies:
 * IoT hub resource, `Connections` category, and the device ID from `properties_s`.
 */

import type { ConnectionEvent } from './evidence';
import { cellText, cellTime, type ExportRow } from './exportRows';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `properties_s` is a JSON string in the workspace; older exports hold an object. */
function propertiesOf(row: ExportRow): Record<string, unknown> {
  const raw = row.properties_s ?? row.properties;
  if (isRecord(raw)) return raw;
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Returns the event, or `undefined` for rows the KQL would filter out. */
export function toConnectionEvent(row: ExportRow): ConnectionEvent | undefined {
  const provider = cellText(row, 'ResourceProvider');
  const type = cellText(row, 'ResourceType');
  if (provider !== '' && provider.toUpperCase() !== 'MICROSOFT.DEVICES') return undefined;
  if (type !== '' && type.toUpperCase() !== 'IOTHUBS') return undefined;
  if (cellText(row, 'Category') !== 'Connections') return undefined;
  const hub = (cellText(row, '_ResourceId') || cellText(row, 'ResourceId')).toLowerCase();
  if (!hub.includes('/providers/microsoft.devices/iothubs/')) return undefined;
  const time = cellTime(row, 'TimeGenerated');
  if (time === undefined) return undefined;
  const properties = propertiesOf(row);
  const deviceId = optionalText(properties.deviceId);
  if (deviceId === undefined) return undefined;
  const event: ConnectionEvent = {
    time,
    hubResourceId: hub,
    deviceId,
    operation: cellText(row, 'OperationName'),
    level: cellText(row, 'Level'),
    resultType: cellText(row, 'ResultType'),
    resultDescription: cellText(row, 'ResultDescription'),
  };
  const sdkVersion = optionalText(properties.sdkVersion);
  const protocol = optionalText(properties.protocol);
  const maskedIpAddress = optionalText(properties.maskedIpAddress);
  return {
    ...event,
    ...(sdkVersion && { sdkVersion }),
    ...(protocol && { protocol }),
    ...(maskedIpAddress && { maskedIpAddress }),
  };
}

/** Events sorted oldest first with exact duplicates removed (exports repeat rows). */
export function toConnectionEvents(rows: readonly ExportRow[]): ConnectionEvent[] {
  const seen = new Set<string>();
  const events: ConnectionEvent[] = [];
  for (const row of rows) {
    const event = toConnectionEvent(row);
    if (!event) continue;
    const key = JSON.stringify(event);
    if (seen.has(key)) continue;
    seen.add(key);
    events.push(event);
  }
  return events.sort((a, b) => a.time.localeCompare(b.time));
}
