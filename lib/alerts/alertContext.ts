/**
 * Reads what the enricher needs out of an alert's `alertContext`, whose shape depends on the
 * monitoring service: dimensions, configuration items, the metric criterion or log search, and
 * the window. Each context is validated against its schema, with the failing field's full path.
 */

import type { z } from 'zod';

import { UnprocessableAlertError } from '../common/errors';
import { withoutUndefined } from '../common/withoutUndefined';
import type { AlertSignalKind, LogSearchDetails, MetricCondition, TimeWindow } from './alert';
import {
  logAlertV2ContextSchema,
  logAnalyticsContextSchema,
  metricAlertContextSchema,
} from './commonAlertSchema';
import { parseAlertTimestamp } from './duration';
import { resolveWindow, windowOf } from './alertWindow';

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((part) => part !== '').join('.');
}

/** Validates `value` with `schema`, reporting the first problem with its full dotted path. */
export function check<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = formatPath(prefix, issue?.path ?? []);
  const message = issue?.message ?? 'is invalid';
  throw new UnprocessableAlertError(`${path || 'body'}: ${message}`, path);
}

/** What one alert context says, whatever its monitoring service. */
export interface ContextReading {
  readonly signal: AlertSignalKind;
  /** Where this context keeps its dimensions, for error paths. */
  readonly dimensionsPath: string;
  readonly window: TimeWindow;
  readonly dimensions: readonly { name: string; value: string | number }[];
  readonly configurationItems: readonly string[];
  readonly properties: Record<string, unknown> | null | undefined;
  readonly metric?: MetricCondition;
  readonly logSearch?: LogSearchDetails;
  deviceIdsFromResults(column: string): string[];
}

/** Reads `alertContext` by the schema of its monitoring service; other services are accepted as they come. */
export function readContext(
  service: string,
  context: Record<string, unknown>,
  firedAt: string,
): ContextReading {
  const prefix = 'data.alertContext';
  if (service === 'Platform') {
    const metric = check(metricAlertContextSchema, context, prefix);
    const condition = metric.condition;
    const first = condition.allOf[0];
    return withoutUndefined<ContextReading>({
      signal: 'metric',
      dimensionsPath: `${prefix}.condition.allOf.dimensions`,
      window: windowOf(condition, firedAt, prefix),
      dimensions: condition.allOf.flatMap((c) => c.dimensions ?? []),
      configurationItems: [],
      properties: metric.properties,
      metric: first
        ? withoutUndefined({
            metricName: first.metricName,
            operator: first.operator ?? undefined,
            threshold: toNumber(first.threshold),
            value: toNumber(first.metricValue),
            timeAggregation: first.timeAggregation ?? undefined,
          })
        : undefined,
      deviceIdsFromResults: () => [],
    });
  }
  if (service === 'Log Alerts V2') {
    const log = check(logAlertV2ContextSchema, context, prefix);
    const first = log.condition.allOf[0];
    return withoutUndefined({
      signal: 'log',
      dimensionsPath: `${prefix}.condition.allOf.dimensions`,
      window: windowOf(log.condition, firedAt, prefix),
      dimensions: log.condition.allOf.flatMap((c) => c.dimensions ?? []),
      configurationItems: [],
      properties: log.properties,
      logSearch: first
        ? withoutUndefined({
            query: first.searchQuery ?? undefined,
            linkToSearchResultsUI: first.linkToSearchResultsUI ?? undefined,
            linkToFilteredSearchResultsUI: first.linkToFilteredSearchResultsUI ?? undefined,
            linkToSearchResultsAPI: first.linkToSearchResultsAPI ?? undefined,
            linkToFilteredSearchResultsAPI: first.linkToFilteredSearchResultsAPI ?? undefined,
          })
        : undefined,
      deviceIdsFromResults: () => [],
    });
  }
  if (service === 'Log Analytics' || service === 'Application Insights') {
    const log = check(logAnalyticsContextSchema, context, prefix);
    const start = log.SearchIntervalStartTimeUtc
      ? parseAlertTimestamp(log.SearchIntervalStartTimeUtc)
      : undefined;
    const end = log.SearchIntervalEndtimeUtc
      ? parseAlertTimestamp(log.SearchIntervalEndtimeUtc)
      : undefined;
    const minutes = toNumber(log.SearchIntervalInMinutes ?? log.SearchIntervalDurationMin);
    const window = resolveWindow(
      start,
      end,
      minutes === undefined ? undefined : minutes * 60_000,
      firedAt,
    );
    return withoutUndefined({
      signal: 'log',
      dimensionsPath: `${prefix}.Dimensions`,
      window,
      dimensions: log.Dimensions ?? [],
      configurationItems: log.AffectedConfigurationItems ?? [],
      properties: undefined,
      logSearch: withoutUndefined({
        query: log.SearchQuery ?? undefined,
        resultCount: toNumber(log.ResultCount),
        linkToSearchResultsUI: log.LinkToSearchResults ?? undefined,
        linkToFilteredSearchResultsUI: log.LinkToFilteredSearchResultsUI ?? undefined,
        linkToSearchResultsAPI: log.LinkToSearchResultsAPI ?? undefined,
        linkToFilteredSearchResultsAPI: log.LinkToFilteredSearchResultsAPI ?? undefined,
      }),
      deviceIdsFromResults: (column: string) =>
        (log.SearchResults?.tables ?? []).flatMap((table) => {
          const index = table.columns.findIndex(
            (c) => c.name.toLowerCase() === column.toLowerCase(),
          );
          return index < 0
            ? []
            : table.rows.map((row) => row[index]).filter((v): v is string => typeof v === 'string');
        }),
    });
  }
  // Activity log, service/resource health and anything newer: accepted, not diagnosed.
  const signal: AlertSignalKind = /health/i.test(service)
    ? 'resource-health'
    : service.startsWith('Activity Log')
      ? 'activity-log'
      : 'other';
  return {
    signal,
    dimensionsPath: prefix,
    window: resolveWindow(undefined, undefined, undefined, firedAt),
    dimensions: [],
    configurationItems: [],
    properties: isRecord(context.properties) ? context.properties : undefined,
    deviceIdsFromResults: () => [],
  };
}

function toNumber(value: number | string | null | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
