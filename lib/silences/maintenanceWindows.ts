/**
 * Maintenance windows: silences that recur every week in UTC (Flex Consumption has no time zone
 * setting), e.g. every Sunday 02:00–04:00 for one hub. Configured as `MAINTENANCE_WINDOWS`
 * (JSON); each occurrence acts as a silence of origin `maintenance` while it lasts.
 */

import { type Matcher, parseMatcher, type Silence } from './silence';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface MaintenanceWindow {
  readonly name: string;
  readonly matchers: readonly Matcher[];
  readonly days: readonly Weekday[];
  /** Minutes after midnight UTC. */
  readonly startMinute: number;
  /** Minutes the window lasts (it may run past midnight). */
  readonly minutes: number;
}

/** One problem with the setting, with the path of the field at fault. */
export interface WindowProblem {
  readonly path: string;
  readonly problem: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;

function minuteOf(text: unknown): number | undefined {
  const match = typeof text === 'string' ? TIME.exec(text) : null;
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * Reads `[{"name", "matchers": ["hub=..."], "days": ["sun"], "start": "02:00", "end": "04:00"}]`.
 * Every window must narrow to a hub, device, module or site, as a silence must.
 */
export function parseMaintenanceWindows(text: string | undefined): {
  windows: MaintenanceWindow[];
  problems: WindowProblem[];
} {
  const problems: WindowProblem[] = [];
  if (text === undefined || text.trim() === '') return { windows: [], problems };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { windows: [], problems: [{ path: '', problem: 'is not JSON' }] };
  }
  if (!Array.isArray(value))
    return { windows: [], problems: [{ path: '', problem: 'must be a JSON array' }] };
  const windows: MaintenanceWindow[] = [];
  value.forEach((raw: unknown, index) => {
    const at = (field: string): string => `[${index}]${field === '' ? '' : `.${field}`}`;
    if (typeof raw !== 'object' || raw === null) {
      problems.push({ path: at(''), problem: 'must be an object' });
      return;
    }
    const entry = raw as Record<string, unknown>;
    const name =
      typeof entry.name === 'string' && entry.name.trim() !== '' ? entry.name.trim() : undefined;
    if (name === undefined) problems.push({ path: at('name'), problem: 'is missing' });
    const matchers: Matcher[] = [];
    if (!Array.isArray(entry.matchers) || entry.matchers.length === 0) {
      problems.push({ path: at('matchers'), problem: 'must list at least one matcher' });
    } else {
      entry.matchers.forEach((m: unknown, i) => {
        try {
          matchers.push(parseMatcher(String(m)));
        } catch (error: unknown) {
          problems.push({
            path: at(`matchers[${i}]`),
            problem: error instanceof Error ? error.message : 'invalid',
          });
        }
      });
      if (
        !matchers.some(
          (m) => ['hub', 'device', 'module', 'site'].includes(m.field) && m.op !== '!=',
        )
      ) {
        problems.push({ path: at('matchers'), problem: 'must name a hub, device, module or site' });
      }
    }
    const days = Array.isArray(entry.days)
      ? entry.days.map((d: unknown) => String(d).slice(0, 3).toLowerCase())
      : [];
    if (
      days.length === 0 ||
      !days.every((d): d is Weekday => (WEEKDAYS as readonly string[]).includes(d))
    ) {
      problems.push({ path: at('days'), problem: `must list days among ${WEEKDAYS.join(', ')}` });
    }
    const start = minuteOf(entry.start);
    const end = minuteOf(entry.end);
    if (start === undefined) problems.push({ path: at('start'), problem: 'must be HH:MM (UTC)' });
    if (end === undefined) problems.push({ path: at('end'), problem: 'must be HH:MM (UTC)' });
    if (name !== undefined && start !== undefined && end !== undefined && start !== end) {
      windows.push({
        name,
        matchers,
        days: days as Weekday[],
        startMinute: start,
        minutes: end > start ? end - start : end + 1440 - start,
      });
    } else if (start !== undefined && start === end) {
      problems.push({ path: at('end'), problem: 'must differ from start' });
    }
  });
  return { windows: problems.length === 0 ? windows : [], problems };
}

/** The occurrence of the window that covers `now`, as a silence; undefined outside it. */
export function occurrenceAt(window: MaintenanceWindow, now: Date): Silence | undefined {
  const time = now.getTime();
  const midnight = Math.floor(time / DAY_MS) * DAY_MS;
  // Today's occurrence, or yesterday's when it runs past midnight.
  for (const dayStart of [midnight, midnight - DAY_MS]) {
    const day = WEEKDAYS[new Date(dayStart).getUTCDay()];
    if (day === undefined || !window.days.includes(day)) continue;
    const start = dayStart + window.startMinute * 60_000;
    const end = start + window.minutes * 60_000;
    if (start <= time && time < end) {
      const startsAt = new Date(start).toISOString();
      return {
        id: `maintenance:${window.name}:${startsAt}`,
        matchers: window.matchers,
        startsAt,
        endsAt: new Date(end).toISOString(),
        createdBy: 'maintenance window',
        comment: window.name,
        createdAt: startsAt,
        origin: 'maintenance',
      };
    }
  }
  return undefined;
}
