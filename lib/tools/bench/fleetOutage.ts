/**
 * A 5,000-device hub outage through the connection-event path, in-process: 5,000
 * `DeviceDisconnected` of one hub in one minute, none back, the evidence from the Log Analytics
 * stand-in making it a hub outage (most of the fleet dropping with 404104 at once, reconnects
 * refused with 500001, the connected-devices metric falling). What it costs: the messages posted
 * and the queries sent.
 *
 * In-process: the services as production composes them (`createServiceProvider`, so the query
 * sharing and the incident policy too) with in-memory state, the real Log Analytics and metrics
 * clients against the stand-ins, the real Teams notifier posting to a local receiver, and a
 * simulated clock that runs in real time and jumps over the grace. The checks are handed over as
 * they come due (the in-memory check queue, as the dev host runs them), each due time in turn.
 */

import { performance } from 'node:perf_hooks';

import { createServiceProvider } from '../../app/services';
import { runConnectionCheck } from '../../app/runConnectionCheck';
import { loadConfig } from '../../config/loadConfig';
import { handleEventGridRequest } from '../../intake/handleEventGridRequest';
import { InMemoryCheckQueue, InMemoryConnectionStates } from '../../state/memory/memoryConnections';
import type { ConnectionStandIns } from './connectionStandIns';
import { STAND_IN_WORKSPACE_ID } from './connectionStandIns';
import { decisionLog, listed } from './decisionLog';
import { answeredAfter } from './delayedHandler';
import { batchesOf, HubEvents } from './eventGridDeliveries';
import { generateOutage, OUTAGE_HUB } from './outageData';
import { RunningClock } from './runningClock';
import { answerFromEvents } from './workspaceHandler';

const OUTAGE_START = Date.parse('2026-11-20T05:12:00Z');
/** Event Grid spreads the snapshot's events over the minute after it. */
const DELIVERY_SPREAD_MS = 60_000;
/** Past the last check's grace: room for the checks' waits for the logs (5 × 60 s). */
const TAIL_MS = 7 * 60_000;

export interface OutageRun {
  readonly dropped: number;
  readonly quiet: number;
  readonly batch: number;
  readonly queryDelayMs: number;
}

export interface OutageFigures {
  readonly run: OutageRun;
  readonly posts: number;
  readonly queries: number;
  readonly throttled: number;
  readonly peakInFlight: number;
  readonly metricsCalls: number;
  readonly checks: Readonly<Record<string, number>>;
  readonly decisions: Readonly<Record<string, number>>;
  readonly problems: Readonly<Record<string, number>>;
  readonly poisoned: number;
  /** From the first check handed over to the last one done. */
  readonly checksMs: number;
}

export async function benchFleetOutage(
  standIns: ConnectionStandIns,
  run: OutageRun,
): Promise<OutageFigures> {
  const outage = generateOutage(run.dropped, run.quiet, OUTAGE_START);
  standIns.logAnalytics.handle(answeredAfter(answerFromEvents(outage.rows), run.queryDelayMs));
  standIns.connectedDevices(outage.connectedAt);
  const clock = new RunningClock(outage.reportedAt);
  const checks = new InMemoryCheckQueue({ clock: clock.now, retryDelayMs: 1000 });
  const log = decisionLog();
  const provider = createServiceProvider(
    loadConfig({
      STATE_STORE: 'memory',
      LOG_ANALYTICS_WORKSPACE_ID: STAND_IN_WORKSPACE_ID,
      TEAMS_WORKFLOW_URL: standIns.receiver.url,
      IOTHUB_RESOURCE_IDS: OUTAGE_HUB,
    }),
    {
      ...standIns.sources(),
      connectionStates: new InMemoryConnectionStates(),
      connectionCheckQueue: checks,
      log,
      now: clock.now,
    },
  );
  const tally: Record<string, number> = {};
  checks.consume(async (check, id) => {
    const result = await runConnectionCheck(check, id, await provider.connectionChecks());
    tally[result] = (tally[result] ?? 0) + 1;
  });
  const intake = await provider.connectionIntake();
  const postsBefore = standIns.receiver.posts.length;
  standIns.logAnalytics.reset();
  standIns.arm.reset();

  const hub = new HubEvents(OUTAGE_HUB);
  const batches = batchesOf(outage.dropped, () => run.batch);
  for (const [index, batch] of batches.entries()) {
    clock.jumpTo(outage.reportedAt + (index * DELIVERY_SPREAD_MS) / batches.length);
    const events = batch.map(
      (deviceId) => hub.of({ deviceId, state: 'disconnected', at: outage.reportedAt }).event,
    );
    const bytes = new TextEncoder().encode(JSON.stringify(events));
    const answer = await handleEventGridRequest(
      { eventType: 'Notification', readBody: () => Promise.resolve(bytes) },
      { ...intake, log },
    );
    if (answer.status !== 200) throw new Error(`outage: a delivery got ${answer.status}`);
  }

  const started = performance.now();
  const end = clock.now().getTime() + TAIL_MS;
  for (let due = checks.nextDueAt; due !== undefined && due <= end; due = checks.nextDueAt) {
    clock.jumpTo(due);
    await checks.fireDue();
  }
  const checksMs = performance.now() - started;
  const stats = standIns.logAnalytics.stats();
  return {
    run,
    posts: standIns.receiver.posts.length - postsBefore,
    queries: stats.queries,
    throttled: stats.throttled,
    peakInFlight: stats.peakInFlight,
    metricsCalls: standIns.arm.calls(),
    checks: tally,
    decisions: log.decisions(),
    problems: log.problems(),
    poisoned: checks.poison.length,
    checksMs,
  };
}

export function describeFleetOutage(figures: OutageFigures): string {
  const { run } = figures;
  const fleet = run.dropped + run.quiet;
  return [
    `connection events, a hub outage: ${run.dropped.toLocaleString('en-US')} of ${fleet.toLocaleString('en-US')} devices drop in one minute (404104, reconnects refused with 500001), ${run.dropped.toLocaleString('en-US')} DeviceDisconnected in deliveries of ${run.batch}, none back; in-process (production's services, in-memory state, a simulated clock running in real time and jumping over the 180 s grace, checks handed over as they come due), Log Analytics stand-in at ${run.queryDelayMs} ms per query with its per-caller limits`,
    `  messages posted ${figures.posts} (goal ≤ 3); Log Analytics queries ${figures.queries} (429 answered: ${figures.throttled}, peak in flight ${figures.peakInFlight}), metrics calls ${figures.metricsCalls}; checks done in ${(figures.checksMs / 1000).toFixed(1)} s: ${listed(figures.checks)}${figures.poisoned > 0 ? `, poisoned ${figures.poisoned}` : ''}`,
    `  decisions: ${listed(figures.decisions)}`,
    ...(Object.keys(figures.problems).length > 0 ? [`  logged: ${listed(figures.problems)}`] : []),
  ].join('\n');
}
