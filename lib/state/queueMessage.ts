/**
 * Validates what the queue trigger hands over. Messages are written by intake, but a queue is a
 * boundary: anything can be put there, and a malformed message must fail clearly.
 */

import { z } from 'zod';

import type { QueuedAlert } from './alertQueue';

const window = z.object({ start: z.string(), end: z.string() });

const alertSchema = z.object({
  id: z.string().min(1),
  rule: z.string(),
  ruleId: z.string().optional(),
  severity: z.enum(['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4']),
  condition: z.enum(['Fired', 'Resolved']),
  signal: z.enum(['log', 'metric', 'activity-log', 'resource-health', 'connection-event', 'other']),
  monitoringService: z.string(),
  description: z.string().optional(),
  firedAt: z.string(),
  resolvedAt: z.string().optional(),
  window,
  hubResourceIds: z.array(z.string()),
  deviceIds: z.array(z.string()),
  dimensions: z.array(z.object({ name: z.string(), value: z.string() })),
  metric: z
    .object({
      metricName: z.string(),
      operator: z.string().optional(),
      threshold: z.number().optional(),
      value: z.number().optional(),
      timeAggregation: z.string().optional(),
    })
    .optional(),
  logSearch: z
    .object({
      query: z.string().optional(),
      resultCount: z.number().optional(),
      linkToSearchResultsUI: z.string().optional(),
      linkToFilteredSearchResultsUI: z.string().optional(),
      linkToSearchResultsAPI: z.string().optional(),
      linkToFilteredSearchResultsAPI: z.string().optional(),
    })
    .optional(),
  customProperties: z.record(z.string(), z.string()),
  isDisconnectAlert: z.boolean(),
  connection: z
    .object({
      moduleId: z.string().optional(),
      droppedAt: z.string(),
      dropSequence: z.string(),
      graceSeconds: z.number(),
      logsArrived: z.boolean().optional(),
      returnedAt: z.string().optional(),
    })
    .optional(),
});

const queuedAlertSchema = z.object({
  version: z.literal(1),
  alert: alertSchema,
  receivedAt: z.string(),
});

export class InvalidQueueMessageError extends Error {
  override name = 'InvalidQueueMessageError';
}

/** Accepts the parsed object (the host parses JSON messages) or the raw text. */
export function parseQueuedAlert(message: unknown): QueuedAlert {
  let value = message;
  if (typeof message === 'string') {
    try {
      value = JSON.parse(message);
    } catch {
      throw new InvalidQueueMessageError('Queue message is not JSON');
    }
  }
  const result = queuedAlertSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidQueueMessageError(
      `Queue message is not a queued alert: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return result.data as QueuedAlert;
}
