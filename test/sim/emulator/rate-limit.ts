/**
 * Token-bucket throttling per "service:Operation", on the simulated clock, like AWS's per-account,
 * per-Region API rate limits: a bucket of `burst` tokens refilled at `ratePerSecond`; a call that
 * finds the bucket empty is throttled (the service's own throttling error, see server.ts).
 */
import type { SimClock } from './clock.ts';

export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/**
 * Defaults. Published values where AWS publishes them; otherwise conservative guesses, chosen so a
 * scanner that stays under them will also stay under the real (unpublished, usually higher) limits.
 * - Security Hub CSPM: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub_limits.html
 *   (BatchImportFindings 10/30, GetFindings 3/6, BatchUpdateFindings 10/30, others 10/30).
 * - EC2 DescribeInstances: EC2 API "Request throttling" page, non-mutating actions bucket 100,
 *   refill 20/s (docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
 * - SSM and EKS: no per-API rate is published; 10/s burst 20 assumed.
 * - EventBridge PutEvents: published quota is thousands per second per Region (Region-dependent);
 *   400/s burst 400 assumed, far below any Region's quota.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  'securityhub:BatchImportFindings': { ratePerSecond: 10, burst: 30 },
  'securityhub:GetFindings': { ratePerSecond: 3, burst: 6 },
  'securityhub:BatchUpdateFindings': { ratePerSecond: 10, burst: 30 },
  'ec2:DescribeInstances': { ratePerSecond: 20, burst: 100 },
  'ssm:DescribeInstanceInformation': { ratePerSecond: 10, burst: 20 },
  'ssm:SendCommand': { ratePerSecond: 10, burst: 20 },
  'ssm:ListCommands': { ratePerSecond: 10, burst: 20 },
  'ssm:ListCommandInvocations': { ratePerSecond: 10, burst: 20 },
  'ssm:GetCommandInvocation': { ratePerSecond: 10, burst: 20 },
  'eks:ListClusters': { ratePerSecond: 10, burst: 20 },
  'eks:DescribeCluster': { ratePerSecond: 10, burst: 20 },
  'events:PutEvents': { ratePerSecond: 400, burst: 400 },
};

interface Bucket {
  limit: RateLimit;
  tokens: number;
  lastMs: number;
}

export interface RateLimiter {
  /** Take one token; false = throttle this call. */
  tryAcquire(operation: string): boolean;
  /** Replace or add limits at run time (undefined removes the limit). */
  set(operation: string, limit: RateLimit | undefined): void;
  /** The limit in force for an operation, if any. */
  limitOf(operation: string): RateLimit | undefined;
  readonly throttled: Record<string, number>;
}

/**
 * `limits: false` disables throttling entirely (unit tests of unrelated behaviour); an object is
 * merged over the defaults.
 */
export function createRateLimiter(
  clock: SimClock,
  limits: false | Record<string, RateLimit | undefined> = {},
): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const throttled: Record<string, number> = {};
  const set = (operation: string, limit: RateLimit | undefined) => {
    if (limit === undefined) buckets.delete(operation);
    else buckets.set(operation, { limit, tokens: limit.burst, lastMs: clock.now() });
  };
  if (limits !== false) {
    for (const [op, limit] of Object.entries({ ...DEFAULT_RATE_LIMITS, ...limits })) set(op, limit);
  }
  return {
    throttled,
    set,
    limitOf: (operation) => buckets.get(operation)?.limit,
    tryAcquire(operation) {
      const bucket = buckets.get(operation);
      if (!bucket) return true;
      const now = clock.now();
      const refill = ((now - bucket.lastMs) / 1000) * bucket.limit.ratePerSecond;
      bucket.tokens = Math.min(bucket.limit.burst, bucket.tokens + refill);
      bucket.lastMs = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return true;
      }
      throttled[operation] = (throttled[operation] ?? 0) + 1;
      return false;
    },
  };
}
