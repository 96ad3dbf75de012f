/**
 * Drops `undefined` members, so that objects built from optional sources fit
 * `exactOptionalPropertyTypes` (an absent key, never a key holding `undefined`).
 */
export function withoutUndefined<T extends object>(value: {
  [K in keyof T]: T[K] | undefined;
}): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
