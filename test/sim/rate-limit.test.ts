import { describe, expect, it } from 'vitest';
import type { SimClock } from './emulator/clock.ts';
import { createRateLimiter, DEFAULT_RATE_LIMITS } from './emulator/rate-limit.ts';

function manualClock(): SimClock & { set(ms: number): void } {
  let now = 0;
  return {
    scale: 1,
    now: () => now,
    sleep: async () => undefined,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}

describe('token bucket rate limits', () => {
  it('allows the burst, then the refill rate', () => {
    const clock = manualClock();
    const limiter = createRateLimiter(clock);
    const take = () => limiter.tryAcquire('securityhub:GetFindings');

    const burst = Array.from({ length: 7 }, take);
    clock.advance(1000);
    const afterOneSecond = Array.from({ length: 4 }, take);

    expect(burst).toEqual([true, true, true, true, true, true, false]);
    expect(afterOneSecond).toEqual([true, true, true, false]);
    expect(limiter.throttled['securityhub:GetFindings']).toBe(2);
  });

  it('uses the published Security Hub rates and can be changed or disabled', () => {
    const clock = manualClock();
    const none = createRateLimiter(clock, false);
    const custom = createRateLimiter(clock, { 'ssm:SendCommand': { ratePerSecond: 1, burst: 1 } });

    expect(DEFAULT_RATE_LIMITS['securityhub:BatchImportFindings']).toEqual({ ratePerSecond: 10, burst: 30 });
    expect(DEFAULT_RATE_LIMITS['securityhub:GetFindings']).toEqual({ ratePerSecond: 3, burst: 6 });
    expect(Array.from({ length: 100 }, () => none.tryAcquire('securityhub:GetFindings')).every(Boolean)).toBe(
      true,
    );
    expect([custom.tryAcquire('ssm:SendCommand'), custom.tryAcquire('ssm:SendCommand')]).toEqual([
      true,
      false,
    ]);
  });
});
