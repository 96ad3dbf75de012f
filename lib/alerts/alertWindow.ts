/**
 * The evaluation window an alert payload describes, read from whichever fields its schema sends
 * (start, end, size), filled in from the fired time when some are missing. Bounding it is
 * `clampWindow`'s job (`alertScope.ts`).
 */

import { UnprocessableAlertError } from '../common/errors';
import type { TimeWindow } from './alert';
import { parseAlertTimestamp, parseIsoDuration } from './duration';

const DEFAULT_WINDOW_MS = 15 * 60_000;

/** The window of a metric or Log Alerts V2 condition; a malformed time or size is refused (422). */
export function windowOf(
  condition: {
    windowSize?: string | null | undefined;
    windowStartTime?: string | null | undefined;
    windowEndTime?: string | null | undefined;
  },
  firedAt: string,
  prefix: string,
): TimeWindow {
  const parseOrThrow = (value: string | null | undefined, field: string): string | undefined => {
    if (value === null || value === undefined || value === '') return undefined;
    const parsed = parseAlertTimestamp(value);
    if (parsed === undefined) {
      const path = `${prefix}.condition.${field}`;
      throw new UnprocessableAlertError(`${path}: must be an ISO 8601 date-time`, path);
    }
    return parsed;
  };
  const start = parseOrThrow(condition.windowStartTime, 'windowStartTime');
  const end = parseOrThrow(condition.windowEndTime, 'windowEndTime');
  let size: number | undefined;
  if (condition.windowSize) {
    size = parseIsoDuration(condition.windowSize);
    if (size === undefined) {
      const path = `${prefix}.condition.windowSize`;
      throw new UnprocessableAlertError(
        `${path}: must be an ISO 8601 duration such as PT15M`,
        path,
      );
    }
  }
  return resolveWindow(start, end, size, firedAt);
}

/** The evaluation window: as sent, else derived from the size and the fired time. */
export function resolveWindow(
  start: string | undefined,
  end: string | undefined,
  sizeMs: number | undefined,
  firedAt: string,
): TimeWindow {
  const size = sizeMs ?? DEFAULT_WINDOW_MS;
  const endTime = end ?? (start ? new Date(Date.parse(start) + size).toISOString() : firedAt);
  const startTime = start ?? new Date(Date.parse(endTime) - size).toISOString();
  return Date.parse(startTime) <= Date.parse(endTime)
    ? { start: startTime, end: endTime }
    : { start: endTime, end: startTime };
}
