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

type FieldValues = Readonly<Record<MatcherField, readonly (readonly string[])[]>>;

/** The subject's values per field, normalised once (a subject is checked against many silences). */
const prepared = new WeakMap<SilenceSubject, FieldValues>();

function one(field: MatcherField, value: string | undefined): (readonly string[])[] {
  return value === undefined ? [] : [[normaliseValue(field, value)]];
}

/** Each value is one thing (a device) with one or more names (an SDK's family and version). */
function valuesOf(subject: SilenceSubject): FieldValues {
  let values = prepared.get(subject);
  if (values === undefined) {
    const hub = subject.hub?.toLowerCase();
    values = {
      hub: hub === undefined ? [] : [[hub, hub.split('/').pop() ?? '']],
      device: subject.devices.map((d) => [d]),
      module: subject.modules.map((m) => [m]),
      site: subject.sites.map((site) => [normaliseValue('site', site)]),
      sdk: subject.sdks.map((sdk) => [
        normaliseValue('sdk', sdk.family),
        normaliseValue('sdk', sdk.version),
      ]),
      cause: one('cause', subject.cause),
      scope: one('scope', subject.scope),
      alertRule: one('alertRule', subject.alertRule),
      severity: one('severity', subject.severity),
    };
    prepared.set(subject, values);
  }
  return values;
}

function named(matcher: Matcher, names: readonly string[]): boolean {
  for (const name of names) {
    if (matcher.op === '=~' ? globMatches(matcher.value, name) : name === matcher.value)
      return true;
  }
  return false;
}

export function matcherHolds(matcher: Matcher, subject: SilenceSubject): boolean {
  const values = valuesOf(subject)[matcher.field];
  if (matcher.op === '!=') {
    for (const names of values) if (named(matcher, names)) return false;
    return true;
  }
  if (values.length === 0) return false;
  for (const names of values) if (!named(matcher, names)) return false;
  return true;
}

/** Each silence's times, parsed once: a thousand silences are checked for every alert. */
const spans = new WeakMap<Silence, { start: number; end: number }>();

function spanOf(silence: Silence): { start: number; end: number } {
  let span = spans.get(silence);
  if (span === undefined) {
    const ended = silence.endedAt === undefined ? Infinity : Date.parse(silence.endedAt);
    span = {
      start: Date.parse(silence.startsAt),
      end: Math.min(Date.parse(silence.endsAt), ended),
    };
    spans.set(silence, span);
  }
  return span;
}

export function isActive(silence: Silence, now: Date): boolean {
  const time = now.getTime();
  const { start, end } = spanOf(silence);
  return start <= time && time < end;
}

/** Cheap and selective first: an exact value fails fast; a glob walks the text. */
function costOf(matcher: Matcher): number {
  return matcher.op === '=~' ? 2 : matcher.op === '!=' ? 1 : 0;
}

/** Each silence's matchers in the order they are cheapest to refute, sorted once. */
const ordered = new WeakMap<Silence, { matchers: readonly Matcher[]; namesCause: boolean }>();

function orderOf(silence: Silence): { matchers: readonly Matcher[]; namesCause: boolean } {
  let order = ordered.get(silence);
  if (order === undefined) {
    order = {
      matchers: [...silence.matchers].sort((a, b) => costOf(a) - costOf(b)),
      namesCause: silence.matchers.some((m) => m.field === 'cause' && m.op !== '!='),
    };
    ordered.set(silence, order);
  }
  return order;
}

export function silenceHolds(silence: Silence, subject: SilenceSubject): boolean {
  const { matchers, namesCause } = orderOf(silence);
  if (!namesCause && subject.cause !== undefined && GUARDED_CAUSES.includes(subject.cause)) {
    return false;
  }
  return matchers.every((matcher) => matcherHolds(matcher, subject));
}

/** The active silences that hold this subject back (empty: post it). */
export function silencesHolding(
  silences: readonly Silence[],
  subject: SilenceSubject,
  now: Date,
): Silence[] {
  return silences.filter((s) => isActive(s, now) && silenceHolds(s, subject));
}
