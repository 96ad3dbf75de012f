/** The rows of evidence a message shows as a table: device events, or hub activity per bin. */

import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import { clock } from '../diagnose/format';
import { WINDOW_MARGIN_MINUTES } from '../evidence/kql';

export interface TimelineTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export const TIMELINE_ROWS = 12;

function eventLabel(operation: string, resultType: string, description: string): string {
  const verb =
    operation === 'deviceConnect'
      ? 'connect'
      : operation === 'deviceDisconnect'
        ? 'disconnect'
        : operation;
  return resultType === '' ? verb : `${verb} ${resultType} ${description}`.trim();
}

/** The device's events leading up to and just after the drop, or the hub's activity per bin. */
export function timelineOf(
  report: EnrichedAlert,
  maxRows = TIMELINE_ROWS,
): TimelineTable | undefined {
  const { diagnosis, evidence } = report;
  if (!diagnosis || !evidence) return undefined;
  const windowEnd = Date.parse(evidence.alertWindow.end) + WINDOW_MARGIN_MINUTES * 60_000;

  if (diagnosis.scope === 'device') {
    const device = diagnosis.devices[0];
    const events = evidence.deviceEvents.filter(
      (e) => e.deviceId === device && Date.parse(e.time) <= windowEnd + 10 * 60_000,
    );
    if (events.length === 0) return undefined;
    return {
      title: `Timeline of ${device ?? 'the device'} (last ${Math.min(maxRows, events.length)} events)`,
      columns: ['Time (UTC)', 'Event', 'Address'],
      rows: events
        .slice(-maxRows)
        .map((e) => [
          `${e.time.slice(5, 10)} ${clock(e.time).replace(' UTC', '')}:${e.time.slice(17, 19)}`,
          eventLabel(e.operation, e.resultType, e.resultDescription),
          e.maskedIpAddress ?? '',
        ]),
    };
  }

  const windowStart = Date.parse(evidence.alertWindow.start) - 30 * 60_000;
  const bins = evidence.fleetActivity.filter((b) => {
    const start = Date.parse(b.start);
    return start >= windowStart && start <= windowEnd + 15 * 60_000;
  });
  if (bins.length === 0) return undefined;
  return {
    title: 'Hub activity per 5 minutes',
    columns: ['From (UTC)', 'Devices dropped', 'Server errors', 'Connects'],
    rows: bins
      .slice(-maxRows)
      .map((b) => [
        clock(b.start).replace(' UTC', ''),
        String(b.disconnectedDevices),
        String(b.serverErrors),
        String(b.connects),
      ]),
  };
}
