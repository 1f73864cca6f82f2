// The time limit as a user writes it: seconds up to what a Node timer can wait.

import { describe, expect, it } from 'vitest';
import { MAX_TIME_LIMIT_S, timeLimitMs } from './time-limit.ts';

describe('timeLimitMs', () => {
  it('reads seconds, fractions included, as whole milliseconds (at least 1)', () => {
    expect(timeLimitMs('10')).toBe(10_000);
    expect(timeLimitMs('0.5')).toBe(500);
    expect(timeLimitMs('0.0001')).toBe(1);
    expect(timeLimitMs(String(MAX_TIME_LIMIT_S))).toBe(MAX_TIME_LIMIT_S * 1000);
  });

  it('keeps every limit within a Node timer (2^31-1 ms), past which the timer fires at once', () => {
    expect(MAX_TIME_LIMIT_S * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(timeLimitMs(String(MAX_TIME_LIMIT_S + 1))).toBeUndefined();
    expect(timeLimitMs('3000000')).toBeUndefined();
  });

  it.each(['0', '-1', 'soon', '', ' ', 'Infinity', 'NaN', '1e300'])('refuses %j', (text) => {
    expect(timeLimitMs(text)).toBeUndefined();
  });
});
