/**
 * The storm benchmark: one-device alerts of one hub incident, fired within one minute, through
 * the real enrichment path, so that what a storm costs in queries and time can be read off.
 * Figures, not pass/fail.
 */

import { performance } from 'node:perf_hooks';

import type { Alert } from '../../alerts/alert';
import { loadConfig } from '../../config/loadConfig';
import { enrichAlert, type EnrichmentServices } from '../../app/enrichAlert';
import type { EnrichedAlert } from '../../diagnose/enrichedAlert';
import { AzureMonitorMetricsSource } from '../../evidence/azureMonitorMetricsSource';
import { createLogsQueryClient, LogAnalyticsSource } from '../../evidence/logAnalyticsSource';
import { silentLogger } from '../../common/logger';
import { createServices } from '../../app/services';
import { InMemoryAlertQueue, InMemoryAlertStore } from '../../state/memory/memoryState';
import { startCountingReceiver } from './countingReceiver';
import { startLocalArmMetricsServer } from './localArmMetricsServer';
import { createTestCertificate } from './localCertificate';
import { type Handler, reply, startLocalLogAnalyticsServer } from './localLogAnalyticsServer';
import { generateStorm } from './stormData';
import { answerFromEvents } from './workspaceHandler';

const TOKEN = 'bench-token-not-a-secret';
const WORKSPACE_ID = 'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6';
const LOG_ANALYTICS_LIMITS = { maxConcurrent: 5, maxPer30s: 200, retryAfterSeconds: 2 };

export interface StormRun {
  /** Alerts (one device each). */
  readonly alerts: number;
  /** The alerts arrive evenly over this long (0: all at once, like a queue backlog). */
  readonly arrivalMs: number;
  /** Alerts processed at once, as by one Functions instance's queue trigger. */
  readonly concurrency: number;
  /** Without the sharing layer: each alert asks its own questions (the old behaviour). */
  readonly unshared?: boolean;
  /** The local server answers each query this much later (default 0: as soon as computed). */
  readonly queryDelayMs?: number;
}

export interface StormFigures {
  readonly teamsPosts: number;
  readonly webhookPosts: number;
  readonly queries: number;
  readonly throttled: number;
  readonly peakInFlight: number;
  readonly maxQueriesPer30s: number;
  readonly metricsCalls: number;
  /** From the first alert's arrival until the last alert is processed. */
  readonly lastProcessedMs: number;
  readonly alertsWithGaps: number;
  readonly verdicts: Readonly<Record<string, number>>;
}

const credential = {
  getToken: () => Promise.resolve({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/**
 * Runs through the composition root (`createServices`, so the sharing layer too), the real
 * `LogsQueryClient` over HTTPS against the local Log Analytics server (which enforces the
 * service's per-caller limits: 5 concurrent queries, 200 per 30 s, 429 with `Retry-After`), the
 * real metrics pipeline against a local metrics endpoint, and the real Teams and webhook notifiers
 * posting to local receivers.
 */
export async function runStorm(run: StormRun, base: Alert): Promise<StormFigures> {
  const storm = generateStorm(run.alerts, base);
  const certificate = createTestCertificate();
  const logAnalytics = await startLocalLogAnalyticsServer({
    certificate,
    token: TOKEN,
    handler: delayed(answerFromEvents(storm.events), run.queryDelayMs ?? 0),
    limits: LOG_ANALYTICS_LIMITS,
  });
  const arm = await startLocalArmMetricsServer({
    certificate,
    token: TOKEN,
    connectedAt: storm.connectedAt,
  });
  const teams = await startCountingReceiver();
  const webhook = await startCountingReceiver();
  try {
    // Production settings (three attempts per query), trusting the local certificate.
    const evidence = new LogAnalyticsSource({
      client: createLogsQueryClient(credential, logAnalytics.endpoint, {
        tlsOptions: { ca: certificate.cert },
        retryOptions: { maxRetries: 2 },
      }),
      workspaceId: WORKSPACE_ID,
    });
    const metrics = new AzureMonitorMetricsSource({
      credential,
      endpoint: arm.endpoint,
      tlsOptions: { ca: certificate.cert },
      retryOptions: { maxRetries: 2 },
    });
    const config = loadConfig({
      LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE_ID,
      STATE_STORE: 'memory',
      TEAMS_WORKFLOW_URL: teams.url,
      WEBHOOK_URL: webhook.url,
    });
    const errors = new Map<string, number>();
    const log = {
      ...silentLogger,
      error: (...args: unknown[]) => {
        const text = args
          .map(String)
          .join(' ')
          .replace(/alert \S+/g, 'alert …')
          .slice(0, 300);
        errors.set(text, (errors.get(text) ?? 0) + 1);
      },
    };
    const services = await createServices(config, {
      evidence,
      metrics,
      queue: new InMemoryAlertQueue(),
      store: new InMemoryAlertStore(),
      log,
    });
    const enrichment: EnrichmentServices = run.unshared
      ? { ...services.enrichment, sources: { evidence, metrics } }
      : services.enrichment;

    const reports: EnrichedAlert[] = [];
    const started = performance.now();
    await processArrivals(storm.alerts, run, async (alert) => {
      // Like the queue trigger: a failed message is tried again (up to 5 times), then dropped.
      for (let attempt = 1; attempt <= 5; attempt++) {
        try {
          reports.push(await enrichAlert(alert, enrichment));
          return;
        } catch {
          // delivery failed on every channel: the host would retry the message
        }
      }
    });
    for (const [text, count] of errors) console.log(`  logged ${count}×: ${text}`);
    const lastProcessedMs = performance.now() - started;
    const stats = logAnalytics.stats();
    const verdicts: Record<string, number> = {};
    for (const report of reports) {
      const cause = report.diagnosis?.cause ?? 'none';
      verdicts[cause] = (verdicts[cause] ?? 0) + 1;
    }
    return {
      teamsPosts: teams.posts(),
      webhookPosts: webhook.posts(),
      queries: stats.queries,
      throttled: stats.throttled,
      peakInFlight: stats.peakInFlight,
      maxQueriesPer30s: stats.maxPer30s,
      metricsCalls: arm.calls(),
      lastProcessedMs,
      alertsWithGaps: reports.filter((r) => (r.evidence?.gaps.length ?? 0) > 0).length,
      verdicts,
    };
  } finally {
    await Promise.all([logAnalytics.close(), arm.close(), teams.close(), webhook.close()]);
  }
}

function delayed(handler: Handler, delayMs: number): Handler {
  if (delayMs <= 0) return handler;
  return async (request) => reply.slow(delayMs, await handler(request));
}

/**
 * One instance's queue trigger: alerts become available at their arrival times and at most
 * `run.concurrency` are processed at once.
 */
async function processArrivals(
  alerts: readonly Alert[],
  run: StormRun,
  process: (alert: Alert) => Promise<void>,
): Promise<void> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < alerts.length) {
      const index = next++;
      const alert = alerts[index];
      if (alert === undefined) return;
      const due = (index * run.arrivalMs) / alerts.length;
      const wait = due - (performance.now() - started);
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      await process(alert);
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, worker));
}

export function describeStorm(run: StormRun, figures: StormFigures): string {
  const verdicts = Object.entries(figures.verdicts)
    .map(([cause, count]) => `${cause} ${count}`)
    .join(', ');
  const arrival = run.arrivalMs === 0 ? 'all at once' : `over ${run.arrivalMs / 1000} s`;
  const shared = run.unshared ? 'WITHOUT shared evidence' : 'shared evidence';
  const slow = run.queryDelayMs ? `, each query answered after ${run.queryDelayMs} ms` : '';
  return [
    `storm: ${run.alerts} one-device alerts of one hub, arriving ${arrival}, ${run.concurrency} processed at once, ${shared}${slow}`,
    `  Teams posts ${figures.teamsPosts}, webhook posts ${figures.webhookPosts}`,
    `  Log Analytics queries ${figures.queries} (${(figures.queries / run.alerts).toFixed(2)} per alert; 429 answered: ${figures.throttled}), peak in flight ${figures.peakInFlight}, max in any 30 s ${figures.maxQueriesPer30s}`,
    `  metrics calls ${figures.metricsCalls}`,
    `  last alert processed after ${(figures.lastProcessedMs / 1000).toFixed(1)} s; alerts with evidence gaps ${figures.alertsWithGaps}; verdicts: ${verdicts}`,
  ].join('\n');
}
