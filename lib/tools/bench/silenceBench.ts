/**
 * The silences' cost to the policy: `decideAlert` per alert with 1,000 active silences (goal:
 * ≤ 1 ms median), over a few hundred diagnosed reports of the sample hub incident. The silences
 * are realistic and varied (several fields, globs, `!=`) and none matches, so every one is
 * evaluated down to its last matcher: the worst case for an alert that is posted.
 * `npm run bench` runs it; alone: `node dist/lib/tools/bench/silenceBench.js`.
 */

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { parseAlert } from '../../alerts/parseAlert';
import { buildReport } from '../../app/enrichAlert';
import type { EnrichedAlert } from '../../diagnose/enrichedAlert';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { MetricsFileSource } from '../../evidence/metricsFile';
import type { IncidentSettings } from '../../incidents/incidentSettings';
import { decideAlert } from '../../incidents/policy';
import { newSilence } from '../../silences/newSilence';
import type { Silence } from '../../silences/silence';
import { deviceAlertPayload, stormDevices } from '../devhost/stormAlerts';
import { repoRoot } from '../devhost/repoRoot';
import { mulberry32 } from './seededRandom';

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const NOW = new Date('2026-11-20T08:00:00Z');
const SETTINGS: IncidentSettings = {
  updateMinutes: 15,
  quietMinutes: 30,
  renewalPolicy: 'compact',
};
const REPORTS = 300;
const ROUNDS = 10;

/**
 * One silence: up to three matchers that hold for the sample hub's alerts (so matching goes on),
 * then one that never does (a plant, site or SDK of another fleet), in the shapes on-call types.
 */
function silenceNo(n: number, random: () => number): Silence {
  const holding = [
    'hub=~contoso-*',
    'alertRule=~iothub-*',
    'severity!=sev0',
    `cause!=credential-rejected`,
    'scope=~*',
  ];
  const failing = [
    `device=~plant-${n}-*`,
    `device=gateway-${n}`,
    `site=10.${n % 250}.${n % 7}.XXX`,
    `site=~192.168.${n % 250}.*`,
    `sdk=~azure-iot-device-python/${n % 9}.*`,
    `module=edge-agent-${n}`,
    `hub=plant-${n}-hub`,
    `device=~*-rack-${n}?`,
  ];
  const take = Math.floor(random() * 4);
  const matchers = [
    ...holding.filter(() => random() < 0.6).slice(0, take),
    failing[Math.floor(random() * failing.length)] ?? `device=gateway-${n}`,
  ];
  return newSilence(
    {
      matchers,
      endsAt: new Date(NOW.getTime() + (1 + (n % 48)) * 3_600_000).toISOString(),
      createdBy: `oncall-${n % 12}`,
      comment: `maintenance ${n}`,
      all: true,
    },
    new Date(NOW.getTime() - 60_000),
    `bench-${n}`,
  );
}

export function benchSilenceSet(count = 1000): Silence[] {
  const random = mulberry32(count);
  return Array.from({ length: count }, (_, n) => silenceNo(n, random));
}

async function benchReports(root: string): Promise<EnrichedAlert[]> {
  const evidence = await ExportFileSource.fromPath(join(root, 'samples', 'workspace'));
  const metrics = await MetricsFileSource.fromPath(join(root, 'samples', 'metrics'));
  const template = JSON.parse(
    await (
      await import('node:fs/promises')
    ).readFile(join(root, 'samples', 'alerts', 'hub-incident-sensor-0017.json'), 'utf8'),
  ) as unknown;
  const devices = stormDevices(
    evidence.events,
    HUB,
    '2026-11-20T05:12:00Z',
    '2026-11-20T05:15:00Z',
  );
  const distinct: EnrichedAlert[] = [];
  for (const device of devices.slice(0, REPORTS)) {
    const alert = parseAlert(deviceAlertPayload(template, device, 'Fired'), {
      deviceIdDimension: 'DeviceId',
    });
    distinct.push(
      await buildReport(alert, {
        sources: { evidence, metrics },
        lookbackMinutes: 360,
        now: () => NOW,
      }),
    );
  }
  // The sample day has fewer drops than REPORTS: each report is decided again, as a retry is.
  const reports = Array.from(
    { length: Math.max(REPORTS, distinct.length) },
    (_, i) => distinct[i % distinct.length],
  ).filter((r): r is EnrichedAlert => r !== undefined);
  return reports;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Per-alert times of `decideAlert` over every report, `ROUNDS` times, after a warm-up round. */
function time(reports: readonly EnrichedAlert[], silences: readonly Silence[]): number[] {
  const decide = (report: EnrichedAlert) =>
    decideAlert({ report, incidents: [], silences, settings: SETTINGS, now: NOW });
  for (const report of reports) decide(report);
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const report of reports) {
      const started = performance.now();
      const decision = decide(report);
      samples.push(performance.now() - started);
      if (decision.heldBy !== undefined && decision.heldBy.length > 0) {
        throw new Error(`bench silence ${decision.heldBy[0] ?? ''} matched; none should`);
      }
    }
  }
  return samples.sort((a, b) => a - b);
}

export async function benchSilences(root: string = repoRoot()): Promise<void> {
  const reports = await benchReports(root);
  const silences = benchSilenceSet(1000);
  const evaluated = reports.filter(
    (report) =>
      decideAlert({ report, incidents: [], settings: SETTINGS, now: NOW }).messages.length > 0,
  ).length;
  const base = time(reports, []);
  // One silence pays for the alert's subject (its SDKs are read from the evidence) and little else.
  const one = time(reports, silences.slice(0, 1));
  const silenced = time(reports, silences);
  const matchers = silences.reduce((sum, s) => sum + s.matchers.length, 0);
  const line = (name: string, samples: readonly number[]) =>
    `  ${name}: median ${percentile(samples, 0.5).toFixed(3)} ms, p95 ${percentile(samples, 0.95).toFixed(3)} ms per alert (n=${samples.length})`;
  console.log(
    `silences: decideAlert with ${silences.length} active silences (${matchers} matchers, none matching) over ${reports.length} diagnosed reports (${new Set(reports).size} distinct), ${evaluated} of them posting (goal: ≤ 1 ms median)`,
  );
  console.log(line('no silences', base));
  console.log(line('1 silence', one));
  console.log(line(`${silences.length} silences`, silenced));
  const ms = (samples: readonly number[]) => percentile(samples, 0.5);
  console.log(
    `  the silences' own cost: median ${(ms(silenced) - ms(base)).toFixed(3)} ms per alert, of which the subject ${(ms(one) - ms(base)).toFixed(3)} ms and ${silences.length} matchings ${(ms(silenced) - ms(one)).toFixed(3)} ms`,
  );
}

if (require.main === module) {
  benchSilences().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
