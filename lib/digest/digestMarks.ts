/**
 * The rows of one hub as the digest KQL (`digestKql.ts`) marks them, for the in-memory mirror:
 * each row's period (the report's day, or the week before it) and what it is to the digest (a
 * drop, a refusal, a duplicate-identity kick, a connect), one mark per distinct row.
 */

import { isRemovedRefusal } from '../diagnose/thresholds';
import type { ConnectionEvent } from '../evidence/evidence';
import { FLEET_BIN_MINUTES } from '../evidence/kql';

export type Period = 'day' | 'week';
export type Kind = 'drop' | 'auth' | 'removed' | 'duplicate' | 'connect';

/** A row of the hub in the span, with its period. */
export type PeriodEvent = ConnectionEvent & { readonly period: Period };

export interface Marked {
  readonly deviceId: string;
  readonly time: number;
  readonly kind: Kind;
  readonly period: Period;
  readonly ip: string;
}

const BIN_MS = FLEET_BIN_MINUTES * 60_000;

/** The start of the fleet bin (`bin(TimeGenerated, 5m)`) that holds `time` (ms). */
export function binOf(time: number): number {
  return Math.floor(time / BIN_MS) * BIN_MS;
}

export const isConnected = (e: ConnectionEvent): boolean =>
  e.operation === 'deviceConnect' && e.resultType === '';

function kindOf(e: ConnectionEvent): Kind | undefined {
  if (e.resultType === '404104') return 'drop';
  // A refusal of an identity the hub no longer has is no credential refusal, and only an attempt
  // to connect is a refusal: the same words on a disconnect are left out.
  if (isRemovedRefusal(e)) return e.operation === 'deviceConnect' ? 'removed' : undefined;
  if (e.resultType === '401003') return 'auth';
  if (e.resultType === '400027' || e.resultType === '409002') return 'duplicate';
  return isConnected(e) ? 'connect' : undefined;
}

/** `distinct DeviceId, TimeGenerated, Kind, Period, MaskedIpAddress`, in the events' order. */
export function markEvents(events: readonly PeriodEvent[]): Marked[] {
  const seen = new Set<string>();
  const marked: Marked[] = [];
  for (const e of events) {
    const kind = kindOf(e);
    if (kind === undefined) continue;
    const item = {
      deviceId: e.deviceId,
      time: Date.parse(e.time),
      kind,
      period: e.period,
      ip: e.maskedIpAddress ?? '',
    };
    const key = `${item.deviceId}\u0000${item.time}\u0000${kind}\u0000${item.period}\u0000${item.ip}`;
    if (seen.has(key)) continue;
    seen.add(key);
    marked.push(item);
  }
  return marked;
}

/** The items by key, keys in order of first appearance (as `summarize ... by` is read here). */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
