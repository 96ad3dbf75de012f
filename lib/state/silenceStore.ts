/**
 * The port behind which silences and what they held back live: Table storage next to the
 * incidents in Azure (`azure/tableSilenceStore.ts`), memory on the dev host
 * (`memory/memorySilenceStore.ts`).
 */

import type { Silence } from '../silences/silence';

export interface StoredSilence {
  readonly silence: Silence;
  /** Alerts and incidents it kept from being posted so far. */
  readonly held: number;
}

export interface SilenceStore {
  /** Stores a new silence; `exists` when one with that id is there already (done once). */
  add(silence: Silence): Promise<'added' | 'exists'>;
  /** Silences that have not ended more than a day ago: active, pending, and recently ended. */
  list(now: Date): Promise<StoredSilence[]>;
  get(id: string): Promise<StoredSilence | undefined>;
  /** Ends a silence now; undefined when there is none with that id. Ending twice keeps the first. */
  end(id: string, by: string, at: Date): Promise<StoredSilence | undefined>;
  /** Counts messages it held back (bookkeeping). */
  noteHeld(ids: readonly string[], count?: number): Promise<void>;
}

export const SILENCE_TABLE_NAME = 'enrichersilences';
/** A flood of creations is bounded: past this many live silences, new ones are refused. */
export const MAX_LIVE_SILENCES = 5000;
/** Ended silences are still listed this long, so the list says what just ended. */
export const ENDED_LISTED_MS = 24 * 3_600_000;

export function stillListed(silence: Silence, now: Date): boolean {
  const end = Math.min(
    Date.parse(silence.endsAt),
    silence.endedAt === undefined ? Infinity : Date.parse(silence.endedAt),
  );
  return end + ENDED_LISTED_MS > now.getTime();
}
