/**
 * Reading Log Analytics result tables: the columns each query must or may return
 * (`RESULT_COLUMNS`), a reader that finds columns by name from `columnDescriptors` (never by
 * position), and the mappers from rows to the evidence types.
 */

import type { LogsTable } from '@azure/monitor-query-logs';

import type { ConnectionEvent, DisconnectedDevice, FleetActivityBin } from './evidence';
import type { QueryName } from './kql';
import type { SharedStrings } from './connectionEvents';
import { isoMs } from './isoTime';
import { EvidenceQueryError } from './logAnalyticsErrors';

type Cell = LogsTable['rows'][number][number] | null | undefined;

/** The Log Analytics column types this adapter reads. */
export type ColumnType = 'datetime' | 'dynamic' | 'long' | 'string';

/**
 * The result columns each query must (`required`) or may return, with their KQL types. The KQL
 * schema test checks these against what `lib/evidence/kql.ts` actually projects.
 */
export const RESULT_COLUMNS = {
  deviceTimeline: {
    required: {
      TimeGenerated: 'datetime',
      _ResourceId: 'string',
      DeviceId: 'string',
      OperationName: 'string',
      ResultType: 'string',
    },
    optional: {
      Level: 'string',
      ResultDescription: 'string',
      SdkVersion: 'string',
      Protocol: 'string',
      MaskedIpAddress: 'string',
      ErrorMessage: 'string',
      Category: 'string',
      TotalRows: 'long',
    },
  },
  fleetActivity: {
    required: { TimeGenerated: 'datetime' },
    optional: {
      Connects: 'long',
      Disconnects: 'long',
      DisconnectedDevices: 'long',
      Errors404104: 'long',
      ServerErrors: 'long',
      AuthErrors: 'long',
      DuplicateIdentityErrors: 'long',
      QuotaErrors: 'long',
      ThrottlingErrors: 'long',
      ActiveDevices: 'long',
      ReconnectedDevices: 'long',
    },
  },
  fleetSize: { required: { Devices: 'long' }, optional: {} },
  disconnectedDevices: {
    required: {
      DeviceId: 'string',
      Disconnects: 'long',
      FirstDisconnect: 'datetime',
      LastDisconnect: 'datetime',
    },
    optional: {
      SdkVersion: 'string',
      Protocol: 'string',
      MaskedIpAddress: 'string',
      LastConnect: 'datetime',
      DroppedDevices: 'long',
    },
  },
  deviceHistory: {
    required: {
      DeviceId: 'string',
      DropsIn30Days: 'long',
      DropsIn7Days: 'long',
      FirstDrop: 'datetime',
      LastDrop: 'datetime',
      DropsByHour: 'dynamic',
    },
    optional: {},
  },
} as const satisfies Record<
  QueryName,
  { required: Record<string, ColumnType>; optional: Record<string, ColumnType> }
>;

export interface RowReader {
  /** Text of a string cell; '' when the column is absent or the cell is empty. */
  text(column: string): string;
  /** ISO 8601 of a datetime cell, or undefined when absent or invalid. */
  time(column: string): string | undefined;
  /** A count; 0 when the column is absent or the cell is empty. */
  count(column: string): number;
}

export interface ReadableTable {
  readonly rows: readonly (readonly Cell[])[];
  reader(row: readonly Cell[]): RowReader;
}

const EMPTY_TABLE: ReadableTable = {
  rows: [],
  reader: () => readerOf(new Map(), []),
};

/** The query's result table (`PrimaryResult`), with its columns indexed by name. */
export function readTable(tables: readonly LogsTable[], queryName: QueryName): ReadableTable {
  const table = tables.find((t) => t.name === 'PrimaryResult') ?? tables[0];
  if (table === undefined) return EMPTY_TABLE;
  const index = new Map<string, number>();
  table.columnDescriptors.forEach((column, i) => {
    if (!index.has(column.name)) index.set(column.name, i);
  });
  const missing = Object.keys(RESULT_COLUMNS[queryName].required).filter(
    (name) => !index.has(name),
  );
  if (missing.length > 0) {
    throw new EvidenceQueryError(
      `Log Analytics query ${queryName} returned no ${missing.join(', ')} column`,
      queryName,
      200,
      'UnexpectedSchema',
      false,
    );
  }
  return { rows: table.rows, reader: (row) => readerOf(index, row) };
}

function readerOf(index: ReadonlyMap<string, number>, row: readonly Cell[]): RowReader {
  const cell = (column: string): Cell => {
    const i = index.get(column);
    return i === undefined ? undefined : row[i];
  };
  return {
    text(column) {
      const value = cell(column);
      if (value === null || value === undefined) return '';
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
    },
    time(column) {
      const value = cell(column);
      const date =
        value instanceof Date
          ? value
          : typeof value === 'string' && value !== ''
            ? new Date(value)
            : undefined;
      return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
    },
    count(column) {
      const value = cell(column);
      const number =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      return Number.isFinite(number) ? number : 0;
    },
  };
}

/** The uncapped count a capped query repeats on every row; the row count when it is absent. */
export function uncappedCount(table: ReadableTable, column: string, rows: number): number {
  const first = table.rows[0];
  return Math.max(rows, first === undefined ? 0 : table.reader(first).count(column));
}

function optional<K extends string>(key: K, value: string): Partial<Record<K, string>> {
  return value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

/** `strings` shares the values that repeat across rows (see `SharedStrings`). */
export function toConnectionEvent(
  row: RowReader,
  strings: SharedStrings,
): ConnectionEvent | undefined {
  const time = row.time('TimeGenerated');
  const deviceId = row.text('DeviceId');
  if (time === undefined || deviceId === '') return undefined;
  const text = (column: string): string => strings.text(row.text(column));
  const category = text('Category');
  return {
    time,
    ms: isoMs(time),
    hubResourceId: strings.text(row.text('_ResourceId').toLowerCase()),
    deviceId: strings.text(deviceId),
    operation: text('OperationName'),
    level: text('Level'),
    resultType: text('ResultType'),
    resultDescription: text('ResultDescription'),
    ...optional('sdkVersion', text('SdkVersion')),
    ...optional('protocol', text('Protocol')),
    ...optional('maskedIpAddress', text('MaskedIpAddress')),
    ...optional('errorMessage', text('ErrorMessage')),
    ...(category !== '' && category !== 'Connections' && { category }),
  };
}

export function toFleetActivityBin(row: RowReader): FleetActivityBin | undefined {
  const start = row.time('TimeGenerated');
  if (start === undefined) return undefined;
  return {
    start,
    connects: row.count('Connects'),
    disconnects: row.count('Disconnects'),
    disconnectedDevices: row.count('DisconnectedDevices'),
    errors404104: row.count('Errors404104'),
    serverErrors: row.count('ServerErrors'),
    authErrors: row.count('AuthErrors'),
    duplicateIdentityErrors: row.count('DuplicateIdentityErrors'),
    quotaErrors: row.count('QuotaErrors'),
    throttlingErrors: row.count('ThrottlingErrors'),
    activeDevices: row.count('ActiveDevices'),
    reconnectedDevices: row.count('ReconnectedDevices'),
  };
}

export function toDisconnectedDevice(row: RowReader): DisconnectedDevice | undefined {
  const deviceId = row.text('DeviceId');
  const firstDisconnect = row.time('FirstDisconnect');
  const lastDisconnect = row.time('LastDisconnect');
  const lastConnect = row.time('LastConnect');
  if (deviceId === '' || firstDisconnect === undefined || lastDisconnect === undefined) {
    return undefined;
  }
  return {
    deviceId,
    disconnects: row.count('Disconnects'),
    firstDisconnect,
    lastDisconnect,
    ...(lastConnect !== undefined && { lastConnect }),
    ...optional('sdkVersion', row.text('SdkVersion')),
    ...optional('protocol', row.text('Protocol')),
    ...optional('maskedIpAddress', row.text('MaskedIpAddress')),
  };
}
