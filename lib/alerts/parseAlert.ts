/**
 * Turns an Azure Monitor webhook body into a domain `Alert`, or throws an `AppError` that says
 * exactly what is wrong and where (400: not an alert; 422: a recognised payload we refuse).
 * Reading the alert context is `alertContext.ts`'s job; this module assembles and bounds the alert.
 */

import { BadRequestError, UnprocessableAlertError } from '../common/errors';
import { withoutUndefined } from '../common/withoutUndefined';
import type { Alert } from './alert';
import { check, isRecord, readContext } from './alertContext';
import { clampWindow, pickHubs, scopeHubs } from './alertScope';
import { commonAlertSchema } from './commonAlertSchema';
import { parseAlertTimestamp } from './duration';

export interface ParseOptions {
  /** Dimension holding the device ID when a log alert is split by device. */
  readonly deviceIdDimension: string;
  /** Used when the alert names no IoT hub. */
  readonly defaultIotHubResourceId?: string;
  /**
   * The hubs this deployment watches, lower-cased; empty or absent means any. Other hubs an
   * alert names are dropped, and an alert that names only other hubs is refused (422).
   */
  readonly allowedIotHubResourceIds?: readonly string[];
}

/** Metrics that describe device connections; alerts on other metrics are passed on undiagnosed. */
export const CONNECTION_METRICS = ['connectedDeviceCount', 'devices.connectedDevices.allProtocol'];

/**
 * Bounds that keep a normalised alert well inside a 64 KiB queue message whatever the payload
 * carried (up to 1 MiB): split alerts name one device; the rest is context, trimmed.
 */
export const ALERT_LIMITS = {
  devices: 50,
  dimensions: 20,
  customProperties: 20,
  /** Device IDs are at most 128 characters; dimension values rarely longer. */
  value: 256,
  text: 500,
  query: 4000,
  /** Longer links are dropped rather than cut, since a cut URL is broken. */
  link: 2048,
} as const;

function bounded(text: string, max: number = ALERT_LIMITS.text): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function boundedLink(url: string | undefined): string | undefined {
  return url !== undefined && url.length <= ALERT_LIMITS.link ? url : undefined;
}

/** Applies `ALERT_LIMITS`. */
function boundAlert(alert: Alert): Alert {
  const logSearch = alert.logSearch;
  return withoutUndefined<Alert>({
    ...alert,
    rule: bounded(alert.rule),
    description: alert.description === undefined ? undefined : bounded(alert.description),
    deviceIds: alert.deviceIds
      .slice(0, ALERT_LIMITS.devices)
      .map((id) => bounded(id, ALERT_LIMITS.value)),
    dimensions: alert.dimensions.slice(0, ALERT_LIMITS.dimensions).map((d) => ({
      name: bounded(d.name, ALERT_LIMITS.value),
      value: bounded(d.value, ALERT_LIMITS.value),
    })),
    customProperties: Object.fromEntries(
      Object.entries(alert.customProperties)
        .slice(0, ALERT_LIMITS.customProperties)
        .map(([key, value]) => [bounded(key, ALERT_LIMITS.value), bounded(value)]),
    ),
    logSearch: logSearch
      ? withoutUndefined({
          query:
            logSearch.query === undefined
              ? undefined
              : bounded(logSearch.query, ALERT_LIMITS.query),
          resultCount: logSearch.resultCount,
          linkToSearchResultsUI: boundedLink(logSearch.linkToSearchResultsUI),
          linkToFilteredSearchResultsUI: boundedLink(logSearch.linkToFilteredSearchResultsUI),
          linkToSearchResultsAPI: boundedLink(logSearch.linkToSearchResultsAPI),
          linkToFilteredSearchResultsAPI: boundedLink(logSearch.linkToFilteredSearchResultsAPI),
        })
      : undefined,
  });
}

const COMMON_SCHEMA_HINT =
  'Turn on "Enable the common alert schema" for this receiver in the action group.';

const LEGACY_SCHEMA_IDS: Readonly<Record<string, string>> = {
  'Microsoft.Insights/LogAlert': 'a legacy Application Insights log alert',
  AzureMonitorMetricAlert: 'a legacy (non-common) metric alert',
  'Microsoft.Insights/activityLogs': 'a legacy (non-common) activity log alert',
};

/** Recognises payloads that are alerts but not in the common schema, and refuses them clearly. */
function refuseLegacy(body: Record<string, unknown>): never | undefined {
  const schemaId = body.schemaId;
  if (typeof schemaId === 'string' && schemaId in LEGACY_SCHEMA_IDS) {
    throw new UnprocessableAlertError(
      `This is ${LEGACY_SCHEMA_IDS[schemaId] ?? 'a legacy alert'} payload (schemaId "${schemaId}"). ${COMMON_SCHEMA_HINT}`,
      'schemaId',
    );
  }
  if (schemaId === undefined && ('AlertRuleName' in body || 'SearchQuery' in body)) {
    throw new UnprocessableAlertError(
      `This is a legacy Log Analytics log alert payload (no schemaId). ${COMMON_SCHEMA_HINT}`,
      'schemaId',
    );
  }
  return undefined;
}

export function parseAlert(body: unknown, options: ParseOptions): Alert {
  if (!isRecord(body)) {
    throw new BadRequestError('Body must be a JSON object (an Azure Monitor alert)');
  }
  refuseLegacy(body);
  if (body.schemaId === undefined) {
    throw new BadRequestError(
      'Not an Azure Monitor alert: schemaId is missing (expected "azureMonitorCommonAlertSchema")',
      'schemaId',
    );
  }
  if (body.schemaId !== 'azureMonitorCommonAlertSchema') {
    throw new UnprocessableAlertError(
      `Unsupported schemaId ${JSON.stringify(body.schemaId)}; expected "azureMonitorCommonAlertSchema". ${COMMON_SCHEMA_HINT}`,
      'schemaId',
    );
  }
  const payload = check(commonAlertSchema, body, '');
  const { essentials } = payload.data;
  const firedAt = parseAlertTimestamp(essentials.firedDateTime);
  if (firedAt === undefined) {
    throw new UnprocessableAlertError(
      'data.essentials.firedDateTime: must be an ISO 8601 date-time',
      'data.essentials.firedDateTime',
    );
  }
  const resolvedAt = essentials.resolvedDateTime
    ? parseAlertTimestamp(essentials.resolvedDateTime)
    : undefined;

  const service = essentials.monitoringService;
  const context = payload.data.alertContext ?? {};
  const reading = readContext(service, context, firedAt);

  const dimensions = reading.dimensions.map((d) => ({ name: d.name, value: String(d.value) }));
  const deviceIds = unique([
    ...dimensions
      .filter((d) => d.name.toLowerCase() === options.deviceIdDimension.toLowerCase())
      .map((d) => d.value),
    ...reading.deviceIdsFromResults(options.deviceIdDimension),
  ]).filter((id) => id !== '');

  const hubResourceIds = scopeHubs(
    pickHubs(
      [
        {
          path: reading.dimensionsPath,
          ids: dimensions
            .filter((d) => ['_resourceid', 'resourceid'].includes(d.name.toLowerCase()))
            .map((d) => d.value),
        },
        { path: 'data.essentials.alertTargetIDs', ids: essentials.alertTargetIDs ?? [] },
        {
          path: 'data.essentials.configurationItems',
          ids: [...(essentials.configurationItems ?? []), ...reading.configurationItems],
        },
      ],
      options.defaultIotHubResourceId,
    ),
    options.allowedIotHubResourceIds ?? [],
  );

  const customProperties: Record<string, string> = {};
  for (const source of [reading.properties, payload.data.customProperties]) {
    for (const [key, value] of Object.entries(source ?? {})) {
      customProperties[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }

  const isDisconnectAlert =
    reading.signal === 'log' ||
    (reading.signal === 'metric' && CONNECTION_METRICS.includes(reading.metric?.metricName ?? ''));

  return boundAlert(
    withoutUndefined<Alert>({
      id: essentials.alertId,
      rule: essentials.alertRule,
      ruleId: essentials.alertRuleID ?? essentials.alertRuleId ?? undefined,
      severity: essentials.severity,
      condition: essentials.monitorCondition,
      signal: reading.signal,
      monitoringService: service,
      description: essentials.description ?? undefined,
      firedAt,
      resolvedAt,
      window: clampWindow(reading.window, resolvedAt ?? firedAt),
      hubResourceIds,
      deviceIds,
      dimensions,
      metric: reading.metric,
      logSearch: reading.logSearch,
      customProperties,
      isDisconnectAlert,
    }),
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
