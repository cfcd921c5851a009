/**
 * Client-side pacing for operations with an account-wide quota. The clusters scanned side by side in
 * one invocation take every call from the invocation's buckets, so together they stay within the
 * account's rate, served in the order they ask; invocations of a fan-out (more clusters than one
 * invocation scans) each take their share (rate / invocations started). Retrying after a throttle
 * would only slow down after the fact, and each throttled attempt is itself a call against the quota
 * (and throttles other tools of the account).
 */

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/**
 * Published Security Hub CSPM rate quotas, per account per Region (Security Hub user guide,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub_limits.html).
 */
export const ACCOUNT_RATE_LIMITS = {
  GetFindings: { ratePerSecond: 3, burst: 6 },
  BatchImportFindings: { ratePerSecond: 10, burst: 30 },
  BatchUpdateFindings: { ratePerSecond: 10, burst: 30 },
} as const satisfies Record<string, RateLimit>;

/**
 * The operations paced by default. GetFindings: its 3/s is what parallel cluster scans overrun first
 * (each reads its cluster's findings at its start). SendCommand at a share of an assumed 10/s burst
 * 20 (Systems Manager publishes no rate for it; the emulator assumes the same): with tag-targeted
 * commands a cluster scan sends about three, all at its start, so scans starting together draw
 * throttled attempts; paced, none, and the later sends of a scan go out a second or two later. Not
 * ListCommandInvocations: each scan reads its pages when its node groups finish, at different times,
 * and pacing it at a fixed share (1/N, or even 4/N, of 10/s) leaves the account's quota idle while
 * the scans queue, slower and with as many throttles (ADAPTIVE_RATE_LIMITS paces it instead). The
 * imports: clusters side by side in one invocation (share 1), each with several imports in flight,
 * throttle one another; from the shared bucket, they do not. (At a 1/20 share, when every cluster had
 * its own invocation, they slowed each cluster's end; a fan-out now starts one invocation per 20
 * clusters.)
 */
export const PACED_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  GetFindings: ACCOUNT_RATE_LIMITS.GetFindings,
  BatchImportFindings: ACCOUNT_RATE_LIMITS.BatchImportFindings,
  SendCommand: { ratePerSecond: 10, burst: 20 },
};

/**
 * Paced from the fair share up (Pacer.record): the reads of invocations. Each cluster scan reads its
 * pages when its node groups finish, at different times, so a fixed share (1/N of an assumed 10/s)
 * leaves the account's quota idle while scans queue, and unpaced reads of many scans draw throttled
 * attempts by the hundred, SDK back-off included. A scan that reads alone soon reads at the
 * account's rate; scans that read together share it, and a throttle halves the rate instead of
 * adding attempts. GetCommandInvocation (the stragglers of groups read early, several scans asking
 * at once) throttles the same way unpaced; paced, it does not.
 */
export const ADAPTIVE_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  ListCommandInvocations: { ratePerSecond: 10, burst: 20 },
  GetCommandInvocation: { ratePerSecond: 10, burst: 20 },
};

export interface PacerClock {
  /** Milliseconds on any monotonic-enough base. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The most concurrent scans a share may assume (the "Scan Requested" schema's bound). */
export const MAX_SHARE = 1000;

/** One invocation's part of a limit: rate / share, burst / share but never below one token. */
export function shareOf(limit: RateLimit, share: number): RateLimit {
  const n = Math.min(MAX_SHARE, Math.max(1, Math.floor(share)));
  return { ratePerSecond: limit.ratePerSecond / n, burst: Math.max(1, Math.floor(limit.burst / n)) };
}

/**
 * A token bucket that hands out reservations: a caller takes the next token at once (possibly in
 * the future) and sleeps until it is due, so concurrent callers are served in order without polling
 * and a clock whose sleep returns at once cannot make it spin.
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;
  private current: RateLimit;

  /**
   * `initialTokens` (default: a full burst) lets scans that start together begin out of phase: with a
   * one-token share, N full buckets would send N calls at once against an account burst below N.
   */
  constructor(
    limit: RateLimit,
    private readonly clock: PacerClock,
    initialTokens: number = limit.burst,
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError(`invalid rate limit ${limit.ratePerSecond}/s burst ${limit.burst}`);
    }
    this.current = limit;
    this.tokens = Math.min(limit.burst, Math.max(0, initialTokens));
    this.updatedMs = clock.now();
  }

  get limit(): RateLimit {
    return this.current;
  }

  /** Changes the refill rate from now on (tokens earned so far are kept at the old rate). */
  setRate(ratePerSecond: number): void {
    this.refill();
    this.current = { ...this.current, ratePerSecond };
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedMs);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.ratePerSecond) / 1000);
    this.updatedMs = Math.max(this.updatedMs, now);
  }

  /** Milliseconds the caller must wait before sending; the token is taken now. */
  reserve(): number {
    this.refill();
    // Tokens may go negative: that is the queue of reservations already handed out.
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.limit.ratePerSecond;
  }

  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait);
  }
}

/** The buckets of one invocation, by operation name ("GetFindings"); other operations pass freely. */
export class Pacer {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly adaptive = new Map<string, { bucket: TokenBucket; min: number; max: number }>();

  /**
   * `random` (0 ≤ x < 1) picks each bucket's starting fill when the scans' shares of the burst add up
   * to more than the account's burst (a share of less than one token, rounded up to one): the fill is
   * then drawn from [0, 1), so the scans' first calls spread over one refill period instead of
   * arriving together. Otherwise a bucket starts with its whole share of the burst.
   */
  constructor(
    readonly share: number,
    clock: PacerClock,
    limits: Readonly<Record<string, RateLimit>> = PACED_RATE_LIMITS,
    random: () => number = Math.random,
    adaptiveLimits: Readonly<Record<string, RateLimit>> = ADAPTIVE_RATE_LIMITS,
  ) {
    for (const [operation, limit] of Object.entries(limits)) {
      const mine = shareOf(limit, share);
      const oversubscribed = mine.burst * Math.max(1, Math.floor(share)) > limit.burst;
      this.buckets.set(operation, new TokenBucket(mine, clock, oversubscribed ? random() : mine.burst));
    }
    for (const [operation, limit] of Object.entries(adaptiveLimits)) {
      const mine = shareOf(limit, share);
      const bucket = new TokenBucket(mine, clock, mine.burst);
      this.buckets.set(operation, bucket);
      this.adaptive.set(operation, { bucket, min: mine.ratePerSecond, max: limit.ratePerSecond });
    }
  }

  /**
   * Additive increase, multiplicative decrease between the fair share and the whole account rate
   * (adaptive operations only): each call that went through adds one share, a throttled one halves.
   */
  record(operation: string, throttled: boolean): void {
    const a = this.adaptive.get(operation);
    if (!a) return;
    const rate = a.bucket.limit.ratePerSecond;
    a.bucket.setRate(throttled ? Math.max(a.min, rate / 2) : Math.min(a.max, rate + a.min));
  }

  limitOf(operation: string): RateLimit | undefined {
    return this.buckets.get(operation)?.limit;
  }

  async take(operation: string): Promise<void> {
    await this.buckets.get(operation)?.take();
  }
}
