import { describe, expect, it } from 'vitest';
import { MAX_CLUSTERS, readAppSettings } from '../../infra/context.ts';

const CDK_OWN = {
  'cli-telemetry': false,
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:bundling-stacks': ['**'],
  '@aws-cdk/core:failSynthOnValidationErrors': false,
  'acknowledged-issue-numbers': [32775],
  'availability-zones:account=111122223333:region=eu-west-1': ['eu-west-1a'],
};
const from = (values: Record<string, unknown>) => readAppSettings({ ...CDK_OWN, ...values });

describe('readAppSettings', () => {
  it('leaves everything at the construct defaults when only the CDK own context is there', () => {
    expect(from({})).toEqual({ securityHubExtras: true, notifyNewFailed: false });
  });

  it('reads -c strings and cdk.json JSON values alike', () => {
    expect(
      from({
        schedule: ' rate(6 hours) ',
        clusters: 'prod, staging,,',
        alarmEmail: 'ops@example.com',
        notifyNewFailed: true,
        coverageAlarmPercent: '25',
        securityHubExtras: 'false',
        memorySize: '1024',
        maxConcurrentScans: 4,
        minScanIntervalMinutes: '30',
        clustersPerInvocation: '5',
        logLevel: 'debug',
        logRetentionDays: 365,
        collectorTimeoutSeconds: '120',
      }),
    ).toEqual({
      schedule: 'rate(6 hours)',
      clusters: ['prod', 'staging'],
      alarmEmail: 'ops@example.com',
      notifyNewFailed: true,
      coverageAlarmPercent: 25,
      securityHubExtras: false,
      memorySize: 1024,
      maxConcurrentScans: 4,
      minScanIntervalMinutes: 30,
      clustersPerInvocation: 5,
      logLevel: 'DEBUG',
      logRetentionDays: 365,
      collectorTimeoutSeconds: 120,
    });
    expect(from({ clusters: ['prod', 'staging'] }).clusters).toEqual(['prod', 'staging']);
    expect(from({ maxConcurrentScans: 'OFF' }).maxConcurrentScans).toBe(false);
    expect(from({ minScanIntervalMinutes: 0 }).minScanIntervalMinutes).toBe(0);
    expect(from({ schedule: 'OFF' }).schedule).toBe(false);
  });

  it.each([
    [
      { cluster: 'prod' },
      /^unknown setting "cluster": did you mean "clusters"\? Accepted: schedule, clusters, /,
    ],
    [{ Schedule: 'rate(1 day)' }, /unknown setting "Schedule": did you mean "schedule"\?/],
    [{ alarmMail: 'ops@example.com' }, /did you mean "alarmEmail"/],
    [{ somethingElse: 'x' }, /^unknown setting "somethingElse": Accepted: schedule, /],
    [{ clusters: ',' }, /^setting "clusters" names no cluster .*Accepted: 1 to 30 EKS cluster names/],
    [{ clusters: '' }, /^setting "clusters" is empty\. Accepted:/],
    [{ clusters: [] }, /^setting "clusters" names no cluster/],
    [{ clusters: { a: 1 } }, /^setting "clusters" must be a single value/],
    [{ clusters: 'prod,bad name' }, /"bad name" is not an EKS cluster name/],
    [{ schedule: '' }, /^setting "schedule" is empty/],
    [
      { schedule: 'cron(0 3 * * *)' },
      /^setting "schedule" "cron\(0 3 \* \* \*\)" is invalid: a cron expression has exactly 6 fields/,
    ],
    [{ schedule: 'rate(6 hour)' }, /plural unit/],
    [{ alarmEmail: 'not-an-address' }, /^setting "alarmEmail" must be an e-mail address/],
    [{ securityHubExtras: 'yes' }, /^setting "securityHubExtras" must be true or false/],
    [{ notifyNewFailed: 'true' }, /notifyNewFailed.*only with "alarmEmail"/],
    [{ memorySize: '64' }, /^setting "memorySize" must be an integer from 128 to 10240/],
    [{ memorySize: '1e3' }, /memorySize/],
    [
      { maxConcurrentScans: '2.5' },
      /^setting "maxConcurrentScans".*Accepted: an integer from 1 to 1000, or off/,
    ],
    [{ maxConcurrentScans: '0' }, /maxConcurrentScans/],
    [{ clustersPerInvocation: '0' }, /clustersPerInvocation/],
    [{ minScanIntervalMinutes: '-1' }, /minScanIntervalMinutes/],
    [{ coverageAlarmPercent: '0' }, /coverageAlarmPercent/],
    [{ coverageAlarmPercent: true }, /coverageAlarmPercent/],
    [
      { logLevel: 'TRACE' },
      /^setting "logLevel" must be a log level, got "TRACE"\. Accepted: DEBUG, INFO, WARN, ERROR$/,
    ],
    [{ logRetentionDays: '100' }, /^setting "logRetentionDays" 100 is not a retention .*Accepted: 1, 3, 5/],
    [
      { collectorTimeoutSeconds: '4' },
      /^setting "collectorTimeoutSeconds" must be an integer from 30 to 600/,
    ],
    // Below the collector's own 20 s budget the agent would kill it before it prints anything.
    [
      { collectorTimeoutSeconds: '29' },
      /^setting "collectorTimeoutSeconds" must be an integer from 30 to 600/,
    ],
    [{ collectorTimeoutSeconds: null }, /collectorTimeoutSeconds" is empty/],
  ])('rejects %j in one line naming the key', (values, message) => {
    let error: unknown;
    try {
      from(values);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it(`accepts ${MAX_CLUSTERS} clusters and refuses one more`, () => {
    const names = Array.from({ length: MAX_CLUSTERS + 1 }, (_, i) => `c${i}`);
    expect(from({ clusters: names.slice(0, -1).join(',') }).clusters).toHaveLength(MAX_CLUSTERS);
    expect(() => from({ clusters: names.join(',') })).toThrow(/names 31 clusters, more than 30/);
  });
});
