/** The dev host's in-memory state stays bounded however many alerts it sees. */

import {
  InMemoryAlertQueue,
  InMemoryAlertStore,
  MAX_MEMORY_DEAD_LETTERS,
  MAX_MEMORY_KEYS,
} from '../../../lib/state/memoryState';
import { testAlert } from '../../support/testAlert';

describe('InMemoryAlertStore', () => {
  test(`remembers at most ${MAX_MEMORY_KEYS} keys by default, forgetting the oldest first`, async () => {
    const store = new InMemoryAlertStore();
    for (let i = 0; i < MAX_MEMORY_KEYS + 500; i++) await store.claim(`alert-${i}`);
    expect(store.size).toBe(MAX_MEMORY_KEYS);
    // The newest are still duplicates; the oldest were forgotten.
    expect(await store.claim(`alert-${MAX_MEMORY_KEYS + 499}`)).toBe(false);
    expect(await store.claim('alert-0')).toBe(true);
  });

  test('a small bound keeps recent duplicates detected', async () => {
    const store = new InMemoryAlertStore(3);
    for (const key of ['a', 'b', 'c', 'd']) await store.claim(key);
    expect(store.size).toBe(3);
    expect(await store.claim('d')).toBe(false);
    expect(await store.claim('c')).toBe(false);
    expect(await store.claim('a')).toBe(true);
  });
});

describe('InMemoryAlertQueue', () => {
  test(`keeps at most ${MAX_MEMORY_DEAD_LETTERS} dead letters by default, newest kept, and counts the rest`, async () => {
    const queue = new InMemoryAlertQueue(1, 0);
    queue.consume(() => Promise.reject(new Error('receiver down')));
    const total = MAX_MEMORY_DEAD_LETTERS + 25;
    for (let i = 0; i < total; i++) {
      await queue.enqueue({
        version: 1,
        alert: testAlert({ id: `alert-${i}` }),
        receivedAt: '2026-11-20T00:00:00Z',
      });
    }
    await queue.drain();
    expect(queue.deadLetters).toHaveLength(MAX_MEMORY_DEAD_LETTERS);
    expect(queue.droppedDeadLetters).toBe(25);
    expect(queue.deadLetters.at(-1)?.message.alert.id).toBe(`alert-${total - 1}`);
    expect(queue.deadLetters[0]?.message.alert.id).toBe('alert-25');
  });
});
