/**
 * A day of hourly SAS renewals for 1,000 devices (48,000 events) through the real Azure adapters on
 * Azurite, in-process on a simulated clock: each device drops once an hour and is back at the next
 * snapshot, a minute later, well inside the 180 s grace. What it costs: messages posted (none
 * should be) and storage requests per event, counted by a proxy in front of Azurite.
 *
 * Real: the Event Grid handler (called in-process, not over HTTP), the check use case, and every
 * storage request (the identity records, the checks' queue, the activity ledger). Simulated: the
 * clock, and the checks' visibility (`simulatedVisibility.ts`: sent visible at once, held by the
 * benchmark until their simulated due time, received as many per request as host.json's batchSize).
 */

import { performance } from 'node:perf_hooks';

import { createServiceProvider } from '../../app/services';
import { runConnectionCheck } from '../../app/runConnectionCheck';
import { loadConfig } from '../../config/loadConfig';
import { handleEventGridRequest } from '../../intake/handleEventGridRequest';
import { createStorageClients } from '../../state/azure/azureStorageState';
import { StorageConnectionCheckQueue } from '../../state/azure/connectionStorage';
import { startBenchAzurite } from './benchAzurite';
import type { ConnectionStandIns } from './connectionStandIns';
import { STAND_IN_WORKSPACE_ID } from './connectionStandIns';
import { type CountingStorageProxy, startCountingStorageProxy } from './countingStorageProxy';
import { decisionLog, listed } from './decisionLog';
import { batchesOf, HubEvents, type PlannedEvent } from './eventGridDeliveries';
import { SimulatedCheckTrigger, SimulatedVisibility } from './simulatedVisibility';

export const RENEWAL_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-bench/providers/microsoft.devices/iothubs/renewal-bench-hub';
const DAY_START = Date.parse('2026-11-20T00:00:00Z');
const MINUTE_MS = 60_000;
/** Event Grid tries a delivery for up to a day; a few tries are enough here. */
const MAX_DELIVERY_ATTEMPTS = 5;
/** After the day's last event, until its check has run (the grace is 180 s). */
const TAIL_MINUTES = 5;

export interface RenewalRun {
  readonly devices: number;
  readonly hours: number;
  /** Messages the queue trigger receives per request (host.json `batchSize`). */
  readonly batchSize: number;
}

export interface RenewalFigures {
  readonly run: RenewalRun;
  readonly events: number;
  readonly posts: number;
  readonly queries: number;
  readonly storage: ReturnType<CountingStorageProxy['counts']>;
  readonly checks: Readonly<Record<string, number>>;
  /** Deliveries answered 503 and sent again, as Event Grid does. */
  readonly retried: number;
  readonly decisions: Readonly<Record<string, number>>;
  readonly problems: Readonly<Record<string, number>>;
  readonly wallMs: number;
}

/** Device `i` renews at its own minute of every hour: the fleet's renewals spread evenly. */
function dayOf(run: RenewalRun): Map<number, PlannedEvent[]> {
  const byMinute = new Map<number, PlannedEvent[]>();
  const add = (event: PlannedEvent): void => {
    byMinute.set(event.at, [...(byMinute.get(event.at) ?? []), event]);
  };
  for (let hour = 0; hour < run.hours; hour++) {
    for (let i = 0; i < run.devices; i++) {
      const deviceId = `renewing-${String(i).padStart(4, '0')}`;
      const drop = DAY_START + hour * 3_600_000 + Math.floor((i * 60) / run.devices) * MINUTE_MS;
      add({ deviceId, state: 'disconnected', at: drop });
      add({ deviceId, state: 'connected', at: drop + MINUTE_MS });
    }
  }
  return byMinute;
}

export async function benchRenewalDay(
  standIns: ConnectionStandIns,
  run: RenewalRun,
): Promise<RenewalFigures> {
  const azurite = await startBenchAzurite({ inMemory: false });
  const proxy = await startCountingStorageProxy(azurite);
  try {
    let time = DAY_START - MINUTE_MS;
    const now = (): Date => new Date(time);
    const config = loadConfig({
      STATE_STORE: 'azure-storage',
      AzureWebJobsStorage: proxy.connectionString,
      LOG_ANALYTICS_WORKSPACE_ID: STAND_IN_WORKSPACE_ID,
      TEAMS_WORKFLOW_URL: standIns.receiver.url,
      IOTHUB_RESOURCE_IDS: RENEWAL_HUB,
    });
    const clients = createStorageClients(config.storage, () => {
      throw new Error('a connection string needs no credential');
    });
    const visibility = new SimulatedVisibility(
      new StorageConnectionCheckQueue(clients.connectionChecks),
      now,
    );
    const log = decisionLog();
    const provider = createServiceProvider(config, {
      ...standIns.sources(),
      connectionCheckQueue: visibility,
      log,
      now,
    });
    const trigger = new SimulatedCheckTrigger(
      clients.connectionChecks,
      visibility,
      async (check, id) => runConnectionCheck(check, id, await provider.connectionChecks()),
      run.batchSize,
    );
    const intake = await provider.connectionIntake();
    const hub = new HubEvents(RENEWAL_HUB);
    let retried = 0;
    const send = async (events: readonly PlannedEvent[]): Promise<void> => {
      for (const batch of batchesOf(events, () => 50)) {
        const bytes = new TextEncoder().encode(JSON.stringify(batch.map((e) => hub.of(e).event)));
        // Event Grid retries a 503 (its events already recorded are then duplicates).
        for (let attempt = 1; ; attempt++) {
          const answer = await handleEventGridRequest(
            { eventType: 'Notification', readBody: () => Promise.resolve(bytes) },
            { ...intake, log },
          );
          if (answer.status === 200) break;
          if (answer.status !== 503 || attempt === MAX_DELIVERY_ATTEMPTS) {
            throw new Error(`renewal day: a delivery got ${answer.status}`);
          }
          retried++;
        }
      }
    };
    // A known fleet: every device connected before the day (and the tables made) — not counted.
    const fleet = Array.from({ length: run.devices }, (_, i) => ({
      deviceId: `renewing-${String(i).padStart(4, '0')}`,
      state: 'connected' as const,
      at: time,
    }));
    await send(fleet);
    await Promise.all([trigger.start(), provider.connectionChecks()]);
    proxy.reset();
    const postsBefore = standIns.receiver.posts.length;
    standIns.logAnalytics.reset();

    const day = dayOf(run);
    const started = performance.now();
    const end = DAY_START + (run.hours * 60 + TAIL_MINUTES) * MINUTE_MS;
    for (time = DAY_START; time <= end; time += MINUTE_MS) {
      await trigger.runDue(time);
      await send(day.get(time) ?? []);
    }
    const events = [...day.values()].reduce((sum, list) => sum + list.length, 0);
    return {
      run,
      events,
      posts: standIns.receiver.posts.length - postsBefore,
      queries: standIns.logAnalytics.stats().queries,
      storage: proxy.counts(),
      retried,
      checks: { ...trigger.tally(), ...(trigger.waiting > 0 && { 'still held': trigger.waiting }) },
      decisions: log.decisions(),
      problems: log.problems(),
      wallMs: performance.now() - started,
    };
  } finally {
    await proxy.close();
    await azurite.stop();
  }
}

export function describeRenewalDay(figures: RenewalFigures): string {
  const { run, storage, events } = figures;
  const n = (key: keyof typeof storage): number => storage[key] ?? 0;
  const total = Object.values(storage).reduce((sum, count) => sum + count, 0);
  const per = (count: number): string => (count / events).toFixed(2);
  return [
    `connection events, a day of hourly renewals: ${run.devices.toLocaleString('en-US')} devices × ${run.hours} h (${events.toLocaleString('en-US')} events, each drop back at the next snapshot, grace 180 s), in-process on a simulated clock in ${(figures.wallMs / 1000).toFixed(0)} s; real: the Event Grid handler, the checks and every storage request, on Azurite; simulated: the clock and the checks' visibility (sent visible, held until due, received ${run.batchSize} per request)`,
    `  messages posted ${figures.posts} (goal 0); Log Analytics queries ${figures.queries}; checks: ${listed(figures.checks)}; deliveries answered 503 and sent again ${figures.retried}`,
    `  storage requests ${per(total)} per event (${total.toLocaleString('en-US')}, counted by a proxy in front of Azurite): table reads ${per(n('table read'))}, table writes ${per(n('table write'))}, queue sends ${per(n('queue send'))}, receives ${per(n('queue receive'))} (empty polls included), deletes ${per(n('queue delete'))}, other ${per(n('table query') + n('table create') + n('queue other'))}`,
    ...(Object.keys(figures.problems).length > 0 ? [`  logged: ${listed(figures.problems)}`] : []),
  ].join('\n');
}
