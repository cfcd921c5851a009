import { describe, expect, it } from 'vitest';
import {
  buildFinding,
  FINDING_TYPE,
  findingId,
  LIMITS,
  partitionOf,
  productArn,
  productFields,
  truncate,
} from '../../functions/findings/asff.ts';
import { hasControlCharacter } from '../text/controls.ts';
import { cluster, control, node, result, scope } from './fixtures.ts';

const T = '2026-11-28T00:00:00.000Z';

function build(overrides: Partial<Parameters<typeof buildFinding>[0]> = {}) {
  return buildFinding({
    scope,
    cluster,
    node,
    control,
    result: result('FAILED', {
      effectiveValue: false,
      decidedBy: { kind: 'flag', arg: '--make-iptables-util-chains=false', index: 7 },
    }),
    scanId: 'scan-1',
    createdAt: T,
    updatedAt: T,
    ...overrides,
  });
}

describe('identity', () => {
  it('derives a stable Id from region, account, cluster, instance and control only', () => {
    const a = build({ scanId: 'scan-1', updatedAt: T });
    const b = build({ scanId: 'scan-2', updatedAt: '2026-12-01T00:00:00.000Z', result: result('PASSED') });
    expect(a.Id).toBe('eu-west-1/111122223333/prod/i-0123456789abcdef0/kubelet-make-iptables-util-chains');
    expect(b.Id).toBe(a.Id);
    expect(findingId(scope, 'prod', node.instanceId, control.id)).toBe(a.Id);
  });

  it.each([
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('uses the partition of %s in every ARN', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
    const s = { partition, region, accountId: '111122223333' };
    const f = build({ scope: s });
    expect(f.ProductArn).toBe(
      `arn:${partition}:securityhub:${region}:111122223333:product/111122223333/default`,
    );
    expect(productArn(s)).toBe(f.ProductArn);
    expect(f.Resources?.[0]?.Id).toBe(
      `arn:${partition}:ec2:${region}:111122223333:instance/${node.instanceId}`,
    );
    expect(f.Resources?.[0]?.Partition).toBe(partition);
  });
});

describe('content', () => {
  it('has every required ASFF field, non-blank', () => {
    const f = build();
    for (const key of [
      'SchemaVersion',
      'Id',
      'ProductArn',
      'GeneratorId',
      'AwsAccountId',
      'CreatedAt',
      'UpdatedAt',
      'Title',
      'Description',
    ] as const) {
      expect(f[key], key).toMatch(/\S/);
    }
    expect(f.SchemaVersion).toBe('2018-10-08');
    expect(f.GeneratorId).toBe('eks-kubelet-audit/kubelet-make-iptables-util-chains');
    expect(f.FindingProviderFields?.Types).toEqual([FINDING_TYPE]);
    expect(f.Compliance?.RelatedRequirements).toEqual([
      'CIS Amazon EKS Benchmark v1.8.0/3.2.6',
      'CIS Amazon EKS Benchmark v1.2.0/3.2.7',
    ]);
    expect(f.RecordState).toBe('ACTIVE');
  });

  it('uses the control severity only for FAILED and INFORMATIONAL otherwise', () => {
    expect(build().FindingProviderFields?.Severity?.Label).toBe('MEDIUM');
    for (const status of ['PASSED', 'WARNING', 'NOT_AVAILABLE'] as const) {
      expect(build({ result: result(status) }).FindingProviderFields?.Severity?.Label).toBe('INFORMATIONAL');
    }
  });

  it('describes the instance and the cluster as resources', () => {
    const [ec2, eks] = build().Resources ?? [];
    expect(ec2?.Type).toBe('AwsEc2Instance');
    expect(ec2?.Details?.AwsEc2Instance).toEqual({
      Type: 'm6i.large',
      ImageId: 'ami-0abc',
      IpV4Addresses: ['10.0.0.1'],
      VpcId: 'vpc-1',
      SubnetId: 'subnet-1',
      LaunchedAt: '2026-11-01T00:00:00.000Z',
      IamInstanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/node',
    });
    expect(eks).toMatchObject({
      Type: 'AwsEksCluster',
      Id: cluster.arn,
      Details: { AwsEksCluster: { Name: 'prod', Arn: cluster.arn, Version: '1.33' } },
    });
  });

  it('puts the evidence in prefixed ProductFields', () => {
    const f = build({
      collectorVersion: '1.0.0',
      filesRead: ['/etc/a', '/etc/b'],
      nodeOs: 'Amazon Linux 2023',
    });
    expect(f.ProductFields).toMatchObject({
      'eks-kubelet-audit/cluster': 'prod',
      'eks-kubelet-audit/nodegroup': 'ng-1',
      'eks-kubelet-audit/instance': node.instanceId,
      'eks-kubelet-audit/status-reason': 'reason for FAILED',
      'eks-kubelet-audit/effective-value': 'false',
      'eks-kubelet-audit/decided-by': 'command-line flag --make-iptables-util-chains=false (argument 7)',
      'eks-kubelet-audit/files-read': '/etc/a, /etc/b',
      'eks-kubelet-audit/collector-version': '1.0.0',
      'eks-kubelet-audit/scan-id': 'scan-1',
      'eks-kubelet-audit/node-os': 'Amazon Linux 2023',
    });
    expect(f.Description).toContain('reason for FAILED');
  });
  it('does not repeat evidence that already has a field of its own', () => {
    const f = build({
      nodeOs: 'Amazon Linux 2023',
      result: result('FAILED', {
        effectiveValue: false,
        evidence: {
          effectiveValue: 'false',
          os: 'Amazon Linux 2023',
          configFile: '/etc/kubernetes/kubelet/config.json',
        },
      }),
    });
    const keys = Object.keys(f.ProductFields ?? {});
    expect(keys).not.toContain('eks-kubelet-audit/evidence/effectiveValue');
    expect(keys).not.toContain('eks-kubelet-audit/evidence/os');
    expect(f.ProductFields?.['eks-kubelet-audit/evidence/configFile']).toBe(
      '/etc/kubernetes/kubelet/config.json',
    );
  });
});

describe('limits', () => {
  it('keeps Title, Description, Remediation text and status reasons within ASFF limits', () => {
    const long = 'x'.repeat(5000);
    const f = build({
      control: {
        ...control,
        title: long,
        description: long,
        remediation: { ...control.remediation, short: long },
      },
      result: result('FAILED', { reason: long }),
    });
    expect(f.Title?.length).toBe(LIMITS.title);
    expect(f.Description?.length).toBe(LIMITS.description);
    expect(f.Remediation?.Recommendation?.Text?.length).toBe(LIMITS.remediationText);
    expect(f.Compliance?.StatusReasons?.[0]?.Description?.length).toBeLessThanOrEqual(LIMITS.statusReason);
  });

  it('caps ProductFields at 50 pairs, keys at 128 and values at 2048, and skips blank values', () => {
    const evidence = Object.fromEntries(
      Array.from({ length: 80 }, (_, i) => [`k${i}${'y'.repeat(200)}`, 'v'.repeat(5000)]),
    );
    const f = build({ result: result('WARNING', { evidence, drift: '   ' }) });
    const entries = Object.entries(f.ProductFields ?? {});
    expect(entries).toHaveLength(LIMITS.productFields);
    for (const [k, v] of entries) {
      expect(k.startsWith('eks-kubelet-audit/')).toBe(true);
      expect(k.length).toBeLessThanOrEqual(LIMITS.productFieldKey);
      expect(v.length).toBeLessThanOrEqual(LIMITS.productFieldValue);
      expect(v).toMatch(/\S/);
    }
    expect(f.ProductFields?.['eks-kubelet-audit/drift']).toBeUndefined();
    // Our own fields come first and survive the cap.
    expect(f.ProductFields?.['eks-kubelet-audit/cluster']).toBe('prod');
  });

  it('never splits a surrogate pair when truncating', () => {
    const cut = truncate(`${'a'.repeat(9)}😀😀`, 11);
    expect(cut).toBe(`${'a'.repeat(9)}…`);
    expect(productFields([['x', '']])).toEqual({});
  });
});

describe('node text in a finding', () => {
  const HOSTILE = '\x1b]0;pwned\x07\x1b[2J\u202eevil\u2066';

  it('reaches no field with an escape sequence, control or bidi character', () => {
    const f = build({
      result: result('WARNING', {
        reason: `config ${HOSTILE}/etc/kubelet.yaml could not be read`,
        drift: `drop-in ${HOSTILE}`,
        evidence: { [`flag${HOSTILE}`]: `--node-labels=${HOSTILE}` },
      }),
      nodeOs: `Bottlerocket ${HOSTILE}`,
      filesRead: [`/etc/${HOSTILE}.conf`],
      reasonCode: `CODE${HOSTILE}`,
      node: { ...node, instanceType: `m5.large${HOSTILE}`, nodeGroup: `ng${HOSTILE}` },
    });
    const strings: string[] = [];
    JSON.stringify(f, (_k, v) => {
      if (typeof v === 'string') strings.push(v);
      return v;
    });
    for (const key of Object.keys(f.ProductFields ?? {})) strings.push(key);
    const dirty = strings.filter(hasControlCharacter);
    expect(dirty).toEqual([]);
    expect(f.Description).toContain('config evil/etc/kubelet.yaml could not be read');
    expect(f.ProductFields?.['eks-kubelet-audit/node-os']).toBe('Bottlerocket evil');
    expect(f.Resources?.[0]?.Details?.AwsEc2Instance?.Type).toBe('m5.largeevil');
  });

  it('cuts long node text to the field limits after cleaning it', () => {
    const f = build({
      result: result('WARNING', { reason: `${'\x1b[2J'.repeat(5_000)}${'r'.repeat(10_000)}` }),
      nodeOs: 'o'.repeat(10_000),
    });
    expect(f.Description?.length).toBeLessThanOrEqual(LIMITS.description);
    expect(f.Compliance?.StatusReasons?.[0]?.Description).toHaveLength(LIMITS.statusReason);
    expect(f.Compliance?.StatusReasons?.[0]?.Description).toMatch(/^r+…$/);
    expect(f.ProductFields?.['eks-kubelet-audit/node-os']).toHaveLength(LIMITS.productFieldValue);
  });

  it('drops a ProductFields value that is only control characters', () => {
    const fields = productFields([['node-os', '\x1b[2J\x07\u202e']]);
    expect(fields).toEqual({});
  });
});
