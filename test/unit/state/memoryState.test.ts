import type { QueuedAlert } from '../../../lib/state/alertQueue';
import { PROCESSING_LEASE_MS } from '../../../lib/state/processingLease';
import {
  InMemoryAlertQueue,
  InMemoryAlertStore,
  InMemoryLedger,
} from '../../../lib/state/memory/memoryState';
import { InvalidQueueMessageError, parseQueuedAlert } from '../../../lib/state/queueMessage';
import { deviceAlert } from '../../support/scenario';

const message: QueuedAlert = {
  version: 1,
  alert: deviceAlert(['d1'], 0, 15),
  receivedAt: '2026-11-20T00:16:00.000Z',
};

describe('InMemoryAlertStore', () => {
  test('knows a key once it is marked queued', async () => {
    const store = new InMemoryAlertStore();
    expect(await store.wasQueued('a')).toBe(false);
    await store.markQueued('a');
    expect(await store.wasQueued('a')).toBe(true);
    expect(await store.wasQueued('b')).toBe(false);
  });

  test('forgets the oldest keys past its capacity', async () => {
    const store = new InMemoryAlertStore(2);
    await store.markQueued('a');
    await store.markQueued('b');
    await store.markQueued('c');
    expect(await store.wasQueued('a')).toBe(false);
    expect(await store.wasQueued('c')).toBe(true);
  });
});

describe('InMemoryLedger', () => {
  const now = new Date('2026-11-20T00:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  test('one message holds the lease; another is busy until it expires; done is final', async () => {
    const ledger = new InMemoryLedger();
    expect(await ledger.startProcessing('k', 'm1', now)).toBe('go');
    expect(await ledger.startProcessing('k', 'm2', now)).toBe('busy');
    // A retry of the holder takes it back at once.
    expect(await ledger.startProcessing('k', 'm1', later(1000))).toBe('go');
    expect(await ledger.startProcessing('k', 'm2', later(PROCESSING_LEASE_MS + 2000))).toBe('go');
    await ledger.finishProcessing('k', 'm2', later(PROCESSING_LEASE_MS + 3000));
    expect(await ledger.startProcessing('k', 'm1', later(PROCESSING_LEASE_MS * 10))).toBe('done');
  });

  test('an abandoned lease can be taken by another message at once', async () => {
    const ledger = new InMemoryLedger();
    await ledger.startProcessing('k', 'm1', now);
    await ledger.abandonProcessing('k', 'other', now);
    expect(await ledger.startProcessing('k', 'm2', now)).toBe('busy');
    await ledger.abandonProcessing('k', 'm1', now);
    expect(await ledger.startProcessing('k', 'm2', now)).toBe('go');
  });
});

describe('InMemoryAlertQueue', () => {
  test('messages sent before a consumer exists are delivered when it starts', async () => {
    const queue = new InMemoryAlertQueue(3, 1);
    await queue.enqueue(message);
    const seen: string[] = [];
    queue.consume(async (m) => {
      seen.push(m.alert.id);
    });
    await queue.drain();
    expect(seen).toEqual([message.alert.id]);
  });

  test('a failing consumer is retried, then the message is dead-lettered with the error', async () => {
    const queue = new InMemoryAlertQueue(3, 1);
    let attempts = 0;
    queue.consume(async () => {
      attempts++;
      throw new Error('Teams down');
    });
    await queue.enqueue(message);
    await queue.drain();
    expect(attempts).toBe(3);
    expect(queue.deadLetters).toEqual([{ message, error: 'Teams down' }]);
  });

  test('a consumer that recovers is not dead-lettered', async () => {
    const queue = new InMemoryAlertQueue(3, 1);
    let attempts = 0;
    queue.consume(async () => {
      if (++attempts < 2) throw new Error('blip');
    });
    await queue.enqueue(message);
    await queue.drain();
    expect(attempts).toBe(2);
    expect(queue.deadLetters).toEqual([]);
  });

  test('the queue keeps a copy, like a real queue', async () => {
    const queue = new InMemoryAlertQueue();
    const seen: QueuedAlert[] = [];
    const mutable = JSON.parse(JSON.stringify(message)) as { receivedAt: string };
    await queue.enqueue(mutable as QueuedAlert);
    mutable.receivedAt = 'changed';
    queue.consume(async (m) => {
      seen.push(m);
    });
    await queue.drain();
    expect(seen[0]?.receivedAt).toBe(message.receivedAt);
  });
});

describe('parseQueuedAlert', () => {
  test('accepts the object the host hands over, and the raw text', () => {
    expect(parseQueuedAlert(JSON.parse(JSON.stringify(message)))).toEqual(message);
    expect(parseQueuedAlert(JSON.stringify(message))).toEqual(message);
  });

  test.each([
    ['not JSON', 'hello', /not JSON/],
    ['another version', { ...message, version: 2 }, /version/],
    ['no alert', { version: 1, receivedAt: 'x' }, /alert/],
    [
      'bad severity',
      { ...message, alert: { ...message.alert, severity: 'high' } },
      /alert\.severity/,
    ],
  ])('%s → a clear error', (_name, value, pattern) => {
    expect(() => parseQueuedAlert(value)).toThrow(InvalidQueueMessageError);
    expect(() => parseQueuedAlert(value)).toThrow(pattern);
  });
});
