import { describe, expect, it } from 'vitest';
import { ACCOUNT_RATE_LIMITS, Pacer, shareOf, TokenBucket } from '../../functions/aws/pacer.ts';

/** A clock whose sleep advances it (and records what was slept), so pacing is measured, not waited. */
function fakeClock(start = 1_000) {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('shareOf', () => {
  it('divides rate and burst by the share, keeping at least one token of burst', () => {
    expect(shareOf({ ratePerSecond: 3, burst: 6 }, 1)).toEqual({ ratePerSecond: 3, burst: 6 });
    expect(shareOf({ ratePerSecond: 10, burst: 30 }, 4)).toEqual({ ratePerSecond: 2.5, burst: 7 });
    expect(shareOf({ ratePerSecond: 3, burst: 6 }, 20)).toEqual({ ratePerSecond: 0.15, burst: 1 });
  });

  it('treats a share below 1 as 1 and caps it at 1,000', () => {
    expect(shareOf({ ratePerSecond: 3, burst: 6 }, 0)).toEqual({ ratePerSecond: 3, burst: 6 });
    expect(shareOf({ ratePerSecond: 10, burst: 30 }, 5_000).ratePerSecond).toBeCloseTo(0.01);
  });
});

describe('TokenBucket', () => {
  it('lets the burst through at once, then one call per 1/rate seconds', async () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3 }, clock);
    const sentAt: number[] = [];
    // Act
    for (let i = 0; i < 6; i++) {
      await bucket.take();
      sentAt.push(clock.now() - 1_000);
    }
    // Assess
    expect(sentAt).toEqual([0, 0, 0, 500, 1_000, 1_500]);
  });

  it('queues concurrent callers in order, each waiting for its own token', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 4, burst: 1 }, clock);
    const waits = [bucket.reserve(), bucket.reserve(), bucket.reserve()];
    expect(waits).toEqual([0, 250, 500]);
  });

  it('refills with time but never beyond the burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 2 }, clock);
    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 0]);
    clock.advance(60_000);
    // A minute idle refills two tokens, not sixty.
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 1_000]);
  });

  it('rejects a limit it could never serve', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 }, fakeClock())).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0.5 }, fakeClock())).toThrow(RangeError);
  });
});

describe('Pacer', () => {
  it('paces GetFindings and SendCommand to its share and lets other operations through', async () => {
    // Prepare: one of 20 concurrent scans.
    const clock = fakeClock();
    const pacer = new Pacer(20, clock, undefined, () => 1);
    // Act
    for (let i = 0; i < 3; i++) await pacer.take('GetFindings');
    for (let i = 0; i < 2; i++) await pacer.take('SendCommand');
    for (let i = 0; i < 10; i++) await pacer.take('ListCommands');
    // Assess: 3/s ÷ 20 = one GetFindings per 6.67 s after a single-token burst; SendCommand: 10/s ÷ 20
    // after a one-token burst; ListCommands is not paced.
    expect(pacer.limitOf('GetFindings')).toEqual({ ratePerSecond: 0.15, burst: 1 });
    expect(pacer.limitOf('SendCommand')).toEqual({ ratePerSecond: 0.5, burst: 1 });
    expect(pacer.limitOf('ListCommands')).toBeUndefined();
    expect(clock.slept.map((ms) => Math.round(ms))).toEqual([6_667, 6_667, 2_000]);
  });

  it('reads invocations from its share up: one share more per call that went through, half after a throttle', async () => {
    // Prepare: one of 20 scans; ListCommandInvocations starts at 10/s ÷ 20.
    const clock = fakeClock();
    const pacer = new Pacer(20, clock, {}, () => 1);
    const rate = () => pacer.limitOf('ListCommandInvocations')?.ratePerSecond;
    // Act and Assess
    expect(rate()).toBe(0.5);
    for (let i = 0; i < 4; i++) pacer.record('ListCommandInvocations', false);
    expect(rate()).toBe(2.5);
    pacer.record('ListCommandInvocations', true);
    expect(rate()).toBe(1.25);
    for (let i = 0; i < 40; i++) pacer.record('ListCommandInvocations', false);
    expect(rate()).toBe(10);
    for (let i = 0; i < 10; i++) pacer.record('ListCommandInvocations', true);
    expect(rate()).toBe(0.5);
    // Other operations are not adapted.
    pacer.record('GetFindings', true);
    expect(pacer.limitOf('GetFindings')).toBeUndefined();
  });

  it('starts scans whose one-token shares exceed the account burst out of phase, by the drawn fill', async () => {
    // Prepare: 20 scans × 1 token > GetFindings' burst of 6, so the fill is drawn;
    // BatchImportFindings: 20 scans × 1 token fit in its burst of 30, so it starts full.
    const clock = fakeClock();
    const pacer = new Pacer(20, clock, ACCOUNT_RATE_LIMITS, () => 0.25);
    // Act
    await pacer.take('GetFindings');
    await pacer.take('BatchImportFindings');
    // Assess: GetFindings waited for the missing 0.75 token (0.75 ÷ 0.15/s = 5 s).
    expect(clock.slept).toEqual([5_000]);
  });

  it('starts full when the shares fit in the account burst', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(3, clock, undefined, () => 0);
    for (let i = 0; i < 2; i++) await pacer.take('GetFindings');
    expect(clock.slept).toEqual([]);
  });

  it('paces GetFindings and the imports by default at the published figures (Security Hub quotas)', () => {
    expect(new Pacer(1, fakeClock()).limitOf('GetFindings')).toEqual({ ratePerSecond: 3, burst: 6 });
    expect(new Pacer(1, fakeClock()).limitOf('BatchImportFindings')).toEqual({
      ratePerSecond: 10,
      burst: 30,
    });
    expect(new Pacer(1, fakeClock()).limitOf('BatchUpdateFindings')).toBeUndefined();
    const all = new Pacer(1, fakeClock(), ACCOUNT_RATE_LIMITS);
    for (const [operation, limit] of Object.entries(ACCOUNT_RATE_LIMITS)) {
      expect(all.limitOf(operation)).toEqual(limit);
    }
    expect(ACCOUNT_RATE_LIMITS.BatchImportFindings).toEqual({ ratePerSecond: 10, burst: 30 });
    expect(ACCOUNT_RATE_LIMITS.BatchUpdateFindings).toEqual({ ratePerSecond: 10, burst: 30 });
  });
});
