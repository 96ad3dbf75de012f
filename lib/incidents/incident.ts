/** The incident record, the memory of fired alerts, and the daily counters. */

import type { Cause, Cohort, Scope } from '../diagnose/diagnosis';

export type RenewalPolicy = 'post' | 'compact' | 'suppress';

/** Devices that dropped (404104) in one 5-minute bin: the incident's drop curve. */
export interface DropPoint {
  readonly start: string;
  readonly devices: number;
  /** `connectedDeviceCount` (minimum in the bin), when metrics answered. */
  readonly connected?: number;
}

/**
 * One incident: a hub, a cause and, for a subset, a cohort, from its opening alert until it
 * closes. Two clocks: `startedAt`/`lastFiredAt` come from the alerts (when it happened),
 * `openedAt`/`lastAlertAt`/`lastPostedAt` from the processing clock (what the timer measures).
 */
export interface IncidentRecord {
  /** Stable for the incident's whole life; messages and webhook events carry it. */
  readonly id: string;
  /** `hub|cause|cohort`: at most one open incident per key. */
  readonly key: string;
  readonly hubResourceId: string;
  readonly cause: Cause;
  readonly scope: Scope;
  readonly cohort?: Cohort;
  readonly status: 'open' | 'closed';
  readonly openerAlertId: string;
  readonly summary: string;
  /** First drop (or the opening alert's window start): when the incident began. */
  readonly startedAt: string;
  readonly lastFiredAt: string;
  readonly openedAt: string;
  readonly lastAlertAt: string;
  /** Alerted devices, in the order they joined, capped at `MAX_LISTED_DEVICES`. */
  readonly devices: readonly string[];
  /** Every distinct device that joined (the list may be capped). */
  readonly deviceCount: number;
  /** Masked addresses (sites) of the alerted devices, capped at `MAX_LISTED_SITES`. */
  readonly sites: readonly string[];
  readonly alertCount: number;
  /** Devices whose Resolved was folded in. */
  readonly resolvedCount: number;
  readonly lastResolvedAt?: string;
  /** When a hub-level alert (metric alert, unsplit log alert) of this incident resolved. */
  readonly hubAlertResolvedAt?: string;
  readonly dropCurve: readonly DropPoint[];
  /** Revision of the latest message decided (1 = opening card); message ids carry it. */
  readonly revision: number;
  /** Latest revision known to be delivered. */
  readonly postedRevision: number;
  readonly lastPostedAt: string;
  readonly devicesAtLastPost: number;
  readonly sitesAtLastPost: number;
  /** The counts and time of the card before the latest: what an update calls "new". */
  readonly previousDeviceCount?: number;
  readonly previousSiteCount?: number;
  readonly previousPostedAt?: string;
  readonly closedAt?: string;
  /** When connected devices were back near the baseline (or the hub alert resolved). */
  readonly backAt?: string;
  readonly closeReason?: string;
  readonly logsLink?: string;
  /** Set while silences hold its cards back: which, and since when. */
  readonly heldBack?: { readonly silences: readonly string[]; readonly since: string };
  /** Someone is on it: its update cards collapse; the closing card names them. */
  readonly acknowledged?: Acknowledgement;
  /** The receivers its opening card went to: its later cards go there too. */
  readonly receivers?: readonly string[];
}

export interface Acknowledgement {
  readonly by: string;
  readonly at: string;
}

/** How a fired alert was handled: recalled when its Resolved arrives. */
export type Handling = 'card' | 'compact' | 'suppressed' | 'opened' | 'folded' | 'duplicate';

export interface AlertMemo {
  readonly alertId: string;
  readonly rule: string;
  readonly firedAt: string;
  readonly cause: Cause;
  readonly scope: Scope;
  readonly confidence: number;
  readonly summary: string;
  readonly devices: readonly string[];
  readonly handling: Handling;
  readonly incidentId?: string;
  /** The 404104 the alert was about. */
  readonly dropAt?: string;
  /** The other alert about the same drop, which spoke for this one (`handling: duplicate`). */
  readonly sameDropAs?: string;
  /** Silences that held its message back: its Resolved stays quiet too. */
  readonly heldBy?: readonly string[];
  readonly acknowledged?: Acknowledgement;
}

/** Counters a daily digest reads, per hub and UTC day. */
export const COUNTERS = [
  'renewals-posted',
  'renewals-compacted',
  'renewals-suppressed',
  'resolved-kept-quiet',
  'incidents-opened',
  'messages-posted',
] as const;
export type Counter = (typeof COUNTERS)[number];

export interface DailyCount {
  readonly day: string;
  readonly hubResourceId: string;
  readonly counter: Counter;
  readonly count: number;
}

export const MAX_LISTED_DEVICES = 400;
export const MAX_LISTED_SITES = 50;
/** An incident whose devices never come back still closes after this long without alerts. */
export const MAX_QUIET_HOURS = 24;
/** Connected devices at or above this share of the baseline are "back". */
export const BACK_SHARE = 0.95;
