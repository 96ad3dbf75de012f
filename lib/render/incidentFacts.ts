/**
 * The words every channel uses for incidents, quiet renewals and Resolved follow-ups: titles,
 * summaries, fact rows and links. Pure: it words what the messages carry.
 */

import { CAUSE_TITLES, type Cohort } from '../diagnose/diagnosis';
import { clock, dateTime, duration, percent, plural } from '../diagnose/format';
import type { IncidentRecord } from '../incidents/incident';
import type {
  CompactAlertMessage,
  DeviceAway,
  IncidentMessage,
  ResolvedMessage,
} from '../incidents/outgoingMessage';
import { hubName } from '../alerts/hubName';
import { type Link, linksFor } from './links';
import type { Fact } from './adaptiveCard';
import { deviceList } from './alertFacts';

const PORTAL = 'https://portal.azure.com/#@/resource';

export function cohortText(cohort: Cohort | undefined): string | undefined {
  if (!cohort) return undefined;
  const what = { site: 'site (masked address)', sdk: 'SDK', protocol: 'protocol' }[cohort.kind];
  return `${what} ${cohort.value}`;
}

export function incidentTitle(message: IncidentMessage): string {
  const { incident } = message;
  const verb = { opened: 'Incident', updated: 'Incident update', closed: 'Incident closed' }[
    message.event
  ];
  return `${verb}: ${CAUSE_TITLES[incident.cause]} on ${hubName(incident.hubResourceId)}`;
}

/** Devices that joined since the card before this one. */
export function newDevices(incident: IncidentRecord): string[] {
  return incident.devices.slice(incident.previousDeviceCount ?? 0, incident.devicesAtLastPost);
}

export function newSites(incident: IncidentRecord): string[] {
  return incident.sites.slice(incident.previousSiteCount ?? 0, incident.sitesAtLastPost);
}

/** Incident length: from the first drop to the devices' return (or to the close). */
export function incidentDurationMs(incident: IncidentRecord): number | undefined {
  const end = incident.backAt ?? incident.closedAt;
  return end === undefined
    ? undefined
    : Math.max(0, Date.parse(end) - Date.parse(incident.startedAt));
}

export function incidentSummary(message: IncidentMessage): string {
  const { incident } = message;
  const alerts = plural(incident.alertCount, 'alert');
  if (message.event === 'closed') {
    const length = incidentDurationMs(incident);
    const back =
      incident.backAt !== undefined
        ? `devices back at ${clock(incident.backAt)}`
        : 'return of the devices not measured';
    return `Over: ${plural(incident.deviceCount, 'device')} affected from ${dateTime(incident.startedAt)}${length === undefined ? '' : `, for ${duration(length)}`}; ${back}. ${alerts} joined this incident. Closed because ${incident.closeReason ?? 'it ended'}.`;
  }
  if (message.event === 'updated') {
    const added = incident.devicesAtLastPost - (incident.previousDeviceCount ?? 0);
    const since =
      incident.previousPostedAt !== undefined ? ` since ${clock(incident.previousPostedAt)}` : '';
    return `Still going: ${plural(incident.deviceCount, 'device')} alerted so far (+${added}${since}), ${alerts} so far. ${incident.summary}`;
  }
  return `Further alerts for this incident are folded into it: an update follows while devices keep joining, and a closing card when it ends.`;
}

export function incidentFacts(message: IncidentMessage): Fact[] {
  const { incident } = message;
  const facts: Fact[] = [
    { title: 'Incident', value: incident.id },
    { title: 'IoT hub', value: hubName(incident.hubResourceId) },
    { title: 'Cause', value: `${incident.cause} (${incident.scope})` },
  ];
  const cohort = cohortText(incident.cohort);
  if (cohort !== undefined) facts.push({ title: 'Cohort', value: cohort });
  facts.push({ title: 'Started', value: dateTime(incident.startedAt) });
  facts.push({
    title: 'Devices',
    value: `${incident.deviceCount}: ${deviceList(incident.devices)}`,
  });
  if (message.event === 'updated') {
    facts.push({ title: 'New devices', value: deviceList(newDevices(incident)) });
    const sites = newSites(incident);
    if (sites.length > 0) facts.push({ title: 'New sites', value: sites.join(', ') });
  }
  if (incident.sites.length > 0 && message.event !== 'updated') {
    facts.push({ title: 'Sites', value: incident.sites.slice(0, 10).join(', ') });
  }
  if (message.event === 'closed') {
    const length = incidentDurationMs(incident);
    if (length !== undefined) facts.push({ title: 'Duration', value: duration(length) });
    facts.push({
      title: 'Back',
      value: incident.backAt !== undefined ? dateTime(incident.backAt) : 'not measured',
    });
    facts.push({
      title: 'Resolved',
      value: `${incident.resolvedCount} of ${incident.deviceCount} devices`,
    });
  }
  return facts;
}

export function incidentLinks(incident: IncidentRecord): Link[] {
  const links: Link[] = [];
  if (incident.logsLink !== undefined)
    links.push({ title: 'Open the logs', url: incident.logsLink });
  links.push({ title: 'Open the IoT hub', url: `${PORTAL}${incident.hubResourceId}/overview` });
  return links;
}

/** The drop curve shows this long before the incident's start, for the usual rate. */
const CURVE_LEAD_MS = 20 * 60_000;

/** Table rows of the drop curve: time, devices dropped, connected devices. */
export function dropCurveRows(incident: IncidentRecord): string[][] {
  const from = Date.parse(incident.startedAt) - CURVE_LEAD_MS;
  const shown = incident.dropCurve.filter((point) => Date.parse(point.start) >= from);
  return (shown.length > 0 ? shown : incident.dropCurve).map((point) => [
    clock(point.start),
    String(point.devices),
    point.connected === undefined ? '' : String(Math.round(point.connected)),
  ]);
}

export function awayMs(away: DeviceAway): number | undefined {
  return away.droppedAt !== undefined && away.backAt !== undefined
    ? Date.parse(away.backAt) - Date.parse(away.droppedAt)
    : undefined;
}

/** One line for a SAS renewal whose devices came back: each device and its return. */
export function renewalLine(message: CompactAlertMessage): string {
  const { report } = message;
  const hub = hubName(report.alert.hubResourceIds[0] ?? '');
  const devices = message.away.map((a) => {
    const ms = awayMs(a);
    return ms === undefined
      ? a.deviceId
      : `${a.deviceId} back after ${duration(ms)} (${clock(a.droppedAt ?? '')})`;
  });
  const cause = report.diagnosis ? CAUSE_TITLES[report.diagnosis.cause] : 'SAS token renewal';
  return `${cause}: ${devices.join(', ') || report.alert.rule}${hub ? ` on ${hub}` : ''}`;
}

function awayText(away: DeviceAway): string {
  const ms = awayMs(away);
  if (ms !== undefined && away.droppedAt !== undefined && away.backAt !== undefined) {
    return `${away.deviceId} was away ${duration(ms)} (dropped ${away.droppedAt.slice(11, 19)}, back ${away.backAt.slice(11, 19)} UTC)`;
  }
  if (away.droppedAt !== undefined) {
    return `${away.deviceId} dropped at ${away.droppedAt.slice(11, 19)} UTC; no reconnect in the logs read yet`;
  }
  return `${away.deviceId}: no drop in the logs read`;
}

export function resolvedTitle(message: ResolvedMessage): string {
  const { alert } = message.report;
  const who =
    alert.deviceIds.length > 0
      ? deviceList(alert.deviceIds)
      : hubName(alert.hubResourceIds[0] ?? '');
  return `Resolved: ${who || alert.rule}`;
}

export function resolvedSummary(message: ResolvedMessage): string {
  const { alert, diagnosis } = message.report;
  const { original } = message;
  const fired = `The alert ${alert.rule} fired ${dateTime(original?.firedAt ?? alert.firedAt)}`;
  const away = message.away.slice(0, 3).map(awayText).join('; ');
  const verdict = original
    ? `Its verdict then: ${CAUSE_TITLES[original.cause]} (${original.scope}, ${percent(original.confidence)} confidence).`
    : diagnosis
      ? `Verdict now (the fired alert was not seen by this enricher): ${CAUSE_TITLES[diagnosis.cause]} (${diagnosis.scope}, ${percent(diagnosis.confidence)} confidence).`
      : '';
  const resolved = alert.resolvedAt !== undefined ? ` and resolved ${clock(alert.resolvedAt)}` : '';
  return `${fired}${resolved}. ${away ? `${away}. ` : ''}${verdict}`.trim();
}

export function resolvedFacts(message: ResolvedMessage): Fact[] {
  const { alert } = message.report;
  const facts: Fact[] = [
    { title: 'Alert rule', value: `${alert.rule} (${alert.severity})` },
    { title: 'Fired', value: dateTime(message.original?.firedAt ?? alert.firedAt) },
  ];
  if (alert.resolvedAt !== undefined)
    facts.push({ title: 'Resolved', value: dateTime(alert.resolvedAt) });
  const first = message.away[0];
  const ms = first ? awayMs(first) : undefined;
  if (ms !== undefined) facts.push({ title: 'Away', value: duration(ms) });
  if (message.original) facts.push({ title: 'Verdict then', value: message.original.cause });
  return facts;
}

export function resolvedLinks(message: ResolvedMessage): Link[] {
  return linksFor(message.report.alert);
}
