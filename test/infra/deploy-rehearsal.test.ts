/**
 * A deploy rehearsal: over synthesized templates, what CloudFormation or the services would refuse
 * only at deploy time. Schedule expressions (Scheduler's rules), event patterns (shapes EventBridge
 * accepts), names and descriptions within their APIs' lengths, and IAM documents well under their
 * size limits with the largest settings accepted (MAX_CLUSTERS clusters of 100-character names).
 */
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { MAX_CLUSTERS } from '../../infra/context.ts';
import { parseScheduleExpression } from '../../infra/schedule-expression.ts';
import { type Environment, resolveValue } from './resolve.ts';
import { synth } from './synth.ts';

type Json = Record<string, unknown>;

/** CloudFormation stack names: up to 128 characters, a letter first. */
const LONGEST_STACK_NAME = `K${'k'.repeat(127)}`;
/** EKS cluster names: up to 100 characters. */
const LONGEST_ALLOW_LIST = Array.from(
  { length: MAX_CLUSTERS },
  (_, i) => `${String(i).padStart(3, '0')}${'c'.repeat(97)}`,
);

/** Pessimistic resolution: long partition and Region, generated names of 128 characters. */
const WORST_CASE: Environment = {
  partition: 'aws-us-gov',
  region: 'ap-southeast-5',
  accountId: '111122223333',
  stackName: LONGEST_STACK_NAME,
  physical: (id, attribute) =>
    attribute === 'Arn' || attribute?.endsWith('Arn')
      ? `arn:aws-us-gov:service:ap-southeast-5:111122223333:resource/${id.padEnd(128, 'x')}`
      : id.padEnd(128, 'x'),
};

const VARIANTS = {
  defaults: synth(),
  'largest settings': synth({
    stackName: LONGEST_STACK_NAME,
    alarmEmail: 'ops@example.com',
    notifyNewFailed: true,
    scanner: { clusters: LONGEST_ALLOW_LIST, schedule: 'cron(0 3 ? * MON-FRI *)', coverageAlarmPercent: 90 },
  }),
  'schedule off, no extras': synth({ scanner: { schedule: false, securityHubExtras: false } }),
  'schedule as a Duration': synth({ scanner: { schedule: Duration.minutes(90) } }),
};

const resourcesOf = (template: { toJSON(): Json }) =>
  Object.entries((template.toJSON().Resources ?? {}) as Record<string, Json>);
const ofType = (template: { toJSON(): Json }, type: string) =>
  resourcesOf(template).filter(([, r]) => r.Type === type) as [string, Json][];
const props = (r: Json) => (r.Properties ?? {}) as Json;
const size = (document: unknown) => JSON.stringify(resolveValue(document, WORST_CASE)).length;

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
  'equals-ignore-case',
  'wildcard',
]);

/** Problems EventBridge would report for a pattern (PutRule: InvalidEventPatternException). */
function patternProblems(pattern: unknown, path = '$'): string[] {
  if (!pattern || typeof pattern !== 'object' || Array.isArray(pattern)) return [`${path}: not an object`];
  const entries = Object.entries(pattern as Json);
  if (entries.length === 0) return [`${path}: empty`];
  return entries.flatMap(([key, value]) => {
    const at = `${path}.${key}`;
    if (key === '$or') {
      return Array.isArray(value) && value.length >= 2
        ? value.flatMap((p, i) => patternProblems(p, `${at}[${i}]`))
        : [`${at}: $or takes two or more patterns`];
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return [`${at}: empty array matches nothing`];
      return value.flatMap((v, i) => matcherProblems(v, `${at}[${i}]`));
    }
    if (value && typeof value === 'object') return patternProblems(value, at);
    return [`${at}: a value must be in an array`];
  });
}

function matcherProblems(matcher: unknown, at: string): string[] {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return [];
  if (typeof matcher !== 'object' || Array.isArray(matcher)) return [`${at}: not a value or an operator`];
  const keys = Object.keys(matcher as Json);
  if (keys.length !== 1 || !OPERATORS.has(keys[0] as string))
    return [`${at}: unknown operator ${keys.join(',')}`];
  const [operator, operand] = Object.entries(matcher as Json)[0] as [string, unknown];
  if (operator === 'exists') return typeof operand === 'boolean' ? [] : [`${at}: exists takes true or false`];
  if (operator === 'numeric') {
    return Array.isArray(operand) && operand.length % 2 === 0 && operand.length > 0 ? [] : [`${at}: numeric`];
  }
  if (['prefix', 'suffix', 'cidr', 'equals-ignore-case', 'wildcard'].includes(operator)) {
    return typeof operand === 'string' && operand !== ''
      ? []
      : [`${at}: ${operator} takes a non-empty string`];
  }
  return [];
}

/** Property → [min, max, pattern] where the template sets it (each service's API reference). */
const NAME_LIMITS: Record<string, Record<string, [number, number, RegExp?]>> = {
  'AWS::Events::Rule': { Name: [1, 64, /^[.\-_A-Za-z0-9]+$/], Description: [0, 512] },
  'AWS::Events::EventBus': { Name: [1, 256, /^[/.\-_A-Za-z0-9]+$/], Description: [0, 512] },
  'AWS::Scheduler::Schedule': { Name: [1, 64, /^[0-9a-zA-Z\-_.]+$/], Description: [0, 512] },
  'AWS::CloudWatch::Alarm': { AlarmName: [1, 255], AlarmDescription: [0, 1024] },
  'AWS::SQS::Queue': { QueueName: [1, 80, /^[A-Za-z0-9_-]+$/] },
  'AWS::SNS::Topic': { TopicName: [1, 256, /^[A-Za-z0-9_-]+$/], DisplayName: [0, 100] },
  'AWS::DynamoDB::Table': { TableName: [3, 255, /^[a-zA-Z0-9_.-]+$/] },
  'AWS::Lambda::Function': { FunctionName: [1, 64], Description: [0, 256] },
  'AWS::Logs::LogGroup': { LogGroupName: [1, 512] },
  'AWS::IAM::Role': { RoleName: [1, 64], Description: [0, 1000] },
  'AWS::IAM::ManagedPolicy': { ManagedPolicyName: [1, 128], Description: [0, 1000] },
  'AWS::SSM::Document': { Name: [3, 128] },
  'AWS::KMS::Key': { Description: [0, 8192] },
  'AWS::SecurityHub::ActionTarget': { Id: [1, 20, /^[A-Za-z0-9]+$/], Name: [1, 20], Description: [1, 1024] },
};

/** IAM quotas (IAM User Guide, IAM and AWS STS quotas), in characters without whitespace. */
const IAM = { inlinePerRole: 10_240, managedPolicy: 6_144, managedPerRole: 10, trustPolicy: 2_048 } as const;
/** "Well under": at most this share of a limit. */
const MARGIN = 0.8;

describe.each(Object.entries(VARIANTS))('deploy rehearsal (%s)', (_name, { template }) => {
  it('has only schedule expressions EventBridge Scheduler accepts', () => {
    const schedules = ofType(template, 'AWS::Scheduler::Schedule');
    expect(schedules.length).toBeGreaterThan(0);
    for (const [, s] of schedules)
      expect(() => parseScheduleExpression(props(s).ScheduleExpression as string)).not.toThrow();
  });

  it('has only event patterns EventBridge accepts, within 4,096 characters', () => {
    const rules = ofType(template, 'AWS::Events::Rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const [id, rule] of rules) {
      const pattern = resolveValue(props(rule).EventPattern, WORST_CASE);
      expect({ id, problems: patternProblems(pattern) }).toEqual({ id, problems: [] });
      expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(4096);
    }
  });

  it('sets names and descriptions within their limits', () => {
    for (const [type, limits] of Object.entries(NAME_LIMITS)) {
      for (const [id, resource] of ofType(template, type)) {
        for (const [property, [min, max, pattern]] of Object.entries(limits)) {
          const value = props(resource)[property];
          if (value === undefined) continue;
          const text = String(resolveValue(value, WORST_CASE));
          expect({ id, property, length: text.length >= min && text.length <= max }).toEqual({
            id,
            property,
            length: true,
          });
          if (pattern) expect(text).toMatch(pattern);
        }
      }
    }
    const outputs = (template.toJSON().Outputs ?? {}) as Record<string, Json>;
    for (const [id, output] of Object.entries(outputs)) {
      expect(id).toMatch(/^[A-Za-z0-9]{1,255}$/);
      expect(String(output.Description ?? '').length).toBeLessThanOrEqual(1024);
    }
  });

  it('keeps every role’s IAM documents well under their size limits', () => {
    const policies = ofType(template, 'AWS::IAM::Policy');
    const managed = ofType(template, 'AWS::IAM::ManagedPolicy');
    for (const [roleId, role] of ofType(template, 'AWS::IAM::Role')) {
      const attached = (p: Json) => ((props(p).Roles ?? []) as Json[]).some((r) => r.Ref === roleId);
      const inline =
        policies.filter(([, p]) => attached(p)).reduce((n, [, p]) => n + size(props(p).PolicyDocument), 0) +
        ((props(role).Policies ?? []) as Json[]).reduce((n, p) => n + size(p.PolicyDocument), 0);
      expect({ roleId, inline, wellUnder: inline <= IAM.inlinePerRole * MARGIN }).toMatchObject({
        wellUnder: true,
      });
      const ofRole = managed.filter(([, p]) => attached(p));
      expect(ofRole.length).toBeLessThanOrEqual(IAM.managedPerRole / 2);
      for (const [id, p] of ofRole) {
        const characters = size(props(p).PolicyDocument);
        expect({ id, characters, wellUnder: characters <= IAM.managedPolicy * MARGIN }).toMatchObject({
          wellUnder: true,
        });
      }
      expect(size(props(role).AssumeRolePolicyDocument)).toBeLessThanOrEqual(IAM.trustPolicy * MARGIN);
    }
  });
});

describe('the largest allow-list', () => {
  it(`puts ${MAX_CLUSTERS} clusters into managed policies that name every one of them`, () => {
    const { template } = VARIANTS['largest settings'];
    const text = JSON.stringify(ofType(template, 'AWS::IAM::ManagedPolicy'));
    for (const cluster of LONGEST_ALLOW_LIST) expect(text).toContain(`kubernetes.io/cluster/${cluster}`);
  });
});

describe('the event pattern check itself', () => {
  it.each([
    [{ source: 'eks-kubelet-audit' }, /a value must be in an array/],
    [{ source: [] }, /empty array/],
    [{ detail: { GeneratorId: [{ prefx: 'eks-kubelet-audit/' }] } }, /unknown operator prefx/],
    [{ detail: { GeneratorId: [{ prefix: '' }] } }, /prefix takes a non-empty string/],
    [{ detail: { Severity: [{ numeric: ['>'] }] } }, /numeric/],
    [{ $or: [{ source: ['a'] }] }, /\$or takes two or more/],
    [{}, /empty/],
  ])('refuses %j', (pattern, problem) => {
    expect(patternProblems(pattern).join('; ')).toMatch(problem);
  });
});
