/**
 * The internal bus (only the scanner's role may put on it; its rule marks what it delivers as
 * internal) and the scanner's state table, as synthesized.
 */
import { describe, expect, it } from 'vitest';
import { INTERNAL_INPUT_TEMPLATE } from '../../infra/constructs/internal-channel.ts';
import { synth } from './synth.ts';

type Json = Record<string, unknown>;
const { template } = synth();
const props = (type: string): Json[] =>
  Object.values(template.findResources(type)).map((r) => (r as Json).Properties as Json);
const logicalIds = (type: string) => Object.keys(template.findResources(type));
const [BUS] = logicalIds('AWS::Events::EventBus');
const [FN] = logicalIds('AWS::Lambda::Function');
const scannerRole = logicalIds('AWS::IAM::Role').find((id) => /^ScannerRole/.test(id));

describe('internal bus', () => {
  it('is a bus of the stack, whose policy denies PutEvents to every principal but the scanner role', () => {
    expect(logicalIds('AWS::Events::EventBus')).toHaveLength(1);
    const policies = props('AWS::Events::EventBusPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatchObject({
      EventBusName: { Ref: BUS },
      Statement: {
        Sid: 'cdk-OnlyTheScannerPutsWorkItems',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [BUS, 'Arn'] },
        Condition: { StringNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [scannerRole, 'Arn'] } } },
      },
    });
  });

  it('has one rule, for work items only, that wraps each as internal for the function', () => {
    const rule = props('AWS::Events::Rule').find((r) => r.EventBusName !== undefined);
    expect(rule).toMatchObject({
      EventBusName: { Ref: BUS },
      EventPattern: { source: ['eks-kubelet-audit'], 'detail-type': ['Scan Work'] },
    });
    const targets = rule?.Targets as Json[];
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [FN, 'Arn'] },
      InputTransformer: { InputTemplate: INTERNAL_INPUT_TEMPLATE },
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
    });
    // The whole event with its detail (<aws.events.event> would leave the detail out), and the rule
    // ARN as a string.
    expect(JSON.parse(INTERNAL_INPUT_TEMPLATE.replace('<aws.events.event.json>', '{}'))).toEqual({
      channel: 'internal',
      ruleArn: '<aws.events.rule-arn>',
      event: {},
    });
    // The default bus's rules deliver raw events: no transformer there.
    for (const r of props('AWS::Events::Rule').filter((x) => x.EventBusName === undefined)) {
      for (const t of r.Targets as Json[]) expect(t).not.toHaveProperty('InputTransformer');
    }
  });
});

describe('state table', () => {
  it('is on demand, encrypted, point-in-time recoverable, with a TTL and the key the scanner writes', () => {
    const tables = props('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'stateCluster', AttributeType: 'S' },
      ],
      // The finding state of one cluster, listed in one paged Query (functions/aws/state-table.ts).
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-cluster',
          KeySchema: [{ AttributeName: 'stateCluster', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});
