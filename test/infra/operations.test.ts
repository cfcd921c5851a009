import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readAppSettings } from '../../infra/context.ts';
import { EksKubeletAuditStack, stackPropsFromSettings } from '../../infra/scanner-stack.ts';
import { ENV, iamLike, resolveValue } from './resolve.ts';
import { REPO_ROOT, sourcePaths, synth } from './synth.ts';

type Json = Record<string, unknown>;

const resources = (template: { toJSON(): Json }, type: string): [string, Json][] =>
  Object.entries((template.toJSON().Resources ?? {}) as Record<string, Json>).filter(
    ([, r]) => r.Type === type,
  );
const properties = (template: { toJSON(): Json }, type: string): Json[] =>
  resources(template, type).map(([, r]) => r.Properties as Json);

const withTopic = synth({ alarmEmail: 'ops@example.com' });
const withNotify = synth({ alarmEmail: 'ops@example.com', notifyNewFailed: true });

function statements(document: unknown): Json[] {
  return (resolveValue(document) as { Statement: Json[] }).Statement;
}

describe('alarm topic: alarms that can actually publish', () => {
  const topicPolicy = statements(properties(withTopic.template, 'AWS::SNS::TopicPolicy')[0]?.PolicyDocument);
  const keyPolicy = statements(properties(withTopic.template, 'AWS::KMS::Key')[0]?.KeyPolicy);
  const alarmArns = properties(withTopic.template, 'AWS::CloudWatch::Alarm').map(
    (a) => `arn:aws:cloudwatch:${ENV.region}:${ENV.accountId}:alarm:${resolveValue(a.AlarmName)}`,
  );

  /** Would this policy let CloudWatch, acting for `alarmArn` of `account`, do `action`? */
  function cloudWatchMay(policy: Json[], action: string, alarmArn: string, account = ENV.accountId): boolean {
    return policy.some((s) => {
      const actions = [s.Action].flat() as string[];
      if (s.Effect !== 'Allow' || (s.Principal as Json)?.Service !== 'cloudwatch.amazonaws.com') return false;
      if (!actions.some((a) => iamLike(a, action))) return false;
      const condition = (s.Condition ?? {}) as Record<string, Record<string, string>>;
      const arnLike = condition.ArnLike?.['aws:SourceArn'];
      const sourceAccount = condition.StringEquals?.['aws:SourceAccount'];
      return (arnLike === undefined || iamLike(arnLike, alarmArn)) && (sourceAccount ?? account) === account;
    });
  }

  it('has five alarms, every one named under the stack prefix', () => {
    expect(alarmArns).toHaveLength(5);
    for (const arn of alarmArns) expect(arn).toMatch(/:alarm:EksKubeletAuditStack-[A-Za-z]+$/);
  });

  it("lets CloudWatch publish for each of the stack's alarms, and for no other alarm or account", () => {
    for (const arn of alarmArns) expect(cloudWatchMay(topicPolicy, 'sns:Publish', arn)).toBe(true);
    const foreign = `arn:aws:cloudwatch:${ENV.region}:${ENV.accountId}:alarm:SomeoneElses-Alarm`;
    expect(cloudWatchMay(topicPolicy, 'sns:Publish', foreign)).toBe(false);
    expect(cloudWatchMay(topicPolicy, 'sns:Publish', alarmArns[0] as string, '444455556666')).toBe(false);
  });

  it('lets CloudWatch use the key for those alarms (an encrypted topic needs both calls)', () => {
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      for (const arn of alarmArns) expect(cloudWatchMay(keyPolicy, action, arn)).toBe(true);
      expect(cloudWatchMay(keyPolicy, action, arnOf('SomeoneElses-Alarm'))).toBe(false);
    }
  });

  it('keeps the TLS-only deny', () => {
    expect(topicPolicy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

function arnOf(alarmName: string): string {
  return `arn:aws:cloudwatch:${ENV.region}:${ENV.accountId}:alarm:${alarmName}`;
}

describe('"no successful scan" alarm', () => {
  const alarm = (props: Parameters<typeof synth>[0] = {}) =>
    properties(synth(props).template, 'AWS::CloudWatch::Alarm').find((a) =>
      String(a.AlarmName).endsWith('-NoSuccessfulScan'),
    );

  it('fires after two schedule intervals without a reported cluster scan, missing data breaching', () => {
    expect(alarm()).toMatchObject({
      Namespace: 'EksKubeletAudit',
      MetricName: 'NodesInScope',
      Dimensions: [{ Name: 'service', Value: 'eks-kubelet-audit' }],
      Statistic: 'SampleCount',
      Period: 12 * 3600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('follows the schedule: rates, daily and weekday crons', () => {
    expect(alarm({ scanner: { schedule: 'rate(30 minutes)' } })).toMatchObject({
      Period: 1800,
      EvaluationPeriods: 2,
    });
    expect(alarm({ scanner: { schedule: 'rate(2 days)' } })).toMatchObject({
      Period: 86_400,
      EvaluationPeriods: 4,
    });
    expect(alarm({ scanner: { schedule: 'cron(0 3 * * ? *)' } })).toMatchObject({
      Period: 86_400,
      EvaluationPeriods: 2,
    });
    expect(alarm({ scanner: { schedule: 'cron(0 3 ? * MON-FRI *)' } })).toMatchObject({
      Period: 86_400,
      EvaluationPeriods: 6,
    });
  });

  it('is absent, with a synth warning where it cannot be built, and absent when the schedule is off', () => {
    expect(alarm({ scanner: { schedule: false } })).toBeUndefined();
    const lastDay = synth({ scanner: { schedule: 'cron(0 3 L * ? *)' } });
    expect(properties(lastDay.template, 'AWS::CloudWatch::Alarm')).toHaveLength(4);
    const warnings = Annotations.fromStack(lastDay.stack).findWarning(
      '*',
      Match.stringLikeRegexp('no "no successful scan" alarm'),
    );
    expect(warnings).toHaveLength(1);
  });
});

describe('coverage alarm', () => {
  const coverage = (percent?: number) =>
    properties(
      synth(percent === undefined ? {} : { scanner: { coverageAlarmPercent: percent } }).template,
      'AWS::CloudWatch::Alarm',
    ).find((a) => String(a.AlarmName).endsWith('-LowCoverage'));

  it("alarms when NOT_AVAILABLE nodes exceed the setting's share of the scanned ones", () => {
    const alarm = coverage();
    expect(alarm).toMatchObject({ Threshold: 50, ComparisonOperator: 'GreaterThanThreshold' });
    const metrics = alarm?.Metrics as Json[];
    expect(metrics[0]).toMatchObject({ Expression: 'IF(scanned > 0, 100 * unavailable / scanned, 0)' });
    const byId = Object.fromEntries(metrics.slice(1).map((m) => [m.Id, m.MetricStat]));
    expect(byId.unavailable).toMatchObject({ Metric: { MetricName: 'NodesNOT_AVAILABLE' }, Stat: 'Sum' });
    expect(byId.scanned).toMatchObject({ Metric: { MetricName: 'NodesInScope' }, Stat: 'Sum' });
    expect(coverage(25)).toMatchObject({ Threshold: 25 });
  });
});

describe('new FAILED findings (opt-in)', () => {
  const rules = (t = withNotify.template) =>
    properties(t, 'AWS::Events::Rule').filter((r) =>
      (r.EventPattern as Json)['detail-type']?.toString().includes('Imported'),
    );

  it('is off by default', () => {
    expect(rules(withTopic.template)).toHaveLength(0);
  });

  it("matches our product's FAILED, NEW, ACTIVE findings and publishes to the topic", () => {
    const [rule] = rules();
    expect(resolveValue(rule?.EventPattern)).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: {
        findings: {
          ProductArn: [`arn:aws:securityhub:${ENV.region}:${ENV.accountId}:product/${ENV.accountId}/default`],
          GeneratorId: [{ prefix: 'eks-kubelet-audit/' }],
          Compliance: { Status: ['FAILED'] },
          Workflow: { Status: ['NEW'] },
          RecordState: ['ACTIVE'],
          ProductFields: { 'eks-kubelet-audit/new-failed': ['true'] },
        },
      },
    });
    const [topicId] = resources(withNotify.template, 'AWS::SNS::Topic')[0] as [string, Json];
    expect(rule?.Targets).toEqual([{ Arn: { Ref: topicId }, Id: 'Target0' }]);
  });

  it('lets only that rule publish, and EventBridge use the key', () => {
    const [ruleId] = resources(withNotify.template, 'AWS::Events::Rule').find(([, r]) =>
      JSON.stringify(r).includes('Imported'),
    ) as [string, Json];
    const topicPolicy = properties(withNotify.template, 'AWS::SNS::TopicPolicy')[0]?.PolicyDocument as Json;
    const events = (topicPolicy.Statement as Json[]).filter(
      (s) => (s.Principal as Json)?.Service === 'events.amazonaws.com',
    );
    expect(events).toEqual([
      expect.objectContaining({
        Action: 'sns:Publish',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      }),
    ]);
    const key = properties(withNotify.template, 'AWS::KMS::Key')[0]?.KeyPolicy as Json;
    expect(key.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it('is printed in the README exactly as deployed', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /<!-- new-failed-pattern -->\n```json\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const [rule] = rules();
    const printed = JSON.parse(
      (block as string).replaceAll('<region>', ENV.region).replaceAll('<account>', ENV.accountId),
    );
    expect(printed).toEqual(resolveValue(rule?.EventPattern));
  });
});

describe('stack outputs', () => {
  const outputs = withTopic.template.toJSON().Outputs as Record<string, { Value: unknown }>;

  it('names the function, log group, failure queue, state table, collector document and alarm topic', () => {
    const id = (type: string) => (resources(withTopic.template, type)[0] as [string, Json])[0];
    expect(outputs.FunctionName?.Value).toEqual({ Ref: id('AWS::Lambda::Function') });
    expect(outputs.LogGroupName?.Value).toEqual({ Ref: id('AWS::Logs::LogGroup') });
    expect(outputs.FailureQueueUrl?.Value).toEqual({ Ref: id('AWS::SQS::Queue') });
    expect(outputs.StateTableName?.Value).toEqual({ Ref: id('AWS::DynamoDB::Table') });
    expect(outputs.CollectorDocumentName?.Value).toEqual({ Ref: id('AWS::SSM::Document') });
    expect(outputs.AlarmTopicArn?.Value).toEqual({ Ref: id('AWS::SNS::Topic') });
    expect(synth().template.toJSON().Outputs).not.toHaveProperty('AlarmTopicArn');
  });

  it('gives a ready put-events command whose entries are events/scan-all.json', () => {
    const command = resolveValue(outputs.ScanNowCommand?.Value) as string;
    const match = /^aws events put-events --region eu-west-1 --entries '([^']*)'$/.exec(command);
    expect(match).not.toBeNull();
    const scanAll = JSON.parse(readFileSync(join(REPO_ROOT, 'events/scan-all.json'), 'utf8'));
    expect(JSON.parse(match?.[1] as string)).toEqual(scanAll);
  });
});

describe('settings reach the template', () => {
  const fromSettings = (context: Record<string, unknown>) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const props = stackPropsFromSettings(readAppSettings(context));
    const stack = new EksKubeletAuditStack(app, 'EksKubeletAuditStack', {
      ...props,
      scanner: { ...sourcePaths(), ...props.scanner },
    });
    return app.synth().getStackByName(stack.stackName).template as Json;
  };
  const of = (template: Json, type: string) =>
    Object.values(template.Resources as Record<string, Json>)
      .filter((r) => r.Type === type)
      .map((r) => r.Properties as Json);

  it('log level, log retention and collector timeout', () => {
    const template = fromSettings({
      logLevel: 'DEBUG',
      logRetentionDays: '30',
      collectorTimeoutSeconds: '120',
    });
    const fn = of(template, 'AWS::Lambda::Function')[0] as Json;
    expect((fn.Environment as Json).Variables).toMatchObject({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    expect(fn.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'DEBUG', LogFormat: 'JSON' });
    expect(of(template, 'AWS::Logs::LogGroup')[0]).toMatchObject({ RetentionInDays: 30 });
    const content = of(template, 'AWS::SSM::Document')[0]?.Content as Json;
    expect((content.mainSteps as Json[])[0]).toMatchObject({ inputs: { timeoutSeconds: '120' } });
  });

  it('alarm e-mail with new FAILED findings, and the project tag on every taggable resource', () => {
    const template = fromSettings({
      alarmEmail: 'ops@example.com',
      notifyNewFailed: 'true',
      clusters: 'prod',
    });
    expect(of(template, 'AWS::SNS::Subscription')[0]).toMatchObject({ Endpoint: 'ops@example.com' });
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::SQS::Queue',
      'AWS::DynamoDB::Table',
      'AWS::SNS::Topic',
      'AWS::KMS::Key',
      'AWS::Events::EventBus',
      'AWS::Events::Rule',
      'AWS::CloudWatch::Alarm',
      'AWS::IAM::Role',
      'AWS::Logs::LogGroup',
    ]) {
      for (const p of of(template, type))
        expect(p.Tags).toContainEqual({ Key: 'project', Value: 'eks-kubelet-audit' });
    }
  });
});
