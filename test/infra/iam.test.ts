import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, synth } from './synth.ts';

type Json = Record<string, unknown>;
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
};

const arn = (service: string, resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

function scannerStatements(clusters?: string[]): Statement[] {
  const { template } = synth(clusters ? { scanner: { clusters } } : {});
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] },
    },
  });
  const roleIds = Object.keys(roles);
  expect(roleIds).toHaveLength(1);
  // No managed policies (AWSLambdaBasicExecutionRole would allow writing to every log group).
  expect((Object.values(roles)[0] as Json).Properties).not.toHaveProperty('ManagedPolicyArns');
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleIds[0] }] } }),
  );
  expect(policies).toHaveLength(1);
  // With an allow-list, the statements naming clusters are in customer managed policies of the role.
  const clusterPolicies = Object.values(
    template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleIds[0] }] } }),
  );
  expect(clusterPolicies).toHaveLength(clusters ? 1 : 0);
  return [...policies, ...clusterPolicies].flatMap(
    (p) => (((p as Json).Properties as Json).PolicyDocument as Json).Statement as Statement[],
  );
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const bySid = (statements: Statement[], sid: string) => {
  const found = statements.filter((s) => s.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0] as Statement;
};

describe('scanner role', () => {
  const statements = scannerStatements();

  it('uses no action wildcard; the only Deny statements fence BatchUpdateFindings', () => {
    for (const s of statements) {
      if (s.Effect === 'Deny') expect(s.Action).toBe('securityhub:BatchUpdateFindings');
      else expect(s.Effect).toBe('Allow');
      for (const a of actions(s)) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
  });

  it('uses Resource "*" only for actions without resource-level permissions', () => {
    const starred = statements.filter((s) => s.Resource === '*').flatMap(actions);
    expect(starred.sort()).toEqual(
      [
        'ec2:DescribeInstances',
        'eks:ListClusters',
        'ssm:DescribeInstanceInformation',
        'ssm:GetCommandInvocation',
        'ssm:ListCommandInvocations',
        'ssm:ListCommands',
      ].sort(),
    );
  });

  it('grants exactly the expected actions, nothing more', () => {
    expect([...new Set(statements.flatMap(actions))].sort()).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'ec2:DescribeInstances',
        'eks:DescribeCluster',
        'eks:ListClusters',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'securityhub:BatchImportFindings',
        'securityhub:BatchUpdateFindings',
        'securityhub:GetFindings',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'ssm:DescribeInstanceInformation',
        'ssm:GetCommandInvocation',
        'ssm:ListCommandInvocations',
        'ssm:ListCommands',
        'ssm:SendCommand',
      ].sort(),
    );
  });

  it('sends commands only with our document', () => {
    const s = bySid(statements, 'SendCommandWithCollectorDocumentOnly');
    expect(s.Action).toBe('ssm:SendCommand');
    const document = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ssm:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':document/',
          { Ref: expect.stringMatching(/^ScannerCollectorDocument/) },
        ],
      ],
    };
    expect(s.Resource).toEqual(document);
    expect(s.Condition).toBeUndefined();
  });

  it('sends commands only to instances carrying an EKS node tag, one statement per tag key', () => {
    const toInstances = statements.filter(
      (s) => actions(s).includes('ssm:SendCommand') && JSON.stringify(s.Resource).includes(':instance/'),
    );
    expect(toInstances.map((s) => [s.Resource, s.Condition])).toEqual([
      [arn('ec2', 'instance/*'), { StringLike: { 'ssm:resourceTag/eks:cluster-name': '?*' } }],
      [arn('ec2', 'instance/*'), { StringLike: { 'ssm:resourceTag/eks:eks-cluster-name': '?*' } }],
    ]);
  });

  it('describes clusters of this account and Region only', () => {
    expect(bySid(statements, 'DescribeClusters').Resource).toEqual(arn('eks', 'cluster/*'));
  });

  it('imports findings only into this account through its default product', () => {
    const s = bySid(statements, 'ImportFindingsIntoThisAccountOnly');
    expect(s.Action).toBe('securityhub:BatchImportFindings');
    expect(s.Resource).toEqual({
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
    });
    expect(s.Condition).toEqual({ StringEquals: { 'securityhub:TargetAccount': { Ref: 'AWS::AccountId' } } });
  });

  it('reads findings on this hub only', () => {
    const s = bySid(statements, 'ReadFindings');
    expect(s.Action).toBe('securityhub:GetFindings');
    expect(s.Resource).toEqual(arn('securityhub', 'hub/default'));
    expect(s.Effect).toBe('Allow');
  });

  it('may change only Workflow.Status, and only to RESOLVED, with BatchUpdateFindings', () => {
    const updates = statements.filter((s) => actions(s).includes('securityhub:BatchUpdateFindings'));
    for (const s of updates) {
      expect(actions(s)).toEqual(['securityhub:BatchUpdateFindings']);
      expect(s.Resource).toEqual(arn('securityhub', 'hub/default'));
    }
    const allows = updates.filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': ['RESOLVED'] } },
    ]);
    // Every other field with a condition key: a request that carries it is denied.
    const denied = updates
      .filter((s) => s.Effect === 'Deny')
      .map((s) => {
        const nulls = (s.Condition as { Null: Record<string, string> }).Null;
        expect(Object.keys(s.Condition ?? {})).toEqual(['Null']);
        expect(Object.values(nulls)).toEqual(['false']);
        return Object.keys(nulls)[0];
      });
    expect(denied.sort()).toEqual(
      [
        'Confidence',
        'Criticality',
        'Note.Text',
        'Note.UpdatedBy',
        'RelatedFindings',
        'Severity.Label',
        'Types',
        'UserDefinedFields',
        'VerificationState',
      ].map((f) => `securityhub:ASFFSyntaxPath/${f}`),
    );
  });

  it('puts only Scan Completed events of source eks-kubelet-audit on the default bus', () => {
    const s = bySid(statements, 'PutScanCompletedOnDefaultBus');
    expect(s.Action).toBe('events:PutEvents');
    expect(s.Resource).toEqual(arn('events', 'event-bus/default'));
    expect(s.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'events:source': ['eks-kubelet-audit'],
        'events:detail-type': ['Scan Completed'],
      },
      Null: { 'events:source': 'false', 'events:detail-type': 'false' },
    });
  });

  it('puts only its work items on the internal bus', () => {
    const s = bySid(statements, 'PutWorkItemsOnInternalBus');
    expect(s.Action).toBe('events:PutEvents');
    expect(s.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ScannerInternalChannelBus/), 'Arn'],
    });
    expect(s.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'events:source': ['eks-kubelet-audit'],
        'events:detail-type': ['Scan Work'],
      },
      Null: { 'events:source': 'false', 'events:detail-type': 'false' },
    });
    // Only two PutEvents statements: the default bus and the internal bus.
    expect(statements.filter((x) => actions(x).includes('events:PutEvents'))).toHaveLength(2);
  });

  it('reads and writes leases and finding state in the state table only, with only the calls it makes', () => {
    const s = bySid(statements, 'ScannerStateTable');
    expect(s.Action).toEqual([
      'dynamodb:UpdateItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:BatchWriteItem',
    ]);
    expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ScannerStateTable/), 'Arn'] });
    // Query only on the by-cluster index (no Scan, no Query of the table's own key).
    const q = bySid(statements, 'ScannerStateByCluster');
    expect(q.Action).toBe('dynamodb:Query');
    expect(q.Resource).toEqual({
      'Fn::Join': [
        '',
        [{ 'Fn::GetAtt': [expect.stringMatching(/^ScannerStateTable/), 'Arn'] }, '/index/by-cluster'],
      ],
    });
  });

  it('writes logs only to its own log group', () => {
    const s = statements.find((x) => actions(x).includes('logs:PutLogEvents')) as Statement;
    expect(actions(s).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ScannerLogs/), 'Arn'] });
  });

  it('sends only to the failure queue (on-failure destination)', () => {
    const s = statements.find((x) => actions(x).includes('sqs:SendMessage')) as Statement;
    expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ScannerFailureQueue/), 'Arn'] });
  });
});

/** IAM service prefix of each SDK client package the function uses. */
const IAM_PREFIX: Record<string, string> = {
  'client-ssm': 'ssm',
  'client-ec2': 'ec2',
  'client-eks': 'eks',
  'client-securityhub': 'securityhub',
  'client-eventbridge': 'events',
  'client-dynamodb': 'dynamodb',
};

/**
 * Every AWS API operation the function code calls, as IAM actions (from its SDK imports). functions/cli/
 * is not in the function: it runs on an operator's machine with the operator's own credentials (its
 * archive command deletes state items and reads the table, which the function's role must not do).
 */
function actionsCalledByFunctionCode(): string[] {
  const found = new Set<string>();
  const files = readdirSync(join(REPO_ROOT, 'functions'), { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.split('\\').join('/').startsWith('cli/'),
  );
  for (const file of files) {
    const source = readFileSync(join(REPO_ROOT, 'functions', file), 'utf8');
    for (const m of source.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g,
    )) {
      const prefix = IAM_PREFIX[m[2] as string];
      for (const raw of (m[1] as string).split(',')) {
        const name = raw.trim();
        if (name.startsWith('type ')) continue;
        const operation = /^(?:paginate([A-Z]\w+)|([A-Z]\w+)Command)$/.exec(name);
        if (!operation) continue;
        expect(prefix, `${file} imports ${name} from an unmapped client @aws-sdk/${m[2]}`).toBeDefined();
        found.add(`${prefix}:${operation[1] ?? operation[2]}`);
      }
    }
  }
  return [...found].sort();
}

describe('the function code and its role', () => {
  it('is allowed every AWS operation the code calls, and no operation the code does not call', () => {
    const called = actionsCalledByFunctionCode();
    expect(called.length).toBeGreaterThan(5);
    const granted = new Set(scannerStatements().flatMap(actions));
    for (const action of called) expect(granted, `${action} is called but not granted`).toContain(action);
    const grantedForCode = [...granted].filter((a) => !/^(logs|sqs):/.test(a)).sort();
    expect(grantedForCode).toEqual(called);
  });
});

describe('scanner role with a cluster allow-list', () => {
  const statements = scannerStatements(['prod', 'staging']);

  it('narrows SendCommand to nodes of those clusters, self-managed ones included', () => {
    const toInstances = statements
      .filter(
        (s) => actions(s).includes('ssm:SendCommand') && JSON.stringify(s.Resource).includes(':instance/'),
      )
      .map((s) => s.Condition);
    expect(toInstances).toEqual([
      { StringEquals: { 'ssm:resourceTag/eks:cluster-name': ['prod', 'staging'] } },
      { StringEquals: { 'ssm:resourceTag/eks:eks-cluster-name': ['prod', 'staging'] } },
      { StringLike: { 'ssm:resourceTag/kubernetes.io/cluster/prod': '?*' } },
      { StringLike: { 'ssm:resourceTag/kubernetes.io/cluster/staging': '?*' } },
    ]);
  });

  it('describes only those clusters', () => {
    expect(bySid(statements, 'DescribeClusters').Resource).toEqual([
      arn('eks', 'cluster/prod'),
      arn('eks', 'cluster/staging'),
    ]);
  });
});

describe('every identity policy of the stack', () => {
  it('allows no wildcard action', () => {
    const { template } = synth({ alarmEmail: 'ops@example.com', scanner: { clusters: ['prod'] } });
    const policies = [
      ...Object.values(template.findResources('AWS::IAM::Policy')),
      ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
    ];
    expect(policies.length).toBeGreaterThanOrEqual(3);
    const statements = policies.flatMap(
      (p) => (((p as Json).Properties as Json).PolicyDocument as Json).Statement as Statement[],
    );
    expect(statements.flatMap(actions).filter((a) => a.includes('*'))).toEqual([]);
  });
});
