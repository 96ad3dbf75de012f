/** Silences in memory: one process (the dev host, tests). */

import type { Silence } from '../../silences/silence';
import { type SilenceStore, stillListed, type StoredSilence } from '../silenceStore';

export class InMemorySilenceStore implements SilenceStore {
  private readonly silences = new Map<string, StoredSilence>();

  add(silence: Silence): Promise<'added' | 'exists'> {
    if (this.silences.has(silence.id)) return Promise.resolve('exists');
    this.silences.set(silence.id, { silence: structuredClone(silence), held: 0 });
    return Promise.resolve('added');
  }

  list(now: Date): Promise<StoredSilence[]> {
    return Promise.resolve(
      [...this.silences.values()]
        .filter((s) => stillListed(s.silence, now))
        .map((s) => structuredClone(s)),
    );
  }

  get(id: string): Promise<StoredSilence | undefined> {
    const found = this.silences.get(id);
    return Promise.resolve(found && structuredClone(found));
  }

  end(id: string, by: string, at: Date): Promise<StoredSilence | undefined> {
    const found = this.silences.get(id);
    if (!found) return Promise.resolve(undefined);
    if (found.silence.endedAt === undefined) {
      const silence: Silence = { ...found.silence, endedAt: at.toISOString(), endedBy: by };
      this.silences.set(id, { ...found, silence });
    }
    return this.get(id);
  }

  noteHeld(ids: readonly string[], count = 1): Promise<void> {
    for (const id of ids) {
      const found = this.silences.get(id);
      if (found) this.silences.set(id, { ...found, held: found.held + count });
    }
    return Promise.resolve();
  }
}
