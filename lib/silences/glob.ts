/**
 * Glob matching (`*` any run, `?` one character) without regular expressions: linear in the
 * text for each pattern position, with both lengths capped, so no pattern a user types can hang
 * the policy.
 */

export const MAX_PATTERN_LENGTH = 200;
export const MAX_TEXT_LENGTH = 1024;

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Case-sensitive, as IoT Hub device IDs are; callers lower-case fields that are not. */
export function globMatches(pattern: string, text: string): boolean {
  if (pattern.length > MAX_PATTERN_LENGTH || text.length > MAX_TEXT_LENGTH) return false;
  // The classic two-pointer walk with one back-track point: O(pattern × text) at worst.
  let p = 0;
  let t = 0;
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === text[t])) {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      starText = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
