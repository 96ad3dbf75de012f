/**
 * The rules' numbers and words that the per-alert diagnosis and the daily digest both read, so
 * the two always classify a drop the same way. Both import this file downward.
 */

/** 401003 this close to a 404104 belongs to the same SAS expiry. */
export const AUTH_COMPANION_MS = 90_000;
/** An SDK that renews its token reconnects within about a minute. */
export const QUICK_RECONNECT_MS = 120_000;
/** Refusals after a drop that say the device keeps trying (one can be a race with a renewal). */
export const MIN_REFUSALS = 2;
/** A mass drop needs at least this many devices... */
export const INCIDENT_MIN_DEVICES = 10;
/** ...this share of the active fleet... */
export const INCIDENT_MIN_SHARE = 0.25;

/** The hub's words on a 401003 for an identity it no longer has. */
export const NOT_IN_HUB_WORDS = 'does not contain the specified device';

/** A connect refused because the identity is gone (deleted, disabled, moved to another hub). */
export function isRemovedRefusal(e: {
  readonly resultType: string;
  readonly errorMessage?: string;
}): boolean {
  return (
    e.resultType === '404001' ||
    (e.resultType === '401003' && (e.errorMessage ?? '').toLowerCase().includes(NOT_IN_HUB_WORDS))
  );
}
