/**
 * `EvidenceSource` over a Log Analytics workspace, through `LogsQueryClient`
 * (`@azure/monitor-query-logs` 1.0.0).
 *
 * What this adapter deals with, beyond running the query:
 * - the result union: `Success` → rows; `PartialFailure` → the partial rows plus a warning;
 * - `RestError` (4xx/5xx), client time-outs and transport failures → `EvidenceQueryError`, which
 *   keeps the HTTP status and the innermost service error code (`SYN0002`, `InsufficientAccessError`)
 *   and never carries the bearer token in its message;
 * - 1.0.0 throws a `TypeError` for an HTTP 204 ("workspace has no data") and for any error status
 *   whose body is not a OneAPI error. A pipeline policy installed on the client rewrites those
 *   responses first (204 → empty result; bare error → OneAPI error with the same status), so
 *   an empty workspace reads as empty and a bare 503 still surfaces as a 503;
 * - a 429 is passed through to the query limiter with its `Retry-After` (`retryAfterMs`) instead
 *   of being retried by the SDK, so the wait is bounded and counted against the in-flight cap;
 * - columns are read by name from `columnDescriptors`, never by position.
 */

import {
  LogsQueryClient,
  LogsQueryResultStatus,
  type LogsQueryClientOptions,
  type LogsTable,
} from '@azure/monitor-query-logs';

import { AppError } from '../errors';
import { truncationWarning } from './aggregate';
import { deviceHistoriesOf } from './deviceHistoryRows';
import type {
  CappedRows,
  ConnectionEvent,
  DeviceHistory,
  DisconnectedDevice,
  FleetActivityBin,
} from './evidence';
import type { EvidenceSource, SourceAnswer } from './evidenceSource';
import type { EvidenceQuery, QueryName } from './kql';
import { byTime, SharedStrings } from './connectionEvents';
import { isoMs } from './isoTime';

export type TokenCredential = ConstructorParameters<typeof LogsQueryClient>[0];
type Pipeline = LogsQueryClient['pipeline'];
type PipelinePolicy = Parameters<Pipeline['addPolicy']>[0];
type Cell = LogsTable['rows'][number][number] | null | undefined;

export const DEFAULT_SERVER_TIMEOUT_SECONDS = 60;
export const DEFAULT_CLIENT_TIMEOUT_MS = 90_000;
/** Sent in `User-Agent`, so the workspace's `LAQueryLogs` show which queries are the enricher's. */
export const USER_AGENT_PREFIX = 'iothub-alert-enricher';
/** Service messages are quoted into errors up to this length (a parse error quotes the body). */
const MAX_QUOTED_MESSAGE = 500;

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

/** A Log Analytics query that failed outright (no rows at all). */
export class EvidenceQueryError extends AppError {
  constructor(
    message: string,
    readonly queryName: QueryName,
    /** HTTP status of the answer; absent when none arrived (time-out, TLS, network). */
    readonly statusCode: number | undefined,
    /** The innermost service error code (`SYN0002`, `InsufficientAccessError`), or ours. */
    readonly code: string,
    /** Whether trying again later may succeed (throttling, 5xx, time-outs, network). */
    readonly retryable: boolean,
    options?: ErrorOptions & { readonly retryAfterMs?: number },
  ) {
    super(message, retryable ? 503 : 502, '', options);
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** The wait a throttled (429) answer asked for, from its `Retry-After`; undefined if none. */
  readonly retryAfterMs: number | undefined;
}

export interface LogAnalyticsSourceOptions {
  readonly client: LogsQueryClient;
  /** The workspace GUID (`customerId`), not its ARM resource ID. */
  readonly workspaceId: string;
  /** Sent as `Prefer: wait=N`: the service stops the query after this long (default 60). */
  readonly serverTimeoutSeconds?: number;
  /** Client-side time-out per HTTP attempt (default 90 000 ms, above the server's). */
  readonly clientTimeoutMs?: number;
}

/**
 * The client the composition root uses. `endpoint` is used verbatim by 1.0.0, so it must include
 * `/v1` (`https://api.loganalytics.io/v1`). `options` is for tests and tuning (TLS trust, retries).
 */
export function createLogsQueryClient(
  credential: TokenCredential,
  endpoint: string,
  options: Omit<LogsQueryClientOptions, 'endpoint'> = {},
): LogsQueryClient {
  const client = new LogsQueryClient(credential, {
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    ...options,
    endpoint,
  });
  installPolicies(client.pipeline);
  return client;
}

export const RESPONSE_REPAIR_POLICY_NAME = 'iothubAlertEnricherResponseRepair';

function isOneApiError(text: string | null | undefined): boolean {
  if (text === undefined || text === null || text === '') return false;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return false;
    const error: unknown = (body as { error?: unknown }).error;
    return typeof error === 'object' && error !== null;
  } catch {
    return false;
  }
}

/**
 * Works around 1.0.0's deserialiser, which reads `body.error` of any non-200 answer and so throws
 * a bare `TypeError` for a 204 or for an error status without a JSON error body.
 */
const responseRepairPolicy: PipelinePolicy = {
  name: RESPONSE_REPAIR_POLICY_NAME,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 204) {
      response.status = 200;
      response.headers.set('content-type', 'application/json');
      response.bodyAsText = '{"tables":[]}';
    } else if (response.status >= 300 && !isOneApiError(response.bodyAsText)) {
      response.headers.set('content-type', 'application/json');
      response.bodyAsText = JSON.stringify({
        error: {
          code: `Http${response.status}`,
          message: `Log Analytics answered HTTP ${response.status} without an error body`,
        },
      });
    }
    return response;
  },
};

export const THROTTLE_HAND_OFF_POLICY_NAME = 'iothubAlertEnricherThrottleHandOff';
const RETRY_AFTER_HEADERS = ['retry-after', 'retry-after-ms', 'x-ms-retry-after-ms'];
const HANDED_OFF_PREFIX = 'x-enricher-';

/**
 * A 429 is the query limiter's to retry (`sharing/queryLimiter.ts`), not the SDK's: the SDK's
 * retry policy would wait any `Retry-After`, however long, while the limiter waits a bounded
 * time and holds its slot meanwhile. Runs inside the retry loop and renames the 429's
 * `Retry-After` headers so the SDK lets the answer through; `retryAfterOf` reads them back.
 */
const throttleHandOffPolicy: PipelinePolicy = {
  name: THROTTLE_HAND_OFF_POLICY_NAME,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 429) {
      for (const header of RETRY_AFTER_HEADERS) {
        const value = response.headers.get(header);
        if (value === undefined) continue;
        response.headers.delete(header);
        response.headers.set(`${HANDED_OFF_PREFIX}${header}`, value);
      }
    }
    return response;
  },
};

function installPolicies(pipeline: Pipeline): void {
  const installed = new Set(pipeline.getOrderedPolicies().map((policy) => policy.name));
  if (!installed.has(RESPONSE_REPAIR_POLICY_NAME)) pipeline.addPolicy(responseRepairPolicy);
  if (!installed.has(THROTTLE_HAND_OFF_POLICY_NAME)) {
    pipeline.addPolicy(throttleHandOffPolicy, { afterPhase: 'Retry' });
  }
}

export class LogAnalyticsSource implements EvidenceSource {
  private readonly client: LogsQueryClient;
  private readonly workspaceId: string;
  private readonly serverTimeoutSeconds: number;
  private readonly clientTimeoutMs: number;

  constructor(options: LogAnalyticsSourceOptions) {
    this.client = options.client;
    this.workspaceId = options.workspaceId;
    this.serverTimeoutSeconds = options.serverTimeoutSeconds ?? DEFAULT_SERVER_TIMEOUT_SECONDS;
    this.clientTimeoutMs = options.clientTimeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
    // Idempotent: a client built by `createLogsQueryClient` already has it.
    installPolicies(this.client.pipeline);
  }

  async deviceTimeline(query: EvidenceQuery): Promise<SourceAnswer<ConnectionEvent[]>> {
    const answer = await this.run(query, 'deviceTimeline');
    const strings = new SharedStrings();
    const events = answer.table.rows.flatMap((row) => {
      const event = toConnectionEvent(answer.table.reader(row), strings);
      return event === undefined ? [] : [event];
    });
    events.sort(byTime);
    const total = uncappedCount(answer.table, 'TotalRows', events.length);
    return withWarning(
      events,
      joinWarnings(answer.warning, truncationWarning(events.length, total)),
    );
  }

  async fleetActivity(query: EvidenceQuery): Promise<SourceAnswer<FleetActivityBin[]>> {
    const answer = await this.run(query, 'fleetActivity');
    const bins = answer.table.rows.flatMap((row) => {
      const bin = toFleetActivityBin(answer.table.reader(row));
      return bin === undefined ? [] : [bin];
    });
    bins.sort((a, b) => a.start.localeCompare(b.start));
    return withWarning(bins, answer.warning);
  }

  async fleetSize(query: EvidenceQuery): Promise<SourceAnswer<number>> {
    const answer = await this.run(query, 'fleetSize');
    const first = answer.table.rows[0];
    const size = first === undefined ? 0 : answer.table.reader(first).count('Devices');
    return withWarning(size, answer.warning);
  }

  async disconnectedDevices(
    query: EvidenceQuery,
  ): Promise<SourceAnswer<CappedRows<DisconnectedDevice>>> {
    const answer = await this.run(query, 'disconnectedDevices');
    const devices = answer.table.rows.flatMap((row) => {
      const device = toDisconnectedDevice(answer.table.reader(row));
      return device === undefined ? [] : [device];
    });
    devices.sort((a, b) => b.disconnects - a.disconnects);
    const total = uncappedCount(answer.table, 'DroppedDevices', devices.length);
    return withWarning({ rows: devices, total }, answer.warning);
  }

  async deviceHistory(query: EvidenceQuery): Promise<SourceAnswer<DeviceHistory[]>> {
    const answer = await this.run(query, 'deviceHistory');
    const rows = answer.table.rows.map((row) => answer.table.reader(row));
    return withWarning(deviceHistoriesOf(rows, query), answer.warning);
  }

  private async run(query: EvidenceQuery, expected: QueryName): Promise<QueryAnswer> {
    if (query.name !== expected) {
      throw new Error(`LogAnalyticsSource.${expected} was given the ${query.name} query`);
    }
    const timespan = {
      startTime: new Date(query.timespan.start),
      endTime: new Date(query.timespan.end),
    };
    let result: Awaited<ReturnType<LogsQueryClient['queryWorkspace']>>;
    try {
      result = await this.client.queryWorkspace(this.workspaceId, query.query, timespan, {
        serverTimeoutInSeconds: this.serverTimeoutSeconds,
        requestOptions: { timeout: this.clientTimeoutMs },
      });
    } catch (error: unknown) {
      throw toEvidenceQueryError(error, query.name, this.clientTimeoutMs);
    }
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      return {
        table: readTable(result.partialTables, query.name),
        warning: partialWarning(query.name, result.partialError),
      };
    }
    return { table: readTable(result.tables, query.name) };
  }
}

interface QueryAnswer {
  readonly table: ReadableTable;
  readonly warning?: string;
}

/** The uncapped count a capped query repeats on every row; the row count when it is absent. */
function uncappedCount(table: ReadableTable, column: string, rows: number): number {
  const first = table.rows[0];
  return Math.max(rows, first === undefined ? 0 : table.reader(first).count(column));
}

function joinWarnings(...warnings: (string | undefined)[]): string | undefined {
  const present = warnings.filter((w): w is string => w !== undefined);
  return present.length === 0 ? undefined : present.join('; ');
}

function withWarning<T>(value: T, warning: string | undefined): SourceAnswer<T> {
  return warning === undefined ? { value } : { value, warning };
}

interface PartialError {
  readonly code?: string;
  readonly message?: string;
  readonly details?: readonly { readonly code?: string; readonly message?: string }[];
  readonly innererror?: PartialError;
}

function partialWarning(queryName: QueryName, error: PartialError): string {
  const parts = [`${error.code ?? 'PartialError'}: ${error.message ?? 'no message'}`];
  for (const detail of error.details ?? []) {
    if (detail.message !== undefined && detail.message !== error.message) {
      parts.push(detail.code === undefined ? detail.message : `${detail.code}: ${detail.message}`);
    }
  }
  return `Log Analytics answered the ${queryName} query only in part (${parts.join('; ')})`;
}

// ---- errors ----------------------------------------------------------------------------------

interface ServiceError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly innererror?: ServiceError;
}

function innermost(error: ServiceError | undefined): ServiceError | undefined {
  let current = error;
  for (let depth = 0; current?.innererror !== undefined && depth < 10; depth++) {
    current = current.innererror;
  }
  return current;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function clip(message: string): string {
  return message.length <= MAX_QUOTED_MESSAGE
    ? message
    : `${message.slice(0, MAX_QUOTED_MESSAGE)}… (${message.length - MAX_QUOTED_MESSAGE} more characters)`;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, as milliseconds to wait. */
export function retryAfterOf(
  headers: { get(name: string): string | undefined } | undefined,
  now = Date.now(),
): { retryAfterMs?: number } {
  const header = (name: string): string | undefined =>
    (headers?.get(`${HANDED_OFF_PREFIX}${name}`) ?? headers?.get(name))?.trim();
  const rawMillis = header('retry-after-ms') ?? header('x-ms-retry-after-ms');
  if (rawMillis !== undefined && /^\d+(\.\d+)?$/.test(rawMillis)) {
    return { retryAfterMs: Number(rawMillis) };
  }
  const value = header('retry-after');
  if (value === undefined || value === '') return {};
  if (/^\d+(\.\d+)?$/.test(value)) return { retryAfterMs: Number(value) * 1000 };
  const date = Date.parse(value);
  return Number.isFinite(date) ? { retryAfterMs: Math.max(0, date - now) } : {};
}

function toEvidenceQueryError(
  error: unknown,
  queryName: QueryName,
  clientTimeoutMs: number,
): EvidenceQueryError {
  const prefix = `Log Analytics query ${queryName} failed`;
  if (!(error instanceof Error)) {
    return new EvidenceQueryError(
      `${prefix}: ${typeof error} thrown`,
      queryName,
      undefined,
      'Unknown',
      false,
    );
  }
  if (error.name === 'AbortError') {
    return new EvidenceQueryError(
      `${prefix}: no answer within ${clientTimeoutMs} ms`,
      queryName,
      undefined,
      'ClientTimeout',
      true,
      { cause: error },
    );
  }
  if (error.name === 'RestError') {
    const rest = error as Error & {
      statusCode?: number;
      code?: string;
      details?: { error?: ServiceError };
      response?: { headers?: { get(name: string): string | undefined } };
    };
    const top = rest.details?.error;
    const inner = innermost(top);
    const code = text(inner?.code) ?? text(top?.code) ?? text(rest.code) ?? 'Unknown';
    const statusCode = rest.statusCode;
    const messages = [clip(text(top?.message) ?? rest.message)];
    const innerMessage = text(inner?.message);
    if (innerMessage !== undefined && innerMessage !== messages[0])
      messages.push(clip(innerMessage));
    const status = statusCode === undefined ? '' : `HTTP ${statusCode} `;
    return new EvidenceQueryError(
      `${prefix} (${status}${code}): ${messages.join(' ')}`,
      queryName,
      statusCode,
      code,
      statusCode === undefined ? true : isRetryableStatus(statusCode),
      { cause: error, ...retryAfterOf(rest.response?.headers) },
    );
  }
  // 1.0.0 deserialises with bare property reads, so a malformed answer surfaces as a TypeError.
  const code = error instanceof TypeError ? 'MalformedResponse' : 'Unknown';
  return new EvidenceQueryError(
    `${prefix} (${code}): ${clip(error.message)}`,
    queryName,
    undefined,
    code,
    false,
    {
      cause: error,
    },
  );
}

// ---- rows → domain ---------------------------------------------------------------------------

interface RowReader {
  /** Text of a string cell; '' when the column is absent or the cell is empty. */
  text(column: string): string;
  /** ISO 8601 of a datetime cell, or undefined when absent or invalid. */
  time(column: string): string | undefined;
  /** A count; 0 when the column is absent or the cell is empty. */
  count(column: string): number;
}

interface ReadableTable {
  readonly rows: readonly (readonly Cell[])[];
  reader(row: readonly Cell[]): RowReader;
}

const EMPTY_TABLE: ReadableTable = {
  rows: [],
  reader: () => readerOf(new Map(), []),
};

/** The query's result table (`PrimaryResult`), with its columns indexed by name. */
function readTable(tables: readonly LogsTable[], queryName: QueryName): ReadableTable {
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

function optional<K extends string>(key: K, value: string): Partial<Record<K, string>> {
  return value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

/** `strings` shares the values that repeat across rows (see `SharedStrings`). */
function toConnectionEvent(row: RowReader, strings: SharedStrings): ConnectionEvent | undefined {
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

function toFleetActivityBin(row: RowReader): FleetActivityBin | undefined {
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

function toDisconnectedDevice(row: RowReader): DisconnectedDevice | undefined {
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
