/**
 * Which active silences hold back a message. Pure and cheap: a thousand silences cost well under
 * a millisecond per alert (`npm run bench`).
 *
 * A silence holds a message back only when every one of its matchers holds for it:
 * - a field the message does not know (no site read, no cause) never matches `=` or a glob;
 * - a field with several values (the devices, sites and SDKs of an incident) matches `=` or a
 *   glob only when every value does, and `!=` only when none does: a silence for one device does
 *   not hide an alert about two;
 * - the cause guard: a silence that names no cause never hides the device faults someone must
 *   act on now (a duplicate identity, a rejected credential). To silence those, name the cause.
 */

import { globMatches } from './glob';
import { type Matcher, type MatcherField, normaliseValue, type Silence } from './silence';

/** What a message is about, in the matchers' terms. */
export interface SilenceSubject {
  /** Lower-cased IoT hub ARM resource ID. */
  readonly hub?: string;
  readonly devices: readonly string[];
  readonly modules: readonly string[];
  /** Masked addresses (`81.2.69.XXX`). */
  readonly sites: readonly string[];
  readonly sdks: readonly { readonly family: string; readonly version: string }[];
  readonly cause?: string;
  readonly scope?: string;
  readonly alertRule?: string;
  readonly severity?: string;
}

/** Causes a silence hides only when it names them. */
export const GUARDED_CAUSES: readonly string[] = ['duplicate-identity', 'credential-rejected'];

function matchesOne(matcher: Matcher, value: string): boolean {
  const text = normaliseValue(matcher.field, value);
  return matcher.op === '=~' ? globMatches(matcher.value, text) : text === matcher.value;
}

/** The values a field has for the subject; a hub is known by its name and by its ID. */
function valuesOf(subject: SilenceSubject, field: MatcherField): readonly (readonly string[])[] {
  switch (field) {
    case 'hub':
      return subject.hub === undefined ? [] : [[subject.hub, subject.hub.split('/').pop() ?? '']];
    case 'device':
      return subject.devices.map((d) => [d]);
    case 'module':
      return subject.modules.map((m) => [m]);
    case 'site':
      return subject.sites.map((s) => [s]);
    case 'sdk':
      return subject.sdks.map((s) => [s.family, s.version]);
    case 'cause':
    case 'scope':
    case 'alertRule':
    case 'severity': {
      const value = subject[field];
      return value === undefined ? [] : [[value]];
    }
  }
}

export function matcherHolds(matcher: Matcher, subject: SilenceSubject): boolean {
  // Each value is one thing (a device) with one or more names (an SDK's family and version).
  const values = valuesOf(subject, matcher.field);
  const named = (names: readonly string[]): boolean =>
    names.some((name) =>
      matchesOne({ ...matcher, op: matcher.op === '!=' ? '=' : matcher.op }, name),
    );
  if (matcher.op === '!=') return !values.some(named);
  return values.length > 0 && values.every(named);
}

export function isActive(silence: Silence, now: Date): boolean {
  const time = now.getTime();
  return (
    Date.parse(silence.startsAt) <= time &&
    time < Date.parse(silence.endsAt) &&
    (silence.endedAt === undefined || time < Date.parse(silence.endedAt))
  );
}

export function silenceHolds(silence: Silence, subject: SilenceSubject): boolean {
  const namesCause = silence.matchers.some((m) => m.field === 'cause' && m.op !== '!=');
  if (!namesCause && subject.cause !== undefined && GUARDED_CAUSES.includes(subject.cause)) {
    return false;
  }
  return silence.matchers.every((matcher) => matcherHolds(matcher, subject));
}

/** The active silences that hold this subject back (empty: post it). */
export function silencesHolding(
  silences: readonly Silence[],
  subject: SilenceSubject,
  now: Date,
): Silence[] {
  return silences.filter((s) => isActive(s, now) && silenceHolds(s, subject));
}
