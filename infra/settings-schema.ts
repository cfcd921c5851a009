/**
 * Every setting of the stack: what it accepts (shown in every error) and how a context value becomes
 * a typed one. A parser throws an Error whose message is the problem ("must be …, got …"); context.ts
 * adds the key and the accepted values.
 */
import { CLUSTER_NAME } from '../functions/scanner/config.ts';
import { parseScheduleExpression, ScheduleExpressionError } from './schedule-expression.ts';

/**
 * The longest allow-list accepted. Every cluster costs some 600 characters of IAM policy (its name in
 * two tag conditions, a statement for its self-managed nodes' tag, a DescribeCluster ARN); they go
 * into customer managed policies of 6 clusters each (IAM: 6,144 characters a policy, 10 managed
 * policies a role), so 30 clusters of the longest name EKS allows come to 5 policies, each about three
 * quarters full (test/infra/deploy-rehearsal.test.ts measures it). Larger fleets deploy without an
 * allow-list, or one stack per group of clusters.
 */
export const MAX_CLUSTERS = 30;

/** CloudWatch Logs PutRetentionPolicy's allowed values (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The collector's execution timeout on a node. At least 30 s: collect.sh stops collecting after its own
 * 20 s time budget and still prints a valid (cut) document, plus a few seconds to print and compress it;
 * a shorter timeout lets the agent kill it first, and the node answers ExecutionTimedOut with no
 * evidence at all. At most 600 s, so a full run plus SSM's 60 s delivery window and the scan's 90 s
 * reporting reserve (functions/scanner/config.ts) fit the function's 15 minutes.
 */
export const COLLECTOR_TIMEOUT_RANGE = [30, 600] as const;

function scalar(raw: unknown): string {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    throw new Error(`must be a single value, got ${JSON.stringify(raw)}`);
  }
  return String(raw).trim();
}

function integer(min: number, max: number) {
  return (raw: unknown): number => {
    const text = scalar(raw);
    const value = Number(text);
    if (!/^-?[0-9]+$/.test(text) || value < min || value > max) {
      throw new Error(`must be an integer from ${min} to ${max}, got "${text}"`);
    }
    return value;
  };
}

function boolean(raw: unknown): boolean {
  const text = scalar(raw).toLowerCase();
  if (text !== 'true' && text !== 'false') throw new Error(`must be true or false, got "${text}"`);
  return text === 'true';
}

function schedule(raw: unknown): string | false {
  const text = scalar(raw);
  if (text.toLowerCase() === 'off') return false;
  try {
    parseScheduleExpression(text);
  } catch (cause) {
    if (cause instanceof ScheduleExpressionError)
      throw new Error(`"${text}" is invalid: ${cause.reason}`, { cause });
    throw cause;
  }
  return text;
}

function clusters(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map(scalar) : scalar(raw).split(',');
  const names = [...new Set(items.map((c) => c.trim()).filter(Boolean))];
  if (names.length === 0) throw new Error(`names no cluster (got ${JSON.stringify(raw)})`);
  const bad = names.find((c) => !CLUSTER_NAME.test(c));
  if (bad !== undefined) throw new Error(`"${bad}" is not an EKS cluster name`);
  if (names.length > MAX_CLUSTERS)
    throw new Error(`names ${names.length} clusters, more than ${MAX_CLUSTERS}`);
  return names;
}

function email(raw: unknown): string {
  const text = scalar(raw);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text)) throw new Error(`must be an e-mail address, got "${text}"`);
  return text;
}

function maxConcurrentScans(raw: unknown): number | false {
  const text = scalar(raw);
  return text.toLowerCase() === 'off' ? false : integer(1, 1000)(text);
}

function logLevel(raw: unknown): LogLevel {
  const text = scalar(raw).toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(text))
    throw new Error(`must be a log level, got "${text}"`);
  return text as LogLevel;
}

function logRetentionDays(raw: unknown): number {
  const value = integer(1, 3653)(raw);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    throw new Error(`${value} is not a retention CloudWatch Logs offers`);
  }
  return value;
}

export const SETTINGS = {
  schedule: { accepted: 'rate(<n> <unit>), cron(<6 fields>) or off', parse: schedule },
  clusters: { accepted: `1 to ${MAX_CLUSTERS} EKS cluster names, comma-separated`, parse: clusters },
  alarmEmail: { accepted: 'an e-mail address', parse: email },
  notifyNewFailed: { accepted: 'true or false (needs alarmEmail)', parse: boolean },
  coverageAlarmPercent: { accepted: 'an integer from 1 to 100', parse: integer(1, 100) },
  securityHubExtras: { accepted: 'true or false', parse: boolean },
  memorySize: { accepted: 'an integer from 128 to 10240 (MB)', parse: integer(128, 10_240) },
  clustersPerInvocation: { accepted: 'an integer from 1 to 100', parse: integer(1, 100) },
  maxConcurrentScans: { accepted: 'an integer from 1 to 1000, or off', parse: maxConcurrentScans },
  // One week at most: a longer interval would make on-demand scans of a recently scanned cluster useless.
  minScanIntervalMinutes: { accepted: 'an integer from 0 to 10080', parse: integer(0, 10_080) },
  // At most 60 days: Security Hub deletes a finding not updated for 90 days.
  refreshDays: { accepted: 'an integer from 1 to 60', parse: integer(1, 60) },
  staleAfterHours: { accepted: 'an integer from 0 to 720', parse: integer(0, 720) },
  logLevel: { accepted: LOG_LEVELS.join(', '), parse: logLevel },
  logRetentionDays: { accepted: LOG_RETENTION_DAYS.join(', '), parse: logRetentionDays },
  collectorTimeoutSeconds: {
    accepted: `an integer from ${COLLECTOR_TIMEOUT_RANGE[0]} to ${COLLECTOR_TIMEOUT_RANGE[1]}`,
    parse: integer(...COLLECTOR_TIMEOUT_RANGE),
  },
} as const;

export type SettingName = keyof typeof SETTINGS;
