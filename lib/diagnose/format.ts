/** Small, shared wording helpers for times, durations and counts. */

/** `05:12 UTC`. */
export function clock(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

/** `2026-11-20 05:12 UTC`. */
export function dateTime(iso: string): string {
  return `${iso.slice(0, 10)} ${clock(iso)}`;
}

/**
 * `between 05:12 and 05:40 UTC`, `at 05:12 UTC` when both ends fall in one minute, and the date
 * on the first end when the range crosses midnight. Never an empty or doubled range.
 */
export function timeRange(fromIso: string, toIso: string): string {
  const [first, last] = fromIso <= toIso ? [fromIso, toIso] : [toIso, fromIso];
  if (first.slice(0, 16) === last.slice(0, 16)) return `at ${clock(first)}`;
  const from = first.slice(0, 10) === last.slice(0, 10) ? first.slice(11, 16) : dateTime(first);
  return `between ${from} and ${last.slice(0, 10) === first.slice(0, 10) ? clock(last) : dateTime(last)}`;
}

/**
 * `05:12–05:40 UTC` (with the date first when `withDate`, or when the span crosses midnight), or
 * `05:12 UTC` when both ends fall in one minute: never `05:12–05:12`.
 */
export function clockSpan(fromIso: string, toIso: string, withDate = false): string {
  const [first, last] = fromIso <= toIso ? [fromIso, toIso] : [toIso, fromIso];
  const sameDay = first.slice(0, 10) === last.slice(0, 10);
  const start = withDate || !sameDay ? dateTime(first) : clock(first);
  if (first.slice(0, 16) === last.slice(0, 16)) return start;
  const end = sameDay ? clock(last) : dateTime(last);
  return `${start.slice(0, -4)}–${end}`;
}

/** `24 s`, `14 min`, `2 h 5 min`. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** How many usually do something, said as a person would: `about 15`, `fewer than one`. */
export function usually(expected: number): string {
  if (expected < 1) return 'fewer than one usually does';
  return `about ${Math.round(expected)} usually do`;
}

export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
