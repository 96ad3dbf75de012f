/** Small wording helpers of the digest. */

export const NOT_READ = 'not read: the query failed (see the gaps below)';

export function n(value: number): string {
  return value.toLocaleString('en-US');
}

/** `1,250,800 drops`: counts in a digest run large, so they get thousands separators. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${n(count)} ${count === 1 ? one : many}`;
}
