/**
 * An alert's headline, notes and fact rows (cause, scope, devices, history, hub, rule, window),
 * worded once: the card shows the rows as its FactSet, the text as `title: value` lines.
 */

import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import { titleOf } from '../diagnose/diagnosis';
import { clockSpan, dateTime, duration, percent } from '../diagnose/format';
import type { Fact } from './adaptiveCard';
import { historyFactValue } from './historyFacts';
import { hubName } from '../alerts/hubName';

/** Most device IDs a message lists; the count says the rest. */
export const LISTED_DEVICE_IDS = 10;

export function headline(report: EnrichedAlert): string {
  const prefix = report.alert.condition === 'Resolved' ? 'Resolved: ' : '';
  if (report.notEnrichedReason !== undefined) return `${prefix}${report.alert.rule} (not enriched)`;
  if (!report.diagnosis) return `${prefix}${report.alert.rule} (not a device-disconnect alert)`;
  return `${prefix}${titleOf(report.diagnosis)}`;
}

/** Why an undiagnosed alert carries no diagnosis; `undefined` when it has one. */
export function noDiagnosisNote(report: EnrichedAlert): string | undefined {
  if (report.notEnrichedReason !== undefined) {
    return `The enricher could not analyse this alert (${report.notEnrichedReason}), so it is delivered as received. Open the logs to investigate.`;
  }
  if (report.diagnosis) return undefined;
  return `This ${report.alert.monitoringService} alert is not about device connections, so it is passed on without a diagnosis.`;
}

/**
 * What an alert made from connection events says before anything else: how it was heard, a
 * module identity named as such, and, plainly, when the logs had not arrived.
 */
export function connectionNote(report: EnrichedAlert): string | undefined {
  const { alert } = report;
  const connection = alert.connection;
  if (connection === undefined) return undefined;
  const device = alert.deviceIds[0] ?? 'the device';
  const who =
    connection.moduleId === undefined
      ? device
      : `Module ${connection.moduleId} of device ${device} (a module identity, such as an IoT Edge module: it connects on its own, apart from its device)`;
  if (alert.condition === 'Resolved') {
    const away =
      connection.returnedAt === undefined
        ? ''
        : `, after ${duration(Date.parse(connection.returnedAt) - Date.parse(connection.droppedAt))} away`;
    return `${who} is connected again${away}.`;
  }
  const grace = duration(connection.graceSeconds * 1000);
  const heard = `${who} disconnected at ${dateTime(connection.droppedAt)} (IoT Hub connection event) and has been offline for more than ${grace}.`;
  return connection.logsArrived === false
    ? `${heard} Its disconnect had not reached the Log Analytics workspace when this was posted, so the verdict rests only on the logs before it.`
    : heard;
}

/** The low-confidence note: which signal would have changed the verdict. */
export function wouldChangeNote(report: EnrichedAlert): string | undefined {
  const note = report.diagnosis?.wouldChange;
  return note === undefined ? undefined : `Not sure: ${note}`;
}

export function deviceList(devices: readonly string[]): string {
  if (devices.length === 0) return 'none named';
  const shown = devices.slice(0, LISTED_DEVICE_IDS).join(', ');
  return devices.length > LISTED_DEVICE_IDS
    ? `${shown} and ${devices.length - LISTED_DEVICE_IDS} more`
    : shown;
}

export function alertFacts(report: EnrichedAlert): Fact[] {
  const { alert, diagnosis } = report;
  const facts: Fact[] = [];
  if (diagnosis) {
    facts.push(
      { title: 'Cause', value: `${diagnosis.cause} (${percent(diagnosis.confidence)} confidence)` },
      { title: 'Scope', value: diagnosis.scope },
      { title: 'Devices', value: deviceList(diagnosis.devices) },
    );
    if (diagnosis.reconnected !== undefined) {
      facts.push({
        title: 'Reconnected',
        value: diagnosis.reconnected ? 'yes' : 'no: still offline in the logs read',
      });
    }
  }
  const history = historyFactValue(report);
  if (history !== undefined) facts.push({ title: 'History', value: history });
  const connection = alert.connection;
  if (connection?.moduleId !== undefined) {
    facts.push({
      title: 'Identity',
      value: `module ${connection.moduleId} of device ${alert.deviceIds[0] ?? ''} (its own identity)`,
    });
  }
  if (connection !== undefined) {
    facts.push({ title: 'Offline since', value: dateTime(connection.droppedAt) });
    if (connection.logsArrived === false) {
      facts.push({ title: 'Logs', value: 'the disconnect had not arrived in the workspace' });
    }
  }
  facts.push(
    { title: 'IoT hub', value: alert.hubResourceIds.map(hubName).join(', ') || 'unknown' },
    { title: 'Alert rule', value: `${alert.rule} (${alert.severity}, ${alert.condition})` },
    {
      title: 'Window',
      value: clockSpan(alert.window.start, alert.window.end, true),
    },
  );
  if (alert.metric) {
    const value = alert.metric.value === undefined ? '' : ` = ${alert.metric.value}`;
    const threshold =
      alert.metric.threshold === undefined
        ? ''
        : ` (${alert.metric.operator ?? ''} ${alert.metric.threshold})`;
    facts.push({ title: 'Metric', value: `${alert.metric.metricName}${value}${threshold}` });
  }
  return facts;
}
