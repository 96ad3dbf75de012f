/**
 * What an alert may make the enricher read: the hubs it names, bounded in number and limited to
 * the deployment's allow-list, and its window, bounded in length and position. Pure.
 */

import type { TimeWindow } from './alert';
import { UnprocessableAlertError } from '../common/errors';

/** Distinct IoT hubs one alert may name; each one costs queries and a metrics read. */
export const MAX_HUBS_PER_ALERT = 20;
/**
 * The longest alert window kept: the longest a log search alert evaluates (P2D). Evidence then
 * spans at most EVIDENCE_LOOKBACK_MINUTES + this + the reconnect look-ahead.
 */
export const MAX_ALERT_WINDOW_MS = 2 * 24 * 60 * 60_000;
/** A window may end a little after the alert fired (clock skew), never later. */
const WINDOW_END_SKEW_MS = 5 * 60_000;

const IOTHUB_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.devices\/iothubs\/[^/]+$/i;

/**
 * Keeps the evidence span bounded whatever the payload says (a window from 1900 to 2100 was once
 * accepted): the window ends no later than the alert fired (or resolved), plus clock skew, and
 * lasts at most `MAX_ALERT_WINDOW_MS`, keeping its end.
 */
export function clampWindow(window: TimeWindow, firedOrResolvedAt: string): TimeWindow {
  const latestEnd = Date.parse(firedOrResolvedAt) + WINDOW_END_SKEW_MS;
  const end = Math.min(Date.parse(window.end), latestEnd);
  const start = Math.min(Math.max(Date.parse(window.start), end - MAX_ALERT_WINDOW_MS), end);
  const clamped = { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  return clamped.start === window.start && clamped.end === window.end ? window : clamped;
}

export interface HubSource {
  readonly path: string;
  readonly ids: readonly string[];
}

export interface PickedHubs {
  readonly hubs: readonly string[];
  /** Where the hubs came from: the payload path, or '' for the configured default. */
  readonly path: string;
}

/** The first source, in priority order, that names any IoT hub wins; then the configured default. */
export function pickHubs(sources: readonly HubSource[], fallback: string | undefined): PickedHubs {
  for (const source of sources) {
    const hubs = [
      ...new Set(source.ids.filter((id) => IOTHUB_ID.test(id)).map((id) => id.toLowerCase())),
    ];
    if (hubs.length > MAX_HUBS_PER_ALERT) {
      throw new UnprocessableAlertError(
        `${source.path}: names ${hubs.length} IoT hubs; at most ${MAX_HUBS_PER_ALERT} are accepted per alert`,
        source.path,
      );
    }
    if (hubs.length > 0) return { hubs, path: source.path };
  }
  return { hubs: fallback ? [fallback.toLowerCase()] : [], path: '' };
}

/**
 * Applies the allow-list: hubs outside it are dropped; an alert whose hubs are all outside it is
 * refused with 422 (retrying cannot help, and action groups do not retry a 4xx).
 */
export function scopeHubs(picked: PickedHubs, allowed: readonly string[]): string[] {
  if (allowed.length === 0) return [...picked.hubs];
  const watched = picked.hubs.filter((hub) => allowed.includes(hub));
  if (watched.length === 0 && picked.hubs.length > 0) {
    const path = picked.path || 'data.essentials.alertTargetIDs';
    throw new UnprocessableAlertError(
      `${path}: names no IoT hub this deployment watches (IOTHUB_RESOURCE_IDS lists ${allowed.length}); add the hub to the deployment's iotHubResourceIds, or point this alert rule at another action group`,
      path,
    );
  }
  return watched;
}
