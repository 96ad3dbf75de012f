/**
 * Waves: many devices dropping in the same few minutes, again and again at one period. A fleet
 * that got its SAS tokens at the same moment (hub failover, mass reboot, site power cycle,
 * provisioning wave) sees them expire together, every lifetime: a renewal, not a hub incident.
 */

import type { Evidence, FleetActivityBin } from '../evidence/evidence';
import { FLEET_BIN_MINUTES, WINDOW_MARGIN_MINUTES } from '../evidence/kql';
import type { DeviceSignals } from './deviceSignals';
import type { EvidenceItem, Verdict } from './diagnosis';
import { periodMeaning } from './deviceRules';
import { LISTED_DEVICES } from './fleetRules';
import type { FleetSignals } from './fleetSignals';
import { BRIEF_DIP_MS, METRIC_DIP_SHARE } from './fleetSignals';
import { clock, duration, percent, plural } from './format';
import { parseSdkVersion } from './sdkFamilies';
import { ANY_TOKEN_LIFETIME_MS, DEFAULT_TOKEN_WINDOW_MS } from './tokenRules';

const BIN_MS = FLEET_BIN_MINUTES * 60_000;
/** A wave holds at least this many devices... */
export const WAVE_MIN_DEVICES = 10;
/** ...and an earlier wave at least this share of the current one. */
const EARLIER_WAVE_SHARE = 0.5;
/** Share of a wave's devices back within the wave's bins and the next: a quick return. */
const QUICK_RETURN_SHARE = 0.6;
/** Connected devices falling less than this is "barely a dip". */
const FLAT_DIP_SHARE = 0.1;

export interface Wave {
  /** Device-weighted middle of the wave's bins (epoch ms). */
  readonly atMs: number;
  readonly devices: number;
  readonly authErrors: number;
  readonly serverErrors: number;
  /** Devices with a successful connect in the wave's bins and the bin after. */
  readonly reconnected: number;
}

export interface WaveSignals {
  readonly current: Wave;
  readonly earlier: readonly Wave[];
  readonly periodMs: number;
  readonly regular: boolean;
}

function toWave(run: readonly FleetActivityBin[], next: FleetActivityBin | undefined): Wave {
  let devices = 0;
  let weighted = 0;
  let authErrors = 0;
  let serverErrors = 0;
  let reconnected = 0;
  for (const bin of run) {
    const mid = Date.parse(bin.start) + BIN_MS / 2;
    devices += bin.disconnectedDevices;
    weighted += mid * bin.disconnectedDevices;
    authErrors += bin.authErrors;
    serverErrors += bin.serverErrors;
    reconnected += bin.reconnectedDevices;
  }
  if (next) reconnected += next.reconnectedDevices;
  return {
    atMs: devices > 0 ? weighted / devices : 0,
    devices,
    authErrors,
    serverErrors,
    reconnected,
  };
}

/** Runs of consecutive bins where at least `threshold` devices dropped. */
function wavesAbove(bins: readonly FleetActivityBin[], threshold: number): Wave[] {
  const waves: Wave[] = [];
  let run: FleetActivityBin[] = [];
  const close = (next: FleetActivityBin | undefined): void => {
    if (run.length > 0) waves.push(toWave(run, next));
    run = [];
  };
  for (const bin of bins) {
    const last = run[run.length - 1];
    if (last && Date.parse(bin.start) - Date.parse(last.start) > BIN_MS) close(undefined);
    if (bin.disconnectedDevices >= threshold) run.push(bin);
    else close(bin);
  }
  close(undefined);
  return waves;
}

/** The usual number of devices dropping per bin, counting bins with no rows as 0. */
function usualPerBin(bins: readonly FleetActivityBin[]): number {
  const first = bins[0];
  const last = bins[bins.length - 1];
  if (!first || !last) return 0;
  const slots = Math.round((Date.parse(last.start) - Date.parse(first.start)) / BIN_MS) + 1;
  const values = bins.map((b) => b.disconnectedDevices).sort((a, b) => a - b);
  const zeros = Math.max(0, slots - values.length);
  const middle = Math.floor(slots / 2);
  return middle < zeros ? 0 : (values[middle - zeros] ?? 0);
}

/** A wave stands this many times above the usual drops per bin (staggered renewals, noise). */
const SPIKE_FACTOR = 4;
/** Waves closer than this cannot be told apart in 5-minute bins. */
const MIN_WAVE_PERIOD_MS = 3 * BIN_MS;

/** The wave in the alert window and the waves before it, when there is one. */
export function waveSignals(evidence: Evidence): WaveSignals | undefined {
  const margin = WINDOW_MARGIN_MINUTES * 60_000;
  const start = Date.parse(evidence.alertWindow.start) - margin;
  const end = Date.parse(evidence.alertWindow.end) + margin;
  const bins = evidence.fleetActivity;
  const usual = usualPerBin(bins);
  let peak = 0;
  for (const bin of bins) {
    const at = Date.parse(bin.start);
    if (at + BIN_MS > start && at < end) peak = Math.max(peak, bin.disconnectedDevices);
  }
  if (peak < Math.max(WAVE_MIN_DEVICES, SPIKE_FACTOR * usual)) return undefined;
  const threshold = Math.max(
    WAVE_MIN_DEVICES / 2,
    (SPIKE_FACTOR / 2) * usual,
    EARLIER_WAVE_SHARE * peak,
  );
  const waves = wavesAbove(bins, threshold);
  const currentIndex = waves.findIndex((w) => w.atMs + BIN_MS > start && w.atMs - BIN_MS < end);
  const current = waves[currentIndex];
  if (!current) return undefined;
  const earlier = waves.slice(0, currentIndex);
  const clock = waveClock([...earlier.map((w) => w.atMs), current.atMs]);
  if (!clock || clock.periodMs < MIN_WAVE_PERIOD_MS) return undefined;
  return { current, earlier, periodMs: clock.periodMs, regular: clock.regular };
}

/**
 * Whether waves keep one period: every interval one period long within a bin (or 10 %), or two
 * periods when one wave was lost, and at least two thirds of them one period long.
 */
export function waveClock(
  times: readonly number[],
): { periodMs: number; regular: boolean } | undefined {
  const intervals = times.slice(1).map((time, i) => time - (times[i] ?? time));
  if (intervals.length < 2) return undefined;
  const shortest = Math.min(...intervals);
  const singles = intervals.filter((i) => i < shortest * 1.5).sort((a, b) => a - b);
  const periodMs = singles[Math.floor(singles.length / 2)] ?? shortest;
  const tolerance = Math.max(BIN_MS, 0.1 * periodMs);
  const fits = intervals.every((interval) => {
    const cycles = Math.round(interval / periodMs);
    return cycles >= 1 && cycles <= 2 && Math.abs(interval - cycles * periodMs) <= tolerance;
  });
  return { periodMs, regular: fits && singles.length * 3 >= intervals.length * 2 };
}

/** The alerted devices whose own drops fall in the earlier waves: the same devices, every cycle. */
function devicesInEveryWave(devices: readonly DeviceSignals[], waves: WaveSignals): string[] {
  const all = [...waves.earlier, waves.current];
  return devices
    .filter((d) =>
      all.every((w) => d.drops.some((drop) => Math.abs(drop.ms - w.atMs) <= BIN_MS * 1.5)),
    )
    .map((d) => d.deviceId);
}

function clientRenewingShare(evidence: Evidence): number {
  const families = evidence.disconnectedDevices
    .map((d) => parseSdkVersion(d.sdkVersion)?.family.mqttRenewal)
    .filter((f) => f !== undefined);
  if (families.length === 0) return 0;
  return families.filter((f) => f === 'client-disconnect').length / families.length;
}

function waveTimes(waves: WaveSignals): string {
  return waves.earlier
    .slice(-4)
    .map((w) => clock(new Date(w.atMs).toISOString()))
    .join(', ');
}

/**
 * Regular waves that reconnect quickly with no server errors and no real dip (hundreds of 404104
 * in the same minute, often with 401003, connected devices barely dipping): a renewal wave
 * (`sas-token-expiry`) when a token shows, else a schedule on the network path or the devices
 * (`device-or-network`), not the hub either.
 */
export function diagnoseWaves(
  fleet: FleetSignals,
  evidence: Evidence,
  devices: readonly DeviceSignals[],
): Verdict | undefined {
  const waves = waveSignals(evidence);
  if (!waves?.regular || waves.earlier.length < 2) return undefined;
  const { current, periodMs } = waves;
  const dip = fleet.metricDip?.share ?? 0;
  // A metric alert fires on a renewal wave because the count really dips, for a minute or two.
  const belowMs = fleet.metricDip?.belowMs;
  const briefDip = belowMs !== undefined && belowMs <= BRIEF_DIP_MS;
  const quickReturn = current.reconnected >= QUICK_RETURN_SHARE * current.devices;
  if (fleet.serverErrorBurst || (dip >= METRIC_DIP_SHARE && !briefDip) || !quickReturn) {
    return undefined;
  }

  const authErrors = [...waves.earlier, current].reduce((sum, w) => sum + w.authErrors, 0);
  const defaultClock =
    periodMs >= DEFAULT_TOKEN_WINDOW_MS.min && periodMs <= DEFAULT_TOKEN_WINDOW_MS.max;
  const tokenLike = periodMs >= ANY_TOKEN_LIFETIME_MS.min && periodMs <= ANY_TOKEN_LIFETIME_MS.max;
  const clientRenewing = clientRenewingShare(evidence) > 0.5;
  const isToken = tokenLike && (authErrors > 0 || (defaultClock && !clientRenewing));

  const dropped = fleet.droppedInWindow;
  const scope = fleet.fleetSize > 0 && dropped / fleet.fleetSize >= 0.5 ? 'fleet' : 'subset';
  const same = devicesInEveryWave(devices, waves);
  const facts: EvidenceItem[] = [
    {
      signal: 'renewal-waves',
      text: `${dropped} of ${fleet.fleetSize} devices (${percent(fleet.share)}) dropped with 404104 around ${clock(new Date(current.atMs).toISOString())}; waves of the same size came at ${waveTimes(waves)}: every ~${duration(periodMs)}`,
    },
    {
      signal: 'quick-reconnect',
      text: `${plural(current.reconnected, 'device')} reconnected within minutes of the wave`,
    },
  ];
  if (authErrors > 0) {
    facts.push({
      signal: 'auth-expired',
      text: `${authErrors}× 401003 IoTHubUnauthorized beside the waves: tokens expiring`,
    });
  }
  facts.push({ signal: 'no-server-errors', text: 'No burst of server errors (500xxx/503xxx)' });
  if (fleet.metricDip && dip >= METRIC_DIP_SHARE && briefDip) {
    facts.push({
      signal: 'connected-devices-brief-dip',
      text: `Connected devices fell ${percent(dip)} (lowest ${Math.round(fleet.metricDip.lowest)} at ${clock(fleet.metricDip.lowestAt)}) and were back within ${duration(belowMs)}: devices renewing at once, not devices gone`,
    });
  } else if (fleet.metricDip) {
    const lowest = `lowest ${Math.round(fleet.metricDip.lowest)} at ${clock(fleet.metricDip.lowestAt)}`;
    facts.push({
      signal: 'connected-devices-flat',
      text:
        dip < 0.01
          ? `Connected devices did not dip (${lowest})`
          : `Connected devices dipped only ${percent(dip)} (${lowest})`,
    });
  }
  if (same.length > 0) {
    facts.push({
      signal: 'same-devices',
      text: `${same.slice(0, 5).join(', ')} dropped in every wave: the same devices, at the same minute of the cycle`,
    });
  }
  const listed = [
    ...new Set([
      ...devices.map((d) => d.deviceId),
      ...evidence.disconnectedDevices.map((d) => d.deviceId),
    ]),
  ].slice(0, LISTED_DEVICES);
  if (isToken) {
    const confidence =
      0.72 +
      (authErrors > 0 ? 0.1 : 0) +
      (defaultClock ? 0.05 : 0) +
      (fleet.metricDip && dip < FLAT_DIP_SHARE ? 0.05 : 0);
    return {
      cause: 'sas-token-expiry',
      scope,
      confidence,
      devices: listed,
      summary: `${dropped} devices dropped together at ${clock(new Date(current.atMs).toISOString())} and reconnected within minutes, as they do every ~${duration(periodMs)}: their SAS tokens were issued at the same moment (after a failover, mass reboot or provisioning wave) and expire together. Harmless, not a hub incident; spread token lifetimes (add jitter) so renewals stop arriving as one wave.`,
      evidence: facts,
      reconnected: true,
      wouldChange:
        'A burst of 500xxx errors or connected devices falling by a fifth or more would make this a hub incident.',
    };
  }
  const meaning = periodMeaning(periodMs, true);
  return {
    cause: 'device-or-network',
    scope,
    confidence: 0.62,
    devices: listed,
    summary: `${dropped} devices drop together ${meaning}. No token expiry (${authErrors === 0 ? 'no 401003' : 'the period is no token lifetime'}${clientRenewing ? ', and their SDKs renew tokens themselves' : ''}) and no hub fault (no server errors, quick reconnects): look at what these devices share on the network path.`,
    evidence: facts,
    wouldChange:
      '401003 beside the waves would make this a synchronised SAS token renewal; server errors or a deep dip in connected devices would make it a hub incident.',
  };
}
