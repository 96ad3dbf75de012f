/**
 * The sample hub incident as a storm of per-device alerts, diagnosed by the real pipeline over
 * the sample workspace, and the checks every outgoing message must pass (Adaptive Card 1.5 schema
 * and parser, 26 KB, webhook v2 schema).
 */

import { parseAlert } from '../../lib/alerts/parseAlert';
import { stormDevices, type StormDevice } from '../../lib/tools/devhost/stormAlerts';
import { buildReport } from '../../lib/app/enrichAlert';
import type { EnrichedAlert } from '../../lib/diagnose/enrichedAlert';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { MetricsFileSource } from '../../lib/evidence/metricsFile';
import {
  confirmDelivered,
  type IncidentServices,
  planAlertMessages,
} from '../../lib/incidents/incidentFlow';
import type { OutgoingMessage } from '../../lib/incidents/outgoingMessage';
import { byteSize } from '../../lib/render/adaptiveCard';
import { renderTeamsCard } from '../../lib/render/teamsCards';
import { renderWebhookEvent } from '../../lib/render/webhookPayload';
import { TEAMS_MAX_BODY_BYTES, validateAdaptiveCard } from './adaptiveCardSchema';
import { adaptiveCardsParserProblems } from './adaptiveCardsParser';
import { readJson, repoPath } from './fixtures';
import { validateWebhookEvent } from './webhookSchema';
import { HUB } from './scenario';

export const PARSE_OPTIONS = { deviceIdDimension: 'DeviceId' };

export interface Sample {
  readonly evidence: ExportFileSource;
  readonly metrics: MetricsFileSource;
  /** Devices of the sample hub incident, in drop order. */
  readonly devices: readonly StormDevice[];
  readonly template: unknown;
}

export async function loadSample(): Promise<Sample> {
  const evidence = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
  const metrics = await MetricsFileSource.fromPath(repoPath('samples', 'metrics'));
  return {
    evidence,
    metrics,
    devices: stormDevices(evidence.events, HUB, '2026-11-20T05:12:00Z', '2026-11-20T05:15:00Z'),
    template: readJson('samples', 'alerts', 'hub-incident-sensor-0017.json'),
  };
}

export function sampleAlertBody(name: string): unknown {
  return readJson('samples', 'alerts', name);
}

export async function reportOf(payload: unknown, sample: Sample): Promise<EnrichedAlert> {
  return buildReport(parseAlert(payload, PARSE_OPTIONS), {
    sources: { evidence: sample.evidence, metrics: sample.metrics },
    lookbackMinutes: 360,
    now: () => new Date('2026-11-20T08:00:00Z'),
  });
}

/** Decides, "delivers" (records) and confirms, as `enrichAlert` does. */
export async function processReport(
  report: EnrichedAlert,
  services: IncidentServices,
  sent: OutgoingMessage[],
): Promise<OutgoingMessage[]> {
  const { messages } = await planAlertMessages(report, services);
  for (const message of messages) {
    sent.push(message);
    await confirmDelivered(message, services);
  }
  return [...messages];
}

/** Everything wrong with how the message renders, for Teams and for the webhook. */
export function messageProblems(message: OutgoingMessage): string[] {
  const problems: string[] = [];
  const teams = renderTeamsCard(message);
  const card = teams.attachments[0]?.content;
  const schema = validateAdaptiveCard(card);
  if (!schema.valid) problems.push(`card: ${JSON.stringify(schema)}`);
  problems.push(...adaptiveCardsParserProblems(card).map((p) => `parser: ${p}`));
  if (byteSize(teams) > TEAMS_MAX_BODY_BYTES) problems.push(`card is ${byteSize(teams)} bytes`);
  const event = JSON.parse(
    JSON.stringify(renderWebhookEvent(message, '2026-11-20T06:00:00.000Z')),
  ) as unknown;
  if (!validateWebhookEvent(event))
    problems.push(`webhook: ${JSON.stringify(validateWebhookEvent.errors)}`);
  return problems;
}

/** Every text of a card, for assertions on wording. */
export function cardTexts(message: OutgoingMessage): string {
  const walk = (node: unknown): string[] => {
    if (Array.isArray(node)) return node.flatMap(walk);
    if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      const own = ['text', 'value', 'title']
        .map((k) => record[k])
        .filter((v): v is string => typeof v === 'string');
      return [...own, ...Object.values(record).flatMap(walk)];
    }
    return [];
  };
  return walk(renderTeamsCard(message).attachments[0]?.content).join('\n');
}

/**
 * The hub-level rule's alert (infra/app/alerts.bicep): split by `_ResourceId` only, so it names
 * no device; `metricValue` is the number of distinct devices that dropped in 5 minutes.
 */
export function hubLevelPayload(template: unknown, droppedDevices: number): unknown {
  const copy = JSON.parse(JSON.stringify(template)) as {
    data: {
      essentials: Record<string, unknown>;
      alertContext: {
        condition: {
          windowSize: string;
          windowStartTime: string;
          windowEndTime: string;
          allOf: Record<string, unknown>[];
        };
      };
    };
  };
  const { essentials, alertContext } = copy.data;
  essentials.alertId =
    '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/providers/Microsoft.AlertsManagement/alerts/0b6c3c54-4f1e-4b8e-9a55-5e2b8f1d7a01';
  essentials.alertRule = 'sqr-iothub-404104-hub-drops';
  essentials.firedDateTime = '2026-11-20T05:15:41.1234567Z';
  const condition = alertContext.condition;
  condition.windowSize = 'PT5M';
  condition.windowStartTime = '2026-11-20T05:09:03Z';
  condition.windowEndTime = '2026-11-20T05:14:03Z';
  const [criterion] = condition.allOf;
  if (!criterion) throw new Error('template has no criterion');
  criterion.searchQuery =
    'AzureDiagnostics | where Category == "Connections" and ResultType == "404104" | extend DeviceId = tostring(parse_json(properties_s).deviceId) | summarize DroppedDevices = dcount(DeviceId) by _ResourceId';
  criterion.operator = 'GreaterThanOrEqual';
  criterion.threshold = '20';
  criterion.timeAggregation = 'Maximum';
  criterion.metricMeasureColumn = 'DroppedDevices';
  criterion.metricValue = droppedDevices;
  criterion.dimensions = (criterion.dimensions as { name: string }[]).filter(
    (d) => d.name !== 'DeviceId',
  );
  delete criterion.linkToFilteredSearchResultsUI;
  delete criterion.linkToFilteredSearchResultsAPI;
  return copy;
}
