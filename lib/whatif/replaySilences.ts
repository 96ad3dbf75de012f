/**
 * The silences of one what-if side, in memory: the stored-silence list and the maintenance
 * windows' occurrences at the simulated time, and a count of what each would hold back.
 */

import type { SilenceSource } from '../incidents/incidentFlow';
import { type MaintenanceWindow, occurrenceAt } from '../silences/maintenanceWindows';
import type { Silence, SilenceTarget } from '../silences/silence';
import { isActive } from '../silences/silenceMatching';

export interface CountingSilences extends SilenceSource {
  /** Messages held back per silence id (maintenance windows as `maintenance:<name>`). */
  readonly held: ReadonlyMap<string, number>;
}

export function replaySilences(
  silences: readonly Silence[],
  windows: readonly MaintenanceWindow[],
  now: () => Date,
): CountingSilences {
  let list = [...silences];
  // Every silence is listed, even one that holds nothing back: that is an answer too.
  const held = new Map<string, number>(silences.map((s) => [s.id, 0]));
  return {
    held,
    active(at: Date): Promise<readonly Silence[]> {
      const occurrences = windows
        .map((window) => occurrenceAt(window, at))
        .filter((s): s is Silence => s !== undefined);
      return Promise.resolve([...list.filter((s) => isActive(s, at)), ...occurrences]);
    },
    noteHeld(ids: readonly string[]): Promise<void> {
      for (const id of ids) held.set(id, (held.get(id) ?? 0) + 1);
      return Promise.resolve();
    },
    resolved(target: SilenceTarget): Promise<void> {
      // An until-resolved silence ends with its incident or alert, as in the app.
      const endedAt = now().toISOString();
      list = list.map((s) =>
        s.untilResolved?.kind === target.kind && s.untilResolved.id === target.id && !s.endedAt
          ? { ...s, endedAt }
          : s,
      );
      return Promise.resolve();
    },
  };
}
