/**
 * A silence: matchers on what an IoT engineer thinks in (hub, device, module, site, SDK, cause,
 * scope, alert rule, severity), a time span or "until resolved", who made it and why. Pure data
 * and its parsing; what it matches is `silenceMatching.ts`.
 */

export const MATCHER_FIELDS = [
  'hub',
  'device',
  'module',
  'site',
  'sdk',
  'cause',
  'scope',
  'alertRule',
  'severity',
] as const;
export type MatcherField = (typeof MATCHER_FIELDS)[number];

/** `=` equals, `!=` differs, `=~` glob (`*`, `?`). */
export type MatcherOp = '=' | '!=' | '=~';

export interface Matcher {
  readonly field: MatcherField;
  readonly op: MatcherOp;
  readonly value: string;
}

/** What a silence holds until: a time, or the incident or alert it was made for. */
export type SilenceTarget =
  | { readonly kind: 'incident'; readonly id: string }
  | { readonly kind: 'alert'; readonly id: string };

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: string;
  /** The latest it lasts; an until-resolved silence also ends when its target does. */
  readonly endsAt: string;
  /** "Until resolved": it ends when this incident closes or this alert resolves. */
  readonly untilResolved?: SilenceTarget;
  readonly createdBy: string;
  readonly comment: string;
  readonly createdAt: string;
  /** Set when someone ended it early, or its target resolved. */
  readonly endedAt?: string;
  readonly endedBy?: string;
  /** Made deliberately broad (`--all`): no hub, device, module or site narrows it. */
  readonly all?: boolean;
  /** Where it came from: the API or CLI, a card's link, or a maintenance window. */
  readonly origin: 'api' | 'card' | 'maintenance';
}

export class MatcherSyntaxError extends Error {
  override name = 'MatcherSyntaxError';
}

/** Fields whose values are not case-sensitive (compared lower-cased). */
const CASE_FREE: readonly MatcherField[] = ['hub', 'cause', 'scope', 'severity', 'site', 'sdk'];

export function normaliseValue(field: MatcherField, value: string): string {
  return CASE_FREE.includes(field) ? value.toLowerCase() : value;
}

/** `site=81.2.69.XXX`, `cause!=duplicate-identity`, `device=~pump-*`. */
export function parseMatcher(text: string): Matcher {
  const match = /^([A-Za-z]+)(=~|!=|=)(.*)$/s.exec(text.trim());
  if (!match) throw new MatcherSyntaxError('a matcher is field=value, field!=value or field=~glob');
  const [, rawField = '', op = '=', value = ''] = match;
  const field = MATCHER_FIELDS.find((f) => f.toLowerCase() === rawField.toLowerCase());
  if (field === undefined) {
    throw new MatcherSyntaxError(`unknown field; use one of ${MATCHER_FIELDS.join(', ')}`);
  }
  if (value.length === 0) throw new MatcherSyntaxError(`${field} needs a value`);
  return { field, op: op as MatcherOp, value: normaliseValue(field, value) };
}

export function formatMatcher(matcher: Matcher): string {
  return `${matcher.field}${matcher.op}${matcher.value}`;
}
