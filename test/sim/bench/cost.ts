/**
 * What one scan costs, from what the bench measured, at list prices (US East, N. Virginia, USD).
 * Every price names its source and the date it was read; the stored copies used are listed so a
 * reader can judge their age. Re-check them before quoting the result as a current price.
 */

export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly freeTier?: string;
  readonly source: string;
  readonly read: string;
}

const READ = '2026-11-28 (stored copies)';

export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second, arm64, first 7.5 billion GB-s a month',
    freeTier: '400,000 GB-s and 1M requests a month (account-wide)',
    source:
      'aws.amazon.com/lambda/pricing (stored copy has no figures); figures from cloudchipr.com/blog/aws-lambda-pricing ("ARM Pricing: First 7.5 Billion GB-seconds per month: $0.0000133334")',
    read: READ,
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'request',
    source: 'same pages: $0.20 per 1M requests, x86 and arm64 alike',
    read: READ,
  },
  ssmRunCommand: {
    usd: 0,
    unit: 'command on an EC2 instance',
    source:
      'docs.aws.amazon.com/systems-manager/latest/userguide/run-command.html: "Run Command is offered at no additional cost when used on Amazon EC2 nodes" (hybrid nodes are charged)',
    read: READ,
  },
  securityHubFindingIngestion: {
    usd: 0.00003,
    unit: 'finding ingestion event (BatchImportFindings create or update) beyond the free tier',
    freeTier: 'first 10,000 events per account per Region per month',
    source:
      'Security Hub CSPM pricing (aws.amazon.com/security-hub/pricing; the stored English page was not available) as quoted by the AWS GCR security team cost guide aws-gcr-wwso-security.gitbook.io ("First 10,000 events/account/region/month is free … Over 10,000 events/account/region/month costs $0.00003 per event"). Since the new Security Hub (GA December 2025) accounts that enable it are billed per resource under its Essentials plan instead (aws.amazon.com/security-hub/pricing, stored German copy)',
    read: READ,
  },
  eventBridgeCustomEvent: {
    usd: 1 / 1e6,
    unit: 'custom event put on a bus (fan-out "Scan Requested" and "Scan Completed")',
    source:
      'cloudburn.io/blog/amazon-eventbridge-pricing (March 2026, from aws.amazon.com/eventbridge/pricing): $1.00 per million custom events',
    read: READ,
  },
  schedulerInvocation: {
    usd: 1 / 1e6,
    unit: 'EventBridge Scheduler invocation',
    freeTier: '14 million invocations a month',
    source:
      'cloudburn.io/blog/amazon-eventbridge-pricing (March 2026): Scheduler $1.00 per million, 14M free a month',
    read: READ,
  },
  logsIngestionGb: {
    usd: 0.5,
    unit: 'GB of CloudWatch Logs ingested (Standard class)',
    freeTier: '5 GB a month (aws.amazon.com/cloudwatch/pricing)',
    source:
      'factualminds.com CloudWatch pricing (2026: "Logs ingestion at $0.50/GB") and cloudburn.io (February 2026, from the official page)',
    read: READ,
  },
  dynamoDbReadRequestUnit: {
    usd: 0.125 / 1e6,
    unit: 'read request unit, on-demand, Standard table class (one strongly consistent read of up to 4 KB; half for eventually consistent)',
    freeTier: 'none for on-demand request units',
    source:
      'aws.amazon.com/dynamodb/pricing/on-demand (on-demand prices halved from 1 November 2024) as quoted by airbyte.com/data-engineering-resources/dynamodb-pricing ("Read Request Units (RRU): $0.125 per million"); units as dynalite computes them (test/sim/emulator/dynamodb-capacity.ts)',
    read: '2026-12-07 (stored copies)',
  },
  dynamoDbWriteRequestUnit: {
    usd: 0.625 / 1e6,
    unit: 'write request unit, on-demand, Standard table class (one write of up to 1 KB)',
    freeTier: 'none for on-demand request units',
    source:
      'same pages ("Write Request Units (WRU): $0.625 per million"); storage (25 GB free, then $0.25/GB-month) and point-in-time recovery are per GB and left out: the state of 10,000 nodes is a few MB',
    read: '2026-12-07 (stored copies)',
  },
} as const satisfies Record<string, Price>;

/** Lambda's own START/END/REPORT lines per invocation (JSON log format), bytes: an estimate. */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 600;

export interface CostInput {
  readonly nodes: number;
  readonly memoryMb: number;
  /** Handler durations of every invocation of the scan (fan-out + clusters), ms. */
  readonly invocationMs: readonly number[];
  readonly findingsImported: number;
  readonly customEvents: number;
  readonly logBytes: number;
  /** DynamoDB request units the scan consumed (dynamodb-capacity.ts). */
  readonly dynamoDb?: { readonly read: number; readonly write: number };
}

export interface CostResult {
  readonly gbSeconds: number;
  readonly gbSecondsPer1000Nodes: number;
  readonly perScanUsd: Readonly<Record<string, number>>;
  readonly perScanTotalUsd: number;
  readonly per1000NodesUsd: number;
  readonly per1000NodesBreakdownUsd: Readonly<Record<string, number>>;
  /** 2 scans a day, 30 days, list prices; Security Hub's free 10,000 events applied once. */
  readonly monthlyAt2ScansPerDayUsd: number;
}

export function scanCost(input: CostInput): CostResult {
  // Lambda bills duration rounded up to the millisecond.
  const gbSeconds = input.invocationMs.reduce(
    (s, ms) => s + (Math.ceil(ms) / 1000) * (input.memoryMb / 1024),
    0,
  );
  const logGb = (input.logBytes + input.invocationMs.length * PLATFORM_LOG_BYTES_PER_INVOCATION) / 1024 ** 3;
  const perScanUsd = {
    lambda: gbSeconds * PRICES.lambdaArmGbSecond.usd + input.invocationMs.length * PRICES.lambdaRequest.usd,
    ssmRunCommand: 0,
    securityHub: input.findingsImported * PRICES.securityHubFindingIngestion.usd,
    eventBridge: input.customEvents * PRICES.eventBridgeCustomEvent.usd,
    scheduler: PRICES.schedulerInvocation.usd,
    cloudWatchLogs: logGb * PRICES.logsIngestionGb.usd,
    dynamoDb:
      (input.dynamoDb?.read ?? 0) * PRICES.dynamoDbReadRequestUnit.usd +
      (input.dynamoDb?.write ?? 0) * PRICES.dynamoDbWriteRequestUnit.usd,
  };
  const perScanTotalUsd = Object.values(perScanUsd).reduce((a, b) => a + b, 0);
  const k = input.nodes / 1000;
  const per1000NodesBreakdownUsd = Object.fromEntries(
    Object.entries(perScanUsd).map(([key, v]) => [key, v / k]),
  );
  const scansPerMonth = 60;
  const freeEvents = Math.min(10_000, input.findingsImported * scansPerMonth);
  return {
    gbSeconds,
    gbSecondsPer1000Nodes: gbSeconds / k,
    perScanUsd,
    perScanTotalUsd,
    per1000NodesUsd: perScanTotalUsd / k,
    per1000NodesBreakdownUsd,
    monthlyAt2ScansPerDayUsd:
      perScanTotalUsd * scansPerMonth - freeEvents * PRICES.securityHubFindingIngestion.usd,
  };
}
