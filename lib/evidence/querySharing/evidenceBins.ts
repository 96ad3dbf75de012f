/**
 * The keys under which alerts share evidence. Pure: time in, keys out.
 *
 * A storm of per-device alerts asks the same hub-wide questions over spans that differ by
 * seconds. Rounding every span out to whole 5-minute bins makes those questions identical, so
 * one answer serves them all; the rounded span always contains the alert's own span.
 */

import type { TimeWindow } from '../../alerts/alert';
import type { EvidenceQuery } from '../kql';

export const SHARE_BIN_MINUTES = 5;
const BIN_MS = SHARE_BIN_MINUTES * 60_000;

/** The span rounded out to whole bins: start down, end up. */
export function alignToBins(span: TimeWindow): TimeWindow {
  const start = Date.parse(span.start);
  const end = Date.parse(span.end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new Error(`Not a time span: ${span.start}/${span.end}`);
  }
  return {
    start: new Date(Math.floor(start / BIN_MS) * BIN_MS).toISOString(),
    end: new Date(Math.ceil(end / BIN_MS) * BIN_MS).toISOString(),
  };
}

/** The hubs as one key: lower-cased, sorted, so the order an alert lists them in does not matter. */
export function hubsKey(hubResourceIds: readonly string[]): string {
  return [...new Set(hubResourceIds.map((id) => id.toLowerCase()))].sort().join(',');
}

function spanKey(span: TimeWindow): string {
  return `${span.start}/${span.end}`;
}

/**
 * The key of a hub-wide question: its name and KQL (which names the hubs) over the aligned span.
 * Keyed on the text, not on our reading of it, so a changed query builder can never share
 * answers between questions that differ.
 */
export function questionKey(query: EvidenceQuery): string {
  return `${query.name}\n${spanKey(alignToBins(query.timespan))}\n${query.query}`;
}

/** The key of a metrics read: the hubs over the aligned span. */
export function metricsKey(hubResourceIds: readonly string[], span: TimeWindow): string {
  return `${hubsKey(hubResourceIds)}\n${spanKey(alignToBins(span))}`;
}

/** Whether an ISO time lies in [start, end). */
export function isWithin(time: string, span: TimeWindow): boolean {
  const at = Date.parse(time);
  return at >= Date.parse(span.start) && at < Date.parse(span.end);
}
