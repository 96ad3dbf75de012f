/**
 * The alert an identity that stayed away becomes, so that it goes through the same pipeline as an
 * Azure Monitor alert (evidence, diagnosis, incident policy, render, deliver); and the Resolved
 * that follows it when the identity comes back.
 */

import type { Alert } from '../alerts/alert';
import { identityLabel } from './connectionEvent';
import type { ConnectionCheck } from './identityState';

/** The name cards and logs give these alerts' "rule": there is no alert rule behind them. */
export const OFFLINE_RULE = 'Device offline (IoT Hub connection events)';

/**
 * One id per drop: the hub's ARM ID, the identity and the drop's sequence number. It does not
 * start with `/subscriptions/`, so no card links it to the Azure portal's alert page.
 */
export function offlineAlertId(
  check: Pick<ConnectionCheck, 'hubResourceId' | 'deviceId' | 'moduleId' | 'dropSequence'>,
): string {
  const identity = [check.deviceId, check.moduleId]
    .filter((part): part is string => part !== undefined)
    .map(encodeURIComponent)
    .join('/modules/');
  return `eventgrid:${check.hubResourceId}/devices/${identity}/drops/${check.dropSequence.toUpperCase()}`;
}

const DROP_ROW_LEAD_MS = 2 * 60_000;

function shift(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

function minutes(seconds: number): string {
  const value = Math.round((seconds / 60) * 10) / 10;
  return `${value} min`;
}

/**
 * The still-away identity as a Fired alert. Its window runs from the drop to now, so the evidence
 * reads the drop and whatever the logs hold since.
 */
export function offlineAlert(check: ConnectionCheck, now: Date, logsArrived: boolean): Alert {
  const who = identityLabel(check);
  const module =
    check.moduleId === undefined ? '' : ` (module identity of device ${check.deviceId})`;
  return {
    id: offlineAlertId(check),
    rule: OFFLINE_RULE,
    severity: 'Sev3',
    condition: 'Fired',
    signal: 'connection-event',
    monitoringService: 'IoT Hub connection events',
    description: `${who}${module} has been offline for more than ${minutes(check.graceSeconds)} since ${check.droppedAt}.`,
    firedAt: now.toISOString(),
    // The hub's own drop row can precede the snapshot that reported it by up to a minute.
    window: { start: shift(check.droppedAt, -DROP_ROW_LEAD_MS), end: now.toISOString() },
    hubResourceIds: [check.hubResourceId],
    deviceIds: [check.deviceId],
    dimensions: [],
    customProperties: {},
    isDisconnectAlert: true,
    connection: {
      ...(check.moduleId !== undefined && { moduleId: check.moduleId }),
      droppedAt: check.droppedAt,
      dropSequence: check.dropSequence,
      graceSeconds: check.graceSeconds,
      logsArrived,
    },
  };
}

/** The identity is back: the Resolved of its offline alert (same id), for the follow-up. */
export function returnedAlert(check: ConnectionCheck, now: Date): Alert {
  const returnedAt = check.returnedAt ?? now.toISOString();
  const fired = offlineAlert(check, new Date(check.droppedAt), true);
  return {
    ...fired,
    condition: 'Resolved',
    resolvedAt: returnedAt,
    description: `${identityLabel(check)} is back (connected ${returnedAt}).`,
    window: { start: fired.window.start, end: returnedAt },
    connection: {
      ...(check.moduleId !== undefined && { moduleId: check.moduleId }),
      droppedAt: check.droppedAt,
      dropSequence: check.dropSequence,
      graceSeconds: check.graceSeconds,
      returnedAt,
    },
  };
}
