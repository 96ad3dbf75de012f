/**
 * A silence request checked before it is stored: what the API, the CLI and the card's page all
 * pass through. Each refusal names the field at fault.
 */

import { isGlob } from './glob';
import {
  type Matcher,
  MatcherSyntaxError,
  parseMatcher,
  type Silence,
  type SilenceTarget,
} from './silence';

export interface SilenceRequest {
  /** `field=value` texts, or matchers already parsed. */
  readonly matchers: readonly (string | Matcher)[];
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly untilResolved?: SilenceTarget;
  readonly createdBy: string;
  readonly comment?: string;
  /** Deliberately broad: allowed to match every hub. */
  readonly all?: boolean;
  readonly origin?: Silence['origin'];
}

export interface SilenceLimits {
  /** The longest a silence may last (default 30 days). */
  readonly maxDays: number;
}

export const DEFAULT_SILENCE_LIMITS: SilenceLimits = { maxDays: 30 };
/** Free text is kept short: it is shown on cards and pages. */
export const MAX_COMMENT_LENGTH = 500;
export const MAX_NAME_LENGTH = 100;
export const MAX_MATCHERS = 20;

export class SilenceRequestError extends Error {
  override name = 'SilenceRequestError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

const NARROWING: readonly string[] = ['hub', 'device', 'module', 'site'];

/** Does any matcher keep the silence to some hubs, devices, modules or sites? */
function narrows(matchers: readonly Matcher[]): boolean {
  return matchers.some(
    (m) =>
      NARROWING.includes(m.field) && m.op !== '!=' && !(isGlob(m.value) && /^[*?]*$/.test(m.value)),
  );
}

function time(value: string | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SilenceRequestError('is not a time (ISO 8601)', path);
  return ms;
}

/** Control characters out, length capped: free text is shown to people, never as markup. */
export function plainText(text: string, max: number): string {
  let printable = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    printable += code < 32 || code === 0x7f ? ' ' : text.charAt(i);
  }
  return printable.replace(/ {2,}/g, ' ').trim().slice(0, max);
}

export function newSilence(
  request: SilenceRequest,
  now: Date,
  id: string,
  limits: SilenceLimits = DEFAULT_SILENCE_LIMITS,
): Silence {
  if (request.matchers.length === 0 && request.all !== true) {
    throw new SilenceRequestError(
      'a silence needs at least one matcher (or all: true)',
      'matchers',
    );
  }
  if (request.matchers.length > MAX_MATCHERS) {
    throw new SilenceRequestError(`at most ${MAX_MATCHERS} matchers`, 'matchers');
  }
  const matchers = request.matchers.map((m, index) => {
    try {
      return typeof m === 'string' ? parseMatcher(m) : parseMatcher(`${m.field}${m.op}${m.value}`);
    } catch (error: unknown) {
      if (error instanceof MatcherSyntaxError)
        throw new SilenceRequestError(error.message, `matchers[${index}]`);
      throw error;
    }
  });
  if (!narrows(matchers) && request.all !== true) {
    throw new SilenceRequestError(
      'this silence would match every hub; name a hub, device, module or site, or say all: true',
      'matchers',
    );
  }
  const createdBy = plainText(request.createdBy, MAX_NAME_LENGTH);
  if (createdBy === '')
    throw new SilenceRequestError('who is silencing? createdBy is empty', 'createdBy');
  const startMs = time(request.startsAt, 'startsAt') ?? now.getTime();
  const maxEnd = now.getTime() + limits.maxDays * 86_400_000;
  const endMs = time(request.endsAt, 'endsAt') ?? (request.untilResolved ? maxEnd : undefined);
  if (endMs === undefined) {
    throw new SilenceRequestError(
      'say when it ends (endsAt) or what it waits for (untilResolved)',
      'endsAt',
    );
  }
  if (endMs <= now.getTime()) throw new SilenceRequestError('is in the past', 'endsAt');
  if (endMs <= startMs) throw new SilenceRequestError('must be after startsAt', 'endsAt');
  if (endMs > maxEnd) {
    throw new SilenceRequestError(`is more than ${limits.maxDays} days away`, 'endsAt');
  }
  return {
    id,
    matchers,
    startsAt: new Date(startMs).toISOString(),
    endsAt: new Date(endMs).toISOString(),
    ...(request.untilResolved && { untilResolved: request.untilResolved }),
    createdBy,
    comment: plainText(request.comment ?? '', MAX_COMMENT_LENGTH),
    createdAt: now.toISOString(),
    ...(request.all === true && { all: true }),
    origin: request.origin ?? 'api',
  };
}
