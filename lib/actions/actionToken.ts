/**
 * The signed, expiring token a card's link carries: exactly one action on exactly one target,
 * signed with HMAC-SHA256 under a key from Key Vault. The key's id travels inside the token, so a
 * new key can sign while links made under the old one still open until they expire.
 *
 *   token = base64url(JSON payload) "." base64url(HMAC-SHA256(key, first part))
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACTION_KINDS = ['ack-incident', 'ack-alert', 'mute-device', 'mute-site'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export interface ActionClaims {
  readonly action: ActionKind;
  /** The incident or alert the link was made on. */
  readonly target: string;
  /** Lower-cased IoT hub ARM resource ID. */
  readonly hub: string;
  readonly device?: string;
  readonly site?: string;
  /** The cause of the message: a mute made from it hides that cause only. */
  readonly cause?: string;
  /** Mute length in minutes; absent with `untilResolved`. */
  readonly minutes?: number;
  readonly untilResolved?: boolean;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

interface Payload extends ActionClaims {
  readonly v: 1;
  readonly kid: string;
  /** Makes two links for the same action distinct (and so each one's id). */
  readonly nonce: string;
}

export interface SigningKeys {
  /** The key that signs new links. */
  readonly currentKeyId: string;
  /** Every key still accepted, by id (old ones until their links expire). */
  readonly keys: Readonly<Record<string, Buffer>>;
}

export type TokenProblem =
  'malformed' | 'tampered' | 'unknown-key' | 'expired' | 'wrong-action' | 'wrong-target';

/** What a person reads on the page when a link does not work. */
export const TOKEN_PROBLEM_TEXT: Readonly<Record<TokenProblem, string>> = {
  malformed: 'This link is not a link the enricher made.',
  tampered: 'This link was changed after it was made.',
  'unknown-key': 'This link was signed with a key the enricher no longer has.',
  expired: 'This link has expired. Use a newer card.',
  'wrong-action': 'This link was made for another action.',
  'wrong-target': 'This link was made for another incident or alert.',
};

export class TokenError extends Error {
  override name = 'TokenError';
  constructor(readonly problem: TokenProblem) {
    super(TOKEN_PROBLEM_TEXT[problem]);
  }
}

function sign(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

export function signActionToken(claims: ActionClaims, keys: SigningKeys): string {
  const key = keys.keys[keys.currentKeyId];
  if (key === undefined) throw new Error('The current signing key is not among the keys');
  const payload: Payload = {
    v: 1,
    kid: keys.currentKeyId,
    nonce: randomBytes(9).toString('base64url'),
    ...claims,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(key, body).toString('base64url')}`;
}

/** The token's id: the same link always names the same action (so doing it twice does it once). */
export function actionId(token: string): string {
  return createHmac('sha256', 'action-id')
    .update(token.split('.')[0] ?? '')
    .digest('hex')
    .slice(0, 32);
}

const MAX_TOKEN_LENGTH = 4096;

function payloadOf(body: string): Payload {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('malformed');
  }
  const p = (typeof value === 'object' ? value : null) as Partial<Payload> | null;
  if (
    p?.v !== 1 ||
    typeof p.kid !== 'string' ||
    typeof p.target !== 'string' ||
    typeof p.hub !== 'string' ||
    typeof p.expiresAt !== 'number' ||
    !(ACTION_KINDS as readonly string[]).includes(p.action ?? '')
  ) {
    throw new TokenError('malformed');
  }
  return p as Payload;
}

/**
 * Checks the signature first (nothing of an unsigned token is trusted), then the expiry, then
 * that it is the action and target the caller expects.
 */
export function verifyActionToken(
  token: string,
  keys: SigningKeys,
  now: Date,
  expected?: { readonly action?: ActionKind; readonly target?: string },
): ActionClaims {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('malformed');
  const [body, signature, extra] = token.split('.');
  if (body === undefined || signature === undefined || extra !== undefined || body === '') {
    throw new TokenError('malformed');
  }
  const payload = payloadOf(body);
  const key = keys.keys[payload.kid];
  if (key === undefined) throw new TokenError('unknown-key');
  const given = Buffer.from(signature, 'base64url');
  const wanted = sign(key, body);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new TokenError('tampered');
  }
  if (payload.expiresAt * 1000 <= now.getTime()) throw new TokenError('expired');
  if (expected?.action !== undefined && payload.action !== expected.action) {
    throw new TokenError('wrong-action');
  }
  if (expected?.target !== undefined && payload.target !== expected.target) {
    throw new TokenError('wrong-target');
  }
  return {
    action: payload.action,
    target: payload.target,
    hub: payload.hub,
    ...(payload.device !== undefined && { device: payload.device }),
    ...(payload.site !== undefined && { site: payload.site }),
    ...(payload.cause !== undefined && { cause: payload.cause }),
    ...(payload.minutes !== undefined && { minutes: payload.minutes }),
    ...(payload.untilResolved === true && { untilResolved: true }),
    expiresAt: payload.expiresAt,
  };
}
