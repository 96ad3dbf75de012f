/**
 * A lone alert's evidence against its floor: the local Log Analytics server answers every query
 * after a fixed delay (300 ms: a query's time in a real workspace), and the five evidence queries
 * of one alert, asked in parallel through the sharing layer as production composes it, should cost
 * about one such round trip. Figures only: nothing here asserts a time.
 */

import { performance } from 'node:perf_hooks';

import type { Alert } from '../../alerts/alert';
import { gatherEvidence } from '../../evidence/gatherEvidence';
import { planEvidenceQueries } from '../../evidence/kql';
import { createLogsQueryClient, LogAnalyticsSource } from '../../evidence/logAnalyticsSource';
import { shareEvidence } from '../../evidence/querySharing/sharedEvidence';
import { createTestCertificate } from './localCertificate';
import { reply, startLocalLogAnalyticsServer } from './localLogAnalyticsServer';
import { generateStorm } from './stormData';
import { answerFromEvents } from './workspaceHandler';

const TOKEN = 'lone-alert-bench-token-not-a-secret';
const WORKSPACE_ID = '6c1a9e2f-3b7d-4e58-a0c4-9f2b8d7e6a15';
const LOOKBACK = 360;

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export interface LoneAlertFigures {
  readonly queryDelayMs: number;
  /** One query alone through the adapter, median wall time. */
  readonly oneQueryMs: number;
  /** A lone alert's evidence (every planned query) through a fresh sharing layer, median. */
  readonly evidenceMs: number;
  readonly queriesPerAlert: number;
  readonly runs: number;
}

/**
 * Interleaves `runs` lone alerts (each through a fresh sharing layer, so nothing is reused) with
 * `runs` single queries over the same client, after one warm-up of each.
 */
export async function benchLoneAlert(
  base: Alert,
  queryDelayMs = 300,
  runs = 9,
): Promise<LoneAlertFigures> {
  const storm = generateStorm(1, base);
  const alert = storm.alerts[0];
  if (alert === undefined) throw new Error('no alert generated');
  const plan = planEvidenceQueries(alert, { lookbackMinutes: LOOKBACK });
  const workspace = answerFromEvents(storm.events);
  const certificate = createTestCertificate();
  const server = await startLocalLogAnalyticsServer({
    certificate,
    token: TOKEN,
    handler: async (request) => reply.slow(queryDelayMs, await workspace(request)),
  });
  try {
    const evidence = new LogAnalyticsSource({
      client: createLogsQueryClient(
        {
          getToken: () => Promise.resolve({ token: TOKEN, expiresOnTimestamp: Date.now() + 3.6e6 }),
        },
        server.endpoint,
        { tlsOptions: { ca: certificate.cert }, retryOptions: { maxRetries: 2 } },
      ),
      workspaceId: WORKSPACE_ID,
    });
    const fleetSize = plan.queries.find((query) => query.name === 'fleetSize');
    if (fleetSize === undefined) throw new Error('no fleetSize query planned');
    const lone = async (): Promise<number> => {
      const started = performance.now();
      const gathered = await gatherEvidence(plan, shareEvidence({ evidence }));
      const elapsed = performance.now() - started;
      if (gathered.gaps.length > 0) throw new Error(`lone alert gaps: ${gathered.gaps.join('; ')}`);
      return elapsed;
    };
    const single = async (): Promise<number> => {
      const started = performance.now();
      await evidence.fleetSize(fleetSize);
      return performance.now() - started;
    };
    await single();
    await lone();
    server.reset();
    const evidenceTimes: number[] = [];
    const queryTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      evidenceTimes.push(await lone());
      queryTimes.push(await single());
    }
    return {
      queryDelayMs,
      oneQueryMs: median(queryTimes),
      evidenceMs: median(evidenceTimes),
      queriesPerAlert: (server.stats().queries - runs) / runs,
      runs,
    };
  } finally {
    await server.close();
  }
}

export function describeLoneAlert(figures: LoneAlertFigures): string {
  const { evidenceMs, oneQueryMs, queryDelayMs } = figures;
  return [
    `lone alert: its evidence (${figures.queriesPerAlert} queries in parallel through the sharing layer) against the local Log Analytics server answering each query after ${queryDelayMs} ms, medians of ${figures.runs} runs`,
    `  evidence ${evidenceMs.toFixed(0)} ms; one query alone ${oneQueryMs.toFixed(0)} ms; ratio ${(evidenceMs / oneQueryMs).toFixed(2)}× one query (goal ≤ 1.1×), ${(evidenceMs / queryDelayMs).toFixed(2)}× the ${queryDelayMs} ms floor`,
  ].join('\n');
}
