/** The dev host's in-memory state stays bounded however many alerts it sees. */

import {
  InMemoryAlertQueue,
  InMemoryAlertStore,
  MEMORY_STATE_CAPACITY,
  POISON_CAPACITY,
} from '../../../lib/state/memory/memoryState';
import { testAlert } from '../../support/testAlert';

describe('InMemoryAlertStore', () => {
  test(`remembers at most ${MEMORY_STATE_CAPACITY} keys by default, forgetting the oldest first`, async () => {
    const store = new InMemoryAlertStore();
    for (let i = 0; i < MEMORY_STATE_CAPACITY + 500; i++) await store.markQueued(`alert-${i}`);
    // The newest are still known; the oldest were forgotten.
    expect(await store.wasQueued(`alert-${MEMORY_STATE_CAPACITY + 499}`)).toBe(true);
    expect(await store.wasQueued('alert-500')).toBe(true);
    expect(await store.wasQueued('alert-499')).toBe(false);
    expect(await store.wasQueued('alert-0')).toBe(false);
  });

  test('a small bound keeps recent duplicates detected', async () => {
    const store = new InMemoryAlertStore(3);
    for (const key of ['a', 'b', 'c', 'd']) await store.markQueued(key);
    expect(await store.wasQueued('d')).toBe(true);
    expect(await store.wasQueued('c')).toBe(true);
    expect(await store.wasQueued('a')).toBe(false);
  });
});

describe('InMemoryAlertQueue', () => {
  test(`keeps at most ${POISON_CAPACITY} poison messages, the newest`, async () => {
    const queue = new InMemoryAlertQueue(1, 0);
    queue.consume(() => Promise.reject(new Error('receiver down')));
    const total = POISON_CAPACITY + 25;
    for (let i = 0; i < total; i++) {
      await queue.enqueue({
        version: 1,
        alert: testAlert({ id: `alert-${i}` }),
        receivedAt: '2026-11-20T00:00:00Z',
      });
    }
    await queue.drain();
    expect(queue.deadLetters).toHaveLength(POISON_CAPACITY);
    expect(queue.deadLetters.at(-1)?.message.alert.id).toBe(`alert-${total - 1}`);
    expect(queue.deadLetters[0]?.message.alert.id).toBe('alert-25');
  });
});
