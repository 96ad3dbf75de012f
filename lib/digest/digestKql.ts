/**
 * The KQL of the daily fleet-health digest. Pure: no I/O.
 *
 * Every question is aggregated in KQL over the hub's `Connections` logs (and its `DeviceTelemetry`
 * error rows: quota 403002 and throttling 429xxx) of the last 24 h and the 7 days before (for the
 * trend): each query returns a bounded number of rows (`take N`) plus one
 * `Row == "total"` row with the uncapped counts. The hub ID is validated and reaches the KQL only
 * as an escaped string literal; the day boundary is a `datetime()` literal built from a `Date`.
 * `digestComputation.ts` computes the same rows over export files; keep the two in step.
 */

import type { TimeWindow } from '../alerts/alert';
import {
  AUTH_COMPANION_MS,
  INCIDENT_MIN_DEVICES,
  INCIDENT_MIN_SHARE,
  MIN_REFUSALS,
  NOT_IN_HUB_WORDS,
  QUICK_RECONNECT_MS,
} from '../diagnose/thresholds';
import { FLEET_BIN_MINUTES, isIotHubResourceId, kqlString } from '../evidence/kql';

export type DigestQueryName =
  | 'digestFamilies'
  | 'digestDevices'
  | 'digestSdks'
  | 'digestSites'
  | 'digestStopped'
  | 'digestBursts';

export const DIGEST_QUERY_NAMES: readonly DigestQueryName[] = [
  'digestFamilies',
  'digestDevices',
  'digestSdks',
  'digestSites',
  'digestStopped',
  'digestBursts',
];

export interface DigestQuery {
  readonly name: DigestQueryName;
  readonly query: string;
  readonly timespan: TimeWindow;
  /** The same filters in data form, for sources that cannot run KQL (export files). */
  readonly filter: {
    readonly hubResourceId: string;
    readonly dayStart: string;
  };
}

export interface DigestPlan {
  readonly hubResourceId: string;
  /** The 24 hours the digest is about. */
  readonly day: TimeWindow;
  /** The 7 days before, for the trend. */
  readonly week: TimeWindow;
  /** `week.start` to `day.end`: the timespan every query is sent with. */
  readonly span: TimeWindow;
  readonly queries: readonly DigestQuery[];
}

export const DIGEST_DAY_MS = 24 * 60 * 60_000;
export const DIGEST_WEEK_DAYS = 7;
/** Rows of each list the queries return; the total row counts the rest. */
export const DIGEST_LIST_ROWS = 20;
export const DIGEST_SDK_ROWS = 50;
/** Drops of a device closer than this are one episode when measuring its rhythm. */
export const SAME_EPISODE_MINUTES = 3;
/** Token lifetimes people configure range from minutes to a day (as the per-device rules). */
export const RENEWAL_MEDIAN_MINUTES = { min: 10, max: 26 * 60 } as const;
/** An interval this close to the median (or 3 min) keeps time with it... */
export const RHYTHM_TOLERANCE = 0.08;
/** ...and a device keeps a rhythm when at least this share of its intervals do. */
export const RHYTHM_MIN_SHARE = 0.66;
/** A device "stopped" only when its last disconnect is at least this old (logs can be late). */
export const STOPPED_GRACE_MINUTES = 15;
/**
 * A 429xxx this long before a drop is beside it (the throttled sends come first); a 403002, only
 * within `AUTH_COMPANION_MS` either side. Both count up to `AUTH_COMPANION_MS` after the drop.
 */
export const THROTTLED_BEFORE_MINUTES = 5;
/**
 * The KQL finds the limit errors beside a drop through bins of this size (per device and bin, the
 * first and last error): exact as long as no window fits inside one bin, so at most
 * `2 * AUTH_COMPANION_MS` (the quota's window).
 */
export const LIMIT_BIN_MINUTES = 1;

/** The verdict families the digest counts drops by, in the order of precedence. */
export const DIGEST_FAMILIES = [
  'duplicate-identity',
  'device-removed',
  'credential-rejected',
  'quota-exceeded',
  'throttled',
  'iot-hub-transient',
  'sas-token-expiry',
  'device-or-network',
] as const;
export type DigestFamily = (typeof DIGEST_FAMILIES)[number];

export class InvalidHubError extends Error {
  override name = 'InvalidHubError';
}

function kqlDatetime(iso: string): string {
  // From a Date, so the text is always `YYYY-MM-DDTHH:MM:SS.sssZ`: nothing to escape.
  return `datetime(${new Date(iso).toISOString()})`;
}

/**
 * `Events`: the hub's Connections rows and DeviceTelemetry (error) rows, with DeviceId, the hub's
 * ErrorMessage and Period (day / week).
 */
function prelude(hubResourceId: string, dayStart: string): string[] {
  return [
    `let DayStart = ${kqlDatetime(dayStart)};`,
    'let Events = AzureDiagnostics',
    '| where ResourceProvider == "MICROSOFT.DEVICES" and ResourceType == "IOTHUBS"',
    '| where Category in ("Connections", "DeviceTelemetry")',
    `| where _ResourceId =~ ${kqlString(hubResourceId)}`,
    '| extend Properties = parse_json(properties_s)',
    '| extend DeviceId = tostring(Properties.deviceId), SdkVersion = tostring(Properties.sdkVersion),',
    '    MaskedIpAddress = tostring(Properties.maskedIpAddress), ErrorMessage = tostring(Properties.errorMessage)',
    '| where isnotempty(DeviceId)',
    '| extend Period = iff(TimeGenerated >= DayStart, "day", "week");',
    // The fleet a mass drop is measured against: the devices seen in the 24 hours.
    'let FleetSize = toscalar(Events | where Period == "day" | summarize dcount(DeviceId));',
  ];
}

/**
 * `Drops`: every 404104 with its verdict family, decided per drop in the order of the per-device
 * rules: a device fighting a clone; after the device's last drop, a device refused as unknown to
 * the hub (404001, or 401003 "does not contain the specified device") or refused its credential
 * (other 401003); the hub's limits beside the drop (403002 quota, 429xxx throttling); a mass drop
 * on the hub; the SAS-token clock (401003 beside the drop, or a regular rhythm, and a quick
 * return); else the device or its network.
 */
function classifiedDrops(): string[] {
  const quick = `${QUICK_RECONNECT_MS / 1000}s`;
  const companion = `${AUTH_COMPANION_MS / 1000}s`;
  const throttledBefore = `${THROTTLED_BEFORE_MINUTES}m`;
  const limitBin = `${LIMIT_BIN_MINUTES}m`;
  return [
    'let Marked = Events',
    '| where ResultType in ("404104", "401003", "404001", "400027", "409002")',
    '    or (OperationName == "deviceConnect" and isempty(ResultType))',
    // A refusal of an identity the hub no longer has is no credential refusal, and only an attempt
    // to connect is a refusal: the same words on a disconnect are left out.
    '| extend Removed = ResultType == "404001"',
    `    or (ResultType == "401003" and ErrorMessage contains ${kqlString(NOT_IN_HUB_WORDS)})`,
    '| extend Kind = case(ResultType == "404104", "drop",',
    '    Removed and OperationName == "deviceConnect", "removed", Removed, "",',
    '    ResultType == "401003", "auth", ResultType in ("400027", "409002"), "duplicate", "connect")',
    '| where isnotempty(Kind)',
    '| distinct DeviceId, TimeGenerated, Kind, Period, MaskedIpAddress',
    // Newest first per device: prev() is the next event in time, next() the previous one.
    '| sort by DeviceId asc, TimeGenerated desc',
    '| extend Later1 = iff(prev(DeviceId, 1) == DeviceId, prev(Kind, 1), ""),',
    '    Later1At = iff(prev(DeviceId, 1) == DeviceId, prev(TimeGenerated, 1), datetime(null)),',
    '    Later2 = iff(prev(DeviceId, 2) == DeviceId, prev(Kind, 2), ""),',
    '    Later2At = iff(prev(DeviceId, 2) == DeviceId, prev(TimeGenerated, 2), datetime(null)),',
    '    Earlier1 = iff(next(DeviceId, 1) == DeviceId, next(Kind, 1), ""),',
    '    Earlier1At = iff(next(DeviceId, 1) == DeviceId, next(TimeGenerated, 1), datetime(null)),',
    '    ConnectsLater = row_cumsum(iff(Kind == "connect", 1, 0), DeviceId != prev(DeviceId)),',
    '    DropsLater = row_cumsum(iff(Kind == "drop", 1, 0), DeviceId != prev(DeviceId));',
    'let Duplicates = Marked | where Kind == "duplicate"',
    '| summarize DuplicateErrors = count() by DeviceId, Period;',
    'let Refused = Marked | where Kind in ("auth", "removed") and DropsLater == 0',
    '| summarize RefusedAfterLastDrop = countif(Kind == "auth"), RemovedAfterLastDrop = countif(Kind == "removed")',
    '    by DeviceId;',
    // The hub's limits, on any row of the device (deviceDisconnect or DeviceTelemetry): per bin the
    // first and last error, so a drop meets only the few bins around it, never every error.
    'let Limits = Events | where ResultType == "403002" or ResultType startswith "429"',
    '| summarize FirstAt = min(TimeGenerated), LastAt = max(TimeGenerated)',
    `    by DeviceId, Limit = iff(ResultType == "403002", "quota", "throttle"), Key = bin(TimeGenerated, ${limitBin});`,
    'let LimitsBeside = Marked | where Kind == "drop"',
    '| distinct DeviceId, TimeGenerated',
    '| join kind=leftsemi (Limits | distinct DeviceId) on DeviceId',
    `| extend Key = range(bin(TimeGenerated - ${throttledBefore}, ${limitBin}), bin(TimeGenerated + ${companion}, ${limitBin}), ${limitBin})`,
    '| mv-expand Key to typeof(datetime)',
    '| join kind=inner Limits on DeviceId, Key',
    `| summarize QuotaErrors = countif(Limit == "quota" and LastAt >= TimeGenerated - ${companion}`,
    `        and FirstAt <= TimeGenerated + ${companion}),`,
    `    ThrottlingErrors = countif(Limit == "throttle" and LastAt >= TimeGenerated - ${throttledBefore}`,
    `        and FirstAt <= TimeGenerated + ${companion})`,
    '    by DeviceId, TimeGenerated;',
    `let Bursts = Marked | where Kind == "drop"`,
    `| summarize BurstDevices = dcount(DeviceId) by Bin = bin(TimeGenerated, ${FLEET_BIN_MINUTES}m)`,
    `| where BurstDevices >= ${INCIDENT_MIN_DEVICES} and BurstDevices >= ${INCIDENT_MIN_SHARE} * FleetSize;`,
    // A mass drop resets the device's clock: intervals that touch one are not its rhythm.
    'let Intervals = Marked | where Kind == "drop"',
    `| extend Bin = bin(TimeGenerated, ${FLEET_BIN_MINUTES}m)`,
    '| join kind=leftouter (Bursts | project Bin, InBurst = true) on Bin',
    '| extend InBurst = coalesce(InBurst, false)',
    '| sort by DeviceId asc, TimeGenerated asc',
    '| extend IntervalMin = iff(prev(DeviceId) == DeviceId and prev(Period) == Period',
    '    and not(InBurst) and not(prev(InBurst)), (TimeGenerated - prev(TimeGenerated)) / 1m, real(null))',
    `| where IntervalMin > ${SAME_EPISODE_MINUTES} and IntervalMin <= ${RENEWAL_MEDIAN_MINUTES.max}`,
    '| project DeviceId, Period, IntervalMin;',
    // Regular: most intervals near the median, so a few random drops do not hide the clock.
    'let Rhythm = Intervals',
    '| summarize MedianMin = percentile(IntervalMin, 50) by DeviceId, Period',
    '| join kind=inner Intervals on DeviceId, Period',
    `| summarize Near = countif(abs(IntervalMin - MedianMin) <= max_of(${SAME_EPISODE_MINUTES}.0, ${RHYTHM_TOLERANCE} * MedianMin)),`,
    '    Total = count() by DeviceId, Period, MedianMin',
    `| extend Regular = Near >= 2 and Near >= ${RHYTHM_MIN_SHARE} * Total`,
    `    and MedianMin between (${RENEWAL_MEDIAN_MINUTES.min}.0 .. ${RENEWAL_MEDIAN_MINUTES.max}.0)`,
    '| project DeviceId, Period, Regular;',
    'let Drops = Marked | where Kind == "drop"',
    '| extend ReturnAt = case(Later1 == "connect", Later1At, Later2 == "connect", Later2At, datetime(null))',
    `| extend Quick = isnotnull(ReturnAt) and ReturnAt - TimeGenerated <= ${quick},`,
    `    Companion = (Earlier1 == "auth" and TimeGenerated - Earlier1At <= ${companion})`,
    `        or (Later1 == "auth" and Later1At - TimeGenerated <= ${companion}),`,
    `    Bin = bin(TimeGenerated, ${FLEET_BIN_MINUTES}m)`,
    '| join kind=leftouter Duplicates on DeviceId, Period',
    '| join kind=leftouter Refused on DeviceId',
    '| join kind=leftouter LimitsBeside on DeviceId, TimeGenerated',
    '| join kind=leftouter Rhythm on DeviceId, Period',
    '| join kind=leftouter (Bursts | project Bin, InBurst = true) on Bin',
    `| extend LastDropNotBack = DropsLater == 1 and ConnectsLater == 0`,
    '| extend Family = case(',
    '    coalesce(DuplicateErrors, 0) >= 2, "duplicate-identity",',
    `    LastDropNotBack and coalesce(RemovedAfterLastDrop, 0) >= ${MIN_REFUSALS}, "device-removed",`,
    `    LastDropNotBack and coalesce(RefusedAfterLastDrop, 0) >= ${MIN_REFUSALS}, "credential-rejected",`,
    '    coalesce(QuotaErrors, 0) > 0, "quota-exceeded",',
    '    coalesce(ThrottlingErrors, 0) > 0, "throttled",',
    '    coalesce(InBurst, false), "iot-hub-transient",',
    '    Quick and (Companion or coalesce(Regular, false)), "sas-token-expiry",',
    '    "device-or-network")',
    // Quota and throttling are explained, but by limits someone has to act on: they stay listed.
    '| extend Unexplained = Family !in ("sas-token-expiry", "iot-hub-transient")',
    '| project DeviceId, TimeGenerated, Period, MaskedIpAddress, ReturnAt, Family, Unexplained;',
  ];
}

export function buildFamiliesQuery(hubResourceId: string, dayStart: string): string {
  return [
    ...prelude(hubResourceId, dayStart),
    ...classifiedDrops(),
    'Drops',
    '| summarize Drops = count(), Devices = dcount(DeviceId) by Period, Family',
    '| extend Row = "family"',
    '| union (Events | summarize Devices = dcount(DeviceId) by Period | extend Row = "fleet")',
    '| project Row, Period, Family, Drops, Devices',
  ].join('\n');
}

export function buildDevicesQuery(hubResourceId: string, dayStart: string): string {
  return [
    ...prelude(hubResourceId, dayStart),
    ...classifiedDrops(),
    'let Flapping = Drops | where Period == "day"',
    '| summarize Drops = count(), UnexplainedDrops = countif(Unexplained),',
    '    SlowestReturnMin = max((ReturnAt - TimeGenerated) / 1m), NotBack = countif(isnull(ReturnAt)),',
    '    LastDrop = max(TimeGenerated), MaskedIpAddress = take_anyif(MaskedIpAddress, isnotempty(MaskedIpAddress))',
    '    by DeviceId',
    '| where UnexplainedDrops > 0;',
    'Flapping',
    '| sort by UnexplainedDrops desc, SlowestReturnMin desc, DeviceId asc',
    `| take ${DIGEST_LIST_ROWS}`,
    '| extend Row = "device"',
    '| union (Flapping | summarize Total = count() | extend Row = "total")',
    '| project Row, DeviceId, Drops, UnexplainedDrops, SlowestReturnMin, NotBack, LastDrop, MaskedIpAddress, Total',
  ].join('\n');
}

export function buildSdksQuery(hubResourceId: string, dayStart: string): string {
  return [
    ...prelude(hubResourceId, dayStart),
    'let PerDevice = Events',
    '| summarize Sdk = take_anyif(extract(@"^[^ ]+", 0, SdkVersion), isnotempty(SdkVersion)),',
    '    SeenToday = countif(Period == "day"), Drops = countif(Period == "day" and ResultType == "404104")',
    '    by DeviceId',
    '| where SeenToday > 0',
    '| extend Sdk = coalesce(Sdk, "");',
    'let PerSdk = PerDevice',
    '| summarize Devices = count(), DroppingDevices = countif(Drops > 0), Drops = sum(Drops) by Sdk;',
    'PerSdk',
    '| sort by Devices desc, Sdk asc',
    `| take ${DIGEST_SDK_ROWS}`,
    '| extend Row = "sdk"',
    '| union (PerSdk | summarize Total = count(), Devices = sum(Devices), Drops = sum(Drops) | extend Row = "total")',
    '| project Row, Sdk, Devices, DroppingDevices, Drops, Total',
  ].join('\n');
}

export function buildSitesQuery(hubResourceId: string, dayStart: string): string {
  return [
    ...prelude(hubResourceId, dayStart),
    ...classifiedDrops(),
    'let Sites = Drops | where Period == "day" and isnotempty(MaskedIpAddress)',
    '| summarize Drops = count(), UnexplainedDrops = countif(Unexplained), Devices = dcount(DeviceId),',
    '    DroppingDevices = dcountif(DeviceId, Unexplained) by Site = MaskedIpAddress',
    '| where UnexplainedDrops > 0;',
    'Sites',
    '| sort by UnexplainedDrops desc, Site asc',
    `| take ${DIGEST_LIST_ROWS}`,
    '| extend Row = "site"',
    '| union (Sites | summarize Total = count() | extend Row = "total")',
    '| project Row, Site, Drops, UnexplainedDrops, Devices, DroppingDevices, Total',
  ].join('\n');
}

export function buildStoppedQuery(hubResourceId: string, dayStart: string, until: string): string {
  return [
    ...prelude(hubResourceId, dayStart),
    'let LastDisconnects = Events | where OperationName == "deviceDisconnect"',
    '| summarize arg_max(TimeGenerated, ResultType) by DeviceId',
    '| project DeviceId, LastDisconnect = TimeGenerated, LastResult = ResultType;',
    'let Stopped = Events',
    '| summarize LastConnect = maxif(TimeGenerated, OperationName == "deviceConnect" and isempty(ResultType)),',
    '    FailedConnects = countif(OperationName == "deviceConnect" and isnotempty(ResultType)),',
    '    SdkVersion = take_anyif(SdkVersion, isnotempty(SdkVersion)) by DeviceId',
    '| join kind=inner LastDisconnects on DeviceId',
    `| where LastDisconnect >= DayStart and LastDisconnect < ${kqlDatetime(until)} - ${STOPPED_GRACE_MINUTES}m`,
    '| where isnotnull(LastConnect) and LastConnect < LastDisconnect',
    '| project DeviceId, LastConnect, LastDisconnect, LastResult, SdkVersion, FailedConnects;',
    'Stopped',
    '| sort by LastDisconnect desc, DeviceId asc',
    `| take ${DIGEST_LIST_ROWS}`,
    '| extend Row = "device"',
    '| union (Stopped | summarize Total = count() | extend Row = "total")',
    '| project Row, DeviceId, LastConnect, LastDisconnect, LastResult, SdkVersion, FailedConnects, Total',
  ].join('\n');
}

export function buildBurstsQuery(hubResourceId: string, dayStart: string): string {
  return [
    ...prelude(hubResourceId, dayStart),
    'let Bins = Events | where Period == "day"',
    `| summarize DroppedDevices = dcountif(DeviceId, ResultType == "404104"), Drops = countif(ResultType == "404104"),`,
    '    ServerErrors = countif(ResultType startswith "500" or ResultType startswith "503")',
    `    by Start = bin(TimeGenerated, ${FLEET_BIN_MINUTES}m)`,
    `| where DroppedDevices >= ${INCIDENT_MIN_DEVICES} and DroppedDevices >= ${INCIDENT_MIN_SHARE} * FleetSize;`,
    'Bins',
    '| sort by Start asc',
    `| take ${DIGEST_LIST_ROWS}`,
    '| extend Row = "bin", FleetDevices = FleetSize',
    '| union (Bins | summarize Total = count() | extend Row = "total")',
    '| project Row, Start, DroppedDevices, Drops, ServerErrors, FleetDevices, Total',
  ].join('\n');
}

/** Every digest query for one hub, for the 24 hours up to `until`. */
export function planDigestQueries(hubResourceId: string, until: Date): DigestPlan {
  const hub = hubResourceId.toLowerCase();
  if (!isIotHubResourceId(hub)) {
    throw new InvalidHubError('The digest needs an IoT hub ARM resource ID');
  }
  if (Number.isNaN(until.getTime())) throw new InvalidHubError('The digest needs a valid time');
  const end = until.getTime();
  const dayStart = new Date(end - DIGEST_DAY_MS).toISOString();
  const day: TimeWindow = { start: dayStart, end: until.toISOString() };
  const week: TimeWindow = {
    start: new Date(end - (DIGEST_WEEK_DAYS + 1) * DIGEST_DAY_MS).toISOString(),
    end: dayStart,
  };
  const span: TimeWindow = { start: week.start, end: day.end };
  const filter = { hubResourceId: hub, dayStart };
  const texts: Record<DigestQueryName, string> = {
    digestFamilies: buildFamiliesQuery(hub, dayStart),
    digestDevices: buildDevicesQuery(hub, dayStart),
    digestSdks: buildSdksQuery(hub, dayStart),
    digestSites: buildSitesQuery(hub, dayStart),
    digestStopped: buildStoppedQuery(hub, dayStart, day.end),
    digestBursts: buildBurstsQuery(hub, dayStart),
  };
  return {
    hubResourceId: hub,
    day,
    week,
    span,
    queries: DIGEST_QUERY_NAMES.map((name) => ({
      name,
      query: texts[name],
      timespan: span,
      filter,
    })),
  };
}
