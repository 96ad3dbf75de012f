import type { EnrichmentServices } from '../../lib/app/enrichAlert';
import type { EvidenceSource } from '../../lib/evidence/evidenceSource';
import { silentLogger } from '../../lib/common/logger';
import type { PostReceipt } from '../../lib/notify/httpDelivery';
import type { Notifier } from '../../lib/notify/notifier';
import { processQueuedAlert } from '../../lib/app/processQueuedAlert';
import type { QueuedAlert } from '../../lib/state/alertQueue';
import { PROCESSING_LEASE_MS } from '../../lib/state/processingLease';
import { InMemoryAlertQueue, inMemoryWorkerState } from '../../lib/state/memory/memoryState';
import { deviceAlert } from '../support/scenario';

const queued: QueuedAlert = {
  version: 1,
  alert: deviceAlert(['d1'], 0, 15),
  receivedAt: '2026-11-20T00:16:00.000Z',
};

function setup() {
  let queries = 0;
  const evidence: EvidenceSource = {
    deviceTimeline: () => {
      queries++;
      return Promise.resolve({ value: [] });
    },
    fleetActivity: () => Promise.resolve({ value: [] }),
    fleetSize: () => Promise.resolve({ value: 0 }),
    disconnectedDevices: () => Promise.resolve({ value: { rows: [], total: 0 } }),
    deviceHistory: () => Promise.resolve({ value: [] }),
  };
  const posts: string[] = [];
  const notifier: Notifier = {
    name: 'webhook',
    format: 'webhook',
    post: (body): Promise<PostReceipt> => {
      posts.push(body);
      return Promise.resolve({ status: 202, posts: 1, unknownOutcomes: 0 });
    },
  };
  let clock = Date.parse('2026-11-20T00:16:00Z');
  const services: EnrichmentServices = {
    sources: { evidence },
    notifiers: [notifier],
    lookbackMinutes: 60,
    log: silentLogger,
    now: () => new Date(clock),
    state: inMemoryWorkerState(),
  };
  return {
    services,
    posts,
    queries: () => queries,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('processQueuedAlert', () => {
  test('a duplicate message is dropped: enriched and posted once', async () => {
    const { services, posts, queries } = setup();
    expect(await processQueuedAlert(queued, 'message-1', services)).toBe('processed');
    expect(await processQueuedAlert(queued, 'message-2', services)).toBe('done');
    expect(posts).toHaveLength(1);
    expect(queries()).toBe(1);
  });

  test('two copies in the in-memory queue at once: one enrichment, one post', async () => {
    const { services, posts, queries } = setup();
    const queue = new InMemoryAlertQueue(5, 1);
    queue.consume(async (message, id) => {
      await processQueuedAlert(message, id, services);
    });
    await Promise.all([queue.enqueue(queued), queue.enqueue(queued)]);
    await queue.drain();
    expect(posts).toHaveLength(1);
    expect(queries()).toBe(1);
    expect(queue.deadLetters).toEqual([]);
  });

  test('while another message holds the lease, a copy is dropped; after it expires, it is taken over', async () => {
    const { services, posts, advance } = setup();
    // message-1 died holding the lease (no finish, no abandon).
    const key = `${queued.alert.id.toLowerCase()}|${queued.alert.condition}`;
    await services.state.processing.startProcessing(key, 'message-1', services.now());
    expect(await processQueuedAlert(queued, 'message-2', services)).toBe('busy');
    expect(posts).toHaveLength(0);
    advance(PROCESSING_LEASE_MS + 1);
    expect(await processQueuedAlert(queued, 'message-2', services)).toBe('processed');
    expect(posts).toHaveLength(1);
  });

  test('a failure gives the lease up, so the retry of any copy proceeds', async () => {
    const { services, posts } = setup();
    const failing: EnrichmentServices = {
      ...services,
      notifiers: [
        {
          name: 'webhook',
          format: 'webhook',
          post: () => Promise.reject(new Error('crashed mid-delivery')),
        },
      ],
    };
    await expect(processQueuedAlert(queued, 'message-1', failing)).rejects.toThrow(/crashed/);
    expect(await processQueuedAlert(queued, 'message-2', services)).toBe('processed');
    expect(posts).toHaveLength(1);
  });
});
