/**
 * `enricher whatif` at scale: the generated scenarios (`scripts/scenarios.mjs`, 160 of them) each
 * copied 63 times onto a hub of its own (the hub name suffixed `-c<copy>` in the alert and in
 * every row), 10,080 recorded alerts over ONE evidence source (every copy's rows), replayed
 * through a deployed side and a candidate (`RENEWAL_POLICY=suppress`, a route for hub-side
 * incidents). Prints the time to build the inputs (not counted), the time of `runWhatif` (split
 * into diagnosing each alert once and simulating both sides), alerts per second, the report's
 * totals and peak memory. Figures only: nothing here asserts a time.
 *
 * The 10,080 run reads no metrics. With them, the copies' 3,780 incidents (all in the same hours,
 * on their own hubs) wait up to a day for devices the generated metrics never bring back, and the
 * simulated timer visits every open incident every simulated minute: 301 s of simulation (the
 * metrics reads themselves are cheap: one per incident window, `lib/whatif/replayMetrics.ts`).
 * The figure with metrics is printed over one copy (160 alerts).
 *
 * The copies' evidence is about 31 million events, more than Node's default heap holds: the
 * figures run in a child Node.js with a larger heap (`--max-old-space-size`), and the peak memory
 * is that process's alone.
 */

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';

import { parseAlert } from '../../alerts/parseAlert';
import { ConnectionEventCollector } from '../../evidence/connectionEvents';
import type { ConnectionEvent } from '../../evidence/evidence';
import type { EvidenceSource, MetricsSource } from '../../evidence/evidenceSource';
import type { ExportRow } from '../../evidence/exportRows';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { MetricsFileSource } from '../../evidence/metricsFile';
import type { WhatifReport } from '../../whatif/compare';
import { type RecordedAlert, runWhatif } from '../../whatif/runWhatif';
import { whatifSide } from '../../whatif/whatifSettings';
import { repoRoot } from '../devhost/repoRoot';

export const WHATIF_ALERTS = 10_000;
const GOAL_SECONDS = 30;
/** The heap the child gets: the copies' events take about 5 GB. */
const HEAP_MB = 12_288;
/**
 * A larger young generation: a replay makes many short-lived objects per alert, and with the
 * default each scavenge promotes survivors into a 6 GB old generation that then has to be swept.
 */
const SEMI_SPACE_MB = 64;
const LOOKBACK_MINUTES = 360;

const DEPLOYED = { TEAMS_WORKFLOW_URL: 'https://x.invalid/', RENEWAL_POLICY: 'compact' };
const CANDIDATE = {
  ...DEPLOYED,
  RENEWAL_POLICY: 'suppress',
  ROUTES: JSON.stringify({
    receivers: [{ name: 'platform', type: 'teams' }],
    routes: [{ matchers: ['cause=iot-hub-transient'], receivers: ['platform'] }],
    default: { receivers: ['teams'] },
  }),
};

interface Scenario {
  readonly name: string;
  readonly alert: unknown;
  readonly logs: readonly ExportRow[];
  readonly metrics: { readonly value: readonly unknown[] };
}

interface ScenarioModule {
  readonly FAMILIES: Readonly<Record<string, (seed: number) => Scenario>>;
  seedsOf(name: string): readonly number[];
}

/** The scenarios as `writeScenarios` builds them, without writing them. */
async function generatedScenarios(root: string): Promise<Scenario[]> {
  const url = pathToFileURL(join(root, 'scripts', 'scenarios.mjs')).href;
  const module = (await import(url)) as ScenarioModule;
  const scenarios: Scenario[] = [];
  for (const [name, build] of Object.entries(module.FAMILIES))
    for (const seed of module.seedsOf(name)) scenarios.push(build(seed));
  return scenarios;
}

const HUB_NAME = /(\/iothubs\/)([A-Za-z0-9-]+)/gi;

/** The copy's hub: the scenario's with `-c<copy>` after the hub name (ids are lower-cased). */
const copyHub = (hub: string, copy: number): string => `${hub}-c${copy}`;

/** The scenario's alert on the copy's hub, with an alert ID of its own. */
function copyAlert(scenario: Scenario, copy: number): RecordedAlert {
  const text = JSON.stringify(scenario.alert).replace(HUB_NAME, `$1$2-c${copy}`);
  const payload = JSON.parse(text) as { data?: { essentials?: Record<string, unknown> } };
  const essentials = payload.data?.essentials;
  if (essentials && typeof essentials.alertId === 'string')
    essentials.alertId = `${essentials.alertId}-c${copy}`;
  return {
    alert: parseAlert(payload, { deviceIdDimension: 'DeviceId' }),
    source: `${scenario.name} copy ${copy}`,
  };
}

/**
 * Every copy's events, oldest first: each scenario's events (read as the export reader reads
 * rows, duplicates removed) repeated per copy on the copy's hub. Built in time order, so the
 * source's own sort finds them sorted.
 */
function copiedEvents(scenarios: readonly Scenario[], copies: number): ConnectionEvent[] {
  const collector = new ConnectionEventCollector();
  for (const scenario of scenarios) for (const row of scenario.logs) collector.add(row);
  const base = collector.finish();
  const hubs = new Map<string, string[]>();
  const hubsOf = (hub: string): string[] => {
    let list = hubs.get(hub);
    if (!list) {
      list = Array.from({ length: copies }, (_, copy) => copyHub(hub, copy));
      hubs.set(hub, list);
    }
    return list;
  };
  const events: ConnectionEvent[] = [];
  for (const event of base) {
    const copyHubs = hubsOf(event.hubResourceId);
    for (const hubResourceId of copyHubs) events.push({ ...event, hubResourceId });
  }
  return events;
}

/** One metrics response holding every copy's series, as one file: the metrics reader's input. */
async function copiedMetrics(
  scenarios: readonly Scenario[],
  copies: number,
): Promise<MetricsFileSource> {
  const value: unknown[] = [];
  for (const scenario of scenarios) {
    const text = JSON.stringify(scenario.metrics.value);
    for (let copy = 0; copy < copies; copy++)
      value.push(...(JSON.parse(text.replace(HUB_NAME, `$1$2-c${copy}`)) as unknown[]));
  }
  const dir = await mkdtemp(join(tmpdir(), 'whatif-bench-'));
  try {
    const file = join(dir, 'metrics.json');
    await writeFile(file, JSON.stringify({ value }));
    return await MetricsFileSource.fromPath(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const pair = (p: { deployed: number; candidate: number }): string =>
  `${p.deployed} deployed / ${p.candidate} candidate`;

type QueryName = keyof EvidenceSource;
const QUERY_NAMES: readonly QueryName[] = [
  'deviceTimeline',
  'fleetActivity',
  'fleetSize',
  'disconnectedDevices',
  'deviceHistory',
];

/**
 * The evidence source, noting when its last query was answered (diagnosis ends there) and each
 * query's calls and time (the export source answers synchronously, so the call is the work).
 */
function timedEvidence(source: EvidenceSource): {
  source: EvidenceSource;
  lastAt: () => number;
  perQuery: () => string;
} {
  let last = 0;
  const spent = new Map<QueryName, { calls: number; ms: number }>();
  const noted = <T>(name: QueryName, ask: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const answer = ask();
    const tally = spent.get(name) ?? { calls: 0, ms: 0 };
    tally.calls++;
    tally.ms += performance.now() - started;
    spent.set(name, tally);
    return answer.then((value) => {
      last = performance.now();
      return value;
    });
  };
  return {
    lastAt: () => last,
    perQuery: () =>
      QUERY_NAMES.map((name) => {
        const tally = spent.get(name) ?? { calls: 0, ms: 0 };
        return `${name} ${tally.calls} × ${(tally.ms / Math.max(1, tally.calls)).toFixed(2)} ms = ${seconds(tally.ms)}`;
      }).join(', '),
    source: {
      deviceTimeline: (q) => noted('deviceTimeline', () => source.deviceTimeline(q)),
      fleetActivity: (q) => noted('fleetActivity', () => source.fleetActivity(q)),
      fleetSize: (q) => noted('fleetSize', () => source.fleetSize(q)),
      disconnectedDevices: (q) => noted('disconnectedDevices', () => source.disconnectedDevices(q)),
      deviceHistory: (q) => noted('deviceHistory', () => source.deviceHistory(q)),
    },
  };
}

/** The metrics source, counting its queries and the time they take. */
function timedMetrics(source: MetricsSource): {
  source: MetricsSource;
  calls: () => number;
  ms: () => number;
} {
  let calls = 0;
  let ms = 0;
  return {
    calls: () => calls,
    ms: () => ms,
    source: {
      connectedDeviceCount: async (hubs, span) => {
        const started = performance.now();
        calls++;
        try {
          return await source.connectedDeviceCount(hubs, span);
        } finally {
          ms += performance.now() - started;
        }
      },
    },
  };
}

/** Peak resident memory: sampled every 50 ms, and the kernel's maximum. */
function memoryWatch(): { stop: () => { sampledMb: number; maxRssMb: number } } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      // maxRSS is in kilobytes.
      return { sampledMb: peak / 2 ** 20, maxRssMb: process.resourceUsage().maxRSS / 1024 };
    },
  };
}

function describeReport(report: WhatifReport): string[] {
  const receivers = Object.entries(report.messagesPerReceiver)
    .map(([name, p]) => `${name} ${p.deployed}→${p.candidate}`)
    .join(', ');
  return [
    `  report: ${report.alerts} alerts replayed, ${report.skipped.length} skipped, ${report.differences.length} handled differently`,
    `  messages: ${pair(report.messages)} (per receiver, deployed→candidate: ${receivers})`,
    `  incidents opened: ${pair(report.incidentsOpened)}`,
    `  renewals as one line: ${pair(report.renewalsAsOneLine)}; renewals not posted: ${pair(report.renewalsNotPosted)}`,
  ];
}

/** The figure itself, in this process. */
export async function measureWhatif(
  root: string,
  target = WHATIF_ALERTS,
  withMetrics = false,
): Promise<void> {
  const memory = memoryWatch();
  const buildStarted = performance.now();
  const scenarios = await generatedScenarios(root);
  const copies = Math.ceil(target / scenarios.length);
  const alerts: RecordedAlert[] = [];
  for (let copy = 0; copy < copies; copy++)
    for (const scenario of scenarios) alerts.push(copyAlert(scenario, copy));
  const events = copiedEvents(scenarios, copies);
  const evidence = ExportFileSource.fromEvents(events);
  events.length = 0;
  const metrics = withMetrics ? await copiedMetrics(scenarios, copies) : undefined;
  const hubs = new Set(evidence.events.map((e) => e.hubResourceId)).size;
  const deployed = whatifSide('deployed', DEPLOYED, () => '');
  const candidate = whatifSide('candidate', CANDIDATE, () => '');
  const buildMs = performance.now() - buildStarted;
  const afterBuild = process.memoryUsage();

  const timedSource = timedEvidence(evidence);
  const timedMetricsSource = metrics && timedMetrics(metrics);
  const started = performance.now();
  const report = await runWhatif({
    alerts,
    sources: {
      evidence: timedSource.source,
      ...(timedMetricsSource && { metrics: timedMetricsSource.source }),
    },
    lookbackMinutes: LOOKBACK_MINUTES,
    deployed,
    candidate,
  });
  const ended = performance.now();
  const totalMs = ended - started;
  const diagnoseMs = timedSource.lastAt() - started;
  const peak = memory.stop();
  const heapUsed = process.memoryUsage().heapUsed;

  const lines = [
    `whatif: ${alerts.length} recorded alerts (${scenarios.length} generated scenarios × ${copies} ${copies === 1 ? 'copy' : 'copies, each on its own hub'}), ${evidence.events.length} Connections events over ${hubs} hubs in one export source, ${metrics ? 'metrics of every copy in one file' : 'no metrics'}; lookback ${LOOKBACK_MINUTES} min; deployed RENEWAL_POLICY=compact against a candidate with suppress and a route for iot-hub-transient`,
    `  build the inputs (not counted): ${seconds(buildMs)}; then RSS ${mb(afterBuild.rss)}, heap used ${mb(afterBuild.heapUsed)}`,
    `  runWhatif: ${seconds(totalMs)} (goal ≤ ${GOAL_SECONDS} s), ${(alerts.length / (totalMs / 1000)).toFixed(0)} alerts/s`,
    `    diagnose once (to the last evidence query): ${seconds(diagnoseMs)}; simulate both sides and compare: ${seconds(ended - timedSource.lastAt())}`,
    `    evidence queries (in the diagnosis): ${timedSource.perQuery()}`,
    timedMetricsSource
      ? `    metrics queries (both phases): ${timedMetricsSource.calls()} taking ${seconds(timedMetricsSource.ms())}`
      : '    without metrics: the incident timer closes on the quiet period and Resolved alerts',
    ...describeReport(report),
    `  peak RSS ${peak.sampledMb.toFixed(0)} MB sampled every 50 ms, ${peak.maxRssMb.toFixed(0)} MB max RSS (whole process so far, inputs included); heap used at the end ${mb(heapUsed)}`,
  ];
  console.log(lines.join('\n'));
}

/** Both figures: 160 alerts (one copy) with metrics, then about 10,000 without (see above). */
export async function measureWhatifFigures(root: string): Promise<void> {
  await measureWhatif(root, 160, true);
  await measureWhatif(root, WHATIF_ALERTS, false);
}

/**
 * `npm run bench -- --whatif`: the figures in a child Node.js whose heap holds the copies'
 * evidence (in this process, if its heap is already that large).
 */
export async function benchWhatif(root: string): Promise<void> {
  if (getHeapStatistics().heap_size_limit >= HEAP_MB * 2 ** 20) {
    await measureWhatifFigures(root);
    return;
  }
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`, __filename],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the what-if bench exited with ${String(code)}`);
}

if (require.main === module) {
  measureWhatifFigures(repoRoot()).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
