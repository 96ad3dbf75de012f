/**
 * Intake at 10,000 connection events a minute for one hub, through the dev host's Event Grid
 * webhook on Azurite: Event Grid's batches (10–50 events) sent at a steady rate, each answer
 * timed, and afterwards every identity's record read back from the table.
 *
 * The minute is a steady state, not a ramp: every 12 ms one device drops and another comes back
 * (it dropped 15 s earlier; those that dropped before the minute began were dropped in the
 * warm-up, which also gives every device its record, as a known fleet has).
 */

import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';

import { CONNECTION_CHECK_QUEUE_NAME, CONNECTION_TABLE_NAME } from '../../state/connectionStates';
import {
  batchesOf,
  deliverAll,
  type DeliveryAnswer,
  deliverUntilTaken,
  EVENT_GRID_RETRIES_MS,
  handledLater,
  HubEvents,
  type PlannedEvent,
} from './eventGridDeliveries';
import { quantile } from './quantile';
import { mulberry32 } from './seededRandom';

export const INTAKE_HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-bench/providers/microsoft.devices/iothubs/intake-bench-hub';

export interface IntakeRun {
  readonly devices: number;
  readonly durationMs: number;
  /** How long a device is away before its connect. */
  readonly awayMs: number;
}

export const INTAKE_RUN: IntakeRun = { devices: 5000, durationMs: 60_000, awayMs: 15_000 };

export interface IntakeFigures {
  readonly run: IntakeRun;
  readonly events: number;
  readonly deliveries: number;
  /** Events taken per second, from the first POST to the last answer. */
  readonly acceptedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** p99 of the deliveries of 10–25 events, and of 26–50. */
  readonly p99SmallMs: number;
  readonly p99LargeMs: number;
  /** Deliveries whose first try was not answered 200 (Event Grid retried them). */
  readonly failed: number;
  /** Deliveries every try of which failed. */
  readonly lost: number;
  /** Events the answers say were taken (recorded, or by an earlier try). */
  readonly taken: number;
  /** Devices whose stored record holds the sequence number of their last event sent. */
  readonly recordsMatching: number;
  /**
   * Checks waiting in the queue afterwards (none comes due: the hub's grace is an hour), against
   * the drops sent, warm-up's included.
   */
  readonly checksQueued: number;
  readonly dropsSent: number;
  /** The latest a delivery went out after its planned time (the sender's own lag). */
  readonly senderLagMs: number;
}

const deviceId = (index: number): string => `intake-${String(index).padStart(5, '0')}`;

interface Plan {
  readonly warmUp: PlannedEvent[];
  /** Offsets from the minute's start. */
  readonly minute: PlannedEvent[];
}

/**
 * Slot `k` is `k × slot` ms into the minute: slot 2i drops device i, slot 2i + 1 brings back the
 * device that dropped `lag` pairs of slots before (`awayMs`), or, early on, one the warm-up dropped.
 */
function planOf(run: IntakeRun, start: number): Plan {
  const slotMs = run.durationMs / (2 * run.devices);
  const lag = Math.round(run.awayMs / (2 * slotMs));
  const warmUp: PlannedEvent[] = [];
  for (let d = 0; d < run.devices; d++)
    warmUp.push({ deviceId: deviceId(d), state: 'connected', at: start });
  // The devices that come back early in the minute dropped before it.
  for (let d = run.devices - lag; d < run.devices; d++)
    warmUp.push({ deviceId: deviceId(d), state: 'disconnected', at: start });
  const minute: PlannedEvent[] = [];
  for (let i = 0; i < run.devices; i++) {
    const at = 2 * i * slotMs;
    minute.push({ deviceId: deviceId(i), state: 'disconnected', at });
    const back = (i - lag + run.devices) % run.devices;
    minute.push({ deviceId: deviceId(back), state: 'connected', at: at + slotMs });
  }
  return { warmUp, minute };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The sequence number each identity's stored record holds, read straight from the table. */
async function storedSequences(connectionString: string): Promise<Map<string, string>> {
  const table = TableClient.fromConnectionString(connectionString, CONNECTION_TABLE_NAME, {
    allowInsecureConnection: true,
  });
  const stored = new Map<string, string>();
  for await (const entity of table.listEntities<{ record?: string }>()) {
    const record = JSON.parse(entity.record ?? '{}') as {
      hubResourceId?: string;
      deviceId?: string;
      sequenceNumber?: string;
    };
    if (record.hubResourceId !== INTAKE_HUB.toLowerCase() || record.deviceId === undefined)
      continue;
    if (record.sequenceNumber !== undefined) stored.set(record.deviceId, record.sequenceNumber);
  }
  return stored;
}

export async function benchIntakeRate(
  baseUrl: string,
  connectionString: string,
  run: IntakeRun = INTAKE_RUN,
): Promise<IntakeFigures> {
  const hub = new HubEvents(INTAKE_HUB);
  const plan = planOf(run, Date.now());
  const lastSequence = new Map<string, string>();
  const numbered = (planned: PlannedEvent, at: number): unknown => {
    const { event, sequenceNumber } = hub.of({ ...planned, at });
    lastSequence.set(planned.deviceId, sequenceNumber);
    return event;
  };
  const warmBodies = batchesOf(
    plan.warmUp.map((p) => numbered(p, p.at)),
    () => 50,
  ).map((batch) => JSON.stringify(batch));
  // Untimed, so retried sooner than Event Grid would.
  const warm = await deliverAll(baseUrl, warmBodies, 2, [2000, 5000, 10_000]);
  if (warm.filter((a) => a.status === 200).length < warmBodies.length) {
    throw new Error('intake warm-up: a delivery failed every try');
  }

  // Bodies are made before the clock starts: the sender only sends.
  const random = mulberry32(18);
  const start = Date.now() + 1000;
  const batches = batchesOf(plan.minute, () => 10 + Math.floor(random() * 41)).map((batch) => {
    const dueMs = batch[batch.length - 1]?.at ?? 0;
    const body = JSON.stringify(batch.map((p) => numbered(p, start + p.at)));
    return { dueMs, size: batch.length, body };
  });
  await sleep(start - Date.now());
  const answers: Promise<DeliveryAnswer[]>[] = [];
  let senderLagMs = 0;
  const firstPost = Date.now();
  for (const { dueMs, body } of batches) {
    const wait = start + dueMs - Date.now();
    if (wait > 0) await sleep(wait);
    senderLagMs = Math.max(senderLagMs, Date.now() - (start + dueMs));
    answers.push(handledLater(deliverUntilTaken(baseUrl, body, EVENT_GRID_RETRIES_MS)));
  }
  const tries = await Promise.all(answers);
  const settled = tries.flat();
  const elapsedS = (Date.now() - firstPost) / 1000;
  const firstTries = tries.flatMap((attempts) => attempts.slice(0, 1));
  const times = firstTries.map((a) => a.ms);
  // A delivery applies 16 events at a time: its answer time grows with its size.
  const timesOf = (small: boolean): number[] =>
    firstTries.flatMap((a, i) => ((batches[i]?.size ?? 0) <= 25 === small ? [a.ms] : []));
  const accepted = settled.filter((a) => a.status === 200);

  const stored = await storedSequences(connectionString);
  let recordsMatching = 0;
  for (const [device, sequence] of lastSequence)
    if (stored.get(device) === sequence) recordsMatching++;
  const queue = new QueueClient(connectionString, CONNECTION_CHECK_QUEUE_NAME);
  const { approximateMessagesCount } = await queue.getProperties();
  const events = plan.minute.length;
  return {
    run,
    events,
    deliveries: batches.length,
    acceptedPerSecond: accepted.reduce((sum, a) => sum + a.taken, 0) / elapsedS,
    p50Ms: quantile(times, 0.5),
    p99Ms: quantile(times, 0.99),
    maxMs: quantile(times, 1),
    p99SmallMs: quantile(timesOf(true), 0.99),
    p99LargeMs: quantile(timesOf(false), 0.99),
    failed: firstTries.filter((a) => a.status !== 200).length,
    lost: tries.filter((attempts) => attempts[attempts.length - 1]?.status !== 200).length,
    taken: settled.reduce((sum, a) => sum + a.taken, 0),
    recordsMatching,
    checksQueued: approximateMessagesCount ?? 0,
    dropsSent: [...plan.warmUp, ...plan.minute].filter((p) => p.state === 'disconnected').length,
    senderLagMs,
  };
}

export function describeIntakeRate(figures: IntakeFigures, peakRssMb: number | undefined): string {
  const { run } = figures;
  const perMinute = Math.round((figures.events / run.durationMs) * 60_000);
  const rss = peakRssMb === undefined ? 'unknown' : `${peakRssMb.toFixed(0)} MB`;
  return [
    `connection events, intake: ${figures.events.toLocaleString('en-US')} events over ${run.durationMs / 1000} s for one hub (${perMinute.toLocaleString('en-US')} a minute, ${run.devices.toLocaleString('en-US')} devices each dropping and back ${run.awayMs / 1000} s later) in ${figures.deliveries} Event Grid deliveries of 10–50 events, to the dev host (its own process) on Azurite`,
    `  accepted ${figures.acceptedPerSecond.toFixed(0)} events/s; answer p50 ${figures.p50Ms.toFixed(0)} ms, p99 ${figures.p99Ms.toFixed(0)} ms (goal ≤ 200 ms), max ${figures.maxMs.toFixed(0)} ms (p99 of 10–25 events ${figures.p99SmallMs.toFixed(0)} ms, of 26–50 ${figures.p99LargeMs.toFixed(0)} ms); first tries not answered 200: ${figures.failed} (retried as Event Grid does, 10 s later; still failing after 3 retries: ${figures.lost}); sender lag at most ${figures.senderLagMs} ms`,
    `  none lost: ${figures.taken.toLocaleString('en-US')} of ${figures.events.toLocaleString('en-US')} taken; records holding their device's last event ${figures.recordsMatching.toLocaleString('en-US')} of ${run.devices.toLocaleString('en-US')}; checks queued ${figures.checksQueued.toLocaleString('en-US')} for ${figures.dropsSent.toLocaleString('en-US')} drops sent, warm-up's included (fewer when a retried drop comes after its device's return, and is stale); dev host peak RSS ${rss}`,
  ].join('\n');
}
