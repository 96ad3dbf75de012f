/**
 * Raw AzureDiagnostics rows → `ConnectionEvent`s, with the same filters the KQL applies:
 * IoT hub resource, `Connections` category, and the device ID from `properties_s`.
 */

import type { ConnectionEvent } from './evidence';
import { cellText, cellTime, type ExportRow } from './exportRows';
import { isoMs } from './isoTime';

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
export function toConnectionEvent(
  row: ExportRow,
  strings: SharedStrings,
): ConnectionEvent | undefined {
  const provider = cellText(row, 'ResourceProvider');
  const type = cellText(row, 'ResourceType');
  if (provider !== '' && provider.toUpperCase() !== 'MICROSOFT.DEVICES') return undefined;
  if (type !== '' && type.toUpperCase() !== 'IOTHUBS') return undefined;
  const category = cellText(row, 'Category');
  if (category !== 'Connections' && category !== 'DeviceTelemetry') return undefined;
  const hub = (cellText(row, '_ResourceId') || cellText(row, 'ResourceId')).toLowerCase();
  if (!hub.includes('/providers/microsoft.devices/iothubs/')) return undefined;
  const time = cellTime(row, 'TimeGenerated');
  if (time === undefined) return undefined;
  const properties = propertiesOf(row);
  const deviceId = optionalText(properties.deviceId);
  if (deviceId === undefined) return undefined;
  const sdkVersion = optionalText(properties.sdkVersion);
  const protocol = optionalText(properties.protocol);
  const maskedIpAddress = optionalText(properties.maskedIpAddress);
  const errorMessage = optionalText(properties.errorMessage);
  return {
    time,
    ms: isoMs(time),
    hubResourceId: strings.text(hub),
    deviceId: strings.text(deviceId),
    operation: strings.text(cellText(row, 'OperationName')),
    level: strings.text(cellText(row, 'Level')),
    resultType: strings.text(cellText(row, 'ResultType')),
    resultDescription: strings.text(cellText(row, 'ResultDescription')),
    ...(sdkVersion && { sdkVersion: strings.text(sdkVersion) }),
    ...(protocol && { protocol: strings.text(protocol) }),
    ...(maskedIpAddress && { maskedIpAddress: strings.text(maskedIpAddress) }),
    ...(errorMessage && { errorMessage: strings.text(errorMessage) }),
    ...(category !== 'Connections' && { category: strings.text(category) }),
  };
}

/** Oldest first, by the time stamp parsed when the row was read (then its text, for ties). */
export function byTime(a: ConnectionEvent, b: ConnectionEvent): number {
  return a.ms - b.ms || (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
}

/**
 * Shares the values that repeat across rows (hub, device, operation, result, SDK, address): one
 * string each instead of one per row. Less memory, and the diagnosis compares and hashes strings
 * it has already seen, which on a fleet of many thousand rows is most of its time. The readers
 * pass each such value through `text` as they build the event, so no event is copied.
 */
export class SharedStrings {
  private readonly strings = new Map<string, string>();

  /** The first copy of `value` seen. */
  text(value: string): string {
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared;
    this.strings.set(value, value);
    return value;
  }

  clear(): void {
    this.strings.clear();
  }
}

/**
 * Collects events from rows one at a time, so an export is never held as rows: values that repeat
 * across rows (hub, device, operation, result, SDK) are shared, and duplicates are removed after
 * sorting, among events of the same time only, instead of keeping a key for every event.
 */
export class ConnectionEventCollector {
  private readonly events: ConnectionEvent[] = [];
  private readonly strings = new SharedStrings();

  add(row: ExportRow): void {
    const event = toConnectionEvent(row, this.strings);
    if (event) this.events.push(event);
  }

  /** The events, oldest first, exact duplicates removed (exports repeat rows). */
  finish(): ConnectionEvent[] {
    this.strings.clear();
    const sorted = this.events.sort(byTime);
    const kept: ConnectionEvent[] = [];
    let sameTime = new Set<string>();
    let time = '';
    for (const event of sorted) {
      if (event.time !== time) {
        time = event.time;
        sameTime = new Set();
      }
      const key = JSON.stringify(event);
      if (sameTime.has(key)) continue;
      sameTime.add(key);
      kept.push(event);
    }
    return kept;
  }
}

/** Events sorted oldest first with exact duplicates removed (exports repeat rows). */
export function toConnectionEvents(rows: Iterable<ExportRow>): ConnectionEvent[] {
  const collector = new ConnectionEventCollector();
  for (const row of rows) collector.add(row);
  return collector.finish();
}
