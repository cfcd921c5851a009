/**
 * CDK context → stack properties. Context comes from `-c key=value` on the command line or from
 * cdk.json, always as strings, so each value is parsed and rejected with a message naming the key.
 */
import type { ScanSchedule } from './constructs/kubelet-audit-scanner.ts';

export interface AppSettings {
  readonly schedule?: ScanSchedule;
  readonly clusters?: readonly string[];
  readonly alarmEmail?: string;
  readonly securityHubExtras: boolean;
  readonly memorySize?: number;
  /** Reserved concurrency; `false` reserves none (accounts whose quota leaves nothing to reserve). */
  readonly maxConcurrentScans?: number | false;
  readonly minScanIntervalMinutes?: number;
  readonly clustersPerInvocation?: number;
}

type Context = (key: string) => unknown;

function text(context: Context, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(context: Context, key: string, min: number, max: number): number | undefined {
  const raw = text(context, key);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`context "${key}" must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

/**
 * Reads `schedule`, `clusters`, `alarmEmail`, `securityHubExtras`, `memorySize`, `maxConcurrentScans`
 * (a number or `off`), `minScanIntervalMinutes`, `clustersPerInvocation`.
 */
export function readAppSettings(context: Context): AppSettings {
  const schedule = text(context, 'schedule');
  const clusters = text(context, 'clusters')
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const alarmEmail = text(context, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`context "alarmEmail" must be an e-mail address, got "${alarmEmail}"`);
  }
  const extras = text(context, 'securityHubExtras');
  if (extras !== undefined && extras !== 'true' && extras !== 'false') {
    throw new Error(`context "securityHubExtras" must be "true" or "false", got "${extras}"`);
  }
  const memorySize = integer(context, 'memorySize', 128, 10_240);
  const maxConcurrentScans =
    text(context, 'maxConcurrentScans')?.toLowerCase() === 'off'
      ? false
      : integer(context, 'maxConcurrentScans', 1, 1000);
  // One week at most: a longer interval would make on-demand scans of a recently scanned cluster useless.
  const minScanIntervalMinutes = integer(context, 'minScanIntervalMinutes', 0, 10_080);
  const clustersPerInvocation = integer(context, 'clustersPerInvocation', 1, 100);
  return {
    ...(schedule === undefined ? {} : { schedule: schedule.toLowerCase() === 'off' ? false : schedule }),
    ...(clusters && clusters.length > 0 ? { clusters } : {}),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    securityHubExtras: extras !== 'false',
    ...(memorySize === undefined ? {} : { memorySize }),
    ...(maxConcurrentScans === undefined ? {} : { maxConcurrentScans }),
    ...(minScanIntervalMinutes === undefined ? {} : { minScanIntervalMinutes }),
    ...(clustersPerInvocation === undefined ? {} : { clustersPerInvocation }),
  };
}
