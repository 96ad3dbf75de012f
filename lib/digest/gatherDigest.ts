/**
 * Reads everything the digest of one hub needs: the six aggregated queries in parallel, then the
 * timelines of the few devices it names, which are diagnosed with the same public `diagnose` the
 * per-alert messages use, the 30-day drop history of the flapping devices it lists, and the
 * enricher's own activity. A failed read becomes a stated gap.
 */

import type { Alert, TimeWindow } from '../alerts/alert';
import { diagnose } from '../diagnose/diagnose';
import type { Diagnosis } from '../diagnose/diagnosis';
import {
  burstsOf,
  type DigestFigures,
  type DigestRow,
  familiesOf,
  flappingOf,
  sdksOf,
  sitesOf,
  stoppedOf,
} from './digestFigures';
import { type DigestPlan, type DigestQueryName, planDigestQueries } from './digestKql';
import type { DigestSource } from './digestSource';
import type { ConnectionEvent, DeviceHistory, Evidence, MetricPoint } from '../evidence/evidence';
import type { EvidenceSource, MetricsSource } from '../evidence/evidenceSource';
import { buildDeviceHistoryQuery, buildDeviceTimelineQuery, historyPeriod } from '../evidence/kql';
import type { ActivityLedger, ActivitySummary } from '../state/activityLedger';
import type { DeadLetterStore } from '../state/deadLetters';

export interface DigestSources {
  readonly digest: DigestSource;
  /** For the timelines of the devices the digest names. */
  readonly evidence: EvidenceSource;
  readonly activity?: ActivityLedger;
  /** The per-channel dead letters: how many wait for `enricher replay` (all hubs). */
  readonly deadLetters?: DeadLetterStore;
  /** `connectedDeviceCount`, to show how deep a mass drop went. */
  readonly metrics?: MetricsSource;
}

export interface GatheredDigest {
  readonly plan: DigestPlan;
  readonly figures: DigestFigures;
  /** The likely cause of each device the digest names, by device ID. */
  readonly causes: ReadonlyMap<string, Diagnosis>;
  /** The 30-day drop history of each flapping device listed, by device ID (when it was read). */
  readonly histories?: ReadonlyMap<string, DeviceHistory>;
  /** Undefined when no ledger is configured or it could not be read (see gaps). */
  readonly activity?: ActivitySummary;
  /** The 24 hours the activity counts cover: the enricher's own last day. */
  readonly activityWindow: TimeWindow;
  /** `connectedDeviceCount` over the day, when a metrics source answered. */
  readonly connectedDeviceCount?: readonly MetricPoint[];
  readonly gaps: readonly string[];
  /** Result rows read from the source (what crosses the wire), for the bench. */
  readonly rowsRead: number;
}

/**
 * Devices diagnosed one by one (their timelines are read in one bounded query): as many per
 * section as the Teams card lists at most (`lib/render/digestCard.ts`), so every device the card
 * names comes with its likely cause.
 */
export const DIAGNOSED_PER_SECTION = 8;
/** History read before the day for each named device: enough to see its token clock. */
const TIMELINE_LOOKBACK_MS = 6 * 60 * 60_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}

/** A stand-in alert for one device's last drop, so that `diagnose` judges it as an alert. */
function deviceAlert(hubResourceId: string, deviceId: string, lastDrop: string): Alert {
  const end = new Date(Date.parse(lastDrop) + 60_000).toISOString();
  return {
    id: `digest:${deviceId}`,
    rule: 'daily digest',
    severity: 'Sev4',
    condition: 'Fired',
    signal: 'log',
    monitoringService: 'Digest',
    firedAt: end,
    window: { start: new Date(Date.parse(lastDrop) - 14 * 60_000).toISOString(), end },
    hubResourceIds: [hubResourceId],
    deviceIds: [deviceId],
    dimensions: [],
    customProperties: {},
    isDisconnectAlert: true,
  };
}

async function diagnoseDevices(
  plan: DigestPlan,
  devices: readonly { deviceId: string; lastDrop: string }[],
  evidence: EvidenceSource,
  gaps: string[],
): Promise<{ causes: Map<string, Diagnosis>; rows: number }> {
  const causes = new Map<string, Diagnosis>();
  if (devices.length === 0) return { causes, rows: 0 };
  const ids = devices.map((d) => d.deviceId);
  const span: TimeWindow = {
    start: new Date(Date.parse(plan.day.start) - TIMELINE_LOOKBACK_MS).toISOString(),
    end: plan.day.end,
  };
  let events: ConnectionEvent[];
  try {
    const answer = await evidence.deviceTimeline({
      name: 'deviceTimeline',
      query: buildDeviceTimelineQuery([plan.hubResourceId], ids),
      timespan: span,
      filter: { hubResourceIds: [plan.hubResourceId], deviceIds: ids },
    });
    if (answer.warning !== undefined) gaps.push(`device timelines: ${answer.warning}`);
    events = answer.value;
  } catch (error: unknown) {
    gaps.push(`device timelines: ${message(error)}`);
    return { causes, rows: 0 };
  }
  for (const device of devices) {
    const alert = deviceAlert(plan.hubResourceId, device.deviceId, device.lastDrop);
    const deviceEvidence: Evidence = {
      alertWindow: alert.window,
      span,
      hubResourceIds: [plan.hubResourceId],
      deviceEvents: events.filter((e) => e.deviceId === device.deviceId),
      fleetActivity: [],
      fleetSize: ids.length,
      disconnectedDevices: [],
      disconnectedDeviceCount: 0,
      gaps: [],
    };
    causes.set(device.deviceId, diagnose(alert, deviceEvidence));
  }
  return { causes, rows: events.length };
}

/**
 * The digest of the 24 hours of logs up to `until`. The enricher's own activity is counted over
 * the 24 hours up to `activityUntil` (default `until`): the same day when the timer runs, the
 * enricher's last day when older logs are replayed (dev host, samples).
 */
export async function gatherDigest(
  hubResourceId: string,
  until: Date,
  sources: DigestSources,
  activityUntil: Date = until,
): Promise<GatheredDigest> {
  const plan = planDigestQueries(hubResourceId, until);
  const activityWindow: TimeWindow = {
    start: new Date(activityUntil.getTime() - 24 * 60 * 60_000).toISOString(),
    end: activityUntil.toISOString(),
  };
  const gaps: string[] = [];
  let rowsRead = 0;
  const answers = await Promise.all(
    plan.queries.map(async (query): Promise<[DigestQueryName, DigestRow[] | undefined]> => {
      try {
        const answer = await sources.digest.digestRows(query);
        if (answer.warning !== undefined) gaps.push(answer.warning);
        rowsRead += answer.value.length;
        return [query.name, answer.value];
      } catch (error: unknown) {
        gaps.push(message(error));
        return [query.name, undefined];
      }
    }),
  );
  const rows = new Map(answers);
  const read = <T>(name: DigestQueryName, parse: (r: DigestRow[]) => T): T | undefined => {
    const value = rows.get(name);
    return value === undefined ? undefined : parse(value);
  };
  const families = read('digestFamilies', familiesOf);
  const figures: DigestFigures = {
    ...(families && { day: families.day, week: families.week }),
    ...optional('flapping', read('digestDevices', flappingOf)),
    ...optional('sdks', read('digestSdks', sdksOf)),
    ...optional('sites', read('digestSites', sitesOf)),
    ...optional('stopped', read('digestStopped', stoppedOf)),
    ...optional('bursts', read('digestBursts', burstsOf)),
  };

  const named = [
    ...(figures.flapping?.rows ?? [])
      .slice(0, DIAGNOSED_PER_SECTION)
      .map((d) => ({ deviceId: d.deviceId, lastDrop: d.lastDrop })),
    ...(figures.stopped?.rows ?? []).slice(0, DIAGNOSED_PER_SECTION).map((d) => ({
      deviceId: d.deviceId,
      lastDrop: d.lastDisconnect,
    })),
  ];
  const unique = [...new Map(named.map((d) => [d.deviceId, d])).values()];
  const flapping = (figures.flapping?.rows ?? []).map((d) => d.deviceId);
  const [diagnosed, histories, activity, connectedDeviceCount] = await Promise.all([
    diagnoseDevices(plan, unique, sources.evidence, gaps),
    readHistories(plan, flapping, sources.evidence, gaps),
    readActivity(plan.hubResourceId, activityWindow, sources, gaps),
    readMetrics(plan, sources.metrics, gaps),
  ]);
  // A device without drops has no history row on the wire (it is completed with zeros).
  const historyRows = [...histories.values()].filter((h) => h.dropsIn30Days > 0).length;
  rowsRead += diagnosed.rows + historyRows;
  return {
    plan,
    figures,
    causes: diagnosed.causes,
    histories,
    ...(activity && { activity }),
    activityWindow,
    ...(connectedDeviceCount && { connectedDeviceCount }),
    gaps,
    rowsRead,
  };
}

/**
 * The 30-day drop history of the listed flapping devices (at most `DIGEST_LIST_ROWS`, one row
 * each): one query, the same the alert messages send, over 30 days up to the digest's end.
 */
async function readHistories(
  plan: DigestPlan,
  deviceIds: readonly string[],
  evidence: EvidenceSource,
  gaps: string[],
): Promise<Map<string, DeviceHistory>> {
  const histories = new Map<string, DeviceHistory>();
  if (deviceIds.length === 0) return histories;
  try {
    const answer = await evidence.deviceHistory({
      name: 'deviceHistory',
      query: buildDeviceHistoryQuery([plan.hubResourceId], deviceIds),
      timespan: historyPeriod(plan.day.end),
      filter: { hubResourceIds: [plan.hubResourceId], deviceIds },
    });
    if (answer.warning !== undefined) gaps.push(`device history: ${answer.warning}`);
    for (const history of answer.value) histories.set(history.deviceId, history);
  } catch (error: unknown) {
    gaps.push(`device history: ${message(error)}`);
  }
  return histories;
}

function optional<K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, T>);
}

async function readActivity(
  hubResourceId: string,
  window: TimeWindow,
  { activity, deadLetters }: Pick<DigestSources, 'activity' | 'deadLetters'>,
  gaps: string[],
): Promise<ActivitySummary | undefined> {
  if (!activity) return undefined;
  try {
    const summary = await activity.summarise(hubResourceId, window.start, window.end);
    // Dead letters are not per hub: the store holds what waits now, whatever the day.
    const waiting = deadLetters && (await deadLetters.listDeadLetters()).length;
    return waiting === undefined ? summary : { ...summary, deadLettersWaiting: waiting };
  } catch (error: unknown) {
    gaps.push(`activity ledger: ${message(error)}`);
    return undefined;
  }
}

async function readMetrics(
  plan: DigestPlan,
  metrics: MetricsSource | undefined,
  gaps: string[],
): Promise<MetricPoint[] | undefined> {
  if (!metrics) return undefined;
  try {
    const answer = await metrics.connectedDeviceCount([plan.hubResourceId], plan.day);
    if (answer.warning !== undefined) gaps.push(`connectedDeviceCount: ${answer.warning}`);
    return answer.value;
  } catch (error: unknown) {
    gaps.push(`connectedDeviceCount: ${message(error)}`);
    return undefined;
  }
}
