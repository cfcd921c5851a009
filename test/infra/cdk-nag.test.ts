import { describe, expect, it } from 'vitest';
import { acknowledgments, dropAcknowledgments, nagFindings, synth } from './synth.ts';

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['defaults', {}],
    [
      'cluster allow-list, alarm e-mail, schedule off',
      { alarmEmail: 'ops@example.com', scanner: { clusters: ['prod'], schedule: false as const } },
    ],
    ['without Security Hub extras', { scanner: { securityHubExtras: false } }],
    [
      'new FAILED findings notified, cron schedule, operator settings',
      {
        alarmEmail: 'ops@example.com',
        notifyNewFailed: true,
        scanner: {
          schedule: 'cron(0 */6 * * ? *)',
          logLevel: 'DEBUG' as const,
          collectorTimeoutSeconds: 120,
        },
      },
    ],
    ['explicit account and Region', { env: { account: '111122223333', region: 'eu-west-1' } }],
  ])('reports nothing unacknowledged (%s)', (_name, props) => {
    const { app } = synth(props);
    expect(nagFindings(app)).toEqual([]);
  });

  it('has a reason for every acknowledgment, and every acknowledgment matches a real finding', () => {
    // Prepare
    const { app } = synth();
    const acks = acknowledgments(app);
    // Act: the raw findings, once the acknowledgments are taken away.
    dropAcknowledgments(app);
    const raw = nagFindings(app).flatMap((f) => f.paths.map((p) => `${f.rule} @ ${p}`));
    // Assess: nothing is acknowledged that does not fire (a stale or too-wide acknowledgment), and
    // the only findings are the acknowledged ones, each on or below the construct acknowledging it.
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
    const normalized = raw
      .map((r) => r.replace(/<ScannerFunction[0-9A-F]{8}\.Arn>/, '<ScannerFunction.Arn>'))
      .sort();
    expect(normalized).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*] @ EksKubeletAuditStack/Scanner/Role/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*] @ EksKubeletAuditStack/Scanner/Role/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:cluster/*] @ EksKubeletAuditStack/Scanner/Role/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::<ScannerFunction.Arn>:*] @ EksKubeletAuditStack/Scanner/Schedule/Role/DefaultPolicy/Resource',
        'AwsSolutions-SQS3 @ EksKubeletAuditStack/Scanner/FailureQueue/Resource',
      ].sort(),
    );
    for (const ack of acks) {
      expect(raw.some((r) => r.startsWith(`${ack.id} @ ${ack.path}/`))).toBe(true);
    }
    expect(acks).toHaveLength(raw.length);
  });
});
