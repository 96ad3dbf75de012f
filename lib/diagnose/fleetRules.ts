/** Verdicts about many devices: a hub-side incident, or a cohort that shares a network or SDK. */

import type { Alert } from '../alerts/alert';
import type { DisconnectedDevice, Evidence } from '../evidence/evidence';
import type { EvidenceItem, Verdict } from './diagnosis';
import type { FleetSignals } from './fleetSignals';
import { clock, duration, percent, plural, timeRange, usually } from './format';

/** How many device IDs a fleet verdict lists; the count says the rest. */
export const LISTED_DEVICES = 20;
/** A cohort explains a partial drop when it holds this share of the dropped devices. */
const COHORT_SHARE = 0.6;

/** `12× the usual rate`, or `where almost none usually are` when the baseline is empty. */
function rate(actual: number, expected: number): string {
  return expected > 0
    ? `${Math.round(actual / expected)}× the usual rate`
    : 'where almost none usually are';
}

export function diagnoseHubIncident(
  fleet: FleetSignals,
  evidence: Evidence,
  alertedDevices: readonly string[],
): Verdict {
  const facts: EvidenceItem[] = [];
  let confidence = 0.6;
  const span =
    fleet.firstDrop && fleet.lastDrop ? ` ${timeRange(fleet.firstDrop, fleet.lastDrop)}` : '';
  facts.push({
    signal: 'mass-disconnect',
    text: `${fleet.droppedInWindow} of ${fleet.fleetSize} active devices (${percent(fleet.share)}) disconnected with 404104${span}, ${rate(fleet.droppedInWindow, fleet.expectedInWindow)}`,
  });
  if (fleet.massDrop) confidence += 0.15;
  if (fleet.serverErrorBurst) {
    facts.push({
      signal: 'server-errors',
      text: `${fleet.serverErrorsInWindow} server errors (500xxx/503xxx) in the window, ${rate(fleet.serverErrorsInWindow, fleet.expectedServerErrors)}`,
    });
    confidence += 0.1;
  }
  if (fleet.metricDip && fleet.metricDip.share > 0.05) {
    facts.push({
      signal: 'connected-devices-dip',
      text: `Connected devices fell from ${Math.round(fleet.metricDip.before)} to ${Math.round(fleet.metricDip.lowest)} (−${percent(fleet.metricDip.share)}) at ${clock(fleet.metricDip.lowestAt)}`,
    });
    confidence += 0.1;
  }
  const dropped = evidence.disconnectedDevices.map((d) => d.deviceId);
  const devices = [...new Set([...alertedDevices, ...dropped])].slice(0, LISTED_DEVICES);
  return {
    cause: 'iot-hub-transient',
    scope: 'fleet',
    confidence,
    devices,
    summary: `${fleet.droppedInWindow} of ${fleet.fleetSize} devices (${percent(fleet.share)}) dropped at the same time${span}${fleet.serverErrorBurst ? ' with a burst of server errors' : ''}: a hub-side incident, not the devices.${alertedDevices.length > 0 ? ` ${alertedDevices.join(', ')} was caught in it.` : ''}`,
    evidence: facts,
  };
}

interface Cohort {
  readonly label: string;
  readonly members: readonly DisconnectedDevice[];
}

function largestCohort(
  devices: readonly DisconnectedDevice[],
  keyOf: (d: DisconnectedDevice) => string | undefined,
  describe: (key: string) => string,
): Cohort | undefined {
  const groups = new Map<string, DisconnectedDevice[]>();
  for (const device of devices) {
    const key = keyOf(device);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(device);
    else groups.set(key, [device]);
  }
  const [key, members] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  return key === undefined || !members ? undefined : { label: describe(key), members };
}

/** A mass drop where one address holds this share of the dropped devices is one site's. */
const SITE_SHARE_OF_DROP = 0.8;
/** ...unless that address holds most of the fleet, where a site and the hub look the same. */
const SITE_MAX_SHARE_OF_FLEET = 0.7;

/**
 * A mass drop that stays behind one masked address, with no server errors and no deep dip: the
 * site's uplink or power, not the hub, even when it is a quarter of the fleet.
 */
export function diagnoseSiteDrop(
  fleet: FleetSignals,
  evidence: Evidence,
  alertedDevices: readonly string[],
): Verdict | undefined {
  if (fleet.serverErrorBurst || (fleet.metricDip?.share ?? 0) >= 0.5) return undefined;
  const listed = evidence.disconnectedDevices;
  const site = largestCohort(
    listed,
    (d) => d.maskedIpAddress,
    (ip) => `behind ${ip}`,
  );
  if (!site || site.members.length < SITE_SHARE_OF_DROP * listed.length) return undefined;
  // The listed devices are a sample when the query was capped: scale the site to the whole drop.
  const siteDevices = Math.round((site.members.length / listed.length) * fleet.droppedInWindow);
  if (fleet.fleetSize === 0 || siteDevices >= SITE_MAX_SHARE_OF_FLEET * fleet.fleetSize) {
    return undefined;
  }
  const times = site.members.map((d) => Date.parse(d.firstDisconnect));
  const spread = Math.max(...times) - Math.min(...times);
  const devices = [...new Set([...alertedDevices, ...site.members.map((d) => d.deviceId)])];
  return {
    cause: 'device-or-network',
    scope: 'subset',
    confidence: 0.75,
    devices: devices.slice(0, LISTED_DEVICES),
    summary: `${siteDevices} devices ${site.label} dropped within ${duration(spread)} while the rest of the hub stayed up (${fleet.fleetSize - siteDevices} devices elsewhere): the site's network or power, not the hub.`,
    evidence: [
      {
        signal: 'cohort',
        text: `${site.members.length} of the ${listed.length} devices listed as dropped are ${site.label}`,
      },
      {
        signal: 'partial-disconnect',
        text: `${fleet.droppedInWindow} of ${fleet.fleetSize} devices (${percent(fleet.share)}) dropped with 404104, with no burst of server errors`,
      },
    ],
  };
}

/** A drop that is not hub-wide: look for what the dropped devices share. */
export function diagnoseFleetWithoutIncident(
  fleet: FleetSignals,
  evidence: Evidence,
  alert: Alert,
): Verdict | undefined {
  const dropped = evidence.disconnectedDevices;
  if (dropped.length === 0) return undefined;
  const cohorts = [
    largestCohort(
      dropped,
      (d) => d.maskedIpAddress,
      (ip) => `behind network ${ip}`,
    ),
    largestCohort(
      dropped,
      (d) => d.sdkVersion?.split(' ')[0],
      (sdk) => `running ${sdk}`,
    ),
    largestCohort(
      dropped,
      (d) => d.protocol,
      (protocol) => `connected over ${protocol}`,
    ),
  ].filter((c): c is Cohort => c !== undefined && c.members.length >= 3);
  const cohort = cohorts.find((c) => c.members.length / dropped.length >= COHORT_SHARE);
  const facts: EvidenceItem[] = [
    {
      signal: 'partial-disconnect',
      text: `${plural(fleet.droppedInWindow, 'device')} of ${fleet.fleetSize} (${percent(fleet.share)}) disconnected with 404104 in the window (${usually(fleet.expectedInWindow)})`,
    },
  ];
  if (cohort) {
    facts.push({
      signal: 'cohort',
      text: `${cohort.members.length} of the ${dropped.length} are ${cohort.label}`,
    });
  }
  if (fleet.metricDip && fleet.metricDip.share > 0.05) {
    facts.push({
      signal: 'connected-devices-dip',
      text: `Connected devices fell from ${Math.round(fleet.metricDip.before)} to ${Math.round(fleet.metricDip.lowest)} at ${clock(fleet.metricDip.lowestAt)}`,
    });
  }
  const members = cohort ? cohort.members : dropped;
  const metricNote = alert.metric ? ` (${alert.metric.metricName} alert)` : '';
  return {
    cause: 'device-or-network',
    scope: fleet.droppedInWindow === 1 ? 'device' : 'subset',
    confidence: cohort ? 0.7 : 0.5,
    ...(!cohort && {
      wouldChange:
        'Dropped devices sharing an address, SDK or protocol would name the cause; many more devices at once, server errors or a deep dip would make it a hub incident.',
    }),
    devices: members.map((d) => d.deviceId).slice(0, LISTED_DEVICES),
    summary: cohort
      ? `${plural(cohort.members.length, 'device')} ${cohort.label} dropped together${metricNote} while the rest of the fleet stayed up: a shared network or device problem, not the hub.`
      : `${plural(fleet.droppedInWindow, 'device')} dropped${metricNote}, too few and too scattered for a hub incident: look at each device's network.`,
    evidence: facts,
  };
}
