/**
 * The KQL the enricher sends, built from an alert. Pure: no I/O.
 *
 * Safety: alert fields reach KQL only through `kqlString` (an escaped string literal), hub IDs are
 * validated before use, and every query is bounded in rows. The time range is never written into
 * the KQL: it travels as the query API's `timespan`, and the service intersects the two.
 */

import type { Alert, TimeWindow } from '../alerts/alert';

export type QueryName =
  'deviceTimeline' | 'fleetActivity' | 'fleetSize' | 'disconnectedDevices' | 'deviceHistory';

export interface EvidenceQuery {
  readonly name: QueryName;
  readonly query: string;
  readonly timespan: TimeWindow;
  /** The same filters in data form, for sources that cannot run KQL (export files). */
  readonly filter: {
    readonly hubResourceIds: readonly string[];
    readonly deviceIds: readonly string[];
  };
}

export interface EvidencePlan {
  readonly alertWindow: TimeWindow;
  readonly span: TimeWindow;
  readonly hubResourceIds: readonly string[];
  readonly deviceIds: readonly string[];
  readonly queries: readonly EvidenceQuery[];
}

export interface PlanOptions {
  readonly lookbackMinutes: number;
}

/** How long after the alert window to look for the reconnect that follows a drop. */
export const RECONNECT_LOOKAHEAD_MINUTES = 15;
/** Margin around the alert window for "who dropped in this window". */
export const WINDOW_MARGIN_MINUTES = 5;
export const FLEET_BIN_MINUTES = 5;
export const MAX_TIMELINE_ROWS = 5000;
export const MAX_DISCONNECTED_DEVICES = 500;
/**
 * The hub-activity query always reaches this far back, whatever the look-back: a fleet whose
 * tokens were issued together drops in waves one token lifetime (~65 min) apart, and three
 * earlier waves are what tell a renewal wave from an incident.
 */
export const MIN_FLEET_HISTORY_MINUTES = 240;
/** Split alerts carry one device; more than this is summarised at fleet level instead. */
export const MAX_DEVICES_PER_ALERT = 50;
/** "Is this new for this device?": its drops are counted over this many days up to the alert. */
export const HISTORY_DAYS = 30;
/** ...and over this many days up to its last drop, to say how it drops lately. */
export const RECENT_HISTORY_DAYS = 7;
/** Drops of a device in one bin of this many minutes are one episode (bursts, duplicate rows). */
export const DROP_EPISODE_MINUTES = 5;

const IOTHUB_ID =
  /^\/subscriptions\/[0-9a-z-]+\/resourcegroups\/[-\w.()]+\/providers\/microsoft\.devices\/iothubs\/[-0-9a-z]+$/;

/**
 * A KQL double-quoted string literal. Backslash and quote are escaped, line breaks and tabs use
 * their escapes, and any other control character is dropped: none is valid in a device ID.
 */
export function kqlString(value: string): string {
  let body = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') body += '\\\\';
    else if (char === '"') body += '\\"';
    else if (char === '\n') body += '\\n';
    else if (char === '\r') body += '\\r';
    else if (char === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f) continue;
    else body += char;
  }
  return `"${body}"`;
}

function kqlList(values: readonly string[]): string {
  return values.map(kqlString).join(', ');
}

/** True for a lower-cased IoT hub ARM resource ID that is safe to compare against `_ResourceId`. */
export function isIotHubResourceId(id: string): boolean {
  return IOTHUB_ID.test(id);
}

/**
 * The Connections rows of the hubs, and the DeviceTelemetry rows (errors only: throttling 429xxx
 * and quota 403002 on the device's sends, which explain some forced drops): the head of every
 * query.
 */
export function connectionsOf(hubResourceIds: readonly string[]): string[] {
  return [
    'AzureDiagnostics',
    '| where ResourceProvider == "MICROSOFT.DEVICES" and ResourceType == "IOTHUBS"',
    '| where Category in ("Connections", "DeviceTelemetry")',
    `| where _ResourceId in~ (${kqlList(hubResourceIds)})`,
  ];
}

/**
 * A capped query that also says how many rows it would have returned uncapped, in the column
 * `countColumn` of every row: a count taken from the capped list would read a 60 % drop on a
 * 100,000-device hub as 500 devices.
 */
function cappedWithTotal(rows: readonly string[], cap: string, countColumn: string): string[] {
  const [first, ...rest] = rows;
  return [
    `let Rows = materialize(${first ?? ''}`,
    ...rest.map((line) => `  ${line}`),
    ');',
    'Rows',
    `| ${cap}`,
    `| extend ${countColumn} = toscalar(Rows | count)`,
  ];
}

export function buildDeviceTimelineQuery(
  hubResourceIds: readonly string[],
  deviceIds: readonly string[],
): string {
  return cappedWithTotal(
    [
      ...connectionsOf(hubResourceIds),
      '| extend Properties = parse_json(column_ifexists("properties_s", ""))',
      '| extend DeviceId = tostring(Properties.deviceId)',
      `| where DeviceId in (${kqlList(deviceIds)})`,
      '| project TimeGenerated, _ResourceId, DeviceId, OperationName, Level, ResultType, ResultDescription,',
      '    SdkVersion = tostring(Properties.sdkVersion), Protocol = tostring(Properties.protocol),',
      '    MaskedIpAddress = tostring(Properties.maskedIpAddress),',
      '    ErrorMessage = tostring(Properties.errorMessage), Category',
    ],
    `top ${MAX_TIMELINE_ROWS} by TimeGenerated desc`,
    'TotalRows',
  ).join('\n');
}

export function buildFleetActivityQuery(hubResourceIds: readonly string[]): string {
  return [
    ...connectionsOf(hubResourceIds),
    '| extend DeviceId = tostring(parse_json(column_ifexists("properties_s", "")).deviceId)',
    '| summarize',
    '    Connects = countif(OperationName == "deviceConnect"),',
    '    Disconnects = countif(OperationName == "deviceDisconnect"),',
    '    DisconnectedDevices = dcountif(DeviceId, ResultType == "404104"),',
    '    Errors404104 = countif(ResultType == "404104"),',
    '    ServerErrors = countif(ResultType startswith "500" or ResultType startswith "503"),',
    '    AuthErrors = countif(ResultType == "401003"),',
    '    DuplicateIdentityErrors = countif(ResultType in ("400027", "409002")),',
    '    QuotaErrors = countif(ResultType == "403002"),',
    '    ThrottlingErrors = countif(ResultType startswith "429"),',
    '    ActiveDevices = dcount(DeviceId),',
    '    ReconnectedDevices = dcountif(DeviceId, OperationName == "deviceConnect" and isempty(ResultType))',
    `    by bin(TimeGenerated, ${FLEET_BIN_MINUTES}m)`,
    '| order by TimeGenerated asc',
  ].join('\n');
}

export function buildFleetSizeQuery(hubResourceIds: readonly string[]): string {
  return [
    ...connectionsOf(hubResourceIds),
    '| extend DeviceId = tostring(parse_json(column_ifexists("properties_s", "")).deviceId)',
    '| where isnotempty(DeviceId)',
    '| summarize Devices = dcount(DeviceId)',
  ].join('\n');
}

export function buildDisconnectedDevicesQuery(hubResourceIds: readonly string[]): string {
  return cappedWithTotal(
    [
      ...connectionsOf(hubResourceIds),
      '| extend Properties = parse_json(column_ifexists("properties_s", ""))',
      '| extend DeviceId = tostring(Properties.deviceId), SdkVersion = tostring(Properties.sdkVersion),',
      '    Protocol = tostring(Properties.protocol), MaskedIpAddress = tostring(Properties.maskedIpAddress)',
      '| summarize Disconnects = countif(ResultType == "404104"),',
      '    FirstDisconnect = minif(TimeGenerated, ResultType == "404104"),',
      '    LastDisconnect = maxif(TimeGenerated, ResultType == "404104"),',
      '    LastConnect = maxif(TimeGenerated, OperationName == "deviceConnect" and isempty(ResultType)),',
      '    SdkVersion = take_anyif(SdkVersion, isnotempty(SdkVersion)),',
      '    Protocol = take_anyif(Protocol, isnotempty(Protocol)),',
      '    MaskedIpAddress = take_anyif(MaskedIpAddress, isnotempty(MaskedIpAddress))',
      '    by DeviceId',
      '| where Disconnects > 0',
    ],
    `top ${MAX_DISCONNECTED_DEVICES} by Disconnects desc`,
    'DroppedDevices',
  ).join('\n');
}

/**
 * One row per device (1 to `MAX_DEVICES_PER_ALERT` of them, so at most 50 rows): its 404104 drop
 * episodes over the timespan, in the last `RECENT_HISTORY_DAYS` up to its own last drop (anchored
 * on the data, so no time is written into the KQL), its first and last drop, and its episodes per
 * UTC hour of the day as a bag `{"2": 31, "3": 4}`. The column names say 30 and 7: keep them in
 * step with `HISTORY_DAYS` and `RECENT_HISTORY_DAYS`.
 */
export function buildDeviceHistoryQuery(
  hubResourceIds: readonly string[],
  deviceIds: readonly string[],
): string {
  const hubs = hubResourceIds.filter(isIotHubResourceId);
  if (hubs.length === 0) throw new Error('A device history needs at least one valid IoT hub');
  if (deviceIds.length === 0 || deviceIds.length > MAX_DEVICES_PER_ALERT) {
    throw new Error(`A device history reads 1 to ${MAX_DEVICES_PER_ALERT} devices`);
  }
  const episodes: string[] = [
    ...connectionsOf(hubs),
    '| extend DeviceId = tostring(parse_json(column_ifexists("properties_s", "")).deviceId)',
    `| where DeviceId in (${kqlList(deviceIds)})`,
    '| where ResultType == "404104"',
    '| summarize FirstAt = min(TimeGenerated), LastAt = max(TimeGenerated)',
    `    by DeviceId, Episode = bin(TimeGenerated, ${DROP_EPISODE_MINUTES}m)`,
  ];
  const [first, ...rest] = episodes;
  return [
    `let Episodes = materialize(${first ?? ''}`,
    ...rest.map((line) => `  ${line}`),
    ');',
    'Episodes',
    '| lookup (Episodes | summarize LastEpisode = max(Episode) by DeviceId) on DeviceId',
    `| summarize Drops = count(), RecentDrops = countif(Episode > LastEpisode - ${RECENT_HISTORY_DAYS}d),`,
    '    FirstAt = min(FirstAt), LastAt = max(LastAt) by DeviceId, Hour = hourofday(Episode)',
    '| summarize DropsIn30Days = sum(Drops), DropsIn7Days = sum(RecentDrops),',
    '    FirstDrop = min(FirstAt), LastDrop = max(LastAt),',
    '    DropsByHour = make_bag(bag_pack(tostring(Hour), Drops)) by DeviceId',
  ].join('\n');
}

/** The history period of an alert: `HISTORY_DAYS` up to the end of its window. */
export function historyPeriod(end: string): TimeWindow {
  return {
    start: shift(end, -HISTORY_DAYS * 24 * 60),
    end: new Date(Date.parse(end)).toISOString(),
  };
}

function shift(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

/** Every query the enricher sends for this alert, with its time span. */
export function planEvidenceQueries(alert: Alert, options: PlanOptions): EvidencePlan {
  const hubResourceIds = alert.hubResourceIds.filter(isIotHubResourceId);
  const deviceIds = alert.deviceIds.slice(0, MAX_DEVICES_PER_ALERT);
  const span: TimeWindow = {
    start: shift(alert.window.start, -options.lookbackMinutes),
    end: shift(alert.window.end, RECONNECT_LOOKAHEAD_MINUTES),
  };
  const nearWindow: TimeWindow = {
    start: shift(alert.window.start, -WINDOW_MARGIN_MINUTES),
    end: shift(alert.window.end, WINDOW_MARGIN_MINUTES),
  };
  // Never shorter than the look-back, and long enough to see earlier renewal waves.
  const fleetHistory: TimeWindow = {
    start: shift(alert.window.start, -Math.max(options.lookbackMinutes, MIN_FLEET_HISTORY_MINUTES)),
    end: span.end,
  };
  const filter = { hubResourceIds, deviceIds };
  const queries: EvidenceQuery[] = [];
  if (hubResourceIds.length > 0) {
    if (deviceIds.length > 0) {
      queries.push({
        name: 'deviceTimeline',
        query: buildDeviceTimelineQuery(hubResourceIds, deviceIds),
        timespan: span,
        filter,
      });
    }
    queries.push(
      {
        name: 'fleetActivity',
        query: buildFleetActivityQuery(hubResourceIds),
        timespan: fleetHistory,
        filter,
      },
      { name: 'fleetSize', query: buildFleetSizeQuery(hubResourceIds), timespan: span, filter },
      {
        name: 'disconnectedDevices',
        query: buildDisconnectedDevicesQuery(hubResourceIds),
        timespan: nearWindow,
        filter,
      },
    );
    if (deviceIds.length > 0) {
      queries.push({
        name: 'deviceHistory',
        query: buildDeviceHistoryQuery(hubResourceIds, deviceIds),
        timespan: historyPeriod(alert.window.end),
        filter,
      });
    }
  }
  return { alertWindow: alert.window, span, hubResourceIds, deviceIds, queries };
}
