/**
 * `DigestSource` over a Log Analytics workspace, through the same `LogsQueryClient` (and its
 * response repair policy) as `LogAnalyticsSource`. Columns are read by name; a partial answer
 * keeps its rows and becomes a warning; a failure throws a message without the token.
 */

import {
  type LogsQueryClient,
  LogsQueryResultStatus,
  type LogsTable,
} from '@azure/monitor-query-logs';

import type { DigestRow } from './digestFigures';
import type { DigestQuery } from './digestKql';
import type { DigestSource } from './digestSource';
import type { SourceAnswer } from '../evidence/evidenceSource';
import {
  DEFAULT_CLIENT_TIMEOUT_MS,
  DEFAULT_SERVER_TIMEOUT_SECONDS,
} from '../evidence/logAnalyticsPolicies';

export interface LogAnalyticsDigestSourceOptions {
  /** Build it with `createLogsQueryClient` (it installs the response repair policy). */
  readonly client: LogsQueryClient;
  readonly workspaceId: string;
  readonly serverTimeoutSeconds?: number;
  readonly clientTimeoutMs?: number;
}

function rowsOf(tables: readonly LogsTable[]): DigestRow[] {
  const table = tables.find((t) => t.name === 'PrimaryResult') ?? tables[0];
  if (table === undefined) return [];
  const names = table.columnDescriptors.map((c) => c.name);
  return table.rows.map((row) =>
    Object.fromEntries(
      names.map((name, i) => {
        const cell: unknown = row[i];
        return [name, cell instanceof Date ? cell.toISOString() : (cell ?? null)];
      }),
    ),
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const rest = error as Error & { statusCode?: number; code?: string };
  const status = rest.statusCode === undefined ? '' : `HTTP ${rest.statusCode} `;
  const code = rest.code ?? error.name;
  return `${status}${code}: ${error.message.slice(0, 300)}`;
}

export class LogAnalyticsDigestSource implements DigestSource {
  constructor(private readonly options: LogAnalyticsDigestSourceOptions) {}

  async digestRows(query: DigestQuery): Promise<SourceAnswer<DigestRow[]>> {
    let result: Awaited<ReturnType<LogsQueryClient['queryWorkspace']>>;
    try {
      result = await this.options.client.queryWorkspace(
        this.options.workspaceId,
        query.query,
        { startTime: new Date(query.timespan.start), endTime: new Date(query.timespan.end) },
        {
          serverTimeoutInSeconds:
            this.options.serverTimeoutSeconds ?? DEFAULT_SERVER_TIMEOUT_SECONDS,
          requestOptions: { timeout: this.options.clientTimeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS },
        },
      );
    } catch (error: unknown) {
      throw new Error(`Log Analytics query ${query.name} failed (${describe(error)})`, {
        cause: error,
      });
    }
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      return {
        value: rowsOf(result.partialTables),
        warning: `Log Analytics answered the ${query.name} query only in part (${result.partialError.message})`,
      };
    }
    return { value: rowsOf(result.tables) };
  }
}
