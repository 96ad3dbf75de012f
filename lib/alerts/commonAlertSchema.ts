/**
 * The Azure Monitor common alert schema, as far as the enricher reads it. Unknown fields are
 * allowed (Azure adds fields over time); the ones we read are checked for type.
 */

import { z } from 'zod';

const text = z.string();
const optionalText = z.string().nullish();
/** Azure Monitor sends thresholds as strings and values as numbers, but not consistently. */
const numberish = z.union([z.number(), z.string()]).nullish();

const dimension = z.object({ name: z.string(), value: z.union([z.string(), z.number()]) });
const dimensions = z.array(dimension).nullish();

export const essentialsSchema = z.object({
  alertId: text.min(1, 'must not be empty'),
  alertRule: text.min(1, 'must not be empty'),
  alertRuleID: optionalText,
  alertRuleId: optionalText,
  severity: z.enum(['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4']),
  signalType: optionalText,
  monitorCondition: z.enum(['Fired', 'Resolved']),
  monitoringService: text.min(1, 'must not be empty'),
  alertTargetIDs: z.array(z.string()).nullish(),
  configurationItems: z.array(z.string()).nullish(),
  firedDateTime: text,
  resolvedDateTime: optionalText,
  description: optionalText,
});

export type EssentialsPayload = z.infer<typeof essentialsSchema>;

const customProperties = z.record(z.string(), z.unknown()).nullish();

/** The `alertContext` of metric and Log Alerts V2 alerts: one or more criteria in a window. */
function criteriaContext<T extends z.ZodRawShape>(criterion: T) {
  return z.object({
    properties: customProperties,
    conditionType: optionalText,
    condition: z.object({
      windowSize: optionalText,
      allOf: z.array(z.object(criterion)).min(1, 'must name at least one condition'),
      windowStartTime: optionalText,
      windowEndTime: optionalText,
    }),
  });
}

export const metricAlertContextSchema = criteriaContext({
  metricName: text,
  metricNamespace: optionalText,
  operator: optionalText,
  threshold: numberish,
  timeAggregation: optionalText,
  dimensions,
  metricValue: numberish,
});

export const logAlertV2ContextSchema = criteriaContext({
  searchQuery: optionalText,
  metricMeasureColumn: optionalText,
  operator: optionalText,
  threshold: numberish,
  timeAggregation: optionalText,
  dimensions,
  metricValue: numberish,
  linkToSearchResultsUI: optionalText,
  linkToFilteredSearchResultsUI: optionalText,
  linkToSearchResultsAPI: optionalText,
  linkToFilteredSearchResultsAPI: optionalText,
});

const searchResultsTable = z.object({
  name: z.string().nullish(),
  columns: z.array(z.object({ name: z.string(), type: z.string().nullish() })),
  rows: z.array(z.array(z.unknown())),
});

/** The older log alert shape inside the common schema (`Log Analytics`, `Application Insights`). */
export const logAnalyticsContextSchema = z.object({
  SearchQuery: optionalText,
  SearchIntervalStartTimeUtc: optionalText,
  SearchIntervalEndtimeUtc: optionalText,
  SearchIntervalInMinutes: numberish,
  SearchIntervalDurationMin: numberish,
  ResultCount: numberish,
  LinkToSearchResults: optionalText,
  LinkToFilteredSearchResultsUI: optionalText,
  LinkToSearchResultsAPI: optionalText,
  LinkToFilteredSearchResultsAPI: optionalText,
  Dimensions: dimensions,
  AffectedConfigurationItems: z.array(z.string()).nullish(),
  SearchResults: z.object({ tables: z.array(searchResultsTable).nullish() }).nullish(),
  Threshold: numberish,
  Operator: optionalText,
});

export const commonAlertSchema = z.object({
  schemaId: z.literal('azureMonitorCommonAlertSchema'),
  data: z.object({
    essentials: essentialsSchema,
    alertContext: z.record(z.string(), z.unknown()).nullish(),
    customProperties,
  }),
});

export type CommonAlertPayload = z.infer<typeof commonAlertSchema>;
