import {
  checkWebhookSignature,
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhookBody,
  verifyWebhookSignature,
} from '../../../lib/notify/webhookSignature';

const now = new Date('2026-11-20T00:16:00Z');
const at = (offsetSeconds: number): string => String(now.getTime() / 1000 + offsetSeconds);

describe('webhook signature replay window', () => {
  test('the default window is 5 minutes', () => {
    expect(SIGNATURE_TOLERANCE_SECONDS).toBe(300);
  });

  test.each([
    [0, 'valid'],
    [-300, 'valid'],
    [300, 'valid'],
    [-301, 'stale'],
    [301, 'stale'],
    [-86_400 * 365, 'stale'],
  ])('a signature %i s from the receiver clock is %s', (offset, verdict) => {
    const timestamp = at(offset);
    const signature = signWebhookBody('k', timestamp, '{}');
    expect(checkWebhookSignature('k', timestamp, '{}', signature, { now })).toBe(verdict);
  });

  test('a wrong signature is reported before freshness, and a malformed timestamp first', () => {
    expect(checkWebhookSignature('k', at(-900), '{}', 'sha256=00', { now })).toBe('bad-signature');
    expect(
      checkWebhookSignature('k', '1e9', '{}', signWebhookBody('k', '1e9', '{}'), { now }),
    ).toBe('bad-timestamp');
  });

  test('the window can be widened by the receiver, and the clock defaults to now', () => {
    const old = at(-600);
    const signature = signWebhookBody('k', old, '{}');
    expect(verifyWebhookSignature('k', old, '{}', signature, { now, toleranceSeconds: 900 })).toBe(
      true,
    );
    expect(verifyWebhookSignature('k', old, '{}', signature)).toBe(false);
    const fresh = String(Math.floor(Date.now() / 1000));
    expect(verifyWebhookSignature('k', fresh, '{}', signWebhookBody('k', fresh, '{}'))).toBe(true);
  });
});
