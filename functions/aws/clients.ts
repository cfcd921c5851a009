/**
 * The AWS SDK v3 clients the scanner uses, created once per Lambda container, and a per-invocation
 * API call counter fed by client middleware (so the counts are the requests that really went out,
 * retries included).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentity, RetryStrategyV2 } from '@smithy/types';
import { awsErrorName } from './errors.ts';
import type { Pacer } from './pacer.ts';

export interface AwsClients {
  readonly eks: EKSClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly securityHub: SecurityHubClient;
  readonly events: EventBridgeClient;
  /** The scanner's state table (cluster leases, node scan times). */
  readonly dynamodb: DynamoDBClient;
}

export interface ClientOptions {
  readonly region?: string;
  /** A local endpoint (the emulator); never set in Lambda. */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentialIdentity;
  /** Attempts per call including the first (standard retry: exponential back-off with jitter). */
  readonly maxAttempts?: number;
  /** Tests pass a fast ConfiguredRetryStrategy; otherwise 'standard'. */
  readonly retryStrategy?: RetryStrategyV2;
}

// Standard retry (exponential back-off with jitter), not 'adaptive': the scan paces its calls to the
// account's quotas itself (pacer.ts), and the clients are shared by every cluster scanned in the
// invocation, so the adaptive mode's client-side limiter, which engages on the first throttled call,
// would slow every cluster's calls to that service for seconds after one throttled call. A throttled
// attempt gives its token back to the pacer and is retried after back-off.
const DEFAULT_MAX_ATTEMPTS = 8;

export function createClients(options: ClientOptions = {}): AwsClients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.retryStrategy
      ? { retryStrategy: options.retryStrategy }
      : { retryMode: 'standard', maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS }),
  };
  return {
    eks: new EKSClient(common),
    ec2: new EC2Client(common),
    ssm: new SSMClient(common),
    securityHub: new SecurityHubClient(common),
    events: new EventBridgeClient(common),
    dynamodb: new DynamoDBClient(common),
  };
}

/** Calls by operation name (e.g. "SendCommand"); every HTTP attempt counts. */
export class ApiCallCounter {
  private readonly counts = new Map<string, number>();

  add(operation: string, n = 1): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + n);
  }

  get(operation: string): number {
    return this.counts.get(operation) ?? 0;
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

// Several scans may share one set of clients in a process (tests, the demo's in-process fan-out), so
// the counter of the running scan travels with the async context rather than living on the client.
const currentCounter = new AsyncLocalStorage<ApiCallCounter>();

export function withApiCallCounter<T>(counter: ApiCallCounter, fn: () => Promise<T>): Promise<T> {
  return currentCounter.run(counter, fn);
}

// The running scan's fair share of the account-wide quotas (pacer.ts), like the counter per scan.
const currentPacer = new AsyncLocalStorage<Pacer>();

export function withPacer<T>(pacer: Pacer, fn: () => Promise<T>): Promise<T> {
  return currentPacer.run(pacer, fn);
}

const PACING_MIDDLEWARE = 'eksKubeletAuditPacer';
/** Error codes of a throttled request (smithy util-retry THROTTLING_ERROR_CODES, the ones AWS uses here). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
]);
const COUNTING_MIDDLEWARE = 'eksKubeletAuditApiCallCounter';

/**
 * A throttled request: a throttling code, or HTTP 429 whatever the code (Security Hub's model names its
 * throttling error LimitExceededException, 429; the SDK's retry also counts any 429 as throttling).
 */
function isThrottled(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return THROTTLING.has(awsErrorName(error)) || status === 429;
}

interface MiddlewareStackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
  addRelativeTo(middleware: unknown, options: Record<string, unknown>): void;
  identify?(): string[];
}

function operationOf(context: { commandName?: string }): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

/**
 * Adds the pacing and counting middleware to each client once. Both sit in the finalizeRequest step
 * inside the retry middleware, so every attempt (not only every logical call) waits for a token of
 * the scan's share and then counts: a retry is a call against the quota too.
 */
export function instrumentClients(clients: AwsClients, global?: ApiCallCounter): void {
  for (const client of Object.values(clients) as { middlewareStack: MiddlewareStackLike }[]) {
    const stack = client.middlewareStack;
    if (stack.identify?.().some((name) => name.startsWith(COUNTING_MIDDLEWARE))) continue;
    // Before signing (which follows the retry middleware), so a request that waited is signed when
    // it goes out: a long wait must not age its SigV4 signature.
    stack.addRelativeTo(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const pacer = currentPacer.getStore();
          const operation = operationOf(context);
          await pacer?.take(operation);
          try {
            const result = await next(args);
            pacer?.record(operation, false);
            return result;
          } catch (error) {
            pacer?.record(operation, isThrottled(error));
            throw error;
          }
        },
      { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: PACING_MIDDLEWARE, override: true },
    );
    stack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const operation = operationOf(context);
          currentCounter.getStore()?.add(operation);
          global?.add(operation);
          return next(args);
        },
      { step: 'finalizeRequest', priority: 'low', name: COUNTING_MIDDLEWARE, override: true },
    );
  }
}
