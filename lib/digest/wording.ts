/** Small wording helpers of the digest. */

export const NOT_READ = 'not read: the query failed (see the gaps below)';

/** `1,250,800`: counts in a digest run large, so they get thousands separators. */
export function thousands(value: number): string {
  return value.toLocaleString('en-US');
}

/** `1,250,800 drops`: the count with thousands separators, and the noun in the right number. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${thousands(count)} ${count === 1 ? one : many}`;
}
