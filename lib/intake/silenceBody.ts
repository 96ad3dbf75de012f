/**
 * The body of `POST /api/silences` (and the CLI's options, once parsed) read into a
 * `SilenceRequest`: the shapes here, the rules (bounds, the broad-silence refusal) in
 * `silences/newSilence.ts`. Each refusal names its field; values are never echoed.
 */

import { BadRequestError } from '../common/errors';
import type { SilenceRequest } from '../silences/newSilence';
import type { SilenceTarget } from '../silences/silence';

/** Client-chosen ids end up as Table storage row keys: a safe alphabet, a short length. */
const SILENCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TARGET_ID = /^[A-Za-z0-9._:/-]{1,200}$/;
const DURATION = /^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,6})m)?$/;

/** `4h`, `30m`, `2d`, `1h30m` → milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [, d = '0', h = '0', m = '0'] = match;
  const ms = (Number(d) * 1440 + Number(h) * 60 + Number(m)) * 60_000;
  return ms > 0 ? ms : undefined;
}

/** `incident:ID` or `alert:ID` (the CLI), or `{kind, id}` (the API). */
export function parseTarget(value: unknown, path: string): SilenceTarget {
  let kind: unknown;
  let id: unknown;
  if (typeof value === 'string') {
    const colon = value.indexOf(':');
    kind = value.slice(0, colon);
    id = colon < 0 ? undefined : value.slice(colon + 1);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    ({ kind, id } = value as { kind?: unknown; id?: unknown });
  }
  if (kind !== 'incident' && kind !== 'alert') {
    throw new BadRequestError('must say incident or alert', `${path}.kind`);
  }
  if (typeof id !== 'string' || !TARGET_ID.test(id)) {
    throw new BadRequestError('must be the id of an incident or alert', `${path}.id`);
  }
  return { kind, id };
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequestError('must be a string', key);
  return value;
}

/** Reads the JSON body; `now` anchors a `duration` without `startsAt`. */
export function readSilenceBody(
  body: unknown,
  now: Date,
): { request: SilenceRequest; id?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('Body must be a JSON object with matchers and createdBy');
  }
  const b = body as Record<string, unknown>;
  const matchers = b.matchers ?? [];
  if (!Array.isArray(matchers)) {
    throw new BadRequestError('must be an array of "field=value" texts', 'matchers');
  }
  matchers.forEach((m, index) => {
    if (typeof m !== 'string') throw new BadRequestError('must be a string', `matchers[${index}]`);
  });
  const createdBy = optionalString(b, 'createdBy');
  if (createdBy === undefined) throw new BadRequestError('who is silencing?', 'createdBy');
  const startsAt = optionalString(b, 'startsAt');
  let endsAt = optionalString(b, 'endsAt');
  const duration = optionalString(b, 'duration');
  if (duration !== undefined) {
    if (endsAt !== undefined)
      throw new BadRequestError('give endsAt or duration, not both', 'duration');
    const ms = parseDuration(duration);
    if (ms === undefined)
      throw new BadRequestError('must be like 4h, 30m, 2d or 1h30m', 'duration');
    const from = startsAt === undefined ? now.getTime() : Date.parse(startsAt);
    if (Number.isNaN(from)) throw new BadRequestError('is not a time (ISO 8601)', 'startsAt');
    endsAt = new Date(from + ms).toISOString();
  }
  const untilResolved =
    b.untilResolved === undefined || b.untilResolved === null
      ? undefined
      : parseTarget(b.untilResolved, 'untilResolved');
  if (b.all !== undefined && typeof b.all !== 'boolean') {
    throw new BadRequestError('must be true or false', 'all');
  }
  const comment = optionalString(b, 'comment');
  const id = optionalString(b, 'id');
  if (id !== undefined && !SILENCE_ID.test(id)) {
    throw new BadRequestError('must be 1 to 128 letters, digits, ".", "_", ":" or "-"', 'id');
  }
  return {
    request: {
      matchers: matchers as string[],
      createdBy,
      ...(startsAt !== undefined && { startsAt }),
      ...(endsAt !== undefined && { endsAt }),
      ...(untilResolved && { untilResolved }),
      ...(comment !== undefined && { comment }),
      ...(b.all === true && { all: true }),
      origin: 'api',
    },
    ...(id !== undefined && { id }),
  };
}
