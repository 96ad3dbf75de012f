/**
 * Answers the enricher's KQL from Connections events in memory, as a handler for the local Log
 * Analytics server: enough of a workspace for a storm benchmark over the real `LogsQueryClient`.
 */

import {
  disconnectedDevicesOf,
  filterEvents,
  fleetActivityOf,
  fleetSizeOf,
} from '../../evidence/aggregate';
import { MAX_BATCHED_ROWS_PER_DEVICE } from '../../evidence/batchedTimelineKql';
import { deviceHistoryRowsOf } from '../../evidence/deviceHistories';
import type {
  CappedRows,
  ConnectionEvent,
  DeviceHistory,
  DisconnectedDevice,
} from '../../evidence/evidence';
import { MAX_DISCONNECTED_DEVICES, MAX_TIMELINE_ROWS } from '../../evidence/kql';
import { RESULT_COLUMNS } from '../../evidence/logAnalyticsRows';
import { reply, table, type Handler, type WireTable } from './localLogAnalyticsServer';

const LITERAL = /"((?:[^"\\]|\\.)*)"/g;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };

/** The values of the KQL string literals on the line that starts with `prefix`. */
export function literalsOnLine(query: string, prefix: string): string[] | undefined {
  // Lines inside `let Rows = materialize(...)` are indented.
  const line = query
    .split('\n')
    .map((l) => l.trimStart())
    .find((l) => l.startsWith(prefix));
  if (line === undefined) return undefined;
  return [...line.slice(prefix.length).matchAll(LITERAL)].map((match) =>
    (match[1] ?? '').replace(/\\(.)/g, (_, char: string) => ESCAPES[char] ?? char),
  );
}

function timespanOf(value: string | undefined): { start: string; end: string } | undefined {
  const [start, end] = (value ?? '').split('/');
  if (start === undefined || end === undefined) return undefined;
  if (!Number.isFinite(Date.parse(start)) || !Number.isFinite(Date.parse(end))) return undefined;
  return { start, end };
}

function latestPerDevice(events: readonly ConnectionEvent[], cap: number): ConnectionEvent[] {
  const byDevice = new Map<string, ConnectionEvent[]>();
  for (const event of events) {
    const list = byDevice.get(event.deviceId) ?? [];
    list.push(event);
    byDevice.set(event.deviceId, list);
  }
  return [...byDevice.values()].flatMap((list) => list.slice(-cap));
}

/** The columns a query's answer carries: what the adapter requires, then what it may read. */
function columnsOf(name: 'fleetActivity' | 'disconnectedDevices' | 'deviceHistory') {
  return { ...RESULT_COLUMNS[name].required, ...RESULT_COLUMNS[name].optional };
}

/** A device timeline as the timeline query returns it (without the uncapped count). */
export function timelineWireTable(events: readonly ConnectionEvent[]): WireTable {
  return table(
    {
      TimeGenerated: 'datetime',
      _ResourceId: 'string',
      DeviceId: 'string',
      OperationName: 'string',
      Level: 'string',
      ResultType: 'string',
      ResultDescription: 'string',
      SdkVersion: 'string',
      Protocol: 'string',
      MaskedIpAddress: 'string',
      ErrorMessage: 'string',
      Category: 'string',
    },
    events.map((e) => [
      e.time,
      e.hubResourceId,
      e.deviceId,
      e.operation,
      e.level,
      e.resultType,
      e.resultDescription,
      e.sdkVersion ?? '',
      e.protocol ?? '',
      e.maskedIpAddress ?? '',
      e.errorMessage ?? '',
      e.category ?? 'Connections',
    ]),
  );
}

/**
 * A handler that answers from `events` (sorted oldest first). It recognises each query the
 * enricher sends by its shape (see `lib/evidence/kql.ts` and `batchedTimelineKql.ts`; the device
 * history by its `DropsIn30Days`), reads the hub and device literals and the request's
 * `timespan`, and computes the answer with the same aggregations the export-file source uses.
 * Anything else is answered 400, as the service answers a query it cannot run.
 */
export function answerFromEvents(events: readonly ConnectionEvent[]): Handler {
  return (request) => {
    const query = request.query ?? '';
    const timespan = timespanOf(request.timespan);
    const hubs = literalsOnLine(query, '| where _ResourceId in~ (');
    if (timespan === undefined || hubs === undefined) {
      return reply.error(400, 'BadArgumentError', 'The query or its timespan is not understood');
    }
    const devices = literalsOnLine(query, '| where DeviceId in (');
    if (devices !== undefined && query.includes('DropsIn30Days')) {
      const filter = { hubResourceIds: hubs, deviceIds: devices, timespan };
      const rows = deviceHistoryRowsOf(events, filter, timespan);
      return reply.tables(table(columnsOf('deviceHistory'), historyRows(rows)));
    }
    if (devices !== undefined) {
      const matching = filterEvents(events, { hubResourceIds: hubs, deviceIds: devices, timespan });
      return reply.tables(
        timelineWireTable(
          query.includes('RowOfDevice')
            ? latestPerDevice(matching, MAX_BATCHED_ROWS_PER_DEVICE)
            : matching.slice(-MAX_TIMELINE_ROWS),
        ),
      );
    }
    const hubEvents = filterEvents(events, { hubResourceIds: hubs, timespan });
    if (query.includes('summarize Devices = dcount(DeviceId)')) {
      return reply.tables(table({ Devices: 'long' }, [[fleetSizeOf(hubEvents)]]));
    }
    if (query.includes('by bin(TimeGenerated')) {
      return reply.tables(
        table(
          columnsOf('fleetActivity'),
          fleetActivityOf(hubEvents).map((b) => [
            b.start,
            b.connects,
            b.disconnects,
            b.disconnectedDevices,
            b.errors404104,
            b.serverErrors,
            b.authErrors,
            b.duplicateIdentityErrors,
            b.quotaErrors ?? 0,
            b.throttlingErrors ?? 0,
            b.activeDevices,
            b.reconnectedDevices,
          ]),
        ),
      );
    }
    if (query.includes('| where Disconnects > 0')) {
      return reply.tables(
        table(
          columnsOf('disconnectedDevices'),
          droppedRows(disconnectedDevicesOf(hubEvents, MAX_DISCONNECTED_DEVICES)),
        ),
      );
    }
    return reply.error(400, 'BadArgumentError', 'The query is not one the enricher sends');
  };
}

/** Rows of the device-history query: devices with a drop only, the hours as a dynamic bag. */
function historyRows(histories: readonly DeviceHistory[]): unknown[][] {
  return histories.map((h) => [
    h.deviceId,
    h.dropsIn30Days,
    h.dropsIn7Days,
    h.firstDrop ?? null,
    h.lastDrop ?? null,
    // The service sends a dynamic cell as JSON text: `make_bag` keeps the hours with drops.
    JSON.stringify(
      Object.fromEntries(
        h.dropsByHourUtc.flatMap((count, hour) => (count > 0 ? [[String(hour), count]] : [])),
      ),
    ),
  ]);
}

/** Rows of the capped dropped-devices query, each carrying the uncapped count as KQL does. */
function droppedRows({ rows, total }: CappedRows<DisconnectedDevice>): unknown[][] {
  return rows.map((d) => [
    d.deviceId,
    d.disconnects,
    d.firstDisconnect,
    d.lastDisconnect,
    d.sdkVersion ?? '',
    d.protocol ?? '',
    d.maskedIpAddress ?? '',
    d.lastConnect ?? null,
    total,
  ]);
}
