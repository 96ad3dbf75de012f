/**
 * Writes a synthetic Log Analytics export of any size, row by row (never held in memory): the
 * columns and value shapes of a real `AzureDiagnostics` Connections export, in the portal's CSV,
 * the query API's JSON or a JSON array of rows. Used by the export memory bench and the
 * large-export tests.
 */

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export type ExportFormat = 'csv' | 'query-response' | 'rows';

export const FIXTURE_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

const COLUMNS = [
  'TenantId',
  'TimeGenerated',
  'ResourceId',
  'Category',
  'ResourceProvider',
  'ResourceType',
  'OperationName',
  'ResultType',
  'ResultDescription',
  'Level',
  'properties_s',
  '_ResourceId',
] as const;

export interface FixtureOptions {
  readonly rows: number;
  readonly devices?: number;
  /** Every n-th row is written twice (exports repeat rows); 0 = never. */
  readonly duplicateEvery?: number;
  readonly start?: string;
}

/** The distinct Connections events a fixture holds, for assertions. */
export function fixtureEventCount(options: FixtureOptions): number {
  return options.rows;
}

function rowValues(i: number, options: FixtureOptions): string[] {
  const device = `device-${String(i % (options.devices ?? 5000)).padStart(5, '0')}`;
  const time = new Date(
    Date.parse(options.start ?? '2026-11-20T00:00:00Z') + i * 100,
  ).toISOString();
  const disconnect = i % 2 === 1;
  const properties = JSON.stringify({
    deviceId: device,
    sdkVersion: 'azure-iot-device/1.17.1 (node v18.19.0; Linux 5.15; arm64)',
    protocol: 'Mqtt',
    authType: null,
    maskedIpAddress: `37.228.${i % 256}.XXX`,
    statusCode: disconnect ? '404' : null,
    errorMessage: '',
  });
  return [
    'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6',
    time,
    FIXTURE_HUB.toUpperCase(),
    'Connections',
    'MICROSOFT.DEVICES',
    'IOTHUBS',
    disconnect ? 'deviceDisconnect' : 'deviceConnect',
    disconnect ? '404104' : '',
    disconnect ? 'DeviceConnectionClosedRemotely' : '',
    disconnect ? 'Error' : 'Information',
    properties,
    FIXTURE_HUB,
  ];
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function encode(format: ExportFormat, values: string[]): string {
  if (format === 'csv') return `${values.map(csvField).join(',')}\r\n`;
  if (format === 'query-response') return JSON.stringify(values);
  return JSON.stringify(Object.fromEntries(COLUMNS.map((name, i) => [name, values[i]])));
}

/** Writes the export and resolves with its size in bytes. */
export async function writeExportFixture(
  path: string,
  format: ExportFormat,
  options: FixtureOptions,
): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  let bytes = 0;
  let first = true;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const separator = (): string => {
    const value = first ? '' : ',\n';
    first = false;
    return value;
  };
  if (format === 'csv')
    await write(
      `${COLUMNS.map((c) => (c === 'TimeGenerated' ? 'TimeGenerated [UTC]' : c)).join(',')}\r\n`,
    );
  if (format === 'query-response') {
    const columns = COLUMNS.map((name) => ({
      name,
      type: name === 'TimeGenerated' ? 'datetime' : 'string',
    }));
    await write(
      `{"tables":[{"name":"PrimaryResult","columns":${JSON.stringify(columns)},"rows":[\n`,
    );
  }
  if (format === 'rows') await write('[\n');
  for (let i = 0; i < options.rows; i++) {
    const line = encode(format, rowValues(i, options));
    const copies = options.duplicateEvery && i % options.duplicateEvery === 0 ? 2 : 1;
    for (let c = 0; c < copies; c++) await write(format === 'csv' ? line : separator() + line);
  }
  if (format === 'query-response') await write('\n]}]}\n');
  if (format === 'rows') await write('\n]\n');
  out.end();
  await once(out, 'finish');
  return bytes;
}
