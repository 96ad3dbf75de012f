/**
 * `EvidenceSource` over a Log Analytics workspace, through `LogsQueryClient`: runs each query
 * with its time-outs, reads the result union (a partial answer keeps its rows and becomes a
 * warning) and maps rows to evidence. Policies, errors and row reading live beside it.
 */

import {
  LogsQueryClient,
  LogsQueryResultStatus,
  type LogsQueryClientOptions,
} from '@azure/monitor-query-logs';

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
import { partialWarning, toEvidenceQueryError } from './logAnalyticsErrors';
import {
  DEFAULT_CLIENT_TIMEOUT_MS,
  DEFAULT_SERVER_TIMEOUT_SECONDS,
  installPolicies,
} from './logAnalyticsPolicies';
import {
  type ReadableTable,
  readTable,
  toConnectionEvent,
  toDisconnectedDevice,
  toFleetActivityBin,
  uncappedCount,
} from './logAnalyticsRows';

export type TokenCredential = ConstructorParameters<typeof LogsQueryClient>[0];

/** Sent in `User-Agent`, so the workspace's `LAQueryLogs` show which queries are the enricher's. */
export const USER_AGENT_PREFIX = 'iothub-alert-enricher';

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
 * The client the composition root uses. `endpoint` is used verbatim by the SDK, so it must include
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

function joinWarnings(...warnings: (string | undefined)[]): string | undefined {
  const present = warnings.filter((w): w is string => w !== undefined);
  return present.length === 0 ? undefined : present.join('; ');
}

function withWarning<T>(value: T, warning: string | undefined): SourceAnswer<T> {
  return warning === undefined ? { value } : { value, warning };
}
