import { describe, expect, it } from 'vitest';
import { readAppSettings } from '../../infra/context.ts';

const from = (values: Record<string, unknown>) => readAppSettings((key) => values[key]);

describe('readAppSettings', () => {
  it('leaves everything at the construct defaults when no context is given', () => {
    expect(from({})).toEqual({ securityHubExtras: true });
  });

  it('reads the schedule expression, "off", the cluster list and the other knobs', () => {
    expect(
      from({
        schedule: ' rate(6 hours) ',
        clusters: 'prod, staging,,',
        alarmEmail: 'ops@example.com',
        securityHubExtras: 'false',
        memorySize: '1024',
        maxConcurrentScans: 4,
        minScanIntervalMinutes: '30',
        clustersPerInvocation: '5',
      }),
    ).toEqual({
      schedule: 'rate(6 hours)',
      clusters: ['prod', 'staging'],
      alarmEmail: 'ops@example.com',
      securityHubExtras: false,
      memorySize: 1024,
      maxConcurrentScans: 4,
      minScanIntervalMinutes: 30,
      clustersPerInvocation: 5,
    });
    expect(from({ maxConcurrentScans: 'OFF' }).maxConcurrentScans).toBe(false);
    expect(from({ minScanIntervalMinutes: '0' }).minScanIntervalMinutes).toBe(0);
    expect(from({ schedule: 'OFF' }).schedule).toBe(false);
    expect(from({ clusters: ' , ' })).not.toHaveProperty('clusters');
  });

  it.each([
    [{ alarmEmail: 'not-an-address' }, /alarmEmail/],
    [{ securityHubExtras: 'yes' }, /securityHubExtras/],
    [{ memorySize: '64' }, /memorySize.*\[128, 10240\]/],
    [{ maxConcurrentScans: '2.5' }, /maxConcurrentScans/],
    [{ clustersPerInvocation: '0' }, /clustersPerInvocation.*\[1, 100\]/],
    [{ maxConcurrentScans: '0' }, /maxConcurrentScans.*\[1, 1000\]/],
    [{ minScanIntervalMinutes: '-1' }, /minScanIntervalMinutes.*\[0, 10080\]/],
    [{ clusters: ['a', 'b'] }, /context "clusters" must be a string/],
  ])('rejects %j naming the key', (values, message) => {
    expect(() => from(values)).toThrow(message);
  });
});
