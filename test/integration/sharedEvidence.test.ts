/**
 * Shared evidence over the real `LogsQueryClient` and HTTPS, against the local Log Analytics
 * server answering from a generated hub incident and enforcing the service's per-caller limits:
 * a storm of one-device alerts costs a handful of queries, never more than 5 in flight, each
 * alert still gets its own evidence, and a 429 is retried after its Retry-After or becomes a gap.
 */

import { randomUUID } from 'node:crypto';

import { answerFromEvents } from '../../lib/tools/bench/workspaceHandler';
import { generateStorm, STORM_HUB } from '../../lib/tools/bench/stormData';
import type { Evidence } from '../../lib/evidence/evidence';
import { gatherEvidence } from '../../lib/evidence/gatherEvidence';
import { planEvidenceQueries } from '../../lib/evidence/kql';
import {
  createLogsQueryClient,
  LogAnalyticsSource,
  type TokenCredential,
} from '../../lib/evidence/logAnalyticsSource';
import { SharedEvidenceSource } from '../../lib/evidence/querySharing/sharedEvidence';
import { reply, useLocalLogAnalytics, table } from '../support/localLogAnalyticsServer';
import { testAlert } from '../support/testAlert';

const TOKEN = `test-token-${randomUUID()}`;
const WORKSPACE_ID = '5b8d2c1e-0f4a-4c3b-9d7e-6a1f2e3d4c5b';
const LOOKBACK = 360;
const storm = generateStorm(
  100,
  testAlert({ id: '/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/storm' }),
);

const credential: TokenCredential = {
  getToken: () => Promise.resolve({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const workspace = useLocalLogAnalytics(TOKEN);

beforeEach(() => {
  workspace.server.reset();
  workspace.server.handle(answerFromEvents(storm.events));
  workspace.server.limit({ maxConcurrent: 5, maxPer30s: 200, retryAfterSeconds: 1 });
});

/** The adapter as production builds it: three attempts per query. */
function logAnalytics(): LogAnalyticsSource {
  return new LogAnalyticsSource({
    client: createLogsQueryClient(credential, workspace.server.endpoint, {
      tlsOptions: { ca: workspace.certificate.cert },
      retryOptions: { maxRetries: 2 },
    }),
    workspaceId: WORKSPACE_ID,
  });
}

function evidenceFor(index: number, source: SharedEvidenceSource | LogAnalyticsSource) {
  const alert = storm.alerts[index]!;
  return gatherEvidence(planEvidenceQueries(alert, { lookbackMinutes: LOOKBACK }), {
    evidence: source,
  });
}

describe('shared evidence over HTTPS with the real LogsQueryClient', () => {
  test('100 concurrent one-device alerts of one hub make a handful of queries', async () => {
    const shared = new SharedEvidenceSource(logAnalytics());
    const all: Evidence[] = await Promise.all(storm.alerts.map((_, i) => evidenceFor(i, shared)));

    const stats = workspace.server.stats();
    // Unshared this is 500 queries. Shared: the three hub-wide questions once per 5-minute bin
    // that the alerts' spans round to, and the timelines and drop histories in batches of 50.
    expect(stats.queries).toBeLessThanOrEqual(10);
    expect(stats.peakInFlight).toBeLessThanOrEqual(5);
    expect(stats.throttled).toBe(0);
    const batches = workspace.server.requests.filter((r) => r.query?.includes('RowOfDevice'));
    expect(batches).toHaveLength(2);
    expect(shared.stats().timelines.batchedQueries).toBe(2);
    const histories = workspace.server.requests.filter((r) => r.query?.includes('DropsIn30Days'));
    expect(histories).toHaveLength(2);
    expect(shared.stats().histories.batchedQueries).toBe(2);

    for (const [i, evidence] of all.entries()) {
      const device = storm.alerts[i]!.deviceIds[0];
      expect(evidence.gaps).toEqual([]);
      expect(new Set(evidence.deviceEvents.map((e) => e.deviceId))).toEqual(new Set([device]));
      expect(evidence.deviceEvents.some((e) => e.resultType === '404104')).toBe(true);
      expect(evidence.fleetSize).toBe(300);
      expect(evidence.disconnectedDevices.length).toBeGreaterThanOrEqual(90);
      expect(evidence.hubResourceIds).toEqual([STORM_HUB]);
      // Its own history only: the incident's drop, its first in the logs.
      expect(evidence.deviceHistory?.map((h) => [h.deviceId, h.dropsIn30Days])).toEqual([
        [device, 1],
      ]);
    }
  });

  test('each alert’s timeline is the one it would have read alone', async () => {
    const shared = new SharedEvidenceSource(logAnalytics());
    const together = await Promise.all([0, 1, 2, 3].map((i) => evidenceFor(i, shared)));
    workspace.server.limit(undefined);
    const alone = await Promise.all([0, 1, 2, 3].map((i) => evidenceFor(i, logAnalytics())));
    expect(together.map((e) => e.deviceEvents)).toEqual(alone.map((e) => e.deviceEvents));
    expect(together.map((e) => e.fleetSize)).toEqual(alone.map((e) => e.fleetSize));
    // The same drops; only the period differs, rounded out to 5-minute bins for the batch.
    const counts = (e: Evidence) =>
      e.deviceHistory?.map(({ period: _period, ...figures }) => figures);
    expect(together.map(counts)).toEqual(alone.map(counts));
  });

  test('a 429 is retried after its Retry-After by the sharing layer, then answers', async () => {
    let first = true;
    workspace.server.handle(() => {
      if (first) {
        first = false;
        return reply.throttled(1);
      }
      return reply.tables(table({ Devices: 'long' }, [[42]]));
    });
    const shared = new SharedEvidenceSource(logAnalytics());
    const plan = planEvidenceQueries(storm.alerts[0]!, { lookbackMinutes: LOOKBACK });
    const evidence = await gatherEvidence(
      { ...plan, queries: plan.queries.filter((q) => q.name === 'fleetSize') },
      { evidence: shared },
    );
    expect(evidence.gaps).toEqual([]);
    expect(evidence.fleetSize).toBe(42);
    expect(workspace.server.requests).toHaveLength(2);
    // The SDK let the 429 through; the limiter waited and retried it.
    expect(shared.stats().queries).toMatchObject({ throttled: 1, retried: 1 });
  });

  test('429 on every attempt becomes a stated gap after 3 attempts, not 9', async () => {
    workspace.server.handle(() => reply.throttled(1));
    const shared = new SharedEvidenceSource(logAnalytics());
    const plan = planEvidenceQueries(storm.alerts[0]!, { lookbackMinutes: LOOKBACK });
    const evidence = await gatherEvidence(
      { ...plan, queries: plan.queries.filter((q) => q.name === 'fleetSize') },
      { evidence: shared },
    );
    expect(evidence.gaps).toHaveLength(1);
    expect(evidence.gaps[0]).toMatch(/^fleetSize: query failed \(.*HTTP 429 ThrottledError/);
    expect(workspace.server.requests).toHaveLength(3);
  });

  test('without the sharing layer the same storm is throttled into gaps', async () => {
    // 30 alerts are 150 queries: over a quota of 50 per 30 s (the real one is 200).
    workspace.server.limit({ maxConcurrent: 5, maxPer30s: 50, retryAfterSeconds: 1 });
    const raw = logAnalytics();
    const all = await Promise.all(storm.alerts.slice(0, 30).map((_, i) => evidenceFor(i, raw)));
    expect(workspace.server.stats().queries).toBe(150);
    expect(workspace.server.stats().throttled).toBeGreaterThanOrEqual(70);
    expect(all.filter((e) => e.gaps.some((gap) => gap.includes('429'))).length).toBeGreaterThan(0);
  });
});
