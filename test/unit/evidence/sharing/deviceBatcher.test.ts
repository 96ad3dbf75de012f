/**
 * When the device batcher sends: at once for quiet hubs (a lone alert pays one round trip), and
 * while its hubs are busy, a batch `delayMs` after the later of its opening and their last answer.
 * The reader underneath records each query and answers it when the test says.
 */

import type { SourceAnswer } from '../../../../lib/evidence/evidenceSource';
import type { EvidenceQuery } from '../../../../lib/evidence/kql';
import {
  type BatchKind,
  DeviceBatcher,
  type DeviceBatcherOptions,
} from '../../../../lib/evidence/querySharing/deviceBatcher';
import { ManualClock, settle } from '../../../support/manualClock';

const HUB = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/hub-a';
const OTHER_HUB = HUB.replace('hub-a', 'hub-b');
const SPAN = { start: '2026-11-20T05:00:00.000Z', end: '2026-11-20T05:30:00.000Z' };
const DELAY = 200;

function question(device: string, hub = HUB, span = SPAN): EvidenceQuery {
  return {
    name: 'deviceTimeline',
    query: `own query for ${device}`,
    timespan: span,
    filter: { hubResourceIds: [hub], deviceIds: [device] },
  };
}

/** Answers with the devices it was asked about; a batch query names them all. */
const kind: BatchKind<string[]> = {
  batchQuery: (hubResourceIds, deviceIds, span) => ({
    name: 'deviceTimeline',
    query: `batch of ${deviceIds.join(',')}`,
    timespan: span,
    filter: { hubResourceIds, deviceIds },
  }),
  split: (query, answer) => ({
    value: answer.value.filter((device) => query.filter.deviceIds.includes(device)),
  }),
};

interface Call {
  readonly query: EvidenceQuery;
  answer(): void;
  fail(error: Error): void;
}

let clock: ManualClock;
let calls: Call[];

function read(query: EvidenceQuery): Promise<SourceAnswer<string[]>> {
  return new Promise((resolve, reject) => {
    calls.push({
      query,
      answer: () => {
        resolve({ value: [...query.filter.deviceIds] });
      },
      fail: reject,
    });
  });
}

function batcher(options: Partial<DeviceBatcherOptions> = {}): DeviceBatcher<string[]> {
  return new DeviceBatcher(read, kind, { delayMs: DELAY, clock, ...options });
}

const sent = (): string[][] => calls.map((call) => [...call.query.filter.deviceIds]);

/** Answers call `index` and lets its callbacks run. */
async function answer(index: number): Promise<void> {
  calls[index]?.answer();
  await settle();
}

beforeEach(() => {
  clock = new ManualClock(Date.parse('2026-11-20T05:31:00Z'));
  calls = [];
});

describe('quiet hubs: no waiting', () => {
  test('a lone question is sent at once, its own query unchanged, without the clock moving', async () => {
    const devices = batcher();
    const own = question('d1');
    const answered = devices.ask(own);
    await settle();
    expect(calls.map((call) => call.query)).toEqual([own]);
    expect(clock.slept).toEqual([]);
    await answer(0);
    await expect(answered).resolves.toEqual({ value: ['d1'] });
    expect(devices.stats()).toEqual({ requested: 1, batchedQueries: 0, singleQueries: 1 });
  });

  test('questions asked in the same turn go together, at once', async () => {
    const devices = batcher();
    const answers = Promise.all(['d1', 'd2', 'd3'].map((d) => devices.ask(question(d))));
    await settle();
    expect(sent()).toEqual([['d1', 'd2', 'd3']]);
    expect(calls[0]?.query.query).toBe('batch of d1,d2,d3');
    await answer(0);
    expect((await answers).map((a) => a.value)).toEqual([['d1'], ['d2'], ['d3']]);
    expect(devices.stats()).toEqual({ requested: 3, batchedQueries: 1, singleQueries: 0 });
  });

  test('another hub set is quiet while the first is busy', async () => {
    const devices = batcher();
    void devices.ask(question('d1'));
    await settle();
    void devices.ask(question('d1', OTHER_HUB));
    await settle();
    expect(calls.map((call) => call.query.filter.hubResourceIds)).toEqual([[HUB], [OTHER_HUB]]);
  });

  test('hubs are quiet again delayMs after their last answer', async () => {
    const devices = batcher();
    void devices.ask(question('d1'));
    await settle();
    await answer(0);
    await clock.advance(DELAY);
    void devices.ask(question('d2'));
    await settle();
    expect(sent()).toEqual([['d1'], ['d2']]);
  });
});

describe('busy hubs: what arrives is batched', () => {
  test('questions arriving while one is in flight go in one query, delayMs after the first of them', async () => {
    const devices = batcher();
    const first = devices.ask(question('d1'));
    await settle();
    const later = ['d2', 'd3', 'd4'].map((d) => devices.ask(question(d)));
    await clock.advance(DELAY - 1);
    expect(sent()).toEqual([['d1']]);
    await clock.advance(1);
    expect(sent()).toEqual([['d1'], ['d2', 'd3', 'd4']]);
    // The two queries settle independently.
    await answer(1);
    expect((await Promise.all(later)).map((a) => a.value)).toEqual([['d2'], ['d3'], ['d4']]);
    await answer(0);
    await expect(first).resolves.toEqual({ value: ['d1'] });
    expect(devices.stats()).toEqual({ requested: 4, batchedQueries: 1, singleQueries: 1 });
  });

  test('an answer while a batch waits gives the alerts it woke delayMs to join', async () => {
    const devices = batcher();
    void devices.ask(question('d1'));
    await settle();
    await clock.advance(100);
    void devices.ask(question('d2')); // waits until 300 unless an answer comes
    await clock.advance(50);
    await answer(0); // at 150: the batch now waits until 350
    await clock.advance(150);
    void devices.ask(question('d1-next')); // d1's alert moved on to its next device
    await clock.advance(49);
    expect(sent()).toEqual([['d1']]);
    await clock.advance(1);
    expect(sent()).toEqual([['d1'], ['d2', 'd1-next']]);
  });

  test('a batch never waits more than twice delayMs, however many answers come', async () => {
    const devices = batcher();
    void devices.ask(question('d1'));
    void devices.ask(question('d1', HUB, { ...SPAN, end: '2026-11-20T05:50:00.000Z' }));
    await settle();
    expect(calls).toHaveLength(2); // two spans too far apart to share: two quiet batches
    void devices.ask(question('d2'));
    await clock.advance(150);
    await answer(0);
    await clock.advance(150);
    await answer(1);
    await clock.advance(99);
    expect(calls).toHaveLength(2);
    await clock.advance(1);
    expect(sent()[2]).toEqual(['d2']);
  });

  test('a question right after an answer waits for the others that answer woke', async () => {
    const devices = batcher();
    const woken = ['d1', 'd2'].map((d) => devices.ask(question(d)));
    await settle();
    await answer(0);
    await Promise.all(woken);
    // The storm's next devices, asked one after another as each alert is done.
    void devices.ask(question('d3'));
    await clock.advance(30);
    void devices.ask(question('d4'));
    await clock.advance(DELAY - 30);
    expect(sent()).toEqual([
      ['d1', 'd2'],
      ['d3', 'd4'],
    ]);
  });

  test('a full batch goes at once; the rest waits', async () => {
    const devices = batcher({ maxDevices: 3 });
    void devices.ask(question('d0'));
    await settle();
    for (const d of ['d1', 'd2', 'd3', 'd4']) void devices.ask(question(d));
    await settle();
    expect(sent()).toEqual([['d0'], ['d1', 'd2', 'd3']]);
    await clock.advance(DELAY);
    expect(sent()).toEqual([['d0'], ['d1', 'd2', 'd3'], ['d4']]);
    expect(devices.stats()).toEqual({ requested: 5, batchedQueries: 1, singleQueries: 2 });
  });
});

describe('failures strand no one', () => {
  test('the clock’s now is never read: a clock whose now stands still strands no batch', async () => {
    const frozen = { now: () => 0, sleep: (ms: number) => clock.sleep(ms) };
    const devices = batcher({ clock: frozen });
    void devices.ask(question('d1'));
    await settle();
    await answer(0);
    const next = devices.ask(question('d2'));
    await clock.advance(DELAY);
    expect(sent()).toEqual([['d1'], ['d2']]);
    await answer(1);
    await expect(next).resolves.toEqual({ value: ['d2'] });
    await clock.advance(DELAY);
    void devices.ask(question('d3'));
    await settle();
    expect(sent()).toHaveLength(3);
  });

  test('a failed query in flight fails its own alerts; those waiting are still sent and answered', async () => {
    const devices = batcher();
    const first = devices.ask(question('d1'));
    await settle();
    const waiting = devices.ask(question('d2'));
    calls[0]?.fail(new Error('HTTP 500'));
    await expect(first).rejects.toThrow('HTTP 500');
    await clock.advance(DELAY);
    expect(sent()).toEqual([['d1'], ['d2']]);
    await answer(1);
    await expect(waiting).resolves.toEqual({ value: ['d2'] });
    // Quiet again delayMs after the last answer.
    await clock.advance(DELAY);
    void devices.ask(question('d3'));
    await settle();
    expect(sent()).toHaveLength(3);
  });

  test('a batch whose query cannot be built fails its members and leaves the hubs usable', async () => {
    let broken = true;
    const fragile: BatchKind<string[]> = {
      ...kind,
      batchQuery: (...args) => {
        if (broken) throw new Error('too many devices');
        return kind.batchQuery(...args);
      },
    };
    const devices = new DeviceBatcher(read, fragile, { delayMs: DELAY, clock });
    const failed = Promise.allSettled(['d1', 'd2'].map((d) => devices.ask(question(d))));
    await settle();
    expect((await failed).map((a) => a.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toHaveLength(0);
    broken = false;
    // The failure counted as an answer: the next question waits delayMs, then goes.
    const next = devices.ask(question('d3'));
    await clock.advance(DELAY);
    await answer(0);
    await expect(next).resolves.toEqual({ value: ['d3'] });
  });

  test('a reader that throws instead of rejecting fails the alert, not the batcher', async () => {
    const devices = new DeviceBatcher(
      () => {
        throw new Error('no client');
      },
      kind,
      { delayMs: DELAY, clock },
    );
    await expect(devices.ask(question('d1'))).rejects.toThrow('no client');
  });
});
