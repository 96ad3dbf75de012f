/** The card's signed links: valid, expired, tampered, wrong action, wrong target, rotated key. */

import {
  actionId,
  type ActionClaims,
  signActionToken,
  type SigningKeys,
  TokenError,
  verifyActionToken,
} from '../../../lib/actions/actionToken';

const NOW = new Date('2026-11-20T05:00:00Z');
const OLD: SigningKeys = { currentKeyId: 'k1', keys: { k1: Buffer.alloc(32, 1) } };
const ROTATED: SigningKeys = {
  currentKeyId: 'k2',
  keys: { k1: Buffer.alloc(32, 1), k2: Buffer.alloc(32, 2) },
};
const CLAIMS: ActionClaims = {
  action: 'ack-incident',
  target: 'inc-1',
  hub: '/subscriptions/x/resourcegroups/rg/providers/microsoft.devices/iothubs/h',
  expiresAt: NOW.getTime() / 1000 + 3600,
};

function problemOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof TokenError) return error.problem;
    throw error;
  }
  return undefined;
}

describe('action tokens', () => {
  const token = signActionToken(CLAIMS, OLD);

  test('a valid token gives back its claims', () => {
    expect(verifyActionToken(token, OLD, NOW, { action: 'ack-incident', target: 'inc-1' })).toEqual(
      CLAIMS,
    );
  });

  test('expired', () => {
    expect(problemOf(() => verifyActionToken(token, OLD, new Date(NOW.getTime() + 3600_000)))).toBe(
      'expired',
    );
  });

  test('tampered: a changed claim or signature', () => {
    const [body, signature] = token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(JSON.stringify({ ...payload, target: 'inc-2' })).toString(
      'base64url',
    );
    expect(problemOf(() => verifyActionToken(`${forged}.${signature}`, OLD, NOW))).toBe('tampered');
    expect(problemOf(() => verifyActionToken(`${body}.${signature.slice(1)}x`, OLD, NOW))).toBe(
      'tampered',
    );
  });

  test('made for another action or another target', () => {
    expect(problemOf(() => verifyActionToken(token, OLD, NOW, { action: 'mute-site' }))).toBe(
      'wrong-action',
    );
    expect(problemOf(() => verifyActionToken(token, OLD, NOW, { target: 'inc-2' }))).toBe(
      'wrong-target',
    );
  });

  test('a rotated key: old links still open while the old key is kept; an unknown key is named', () => {
    expect(verifyActionToken(token, ROTATED, NOW).target).toBe('inc-1');
    const fresh = signActionToken(CLAIMS, ROTATED);
    expect(problemOf(() => verifyActionToken(fresh, OLD, NOW))).toBe('unknown-key');
    expect(
      problemOf(() =>
        verifyActionToken(token, { currentKeyId: 'k2', keys: { k2: Buffer.alloc(32, 2) } }, NOW),
      ),
    ).toBe('unknown-key');
  });

  test('not a token at all', () => {
    for (const junk of ['', 'abc', 'a.b.c', '%%%.x', 'x'.repeat(5000)]) {
      expect(problemOf(() => verifyActionToken(junk, OLD, NOW))).toBe('malformed');
    }
  });

  test('one link is one action id; two links for the same action are two', () => {
    expect(actionId(token)).toBe(actionId(token));
    expect(actionId(signActionToken(CLAIMS, OLD))).not.toBe(actionId(token));
  });
});
