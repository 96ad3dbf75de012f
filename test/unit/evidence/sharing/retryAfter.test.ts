import { maxInWindow } from '../../../../lib/tools/bench/localLogAnalyticsServer';
import { retryAfterOf } from '../../../../lib/evidence/logAnalyticsPolicies';
import { throttleOf } from '../../../../lib/evidence/querySharing/queryLimiter';

function headers(values: Record<string, string>) {
  return { get: (name: string) => values[name.toLowerCase()] };
}

describe('retryAfterOf', () => {
  const now = Date.parse('2026-11-20T05:15:00Z');

  test.each([
    [{ 'retry-after': '7' }, 7_000],
    [{ 'retry-after': ' 1.5 ' }, 1_500],
    [{ 'retry-after': 'Fri, 20 Nov 2026 05:15:30 GMT' }, 30_000],
    [{ 'retry-after': 'Fri, 20 Nov 2026 05:14:00 GMT' }, 0],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'x-ms-retry-after-ms': '400' }, 400],
    // Handed over by the adapter's pipeline policy, out of the SDK's sight.
    [{ 'x-enricher-retry-after': '3' }, 3_000],
    [{ 'x-enricher-retry-after-ms': '120' }, 120],
  ])('%j → %i ms', (values, expected) => {
    expect(retryAfterOf(headers(values), now)).toEqual({ retryAfterMs: expected });
  });

  test.each([{}, { 'retry-after': '' }, { 'retry-after': 'soon' }, { 'retry-after-ms': '-5' }])(
    '%j names no wait',
    (values) => {
      expect(retryAfterOf(headers(values), now)).toEqual({});
    },
  );
});

describe('throttleOf', () => {
  test('only a 429 is a throttle, with its wait when it is a number', () => {
    expect(throttleOf({ statusCode: 429, retryAfterMs: 5 })).toEqual({ retryAfterMs: 5 });
    expect(throttleOf({ statusCode: 429 })).toEqual({ retryAfterMs: undefined });
    expect(throttleOf({ statusCode: 429, retryAfterMs: -1 })).toEqual({ retryAfterMs: undefined });
    expect(throttleOf({ statusCode: 503, retryAfterMs: 5 })).toBeUndefined();
    expect(throttleOf('429')).toBeUndefined();
    expect(throttleOf(null)).toBeUndefined();
  });
});

describe('maxInWindow', () => {
  test('counts the most arrivals in any window', () => {
    expect(maxInWindow([], 30_000)).toBe(0);
    expect(maxInWindow([0, 10_000, 29_999, 30_000, 31_000, 70_000], 30_000)).toBe(4);
  });
});
