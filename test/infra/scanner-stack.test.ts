import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SCHEDULED_SCAN_INPUT } from '../../infra/constructs/kubelet-audit-scanner.ts';
import { REPO_ROOT, synth } from './synth.ts';

type Json = Record<string, unknown>;

function only(resources: Record<string, Json>): Json {
  const values = Object.values(resources);
  expect(values).toHaveLength(1);
  return values[0] as Json;
}

function props(resource: Json): Json {
  return resource.Properties as Json;
}

const base = synth();
const logicalId = (type: string) => {
  const ids = Object.keys(base.template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};
const FN = logicalId('AWS::Lambda::Function');
const QUEUE = logicalId('AWS::SQS::Queue');
const DOCUMENT = logicalId('AWS::SSM::Document');
const LOGS = logicalId('AWS::Logs::LogGroup');

describe('scanner function', () => {
  it('runs Node.js 24 on arm64 with 15 minutes and 1,769 MB (one vCPU)', () => {
    const fn = props(only(base.template.findResources('AWS::Lambda::Function')));
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 900,
      MemorySize: 1769,
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: LOGS } },
    });
    // Reserved by default: a flood of events cannot take the account's concurrency.
    expect(fn.ReservedConcurrentExecutions).toBe(10);
  });

  it('reserves no concurrency when told not to (an account whose quota cannot spare it)', () => {
    const fn = props(
      only(synth({ scanner: { maxConcurrentScans: false } }).template.findResources('AWS::Lambda::Function')),
    );
    expect(fn).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('gets its configuration contract through its environment', () => {
    const fn = props(only(base.template.findResources('AWS::Lambda::Function')));
    expect((fn.Environment as Json).Variables).toEqual({
      KUBELET_AUDIT_DOCUMENT_NAME: { Ref: DOCUMENT },
      KUBELET_AUDIT_DOCUMENT_VERSION: '1',
      KUBELET_AUDIT_EVENT_BUS: 'default',
      KUBELET_AUDIT_INTERNAL_EVENT_BUS: { Ref: logicalId('AWS::Events::EventBus') },
      KUBELET_AUDIT_STATE_TABLE: { Ref: logicalId('AWS::DynamoDB::Table') },
      POWERTOOLS_SERVICE_NAME: 'eks-kubelet-audit',
      POWERTOOLS_METRICS_NAMESPACE: 'EksKubeletAudit',
      NODE_OPTIONS: '--max-semi-space-size=4',
    });
  });

  it('pins version "1": the document has a generated name and updateMethod Replace, so it never has another', () => {
    const document = props(only(base.template.findResources('AWS::SSM::Document')));
    expect(document.UpdateMethod).toBe('Replace');
    expect(document).not.toHaveProperty('Name');
  });

  it('passes the cluster allow-list and the concurrency cap when given', () => {
    const { template } = synth({
      scanner: {
        clusters: ['prod', 'staging'],
        maxConcurrentScans: 5,
        clustersPerInvocation: 4,
        minScanIntervalMinutes: 30,
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          KUBELET_AUDIT_CLUSTERS: 'prod,staging',
          KUBELET_AUDIT_CLUSTERS_PER_INVOCATION: '4',
          KUBELET_AUDIT_MIN_SCAN_INTERVAL_MINUTES: '30',
        }),
      },
      ReservedConcurrentExecutions: 5,
    });
  });

  it('rejects a cluster name EKS would not accept', () => {
    expect(() => synth({ scanner: { clusters: ['prod', 'bad name'] } })).toThrow(
      /"bad name" is not an EKS cluster name/,
    );
  });

  it('keeps its logs 90 days in its own log group', () => {
    base.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('sends failed asynchronous invocations to the failure queue after two retries', () => {
    const config = props(only(base.template.findResources('AWS::Lambda::EventInvokeConfig')));
    expect(config).toEqual({
      FunctionName: { Ref: FN },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [QUEUE, 'Arn'] } } },
    });
  });
});

describe('failure queue', () => {
  it('is encrypted and keeps messages 14 days', () => {
    const queue = props(only(base.template.findResources('AWS::SQS::Queue')));
    expect(queue).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      Tags: [{ Key: 'project', Value: 'eks-kubelet-audit' }],
    });
  });

  it('refuses every request that does not use TLS', () => {
    const policy = props(only(base.template.findResources('AWS::SQS::QueuePolicy')));
    const statements = (policy.PolicyDocument as Json).Statement as Json[];
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Resource: { 'Fn::GetAtt': [QUEUE, 'Arn'] },
    });
    // EventBridge may drop undeliverable events in it, but only from our three rules.
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(3);
    for (const s of allows) {
      expect(s).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' });
      expect(s.Condition).toHaveProperty(['ArnEquals', 'aws:SourceArn']);
    }
  });
});

describe('schedule', () => {
  it('invokes the function every 12 hours with the fixed input, retries and a DLQ', () => {
    const schedule = props(only(base.template.findResources('AWS::Scheduler::Schedule')));
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(12 hours)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [FN, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [QUEUE, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
    const input = JSON.parse((schedule.Target as Json).Input as string);
    expect(input).toEqual({ source: 'eks-kubelet-audit', 'detail-type': 'Scheduled Scan', detail: {} });
    // The sample payload for local runs is exactly what the Scheduler sends.
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'events/scheduled.json'), 'utf8'))).toEqual(input);
    expect(SCHEDULED_SCAN_INPUT).toEqual(input);
  });

  it('takes a Duration, a rate or cron expression, or false (disabled)', () => {
    const expression = (schedule: Duration | string | false) => {
      const s = props(
        only(synth({ scanner: { schedule } }).template.findResources('AWS::Scheduler::Schedule')),
      );
      return [s.ScheduleExpression, s.State];
    };
    expect(expression(Duration.hours(6))).toEqual(['rate(6 hours)', 'ENABLED']);
    expect(expression('cron(0 3 * * ? *)')).toEqual(['cron(0 3 * * ? *)', 'ENABLED']);
    expect(expression(false)).toEqual(['rate(12 hours)', 'DISABLED']);
    expect(() => synth({ scanner: { schedule: 'every day' } })).toThrow(
      /must be "rate\(<value> <unit>\)" or "cron\(<6 fields>\)"/,
    );
    expect(() => synth({ scanner: { schedule: 'cron(0 3 * * *)' } })).toThrow(/exactly 6 fields/);
  });

  it('has a role only EventBridge Scheduler of this account can assume, to invoke only the scanner', () => {
    const roles = base.template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'scheduler.amazonaws.com' } }] },
      },
    });
    const [roleId, role] = Object.entries(roles)[0] as [string, Json];
    expect((props(role).AssumeRolePolicyDocument as Json).Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    const policy = props(
      only(base.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })),
    );
    expect((policy.PolicyDocument as Json).Statement).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [FN, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [FN, 'Arn'] }, ':*']] },
        ],
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [QUEUE, 'Arn'] } },
    ]);
  });
});

describe('event rules', () => {
  const rules = Object.values(base.template.findResources('AWS::Events::Rule')).map(props);

  it('routes "Scan Requested" events of our source on the default bus to the function', () => {
    const rule = rules.find(
      (r) => (r.EventPattern as Json).source?.toString() === 'eks-kubelet-audit' && !r.EventBusName,
    );
    expect(rule).toBeDefined();
    expect(rule?.EventBusName).toBeUndefined(); // the default bus
    expect(rule?.EventPattern).toEqual({ source: ['eks-kubelet-audit'], 'detail-type': ['Scan Requested'] });
    expect(rule?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [FN, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [QUEUE, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      }),
    ]);
  });

  it('routes only our "Rescan node" custom action of Security Hub to the function', () => {
    const action = logicalId('AWS::SecurityHub::ActionTarget');
    const rule = rules.find((r) => (r.EventPattern as Json).source?.toString() === 'aws.securityhub');
    expect(rule?.EventPattern).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Custom Action'],
      resources: [{ 'Fn::GetAtt': [action, 'ActionTargetArn'] }],
    });
    expect(rule?.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [FN, 'Arn'] } })]);
  });

  it('lets each rule, and nothing else, invoke the function', () => {
    const permissions = Object.values(base.template.findResources('AWS::Lambda::Permission')).map(props);
    expect(permissions).toHaveLength(3);
    for (const p of permissions) {
      expect(p).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
      expect(p.SourceArn).toHaveProperty(['Fn::GetAtt', 1], 'Arn');
    }
  });
});

describe('Security Hub extras', () => {
  const insights = () => Object.values(base.template.findResources('AWS::SecurityHub::Insight'));

  it('creates the insight over our failing, active findings grouped by control', () => {
    const byControl = insights()
      .map(props)
      .find((p) => p.Name === 'kubelet controls failing, by control');
    expect(byControl?.GroupByAttribute).toBe('GeneratorId');
    const filters = byControl?.Filters as Record<string, unknown>;
    expect(filters.GeneratorId).toEqual([{ Comparison: 'PREFIX', Value: 'eks-kubelet-audit/' }]);
    expect(filters.ComplianceStatus).toEqual([{ Comparison: 'EQUALS', Value: 'FAILED' }]);
    expect(filters.RecordState).toEqual([{ Comparison: 'EQUALS', Value: 'ACTIVE' }]);
  });

  it('creates the insight over our failing, active findings grouped by resource', () => {
    const insight = props(
      insights().find((r) => props(r).Name === 'kubelet controls failing, by cluster') ?? {},
    );
    expect(insight).toEqual({
      Name: 'kubelet controls failing, by cluster',
      GroupByAttribute: 'ResourceId',
      Filters: {
        ProductArn: [
          {
            Comparison: 'EQUALS',
            Value: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':securityhub:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':product/',
                  { Ref: 'AWS::AccountId' },
                  '/default',
                ],
              ],
            },
          },
        ],
        GeneratorId: [{ Comparison: 'PREFIX', Value: 'eks-kubelet-audit/' }],
        ComplianceStatus: [{ Comparison: 'EQUALS', Value: 'FAILED' }],
        RecordState: [{ Comparison: 'EQUALS', Value: 'ACTIVE' }],
        ResourceType: [{ Comparison: 'EQUALS', Value: 'AwsEksCluster' }],
      },
    });
  });

  it('creates the "Rescan node" custom action within the API limits', () => {
    const action = props(only(base.template.findResources('AWS::SecurityHub::ActionTarget')));
    expect(action.Name).toBe('Rescan node');
    expect(action.Name as string).toMatch(/^.{1,20}$/);
    expect(action.Id as string).toMatch(/^[A-Za-z0-9]{1,20}$/);
    expect(action.Description).toEqual(expect.any(String));
  });

  it('can be left out (Security Hub resources fail to deploy where Security Hub CSPM is off)', () => {
    const { template } = synth({ scanner: { securityHubExtras: false } });
    template.resourceCountIs('AWS::SecurityHub::Insight', 0);
    template.resourceCountIs('AWS::SecurityHub::ActionTarget', 0);
    template.resourceCountIs('AWS::Events::Rule', 2);
  });
});

describe('alarms', () => {
  const alarmProps = (t = base.template) =>
    Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(props);

  it('fire on the first function error, throttle and failed event', () => {
    const alarms = alarmProps().filter((a) => a.Namespace !== 'EksKubeletAudit' && a.Metrics === undefined);
    const byMetric = Object.fromEntries(alarms.map((a) => [a.MetricName, a]));
    expect(Object.keys(byMetric).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
    ]);
    for (const a of alarms) {
      expect(a).toMatchObject({
        Threshold: 1,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    expect(byMetric.Errors).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: FN } }],
    });
    expect(byMetric.Throttles).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum' });
    expect(byMetric.ApproximateNumberOfMessagesVisible).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [QUEUE, 'QueueName'] } }],
    });
    expect(alarms.every((a) => a.AlarmActions === undefined)).toBe(true);
  });

  it('notify an encrypted, TLS-only topic when an e-mail address is given', () => {
    const { template } = synth({ alarmEmail: 'ops@example.com' });
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0] as string;
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0] as string;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    // Teardown removes it (after KMS's waiting period) instead of leaving a billed orphan key.
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
      Properties: { PendingWindowInDays: 7 },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(alarmProps(template)).toHaveLength(5);
    for (const a of alarmProps(template)) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.OKActions).toEqual([{ Ref: topicId }]);
    }
  });
});
