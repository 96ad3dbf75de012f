/**
 * The silences the policy applies: the stored ones and the maintenance windows' current
 * occurrences, read at most every few seconds per worker (a thousand silences cost one table
 * listing, not one per alert). A failed read is not papered over with an old list once that
 * list is stale: the caller fails, and the queue retries.
 */

import type { Logger } from '../common/logger';
import type { SilenceSource } from '../incidents/incidentFlow';
import { type MaintenanceWindow, occurrenceAt } from '../silences/maintenanceWindows';
import type { Silence, SilenceTarget } from '../silences/silence';
import { isActive } from '../silences/silenceMatching';
import type { SilenceStore } from '../state/silenceStore';

/** How long a read list serves: a new silence holds within this long on every worker. */
export const SILENCE_CACHE_MS = 10_000;

export function silenceSource(
  store: SilenceStore,
  windows: readonly MaintenanceWindow[],
  log: Logger,
  /** Ends the until-resolved silences of a target (and tells the channel). */
  onResolved?: (target: SilenceTarget) => Promise<void>,
): SilenceSource {
  let cached: { at: number; silences: readonly Silence[] } | undefined;
  return {
    async active(now: Date): Promise<readonly Silence[]> {
      if (
        cached === undefined ||
        now.getTime() - cached.at >= SILENCE_CACHE_MS ||
        now.getTime() < cached.at
      ) {
        const stored = await store.list(now);
        cached = { at: now.getTime(), silences: stored.map((s) => s.silence) };
      }
      const occurrences = windows
        .map((window) => occurrenceAt(window, now))
        .filter((s): s is Silence => s !== undefined);
      return [...cached.silences.filter((s) => isActive(s, now)), ...occurrences];
    },
    async resolved(target: SilenceTarget): Promise<void> {
      try {
        await onResolved?.(target);
        cached = undefined;
      } catch (error: unknown) {
        log.warn(
          `Silences: could not end those waiting for ${target.kind} ${target.id} (${error instanceof Error ? error.name : 'unknown error'}); they end at their endsAt`,
        );
      }
    },
    async noteHeld(ids: readonly string[]): Promise<void> {
      try {
        await store.noteHeld(ids.filter((id) => !id.startsWith('maintenance:')));
      } catch (error: unknown) {
        log.warn(
          `Silences: could not count what was held back (${error instanceof Error ? error.name : 'unknown error'})`,
        );
      }
    },
  };
}
