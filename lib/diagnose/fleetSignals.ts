/**
 * Hub-wide signals: how many devices dropped in the alert window against their usual rate,
 * server errors, and the connected-devices dip — the three marks of a hub-side incident
 * (Microsoft's 404104 guidance, symptom 3).
 */

import type { TimeWindow } from '../alerts/alert';
import type { Evidence, FleetActivityBin } from '../evidence/evidence';
import { FLEET_BIN_MINUTES, WINDOW_MARGIN_MINUTES } from '../evidence/kql';
import { median } from './format';
import { INCIDENT_MIN_DEVICES, INCIDENT_MIN_SHARE } from './thresholds';

/** ...and this many times the usual number of devices dropping in a window that long. */
export const INCIDENT_RATE_FACTOR = 5;
/** A connected-devices fall of this share or more is a dip. */
export const METRIC_DIP_SHARE = 0.2;
/**
 * A fall this deep is a hub incident on its own: an unreachable hub may log neither 500xxx nor
 * every 404104, but the metric still shows the fleet gone.
 */
export const DEEP_DIP_SHARE = 0.5;

export interface MetricDip {
  readonly before: number;
  readonly lowest: number;
  readonly lowestAt: string;
  readonly share: number;
  /** How long connected devices stayed below 90 % of before: a renewal wave is back in a minute or two. */
  readonly belowMs?: number;
}

/** A dip shorter than this is devices renewing at once, not devices gone. */
export const BRIEF_DIP_MS = 3 * 60_000;

export interface FleetSignals {
  readonly fleetSize: number;
  /** Distinct devices with a 404104 in the window (± margin), uncapped. */
  readonly droppedInWindow: number;
  readonly share: number;
  /** Usual number of distinct devices dropping in a span as long as the window. */
  readonly expectedInWindow: number;
  readonly serverErrorsInWindow: number;
  readonly expectedServerErrors: number;
  /** 403002 IoTHubQuotaExceeded results hub-wide in the window (± margin). */
  readonly quotaErrorsInWindow: number;
  /** 429xxx throttling results hub-wide in the window (± margin). */
  readonly throttlingErrorsInWindow: number;
  /** 400027 and 409002 kicks hub-wide in the window (± margin). */
  readonly kicksInWindow: number;
  readonly firstDrop?: string;
  readonly lastDrop?: string;
  readonly metricDip?: MetricDip;
  readonly massDrop: boolean;
  readonly serverErrorBurst: boolean;
  readonly isIncident: boolean;
}

const BIN_MS = FLEET_BIN_MINUTES * 60_000;

function nearWindow(window: TimeWindow): { start: number; end: number } {
  const margin = WINDOW_MARGIN_MINUTES * 60_000;
  return { start: Date.parse(window.start) - margin, end: Date.parse(window.end) + margin };
}

/** Per-bin values before the window, counting bins with no rows (absent from KQL output) as 0. */
function baselineSeries(
  bins: readonly FleetActivityBin[],
  spanStart: number,
  windowStart: number,
  pick: (bin: FleetActivityBin) => number,
): number[] {
  const slots = Math.max(0, Math.floor((windowStart - spanStart) / BIN_MS));
  const values = new Array<number>(slots).fill(0);
  for (const bin of bins) {
    const index = Math.floor((Date.parse(bin.start) - spanStart) / BIN_MS);
    if (index >= 0 && index < slots) values[index] = pick(bin);
  }
  return values;
}

function metricDipOf(
  evidence: Evidence,
  window: { start: number; end: number },
): MetricDip | undefined {
  const points = evidence.connectedDeviceCount ?? [];
  const level = (p: { average?: number; minimum?: number }): number | undefined =>
    p.minimum ?? p.average;
  const before = median(
    points
      .filter((p) => Date.parse(p.time) < window.start)
      .map((p) => p.average ?? p.minimum)
      .filter((v): v is number => v !== undefined),
  );
  // Devices reconnect with back-off, so the lowest point can come a few minutes after the window.
  const after = points.filter(
    (p) => Date.parse(p.time) >= window.start && Date.parse(p.time) < window.end + 10 * 60_000,
  );
  let lowest: { value: number; time: string } | undefined;
  for (const point of after) {
    const value = level(point);
    if (value !== undefined && (lowest === undefined || value < lowest.value)) {
      lowest = { value, time: point.time };
    }
  }
  if (before === undefined || lowest === undefined || before <= 0) return undefined;
  // Minutes below 90 % of before, from the first such point to the first back above it.
  const recovered = 0.9 * before;
  let downAt: number | undefined;
  let backAt: number | undefined;
  for (const point of points) {
    const at = Date.parse(point.time);
    const value = level(point);
    if (at < window.start - 10 * 60_000 || value === undefined) continue;
    if (downAt === undefined && value < recovered) downAt = at;
    else if (downAt !== undefined && value >= recovered) {
      backAt = at;
      break;
    }
  }
  return {
    before,
    lowest: lowest.value,
    lowestAt: lowest.time,
    share: Math.max(0, (before - lowest.value) / before),
    ...(downAt !== undefined && backAt !== undefined && { belowMs: backAt - downAt }),
  };
}

/** How many devices usually drop per minute, from the usual count in a window this long. */
export function usualDropsPerMinute(fleet: FleetSignals, evidence: Evidence): number {
  const minutes =
    (Date.parse(evidence.alertWindow.end) - Date.parse(evidence.alertWindow.start)) / 60_000 +
    2 * WINDOW_MARGIN_MINUTES;
  return minutes > 0 ? fleet.expectedInWindow / minutes : 0;
}

export function fleetSignals(evidence: Evidence): FleetSignals {
  const window = nearWindow(evidence.alertWindow);
  const spanStart = Math.floor(Date.parse(evidence.span.start) / BIN_MS) * BIN_MS;
  const windowSlots = Math.max(1, Math.round((window.end - window.start) / BIN_MS));

  // The uncapped count: the listed devices stop at the query's cap.
  const droppedInWindow = Math.max(
    evidence.disconnectedDeviceCount,
    evidence.disconnectedDevices.length,
  );
  const fleetSize = Math.max(evidence.fleetSize, droppedInWindow);
  const share = fleetSize > 0 ? droppedInWindow / fleetSize : 0;

  const usualDrops = median(
    baselineSeries(evidence.fleetActivity, spanStart, window.start, (b) => b.disconnectedDevices),
  );
  const expectedInWindow = (usualDrops ?? 0) * windowSlots;
  const usualServerErrors = median(
    baselineSeries(evidence.fleetActivity, spanStart, window.start, (b) => b.serverErrors),
  );
  const expectedServerErrors = (usualServerErrors ?? 0) * windowSlots;
  const binsInWindow = evidence.fleetActivity.filter((b) => {
    const start = Date.parse(b.start);
    return start + BIN_MS > window.start && start < window.end;
  });
  const sumInWindow = (pick: (bin: FleetActivityBin) => number): number =>
    binsInWindow.reduce((sum, b) => sum + pick(b), 0);
  const serverErrorsInWindow = sumInWindow((b) => b.serverErrors);

  // The core of the drop: the 10th to 90th percentile of first drops, so that the usual
  // scattered disconnects around the window do not stretch the incident's span.
  const drops = evidence.disconnectedDevices.map((d) => d.firstDisconnect).sort();
  const core = drops.slice(Math.floor(drops.length * 0.1), Math.ceil(drops.length * 0.9));
  const metricDip = metricDipOf(evidence, window);

  const massDrop =
    droppedInWindow >= INCIDENT_MIN_DEVICES &&
    share >= INCIDENT_MIN_SHARE &&
    droppedInWindow >= INCIDENT_RATE_FACTOR * Math.max(1, expectedInWindow);
  const serverErrorBurst =
    serverErrorsInWindow >= 5 &&
    serverErrorsInWindow >= INCIDENT_RATE_FACTOR * Math.max(1, expectedServerErrors);
  const dipped = metricDip !== undefined && metricDip.share >= METRIC_DIP_SHARE;
  const deepDip = metricDip !== undefined && metricDip.share >= DEEP_DIP_SHARE;
  const isIncident =
    massDrop ||
    deepDip ||
    (dipped && (serverErrorBurst || droppedInWindow >= INCIDENT_MIN_DEVICES)) ||
    (serverErrorBurst && droppedInWindow >= INCIDENT_MIN_DEVICES / 2);

  const firstDrop = core[0];
  const lastDrop = core[core.length - 1];
  return {
    fleetSize,
    droppedInWindow,
    share,
    expectedInWindow,
    serverErrorsInWindow,
    expectedServerErrors,
    quotaErrorsInWindow: sumInWindow((b) => b.quotaErrors ?? 0),
    throttlingErrorsInWindow: sumInWindow((b) => b.throttlingErrors ?? 0),
    kicksInWindow: sumInWindow((b) => b.duplicateIdentityErrors),
    ...(firstDrop !== undefined && { firstDrop }),
    ...(lastDrop !== undefined && { lastDrop }),
    ...(metricDip && { metricDip }),
    massDrop,
    serverErrorBurst,
    isIncident,
  };
}
