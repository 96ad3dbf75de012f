/**
 * The sharing layer over the evidence ports: single-flight, reuse for a TTL, 5-minute bins,
 * micro-batched timelines split back per alert (at once for a quiet hub, after the delay for a
 * busy one), the cap of 5 in flight and the 429 retry.
 * The source underneath is the real `ExportFileSource`, wrapped to count and hold its calls.
 */

import type { Alert } from '../../../../lib/alerts/alert';
import type { ConnectionEvent } from '../../../../lib/evidence/evidence';
import type { EvidenceSource, MetricsSource } from '../../../../lib/evidence/evidenceSource';
import { ExportFileSource } from '../../../../lib/evidence/exportFileSource';
import { gatherEvidence } from '../../../../lib/evidence/gatherEvidence';
import {
  planEvidenceQueries,
  type EvidenceQuery,
  type QueryName,
} from '../../../../lib/evidence/kql';
import {
  SharedEvidenceSource,
  SharedMetricsSource,
  type SharingOptions,
} from '../../../../lib/evidence/querySharing/sharedEvidence';
import { ManualClock, settle } from '../../../support/manualClock';
import { event, HUB } from '../../../support/scenario';
import { testAlert } from '../../../support/testAlert';

const OTHER_HUB = HUB.replace('contoso-fleet-hub', 'contoso-lab-hub');
const T0 = Date.parse('2026-11-20T05:00:00Z');
const iso = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

/** Minutes after 05:00 as offsets from the scenario's midnight BASE. */
const m = (minutes: number): number => 300 + minutes;

const EVENTS: ConnectionEvent[] = [
  ...['d1', 'd2', 'd3', 'ctl\u0007x'].flatMap((device) => [
    event(device, m(-30), 'connect'),
    event(device, m(12), '404104'),
    event(device, m(20), 'connect'),
  ]),
  event('d4', m(-20), 'connect'),
  // Outside every alert's span below: must not reach any alert.
  event('d1', m(40), '404104'),
];

/** One-device alert of the hub, window [start, end] in minutes after 05:00. */
function alertOf(device: string, start: number, end: number, hub = HUB): Alert {
  return testAlert({
    id: `alert-${device}-${start}`,
    window: { start: iso(start), end: iso(end) },
    hubResourceIds: [hub],
    deviceIds: device === '' ? [] : [device],
  });
}

function queryOf(name: QueryName, alert: Alert): EvidenceQuery {
  const query = planEvidenceQueries(alert, { lookbackMinutes: 60 }).queries.find(
    (q) => q.name === name,
  );
  if (query === undefined) throw new Error(`no ${name} query`);
  return query;
}

interface Deferred {
  readonly promise: Promise<void>;
  release(): void;
}

function deferred(): Deferred {
  let release = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

/** The real export-file source, counting its calls and able to hold or fail them. */
class CountingSource implements EvidenceSource {
  readonly calls: { name: QueryName; query: EvidenceQuery }[] = [];
  inFlight = 0;
  peakInFlight = 0;
  hold: Deferred | undefined;
  /** Errors thrown by the next calls, one per call, before answering normally. */
  readonly failures: Error[] = [];
  private readonly real = ExportFileSource.fromEvents(EVENTS);

  count(name: QueryName): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  deviceTimeline(query: EvidenceQuery) {
    return this.answer('deviceTimeline', query, () => this.real.deviceTimeline(query));
  }
  fleetActivity(query: EvidenceQuery) {
    return this.answer('fleetActivity', query, () => this.real.fleetActivity(query));
  }
  fleetSize(query: EvidenceQuery) {
    return this.answer('fleetSize', query, () => this.real.fleetSize(query));
  }
  disconnectedDevices(query: EvidenceQuery) {
    return this.answer('disconnectedDevices', query, () => this.real.disconnectedDevices(query));
  }
  deviceHistory(query: EvidenceQuery) {
    return this.answer('deviceHistory', query, () => this.real.deviceHistory(query));
  }

  private async answer<T>(name: QueryName, query: EvidenceQuery, read: () => Promise<T>) {
    this.calls.push({ name, query });
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      await this.hold?.promise;
      const failure = this.failures.shift();
      if (failure !== undefined) throw failure;
      return await read();
    } finally {
      this.inFlight--;
    }
  }
}

function throttled(retryAfterMs?: number): Error {
  return Object.assign(new Error('Log Analytics query fleetSize failed (HTTP 429 Throttled)'), {
    statusCode: 429,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

let clock: ManualClock;
let inner: CountingSource;

function shared(options: SharingOptions = {}): SharedEvidenceSource {
  return new SharedEvidenceSource(inner, { batchDelayMs: 200, clock, ...options });
}

beforeEach(() => {
  clock = new ManualClock(Date.parse('2026-11-20T05:16:00Z'));
  inner = new CountingSource();
});

describe('hub-wide answers', () => {
  test('100 concurrent alerts of one hub and bin: one call per question, the same answer', async () => {
    const source = shared();
    inner.hold = deferred();
    const alerts = Array.from({ length: 100 }, (_, i) =>
      // Spans ending anywhere in 05:30:01–05:35:00 share the 5-minute bin.
      alertOf(`dev-${i}`, 0, 16 + (i % 5)),
    );
    const sizes = Promise.all(alerts.map((a) => source.fleetSize(queryOf('fleetSize', a))));
    const activity = Promise.all(
      alerts.map((a) => source.fleetActivity(queryOf('fleetActivity', a))),
    );
    await settle();
    inner.hold.release();
    const [sizeAnswers] = await Promise.all([sizes, activity]);
    expect(inner.count('fleetSize')).toBe(1);
    expect(inner.count('fleetActivity')).toBe(1);
    expect(new Set(sizeAnswers.map((a) => a.value))).toEqual(new Set([5]));
    expect(source.stats().hubWide.joined).toBe(198);
  });

  test('the question is asked over the span rounded out to whole 5-minute bins', async () => {
    const source = shared();
    const query = queryOf('fleetSize', alertOf('d1', 1.5, 16.25));
    await source.fleetSize(query);
    const sent = inner.calls[0]?.query;
    expect(sent?.query).toBe(query.query);
    expect(sent?.timespan.start).toBe('2026-11-20T04:00:00.000Z');
    // 16.25 + 15 min look-ahead = 05:31:15, rounded up to 05:35.
    expect(sent?.timespan.end).toBe('2026-11-20T05:35:00.000Z');
  });

  test('spans in different bins are different questions', async () => {
    const source = shared();
    // Span ends (window end + 15 min) 05:29, 05:30, 05:31, 05:35:30.
    for (const end of [14, 15, 16, 20.5]) {
      await source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, end)));
    }
    expect(inner.calls.map((c) => c.query.timespan.end)).toEqual([
      '2026-11-20T05:30:00.000Z',
      '2026-11-20T05:35:00.000Z',
      '2026-11-20T05:40:00.000Z',
    ]);
  });

  test('different hubs and different questions never share', async () => {
    const source = shared();
    await source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 15)));
    await source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 15, OTHER_HUB)));
    await source.disconnectedDevices(queryOf('disconnectedDevices', alertOf('d1', 0, 15)));
    expect(inner.calls.map((c) => c.name)).toEqual([
      'fleetSize',
      'fleetSize',
      'disconnectedDevices',
    ]);
  });

  test('an answer is reused for the TTL after it arrived, then asked again', async () => {
    const source = shared({ ttlMs: 60_000 });
    const query = queryOf('fleetSize', alertOf('d1', 0, 15));
    await source.fleetSize(query);
    await clock.advance(59_999);
    await source.fleetSize(query);
    expect(inner.count('fleetSize')).toBe(1);
    await clock.advance(1);
    await source.fleetSize(query);
    expect(inner.count('fleetSize')).toBe(2);
    expect(source.stats().hubWide).toEqual({ calls: 2, joined: 0, reused: 1 });
  });

  test('at most maxEntries answers are kept; the oldest goes first', async () => {
    const source = shared({ maxEntries: 2 });
    const first = queryOf('fleetSize', alertOf('d1', 0, 15));
    await source.fleetSize(first);
    await source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 25)));
    await source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 35)));
    await source.fleetSize(first);
    expect(inner.count('fleetSize')).toBe(4);
  });

  test('a failure is shared by the callers waiting for it, but the next caller asks again', async () => {
    const source = shared();
    inner.hold = deferred();
    inner.failures.push(new Error('boom'));
    const query = queryOf('fleetSize', alertOf('d1', 0, 15));
    const waiting = [source.fleetSize(query), source.fleetSize(query)];
    await settle();
    inner.hold.release();
    for (const answer of waiting) await expect(answer).rejects.toThrow('boom');
    expect(inner.count('fleetSize')).toBe(1);
    await expect(source.fleetSize(query)).resolves.toEqual({ value: 5 });
    expect(inner.count('fleetSize')).toBe(2);
  });

  test('dropped devices are trimmed back to the alert’s own window', async () => {
    const source = shared();
    // Window 05:10–05:11: near window 05:05–05:16, rounded out to 05:05–05:20.
    const query = queryOf('disconnectedDevices', alertOf('', 10, 11));
    const dropped = await source.disconnectedDevices(query);
    expect(inner.calls[0]?.query.timespan).toEqual({
      start: '2026-11-20T05:05:00.000Z',
      end: '2026-11-20T05:20:00.000Z',
    });
    // The drops at 05:12 are inside the alert's near window; d1's 05:40 drop is outside.
    expect(dropped.value.rows.map((d) => d.deviceId).sort()).toEqual([
      'ctl\u0007x',
      'd1',
      'd2',
      'd3',
    ]);
    expect(dropped.value.total).toBe(4);

    const early = queryOf('disconnectedDevices', alertOf('', 0, 2)); // near window 04:55–05:07
    const none = await source.disconnectedDevices(early);
    expect(none.value).toEqual({ rows: [], total: 0 });
  });
});

describe('device timelines', () => {
  test('timelines of a quiet hub asked together are read at once in one query and split per alert', async () => {
    const source = shared();
    const queries = ['d1', 'd2', 'd3'].map((d) => queryOf('deviceTimeline', alertOf(d, 0, 15)));
    const answers = Promise.all(queries.map((q) => source.deviceTimeline(q)));
    await settle();
    expect(inner.count('deviceTimeline')).toBe(1);
    const [d1, d2, d3] = await answers;
    expect(inner.count('deviceTimeline')).toBe(1);
    const sent = inner.calls[0]!.query;
    expect(sent.filter.deviceIds).toEqual(['d1', 'd2', 'd3']);
    expect(sent.query).toContain('| where DeviceId in ("d1", "d2", "d3")');
    expect(sent.query).toContain('row_number(');
    for (const [device, answer] of [
      ['d1', d1],
      ['d2', d2],
      ['d3', d3],
    ] as const) {
      expect(new Set(answer?.value.map((e) => e.deviceId))).toEqual(new Set([device]));
      // 04:30 connect, 05:12 drop, 05:20 connect; d1's 05:40 drop is after its span (05:30).
      expect(answer?.value.map((e) => e.time)).toEqual([
        '2026-11-20T04:30:00.000Z',
        '2026-11-20T05:12:00.000Z',
        '2026-11-20T05:20:00.000Z',
      ]);
    }
    expect(source.stats().timelines).toEqual({
      requested: 3,
      batchedQueries: 1,
      singleQueries: 0,
    });
  });

  test('timelines asked while one of their hub is in flight wait for the delay, then go together', async () => {
    const source = shared();
    inner.hold = deferred();
    const first = source.deviceTimeline(queryOf('deviceTimeline', alertOf('d1', 0, 15)));
    await settle();
    const later = ['d2', 'd3'].map((d) =>
      source.deviceTimeline(queryOf('deviceTimeline', alertOf(d, 0, 15))),
    );
    await clock.advance(199);
    expect(inner.calls.map((c) => c.query.filter.deviceIds)).toEqual([['d1']]);
    await clock.advance(1);
    inner.hold.release();
    const answers = await Promise.all([first, ...later]);
    expect(inner.calls.map((c) => c.query.filter.deviceIds)).toEqual([['d1'], ['d2', 'd3']]);
    expect(answers.map((a) => new Set(a.value.map((e) => e.deviceId)))).toEqual([
      new Set(['d1']),
      new Set(['d2']),
      new Set(['d3']),
    ]);
    expect(source.stats().timelines).toEqual({
      requested: 3,
      batchedQueries: 1,
      singleQueries: 1,
    });
  });

  test('alerts a minute apart across a bin boundary share a batch over the union of spans', async () => {
    const source = shared();
    // Span ends 05:29:30 and 05:30:30: different 5-minute bins, one batch.
    const answers = Promise.all([
      source.deviceTimeline(queryOf('deviceTimeline', alertOf('d1', 0, 14.5))),
      source.deviceTimeline(queryOf('deviceTimeline', alertOf('d2', 1, 15.5))),
    ]);
    await clock.advance(200);
    const [d1, d2] = await answers;
    expect(inner.calls).toHaveLength(1);
    expect(inner.calls[0]?.query.timespan).toEqual({
      start: '2026-11-20T04:00:00.000Z',
      end: '2026-11-20T05:35:00.000Z',
    });
    // Each keeps its own device: connect 04:30, drop 05:12, reconnect 05:20.
    expect(d1.value.map((e) => e.deviceId)).toEqual(['d1', 'd1', 'd1']);
    expect(d2.value.map((e) => e.deviceId)).toEqual(['d2', 'd2', 'd2']);
  });

  test('a timeline alone sends the alert’s own query, unchanged', async () => {
    const source = shared();
    const query = queryOf('deviceTimeline', alertOf('d1', 0, 15));
    const answer = source.deviceTimeline(query);
    await clock.advance(200);
    await answer;
    expect(inner.calls[0]?.query).toBe(query);
  });

  test('a device ID with a control character gets the rows the literal matched', async () => {
    const source = shared();
    const [hostile, plain] = ['ctl\u0007x', 'd2'].map((d) =>
      source.deviceTimeline(queryOf('deviceTimeline', alertOf(d, 0, 15))),
    );
    await clock.advance(200);
    expect((await hostile)?.value.map((e) => e.deviceId)).toEqual(Array(3).fill('ctl\u0007x'));
    expect((await plain)?.value).toHaveLength(3);
  });

  test('60 devices make two queries (50 + 10); another hub or bin makes its own', async () => {
    const source = shared();
    const devices = Array.from({ length: 60 }, (_, i) => `dev-${i}`);
    const all = devices.map((d) =>
      source.deviceTimeline(queryOf('deviceTimeline', alertOf(d, 0, 15))),
    );
    await settle();
    // The 50th device fills the batch: it goes at once, without waiting for the delay.
    expect(inner.calls.map((c) => c.query.filter.deviceIds.length)).toEqual([50]);
    // The other hub is quiet: its question goes at once. The other bin waits like the 10.
    all.push(source.deviceTimeline(queryOf('deviceTimeline', alertOf('d1', 0, 15, OTHER_HUB))));
    all.push(source.deviceTimeline(queryOf('deviceTimeline', alertOf('d1', 0, 40))));
    await settle();
    expect(inner.calls.map((c) => c.query.filter.deviceIds.length)).toEqual([50, 1]);
    await clock.advance(200);
    await Promise.all(all);
    expect(inner.calls.map((c) => c.query.filter.deviceIds.length)).toEqual([50, 1, 10, 1]);
  });

  test('a failed batch is a failure for every alert in it', async () => {
    const source = shared();
    inner.failures.push(new Error('HTTP 500'));
    const answers = Promise.allSettled(
      ['d1', 'd2'].map((d) => source.deviceTimeline(queryOf('deviceTimeline', alertOf(d, 0, 15)))),
    );
    await clock.advance(200);
    expect((await answers).map((a) => (a.status === 'rejected' ? String(a.reason) : a))).toEqual([
      'Error: HTTP 500',
      'Error: HTTP 500',
    ]);
    expect(inner.calls).toHaveLength(1);
  });
});

describe('device histories', () => {
  test('two alerts of a quiet hub asked together: one query for both devices at once, split per alert', async () => {
    const source = shared();
    const answers = Promise.all(
      ['d1', 'd2'].map((d) => source.deviceHistory(queryOf('deviceHistory', alertOf(d, 0, 15)))),
    );
    await settle();
    expect(inner.count('deviceHistory')).toBe(1);
    const [d1, d2] = await answers;
    expect(inner.count('deviceHistory')).toBe(1);
    const sent = inner.calls[0]!.query;
    expect(sent.name).toBe('deviceHistory');
    expect(sent.filter.deviceIds).toEqual(['d1', 'd2']);
    expect(sent.query).toContain('| where DeviceId in ("d1", "d2")');
    // 30 days up to the window end (05:15), rounded out to 5-minute bins.
    expect(sent.timespan).toEqual({
      start: '2026-10-21T05:15:00.000Z',
      end: '2026-11-20T05:15:00.000Z',
    });
    expect(d1?.value.map((h) => [h.deviceId, h.dropsIn30Days])).toEqual([['d1', 1]]);
    expect(d2?.value.map((h) => [h.deviceId, h.dropsIn30Days])).toEqual([['d2', 1]]);
    expect(source.stats().histories).toEqual({
      requested: 2,
      batchedQueries: 1,
      singleQueries: 0,
    });
  });

  test('a device ID with a control character gets its own history back, named as asked', async () => {
    const source = shared();
    const [hostile, plain] = ['ctl\u0007x', 'd4'].map((d) =>
      source.deviceHistory(queryOf('deviceHistory', alertOf(d, 0, 15))),
    );
    await clock.advance(200);
    expect((await hostile)?.value.map((h) => [h.deviceId, h.dropsIn30Days])).toEqual([
      ['ctl\u0007x', 1],
    ]);
    expect((await plain)?.value.map((h) => [h.deviceId, h.dropsIn30Days])).toEqual([['d4', 0]]);
  });

  test('a failed history query is a stated gap of its own: the verdict and its gaps unchanged', async () => {
    const alert = alertOf('d1', 0, 15);
    const plan = planEvidenceQueries(alert, { lookbackMinutes: 60 });
    const failing: EvidenceSource = {
      deviceTimeline: (q) => inner.deviceTimeline(q),
      fleetActivity: (q) => inner.fleetActivity(q),
      fleetSize: (q) => inner.fleetSize(q),
      disconnectedDevices: (q) => inner.disconnectedDevices(q),
      deviceHistory: () => Promise.reject(new Error('HTTP 500 InternalServerError')),
    };
    const [answered, failed] = await Promise.all([
      gatherEvidence(plan, { evidence: inner }),
      gatherEvidence(plan, { evidence: failing }),
    ]);
    expect(answered.deviceHistory?.map((h) => h.deviceId)).toEqual(['d1']);
    expect(answered.historyGaps).toBeUndefined();
    expect(failed.deviceHistory).toBeUndefined();
    expect(failed.historyGaps).toEqual([
      'deviceHistory: query failed (HTTP 500 InternalServerError)',
    ]);
    expect(failed.gaps).toEqual(answered.gaps);
  });
});

describe('the cap on queries in flight and throttling', () => {
  test('never more than 5 queries in flight, and every question is answered', async () => {
    const source = shared();
    inner.hold = deferred();
    const answers = Array.from({ length: 20 }, (_, i) =>
      source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 15 + 5 * i))),
    );
    await settle();
    expect(inner.inFlight).toBe(5);
    expect(inner.calls).toHaveLength(5);
    inner.hold.release();
    await Promise.all(answers);
    expect(inner.calls).toHaveLength(20);
    expect(inner.peakInFlight).toBe(5);
    expect(source.stats().queries.peakInFlight).toBe(5);
  });

  test('a 429 is retried after its Retry-After, then succeeds', async () => {
    const source = shared();
    inner.failures.push(throttled(7_000));
    const answer = source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 15)));
    await settle();
    expect(inner.calls).toHaveLength(1);
    await clock.advance(6_999);
    expect(inner.calls).toHaveLength(1);
    await clock.advance(1);
    await expect(answer).resolves.toEqual({ value: 5 });
    expect(inner.calls).toHaveLength(2);
    expect(clock.slept).toEqual([7_000]);
    expect(source.stats().queries).toMatchObject({ throttled: 1, retried: 1, peakInFlight: 1 });
  });

  test('a 429 without Retry-After waits 1 s, then 2 s', async () => {
    const source = shared();
    inner.failures.push(throttled(), throttled());
    const answer = source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 15)));
    await clock.advance(1_000);
    await clock.advance(2_000);
    await expect(answer).resolves.toEqual({ value: 5 });
    expect(clock.slept).toEqual([1_000, 2_000]);
  });

  test('429 until the attempts run out becomes a stated gap, not a crash', async () => {
    const source = shared();
    inner.failures.push(throttled(1_000), throttled(1_000), throttled(1_000), throttled(1_000));
    const alert = alertOf('', 0, 15);
    const plan = planEvidenceQueries(alert, { lookbackMinutes: 60 });
    // Only fleetSize is throttled: the others answer after it gave up.
    const evidence = gatherEvidence(
      { ...plan, queries: plan.queries.filter((q) => q.name === 'fleetSize') },
      { evidence: source },
    );
    await clock.advance(1_000);
    await clock.advance(1_000);
    const gathered = await evidence;
    expect(inner.count('fleetSize')).toBe(3);
    expect(gathered.gaps).toEqual([
      'fleetSize: query failed (Log Analytics query fleetSize failed (HTTP 429 Throttled))',
    ]);
    expect(gathered.fleetSize).toBe(0);
  });

  test('a Retry-After longer than the bound is a gap at once, without waiting', async () => {
    const source = shared({ limiter: { maxRetryAfterMs: 30_000 } });
    inner.failures.push(throttled(3_600_000));
    await expect(source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 15)))).rejects.toThrow(
      /429/,
    );
    expect(clock.slept).toEqual([]);
  });

  test('other errors are not retried', async () => {
    const source = shared();
    inner.failures.push(Object.assign(new Error('forbidden'), { statusCode: 403 }));
    await expect(source.fleetSize(queryOf('fleetSize', alertOf('d1', 0, 15)))).rejects.toThrow(
      'forbidden',
    );
    expect(inner.calls).toHaveLength(1);
  });
});

describe('metrics', () => {
  test('one read per hub per TTL covering the next minutes, points trimmed to the span', async () => {
    const spans: { start: string; end: string }[] = [];
    const metrics: MetricsSource = {
      async connectedDeviceCount(_hubs, span) {
        spans.push(span);
        const points = [];
        for (let t = Date.parse(span.start); t < Date.parse(span.end); t += 60_000) {
          points.push({ time: new Date(t).toISOString(), average: 100 });
        }
        return { value: points };
      },
    };
    const source = new SharedMetricsSource(metrics, { clock, ttlMs: 60_000 });
    const reads = Array.from({ length: 100 }, (_, i) =>
      source.connectedDeviceCount([HUB], { start: iso(1 + (i % 3)), end: iso(16) }),
    );
    const answers = await Promise.all(reads);
    // Rounded out to 05:00–05:20, then one bin either side.
    expect(spans).toEqual([{ start: iso(-5), end: iso(25) }]);
    expect(answers[0]?.value.map((p) => p.time)).toEqual(
      Array.from({ length: 15 }, (_, i) => iso(1 + i)),
    );
    // Same hubs in another order and case: the same question.
    await source.connectedDeviceCount([HUB.toUpperCase()], { start: iso(0), end: iso(16) });
    expect(spans).toHaveLength(1);
    // Alerts of the next minutes (spans up to 5 minutes later) are covered by the same read.
    await source.connectedDeviceCount([HUB], { start: iso(4), end: iso(24) });
    expect(spans).toHaveLength(1);
    // A span it does not cover is a new read.
    await source.connectedDeviceCount([HUB], { start: iso(4), end: iso(26) });
    expect(spans).toHaveLength(2);
    await clock.advance(60_000);
    await source.connectedDeviceCount([HUB], { start: iso(0), end: iso(16) });
    expect(spans).toHaveLength(3);
    expect(spans[2]).toEqual(spans[0]);
    expect(source.stats()).toEqual({ calls: 3, joined: 99, reused: 2 });
  });
});
