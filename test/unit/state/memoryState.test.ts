import type { QueuedAlert } from '../../../lib/state/alertQueue';
import { InMemoryAlertQueue, InMemoryAlertStore } from '../../../lib/state/memoryState';
import { InvalidQueueMessageError, parseQueuedAlert } from '../../../lib/state/queueMessage';
import { deviceAlert } from '../../support/scenario';

const message: QueuedAlert = {
  version: 1,
  alert: deviceAlert(['d1'], 0, 15),
  receivedAt: '2026-11-20T00:16:00.000Z',
};

describe('InMemoryAlertStore', () => {
  test('claims once until released', async () => {
    const store = new InMemoryAlertStore();
    expect(await store.claim('a')).toBe(true);
    expect(await store.claim('a')).toBe(false);
    await store.release('a');
    expect(await store.claim('a')).toBe(true);
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
