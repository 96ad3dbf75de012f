/**
 * The daily fleet-health digest of one hub, worded once: every renderer (Teams card, text, JSON,
 * webhook) shows these sections and lines. Each line carries the Log Analytics query that shows it.
 */

import { labelDeviceHistory } from '../diagnose/deviceHistory';
import { CAUSE_TITLES, type Cause } from '../diagnose/diagnosis';
import { clock, duration, percent } from '../diagnose/format';
import { parseSdkVersion } from '../diagnose/sdkFamilies';
import type { DigestFamily } from './digestKql';
import { DIGEST_WEEK_DAYS } from './digestKql';
import { hubName } from '../alerts/hubName';
import type { GatheredDigest } from './gatherDigest';
import {
  deviceEventsQuery,
  logAnalyticsLink,
  type QueryLink,
  sdkDevicesQuery,
  siteDropsQuery,
} from './queryLinks';
import type { DigestLine, DigestReport, DigestSection } from './digestTypes';
import { activitySection, incidentsSection } from './hubSections';
import { NOT_READ, plural, thousands } from './wording';

export type { DigestLine, DigestReport, DigestSection, SectionId } from './digestTypes';

export const FAMILY_TITLES: Readonly<Record<DigestFamily, string>> = {
  'sas-token-expiry': 'Token renewals (harmless)',
  'device-or-network': 'Device or network',
  'iot-hub-transient': 'Hub-side',
  'duplicate-identity': 'Duplicate identity',
  'credential-rejected': 'Rejected credentials',
  'quota-exceeded': 'Hub quota used up',
  throttled: 'Throttled by the hub',
  'device-removed': 'Identity removed or disabled',
};
const FAMILY_ORDER: readonly DigestFamily[] = [
  'sas-token-expiry',
  'device-or-network',
  'iot-hub-transient',
  'quota-exceeded',
  'throttled',
  'duplicate-identity',
  'credential-rejected',
  'device-removed',
];

function trendOf(
  today: number,
  weekTotal: number,
  weekActive: number,
): {
  text: string;
  trend: 'up' | 'down' | 'flat' | 'unknown';
  weeklyAverage: number | null;
} {
  if (weekActive === 0) {
    return { text: 'no logs the week before to compare', trend: 'unknown', weeklyAverage: null };
  }
  const average = weekTotal / DIGEST_WEEK_DAYS;
  const rounded = Math.round(average * 10) / 10;
  if (average === 0) {
    return today === 0
      ? { text: 'none the week before either', trend: 'flat', weeklyAverage: 0 }
      : { text: 'none the week before', trend: 'up', weeklyAverage: 0 };
  }
  const ratio = today / average;
  const trend = ratio >= 1.25 ? 'up' : ratio <= 0.8 ? 'down' : 'flat';
  const word =
    trend === 'up'
      ? `↑ ${ratio.toFixed(1)}× `
      : trend === 'down'
        ? `↓ ${percent(1 - ratio)} below `
        : '≈ ';
  return {
    text: `${word}the ${thousands(rounded)}/day of the week before`,
    trend,
    weeklyAverage: rounded,
  };
}

/** The query that shows one device's Connections events of the day. */
function deviceLink(g: GatheredDigest, deviceId: string): QueryLink {
  return logAnalyticsLink(
    g.plan.hubResourceId,
    deviceEventsQuery(g.plan.hubResourceId, deviceId),
    g.plan.day,
  );
}

function causeOf(
  gathered: GatheredDigest,
  deviceId: string,
): { cause: Cause | null; text: string } {
  const diagnosis = gathered.causes.get(deviceId);
  if (!diagnosis) return { cause: null, text: '' };
  return {
    cause: diagnosis.cause,
    text: ` · likely ${CAUSE_TITLES[diagnosis.cause].toLowerCase()} (${percent(diagnosis.confidence)})`,
  };
}

function familiesSection(g: GatheredDigest, link: (q: string) => QueryLink): DigestSection {
  const { day, week } = g.figures;
  const base = { id: 'families' as const, title: 'Disconnects by cause' };
  if (!day || !week) return { ...base, summary: NOT_READ, lines: [], more: 0, missing: NOT_READ };
  const total = day.families.reduce((sum, f) => sum + f.drops, 0);
  const weekTotal = week.families.reduce((sum, f) => sum + f.drops, 0);
  const overall = trendOf(total, weekTotal, week.activeDevices);
  const query = g.plan.queries.find((q) => q.name === 'digestFamilies')?.query ?? '';
  const lines = FAMILY_ORDER.map((family): DigestLine => {
    const today = day.families.find((f) => f.family === family);
    const before = week.families.find((f) => f.family === family);
    const drops = today?.drops ?? 0;
    const trend = trendOf(drops, before?.drops ?? 0, week.activeDevices);
    return {
      text: `${FAMILY_TITLES[family]}: ${plural(drops, 'drop')} from ${plural(today?.devices ?? 0, 'device')}${total > 0 ? ` (${percent(drops / total)})` : ''}, ${trend.text}`,
      link: link(query),
      data: {
        family,
        drops,
        devices: today?.devices ?? 0,
        share: total > 0 ? Math.round((drops / total) * 1000) / 1000 : 0,
        weeklyAverage: trend.weeklyAverage,
        trend: trend.trend,
      },
    };
  });
  const renewals = day.families.find((f) => f.family === 'sas-token-expiry')?.drops ?? 0;
  return {
    ...base,
    summary:
      total === 0
        ? `No 404104 disconnects in the 24 hours (${plural(day.activeDevices, 'device')} logged).`
        : `${plural(total, '404104 disconnect')} from ${plural(day.activeDevices, 'active device')}; ${percent(renewals / total)} are harmless token renewals; ${overall.text}.`,
    lines,
    more: 0,
    link: link(query),
    fixed: true,
  };
}

function flappingSection(g: GatheredDigest): DigestSection {
  const base = { id: 'flapping' as const, title: 'Devices that flap most' };
  const flapping = g.figures.flapping;
  if (!flapping) return { ...base, summary: NOT_READ, lines: [], more: 0, missing: NOT_READ };
  const lines = flapping.rows.map((d): DigestLine => {
    const cause = causeOf(g, d.deviceId);
    const found = g.histories?.get(d.deviceId);
    const history = found && labelDeviceHistory(found);
    const back =
      d.notBack > 0
        ? 'not back after its last drop'
        : d.slowestReturnMinutes === undefined
          ? ''
          : `slowest return ${duration(d.slowestReturnMinutes * 60_000)}`;
    return {
      text: `${d.deviceId}: ${plural(d.unexplainedDrops, 'unexplained drop')}${d.drops > d.unexplainedDrops ? ` (${thousands(d.drops)} in all)` : ''}${back ? `, ${back}` : ''}${cause.text}${history ? ` · ${history.text}` : ''}`,
      link: deviceLink(g, d.deviceId),
      data: {
        deviceId: d.deviceId,
        drops: d.drops,
        unexplainedDrops: d.unexplainedDrops,
        slowestReturnMinutes:
          d.slowestReturnMinutes === undefined
            ? null
            : Math.round(d.slowestReturnMinutes * 10) / 10,
        notBack: d.notBack,
        lastDrop: d.lastDrop,
        likelyCause: cause.cause,
        history: history?.label ?? null,
        dropsIn30Days: history?.dropsIn30Days ?? null,
        dropsIn7Days: history?.dropsIn7Days ?? null,
      },
    };
  });
  return {
    ...base,
    summary:
      flapping.total === 0
        ? 'No device dropped for reasons other than token renewal or a hub incident.'
        : `${plural(flapping.total, 'device')} dropped for reasons other than token renewal or a hub incident.`,
    lines,
    more: Math.max(0, flapping.total - lines.length),
  };
}

/** Family, version and outdated floor of a `sdkVersion`, from the diagnosis's SDK table. */
function assessSdk(
  sdkVersion: string,
):
  | { name: string; version: string | undefined; outdated: boolean; minimum: string | undefined }
  | undefined {
  const parsed = parseSdkVersion(sdkVersion);
  if (!parsed) return undefined;
  return {
    name: parsed.family.name,
    version: parsed.version,
    outdated: parsed.outdated,
    minimum: parsed.family.minimum?.join('.'),
  };
}

function sdksSection(g: GatheredDigest): DigestSection {
  const base = { id: 'sdks' as const, title: 'Outdated SDKs' };
  const sdks = g.figures.sdks;
  if (!sdks) return { ...base, summary: NOT_READ, lines: [], more: 0, missing: NOT_READ };
  const assessed = sdks.rows.map((row) => ({ row, sdk: assessSdk(row.sdk) }));
  const outdated = assessed.filter((a) => a.sdk?.outdated === true);
  const devices = outdated.reduce((sum, a) => sum + a.row.devices, 0);
  const drops = outdated.reduce((sum, a) => sum + a.row.drops, 0);
  const lines = outdated.map(({ row, sdk }): DigestLine => ({
    text: `${sdk?.name ?? row.sdk} ${sdk?.version ?? ''} (below ${sdk?.minimum ?? '?'}): ${plural(row.devices, 'device')}, ${plural(row.drops, 'drop')}${sdks.drops > 0 ? ` (${percent(row.drops / sdks.drops)} of all drops)` : ''}`,
    link: logAnalyticsLink(
      g.plan.hubResourceId,
      sdkDevicesQuery(g.plan.hubResourceId, row.sdk),
      g.plan.day,
    ),
    data: {
      sdk: row.sdk,
      name: sdk?.name ?? null,
      version: sdk?.version ?? null,
      minimum: sdk?.minimum ?? null,
      devices: row.devices,
      droppingDevices: row.droppingDevices,
      drops: row.drops,
      share: sdks.drops > 0 ? Math.round((row.drops / sdks.drops) * 1000) / 1000 : 0,
    },
  }));
  const unlisted = Math.max(0, sdks.total - sdks.rows.length);
  return {
    ...base,
    summary:
      outdated.length === 0
        ? `No device announces an SDK below the floor (${plural(sdks.devices, 'device')}, ${plural(sdks.total, 'SDK version')}).`
        : `${plural(devices, 'device')} of ${thousands(sdks.devices)} run an SDK below the floor; they account for ${sdks.drops > 0 ? percent(drops / sdks.drops) : '0%'} of the ${plural(sdks.drops, 'drop')}.${unlisted > 0 ? ` ${plural(unlisted, 'rarer SDK version')} not checked.` : ''}`,
    lines,
    more: 0,
  };
}

function sitesSection(g: GatheredDigest): DigestSection {
  const base = { id: 'sites' as const, title: 'Sites with the most drops' };
  const sites = g.figures.sites;
  if (!sites) return { ...base, summary: NOT_READ, lines: [], more: 0, missing: NOT_READ };
  const lines = sites.rows.map((s): DigestLine => ({
    text: `${s.site}: ${plural(s.unexplainedDrops, 'unexplained drop')} from ${plural(s.droppingDevices, 'device')}`,
    link: logAnalyticsLink(
      g.plan.hubResourceId,
      siteDropsQuery(g.plan.hubResourceId, s.site),
      g.plan.day,
    ),
    data: {
      site: s.site,
      drops: s.drops,
      unexplainedDrops: s.unexplainedDrops,
      devices: s.devices,
      droppingDevices: s.droppingDevices,
    },
  }));
  return {
    ...base,
    summary:
      sites.total === 0
        ? 'No masked address had drops beyond token renewals and hub incidents.'
        : `${plural(sites.total, 'masked address', 'masked addresses')} had drops beyond token renewals and hub incidents.`,
    lines,
    more: Math.max(0, sites.total - lines.length),
  };
}

function stoppedSection(g: GatheredDigest): DigestSection {
  const base = { id: 'stopped' as const, title: 'Stopped connecting and not back' };
  const stopped = g.figures.stopped;
  if (!stopped) return { ...base, summary: NOT_READ, lines: [], more: 0, missing: NOT_READ };
  const lines = stopped.rows.map((d): DigestLine => {
    const cause = causeOf(g, d.deviceId);
    return {
      text: `${d.deviceId}: gone since ${clock(d.lastDisconnect)}${d.lastResult ? ` (${d.lastResult})` : ''}${d.failedConnects > 0 ? `, ${plural(d.failedConnects, 'failed connect')}` : ''}${cause.text}`,
      link: deviceLink(g, d.deviceId),
      data: {
        deviceId: d.deviceId,
        lastConnect: d.lastConnect,
        lastDisconnect: d.lastDisconnect,
        lastResult: d.lastResult,
        failedConnects: d.failedConnects,
        likelyCause: cause.cause,
      },
    };
  });
  return {
    ...base,
    summary:
      stopped.total === 0
        ? 'Every device that disconnected during the day came back.'
        : `${plural(stopped.total, 'device')} disconnected during the day and did not come back.`,
    lines,
    more: Math.max(0, stopped.total - lines.length),
  };
}

export function buildDigestReport(gathered: GatheredDigest, generatedAt: Date): DigestReport {
  const { plan } = gathered;
  const link = (query: string): QueryLink => logAnalyticsLink(plan.hubResourceId, query, plan.span);
  const sections = [
    familiesSection(gathered, link),
    flappingSection(gathered),
    sdksSection(gathered),
    sitesSection(gathered),
    stoppedSection(gathered),
    incidentsSection(gathered),
    activitySection(gathered.activity, gathered.activityWindow, gathered.gaps),
  ];
  const name = hubName(plan.hubResourceId);
  return {
    hubResourceId: plan.hubResourceId,
    hubName: name,
    day: plan.day,
    week: plan.week,
    headline: `Fleet health of ${name}, 24 h to ${plan.day.end.slice(0, 16).replace('T', ' ')} UTC`,
    sections,
    gaps: gathered.gaps,
    generatedAt: generatedAt.toISOString(),
  };
}
