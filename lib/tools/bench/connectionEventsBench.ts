/**
 * `npm run bench -- --events`: the connection-event path's figures, one after another on shared
 * stand-ins (Log Analytics at 300 ms per query, metrics, a card receiver):
 *   1. intake of 10,000 events a minute for one hub, through the dev host on Azurite;
 *   2. from a drop to the card for devices that stay away, on the same dev host (30 s grace);
 *   3. a day of hourly renewals for 1,000 devices, in-process on Azurite, simulated clock;
 *   4. a 5,000-device hub outage, in-process, in-memory state, simulated clock.
 * Figures 1 and 2 share one dev host process (its peak memory is figure 1's); figure 2 runs first,
 * so that figure 1's pending checks cannot come due in it.
 */

import { availableParallelism, loadavg } from 'node:os';

import type { Environment } from '../../config/configKeys';
import { processEnvironment } from '../../config/loadConfig';
import { QUIET_FLEET } from './awayDevicesData';
import { startBenchAzurite } from './benchAzurite';
import {
  type ConnectionStandIns,
  STAND_IN_TOKEN,
  STAND_IN_WORKSPACE_ID,
  startConnectionStandIns,
} from './connectionStandIns';
import { startDevHostProcess } from './devHostProcess';
import { benchFleetOutage, describeFleetOutage } from './fleetOutage';
import { benchGraceToCard, describeGraceToCard, type GraceRun } from './graceToCard';
import { queueBatchSize } from './hostQueueBatch';
import { benchIntakeRate, describeIntakeRate, INTAKE_HUB } from './intakeRate';
import { benchRenewalDay, describeRenewalDay } from './renewalDay';

const QUERY_DELAY_MS = 300;
const GRACE_RUN: GraceRun = {
  devices: 15,
  spacingMs: 2000,
  graceSeconds: 30,
  queryDelayMs: QUERY_DELAY_MS,
};

/**
 * The dev host's settings: everything it talks to is local. The intake hub's checks wait an hour
 * (the longest grace), so that none comes due before the figure counts them in the queue.
 */
function devHostEnvironment(standIns: ConnectionStandIns, storage: string): Environment {
  return {
    PATH: processEnvironment().PATH,
    NODE_EXTRA_CA_CERTS: standIns.caFile,
    BENCH_TOKEN: STAND_IN_TOKEN,
    STATE_STORE: 'azure-storage',
    AzureWebJobsStorage: storage,
    EVIDENCE_SOURCE: 'log-analytics',
    LOG_ANALYTICS_WORKSPACE_ID: STAND_IN_WORKSPACE_ID,
    LOG_ANALYTICS_ENDPOINT: standIns.logAnalytics.endpoint,
    AZURE_RESOURCE_MANAGER_ENDPOINT: standIns.arm.endpoint,
    TEAMS_WORKFLOW_URL: standIns.receiver.url,
    RECONNECT_GRACE_SECONDS: String(GRACE_RUN.graceSeconds),
    RECONNECT_GRACE_SECONDS_BY_HUB: JSON.stringify({ [INTAKE_HUB.split('/').pop() ?? '']: 3600 }),
  };
}

/** Shared machines are noisy: each figure says how busy the machine was while it ran. */
async function underLoad<T>(run: () => Promise<T>): Promise<{ value: T; load: string }> {
  const before = loadavg()[0] ?? 0;
  const value = await run();
  const after = loadavg()[0] ?? 0;
  return {
    value,
    load: `  machine: load average ${before.toFixed(1)} → ${after.toFixed(1)} on ${availableParallelism()} CPUs`,
  };
}

async function devHostFigures(standIns: ConnectionStandIns): Promise<void> {
  const azurite = await startBenchAzurite({ inMemory: true });
  try {
    standIns.connectedDevices(() => QUIET_FLEET + GRACE_RUN.devices);
    const host = await startDevHostProcess(devHostEnvironment(standIns, azurite.connectionString));
    let stopped = false;
    try {
      const grace = await underLoad(() =>
        benchGraceToCard(host.url, standIns.logAnalytics, standIns.receiver, GRACE_RUN),
      );
      const intake = await underLoad(() => benchIntakeRate(host.url, azurite.connectionString));
      stopped = true;
      const peakRssMb = await host.stop();
      console.log(`${describeIntakeRate(intake.value, peakRssMb)}\n${intake.load}`);
      console.log(`${describeGraceToCard(grace.value)}\n${grace.load}`);
    } finally {
      if (!stopped) await host.stop();
      const problems = host.problems();
      if (problems.length > 0) {
        console.log(
          `  the dev host logged ${problems.length} problem line(s), first: ${problems[0] ?? ''}`,
        );
      }
    }
  } finally {
    await azurite.stop();
  }
}

export async function benchConnectionEvents(root: string): Promise<void> {
  const standIns = await startConnectionStandIns();
  try {
    await devHostFigures(standIns);
    standIns.connectedDevices(() => 1000);
    const batchSize = await queueBatchSize(root);
    const renewals = await underLoad(() =>
      benchRenewalDay(standIns, { devices: 1000, hours: 24, batchSize }),
    );
    console.log(`${describeRenewalDay(renewals.value)}\n${renewals.load}`);
    const outage = await underLoad(() =>
      benchFleetOutage(standIns, {
        dropped: 5000,
        quiet: 1000,
        batch: 50,
        queryDelayMs: QUERY_DELAY_MS,
      }),
    );
    console.log(`${describeFleetOutage(outage.value)}\n${outage.load}`);
  } finally {
    await standIns.close();
  }
}
