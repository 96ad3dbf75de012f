/**
 * The Log Analytics queries behind each digest line, and portal deep links that open them in the
 * hub's resource context (the hub's own logs, whatever workspace holds them). The link carries
 * the KQL compressed the way the portal's "share a link to a query" does (zlib, base64).
 * Values reach the KQL only as escaped string literals.
 */

import { deflateSync } from 'node:zlib';

import type { TimeWindow } from '../alerts/alert';
import { kqlString } from '../evidence/kql';

export interface QueryLink {
  /** The KQL the link opens (for the JSON output, and for the schema test). */
  readonly query: string;
  readonly timespan: TimeWindow;
  readonly url: string;
}

const PORTAL_LOGS = 'https://portal.azure.com/#blade/Microsoft_Azure_Monitoring_Logs/LogsBlade';

/** `encodeURIComponent`, plus the characters it leaves that break Markdown links: ! ' ( ) *. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function logAnalyticsLink(
  hubResourceId: string,
  query: string,
  timespan: TimeWindow,
): QueryLink {
  const scope = encode(JSON.stringify({ resources: [{ resourceId: hubResourceId }] }));
  const q = encode(deflateSync(Buffer.from(query, 'utf8'), { level: 9 }).toString('base64'));
  const span = `${encode(timespan.start)}%2F${encode(timespan.end)}`;
  return {
    query,
    timespan,
    url: `${PORTAL_LOGS}/scope/${scope}/q/${q}/prettify/1/timespan/${span}`,
  };
}

const CONNECTIONS = [
  'AzureDiagnostics',
  '| where ResourceProvider == "MICROSOFT.DEVICES" and ResourceType == "IOTHUBS"',
  '| where Category == "Connections"',
];

/** One hub's scope: the portal runs resource-context queries, but say it in the KQL too. */
function connectionsOf(hubResourceId: string): string[] {
  return [...CONNECTIONS, `| where _ResourceId =~ ${kqlString(hubResourceId)}`];
}

/** Every Connections event of one device, oldest first. */
export function deviceEventsQuery(hubResourceId: string, deviceId: string): string {
  return [
    ...connectionsOf(hubResourceId),
    '| extend P = parse_json(properties_s)',
    `| where tostring(P.deviceId) == ${kqlString(deviceId)}`,
    '| project TimeGenerated, OperationName, Level, ResultType, ResultDescription,',
    '    SdkVersion = tostring(P.sdkVersion), MaskedIpAddress = tostring(P.maskedIpAddress)',
    '| order by TimeGenerated asc',
  ].join('\n');
}

/** The devices that announce one SDK (`name/version`) and their drops. */
export function sdkDevicesQuery(hubResourceId: string, sdk: string): string {
  return [
    ...connectionsOf(hubResourceId),
    '| extend P = parse_json(properties_s)',
    '| summarize Sdk = take_anyif(tostring(P.sdkVersion), isnotempty(tostring(P.sdkVersion))),',
    '    Drops = countif(ResultType == "404104") by DeviceId = tostring(P.deviceId)',
    `| where Sdk startswith ${kqlString(`${sdk} `)} or Sdk == ${kqlString(sdk)}`,
    '| order by Drops desc',
  ].join('\n');
}

/** The drops behind one masked address, per device. */
export function siteDropsQuery(hubResourceId: string, site: string): string {
  return [
    ...connectionsOf(hubResourceId),
    '| where ResultType == "404104"',
    '| extend P = parse_json(properties_s)',
    `| where tostring(P.maskedIpAddress) == ${kqlString(site)}`,
    '| summarize Drops = count(), First = min(TimeGenerated), Last = max(TimeGenerated)',
    '    by DeviceId = tostring(P.deviceId)',
    '| order by Drops desc',
  ].join('\n');
}

/** Drops and server errors per minute: what a mass drop looks like. */
export function burstQuery(hubResourceId: string): string {
  return [
    ...connectionsOf(hubResourceId),
    '| where ResultType == "404104" or ResultType startswith "500" or ResultType startswith "503"',
    '| summarize DroppedDevices = dcountif(tostring(parse_json(properties_s).deviceId), ResultType == "404104"),',
    '    ServerErrors = countif(ResultType != "404104") by bin(TimeGenerated, 1m)',
    '| order by TimeGenerated asc',
  ].join('\n');
}
