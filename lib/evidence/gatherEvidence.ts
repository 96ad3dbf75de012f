/**
 * Runs every planned query and the metrics read in parallel (one round-trip of latency) and
 * assembles `Evidence`. A query that fails or answers in part becomes a stated gap, not a crash:
 * the diagnosis then says what it could not see. The devices' drop history is read beside them;
 * its gaps are kept apart (`historyGaps`), since the verdict does not use it.
 */

import type { Evidence } from './evidence';
import type { EvidenceSource, MetricsSource, SourceAnswer } from './evidenceSource';
import type { EvidencePlan, EvidenceQuery, QueryName } from './kql';
import { byTime } from './connectionEvents';

export interface EvidenceSources {
  readonly evidence: EvidenceSource;
  readonly metrics?: MetricsSource;
}

function describeFailure(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'unknown error';
}

export async function gatherEvidence(
  plan: EvidencePlan,
  sources: EvidenceSources,
): Promise<Evidence> {
  const gaps: string[] = [];
  const byName = (name: QueryName): EvidenceQuery | undefined =>
    plan.queries.find((query) => query.name === name);

  async function run<T>(
    name: QueryName,
    ask: (query: EvidenceQuery) => Promise<SourceAnswer<T>>,
    fallback: T,
  ): Promise<T> {
    const query = byName(name);
    if (!query) return fallback;
    try {
      const answer = await ask(query);
      if (answer.warning !== undefined) gaps.push(`${name}: ${answer.warning}`);
      return answer.value;
    } catch (error: unknown) {
      gaps.push(`${name}: query failed (${describeFailure(error)})`);
      return fallback;
    }
  }

  const { evidence, metrics } = sources;
  const historyGaps: string[] = [];
  const [
    deviceEvents,
    fleetActivity,
    fleetSize,
    disconnectedDevices,
    connectedDeviceCount,
    history,
  ] = await Promise.all([
    run('deviceTimeline', (q) => evidence.deviceTimeline(q), []),
    run('fleetActivity', (q) => evidence.fleetActivity(q), []),
    run('fleetSize', (q) => evidence.fleetSize(q), 0),
    run('disconnectedDevices', (q) => evidence.disconnectedDevices(q), { rows: [], total: 0 }),
    readMetrics(plan, metrics, gaps),
    readHistory(byName('deviceHistory'), evidence, historyGaps),
  ]);

  if (plan.hubResourceIds.length === 0) {
    gaps.push(
      'The alert names no IoT hub (no _ResourceId dimension, IotHubs target or configuration item) and DEFAULT_IOTHUB_RESOURCE_ID is not set',
    );
  }
  return {
    alertWindow: plan.alertWindow,
    span: plan.span,
    hubResourceIds: plan.hubResourceIds,
    deviceEvents: [...deviceEvents].sort(byTime),
    fleetActivity,
    fleetSize,
    disconnectedDevices: disconnectedDevices.rows,
    disconnectedDeviceCount: Math.max(disconnectedDevices.total, disconnectedDevices.rows.length),
    ...(connectedDeviceCount && { connectedDeviceCount }),
    gaps,
    ...(history && { deviceHistory: history }),
    ...(historyGaps.length > 0 && { historyGaps }),
  };
}

/** The devices' drop history; its failure is a gap of its own, which the verdict never sees. */
async function readHistory(
  query: EvidenceQuery | undefined,
  evidence: EvidenceSource,
  historyGaps: string[],
): Promise<Evidence['deviceHistory']> {
  if (!query) return undefined;
  try {
    const answer = await evidence.deviceHistory(query);
    if (answer.warning !== undefined) historyGaps.push(`deviceHistory: ${answer.warning}`);
    return answer.value;
  } catch (error: unknown) {
    historyGaps.push(`deviceHistory: query failed (${describeFailure(error)})`);
    return undefined;
  }
}

async function readMetrics(
  plan: EvidencePlan,
  metrics: MetricsSource | undefined,
  gaps: string[],
): Promise<Evidence['connectedDeviceCount']> {
  if (!metrics || plan.hubResourceIds.length === 0) return undefined;
  try {
    const answer = await metrics.connectedDeviceCount(plan.hubResourceIds, plan.span);
    if (answer.warning !== undefined) gaps.push(`connectedDeviceCount: ${answer.warning}`);
    return answer.value;
  } catch (error: unknown) {
    gaps.push(`connectedDeviceCount: metrics read failed (${describeFailure(error)})`);
    return undefined;
  }
}
