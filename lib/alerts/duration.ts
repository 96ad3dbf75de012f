/** ISO 8601 durations as Azure Monitor writes them (`PT5M`, `PT1H`, `P1D`, `PT1H30M`). */

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Milliseconds, or `undefined` when the text is not a duration Azure Monitor would send. */
export function parseIsoDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim().toUpperCase() === 'P' || text.trim().toUpperCase() === 'PT') {
    return undefined;
  }
  const [, days, hours, minutes, seconds] = match;
  const total =
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000;
  return total > 0 ? total : undefined;
}

/**
 * Parses the timestamps alerts carry: ISO 8601, or the older log alerts' `M/d/yyyy h:mm:ss AM`
 * (always UTC). Returns an ISO string or `undefined`.
 */
export function parseAlertTimestamp(text: string): string | undefined {
  const us =
    /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))? ?([AP]M)$/i.exec(
      text.trim(),
    );
  if (us) {
    const [, month, day, year, hour, minute, second, fraction, half] = us;
    let hour24 = Number(hour) % 12;
    if (half?.toUpperCase() === 'PM') hour24 += 12;
    const ms = Number(`0.${fraction ?? '0'}`) * 1000;
    const time = Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      hour24,
      Number(minute),
      Number(second),
      Math.round(ms),
    );
    return Number.isNaN(time) ? undefined : new Date(time).toISOString();
  }
  // ISO 8601 with an explicit zone, or none (Azure Monitor times are UTC).
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text.trim())) return undefined;
  const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text.trim()) ? text.trim() : `${text.trim()}Z`;
  const time = Date.parse(withZone);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
