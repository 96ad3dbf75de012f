/** The hub-wide sections of the digest: mass drops on the hub side, and the enricher's own work. */

import type { TimeWindow } from '../alerts/alert';
import { clockSpan } from '../diagnose/format';
import type { ActivitySummary } from '../state/activityLedger';
import type { DigestLine, DigestSection } from './digestTypes';
import type { GatheredDigest } from './gatherDigest';
import { burstQuery, logAnalyticsLink } from './queryLinks';
import { NOT_READ, plural, thousands } from './wording';

/** The lowest `connectedDeviceCount` in the window, when metrics were read. */
function lowestConnected(g: GatheredDigest, window: TimeWindow): number | undefined {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const values = (g.connectedDeviceCount ?? [])
    .filter((p) => Date.parse(p.time) >= start && Date.parse(p.time) < end)
    .map((p) => p.minimum ?? p.average)
    .filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : Math.round(Math.min(...values));
}

export function incidentsSection(g: GatheredDigest): DigestSection {
  const base = { id: 'incidents' as const, title: 'Hub-side incidents' };
  const bursts = g.figures.bursts;
  if (!bursts) return { ...base, summary: NOT_READ, lines: [], more: 0, missing: NOT_READ };
  // Adjacent 5-minute bins are one incident.
  const incidents: {
    start: string;
    end: number;
    devices: number;
    drops: number;
    errors: number;
    fleet: number;
  }[] = [];
  for (const bin of bursts.rows) {
    const start = Date.parse(bin.start);
    const last = incidents[incidents.length - 1];
    if (last && start <= last.end) {
      last.end = start + 5 * 60_000;
      last.devices = Math.max(last.devices, bin.droppedDevices);
      last.drops += bin.drops;
      last.errors += bin.serverErrors;
    } else {
      incidents.push({
        start: bin.start,
        end: start + 5 * 60_000,
        devices: bin.droppedDevices,
        drops: bin.drops,
        errors: bin.serverErrors,
        fleet: bin.fleetDevices,
      });
    }
  }
  const lines = incidents.map((i): DigestLine => {
    const window: TimeWindow = {
      start: new Date(Date.parse(i.start) - 10 * 60_000).toISOString(),
      end: new Date(i.end + 15 * 60_000).toISOString(),
    };
    const lowest = lowestConnected(g, window);
    return {
      text: `${clockSpan(i.start, new Date(i.end).toISOString())}: ${thousands(i.devices)} of ${thousands(i.fleet)} devices dropped at once (${plural(i.drops, 'drop')}), ${plural(i.errors, 'server error')} (500xxx/503xxx)${lowest === undefined ? '' : `; connected devices fell to ${thousands(lowest)}`}`,
      link: logAnalyticsLink(g.plan.hubResourceId, burstQuery(g.plan.hubResourceId), window),
      data: {
        start: i.start,
        end: new Date(i.end).toISOString(),
        droppedDevices: i.devices,
        drops: i.drops,
        serverErrors: i.errors,
        fleetDevices: i.fleet,
        lowestConnectedDevices: lowest ?? null,
      },
    };
  });
  return {
    ...base,
    summary:
      incidents.length === 0
        ? 'No mass drop: no 5 minutes in which a large share of the fleet dropped at once.'
        : `${plural(incidents.length, 'mass drop')} on the hub side: check Resource Health and Azure status for those times.`,
    lines,
    more: Math.max(0, bursts.total - bursts.rows.length),
  };
}

const NOT_TRACKED = 'not tracked by this deployment';

export function activitySection(
  activity: ActivitySummary | undefined,
  window: TimeWindow,
  gaps: readonly string[],
): DigestSection {
  const base = { id: 'activity' as const, title: 'What the enricher did' };
  const failed = gaps.find((gap) => gap.startsWith('activity ledger:'));
  const figure = (label: string, key: keyof ActivitySummary): DigestLine => {
    const value = activity?.[key];
    return {
      text: `${label}: ${value === undefined ? (failed ? 'not read' : NOT_TRACKED) : thousands(value)}`,
      data: { figure: key, value: value ?? null },
    };
  };
  return {
    ...base,
    summary: activity
      ? `From the enricher’s activity ledger (not in Log Analytics), the 24 hours to ${window.end.slice(0, 16).replace('T', ' ')} UTC.`
      : failed
        ? 'The activity ledger could not be read.'
        : 'No activity ledger is configured.',
    lines: [
      figure('Alerts received', 'alertsReceived'),
      figure('Incidents opened', 'incidentsOpened'),
      figure('Cards posted', 'cardsPosted'),
      figure('Renewals kept quiet', 'renewalsKeptQuiet'),
      figure('Connection events: back within the reconnect grace', 'reconnectsInGrace'),
      figure('Connection events: blips between snapshots', 'connectionBlips'),
      figure('Held back by silences and maintenance windows', 'heldBySilences'),
      figure('Dead letters waiting for replay', 'deadLettersWaiting'),
    ],
    more: 0,
    fixed: true,
  };
}
