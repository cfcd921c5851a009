import 'aws-sdk-client-mock-vitest/extend';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  describeCluster,
  listClusterNames,
  listClusterNodes,
  resolveInstanceClusters,
  runningInstanceIds,
} from '../../functions/aws/discovery.ts';

const ec2 = mockClient(EC2Client);
const eks = mockClient(EKSClient);

function id(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

function instance(n: number, tags: Record<string, string>, extra: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id(n),
    InstanceType: 'm6i.large',
    ImageId: 'ami-0abc',
    PrivateIpAddress: `10.0.0.${n}`,
    State: { Name: 'running' },
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...extra,
  };
}

function filterValue(input: { Filters?: { Name?: string; Values?: string[] }[] }, name: string) {
  return input.Filters?.find((f) => f.Name === name)?.Values;
}

beforeEach(() => {
  ec2.reset();
  eks.reset();
});

describe('clusters', () => {
  it('lists cluster names across pages', async () => {
    eks
      .on(ListClustersCommand)
      .resolvesOnce({ clusters: ['a', 'b'], nextToken: 't' })
      .resolvesOnce({ clusters: ['c'] });
    expect(await listClusterNames(new EKSClient({}))).toEqual(['a', 'b', 'c']);
  });

  it('describes Auto Mode from computeConfig and returns undefined for a missing cluster', async () => {
    eks.on(DescribeClusterCommand, { name: 'auto' }).resolves({
      cluster: {
        name: 'auto',
        arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/auto',
        version: '1.33',
        computeConfig: { enabled: true },
      },
    });
    eks
      .on(DescribeClusterCommand, { name: 'gone' })
      .rejects(Object.assign(new Error('No cluster found'), { name: 'ResourceNotFoundException' }));
    const client = new EKSClient({});
    expect(await describeCluster(client, 'auto')).toEqual({
      name: 'auto',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/auto',
      version: '1.33',
      autoMode: true,
    });
    expect(await describeCluster(client, 'gone')).toBeUndefined();
  });
});

describe('listClusterNodes', () => {
  it('finds nodes of every provisioner, deduplicated, with their node group, pool and platform', async () => {
    // Prepare: MNG, Karpenter, Auto Mode (operator managed), self-managed Windows, and one instance
    // tagged both ways (eksctl self-managed that also has eks:cluster-name).
    ec2.on(DescribeInstancesCommand).callsFake((input) => {
      const byTag = filterValue(input, 'tag:eks:cluster-name');
      const byKarpenter = filterValue(input, 'tag:eks:eks-cluster-name');
      const byKey = filterValue(input, 'tag-key');
      if (byTag?.[0] === 'prod') {
        return {
          Reservations: [
            {
              Instances: [
                instance(1, { 'eks:cluster-name': 'prod', 'eks:nodegroup-name': 'ng-1' }),
                instance(5, { 'eks:cluster-name': 'prod', 'kubernetes.io/cluster/prod': 'owned' }),
              ],
            },
          ],
        };
      }
      if (byKarpenter?.[0] === 'prod') {
        return {
          Reservations: [
            {
              Instances: [
                instance(2, { 'eks:eks-cluster-name': 'prod', 'karpenter.sh/nodepool': 'default' }),
              ],
            },
            {
              Instances: [
                instance(
                  3,
                  { 'eks:eks-cluster-name': 'prod', 'karpenter.sh/nodepool': 'general-purpose' },
                  { Operator: { Managed: true, Principal: 'eks.amazonaws.com' } },
                ),
              ],
            },
          ],
        };
      }
      if (byKey?.[0] === 'kubernetes.io/cluster/prod') {
        return {
          Reservations: [
            {
              Instances: [
                instance(
                  4,
                  { 'kubernetes.io/cluster/prod': 'owned' },
                  { Platform: 'windows' as Instance['Platform'] },
                ),
                instance(5, { 'eks:cluster-name': 'prod', 'kubernetes.io/cluster/prod': 'owned' }),
              ],
            },
          ],
        };
      }
      return { Reservations: [] };
    });
    // Act
    const nodes = await listClusterNodes(new EC2Client({}), 'prod');
    // Assess
    expect(
      nodes.map((n) => [n.instanceId, n.provisioner, n.platform, n.nodeGroup ?? n.nodePool ?? '-']),
    ).toEqual([
      [id(1), 'managed-node-group', 'linux', 'ng-1'],
      [id(2), 'karpenter', 'linux', 'default'],
      [id(3), 'auto-mode', 'linux', 'general-purpose'],
      [id(4), 'self-managed', 'windows', '-'],
      [id(5), 'self-managed', 'linux', '-'],
    ]);
    // The tags that name the cluster, from which tag-targets.ts picks the SendCommand targets.
    expect(nodes.map((n) => n.clusterTags)).toEqual([
      ['eks:cluster-name'],
      ['eks:eks-cluster-name'],
      ['eks:eks-cluster-name'],
      ['kubernetes.io/cluster/prod'],
      ['eks:cluster-name', 'kubernetes.io/cluster/prod'],
    ]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 3);
    // Every query asks for running instances only, 1000 a page, AWS-managed instances included.
    for (const call of ec2.commandCalls(DescribeInstancesCommand)) {
      expect(call.args[0].input).toMatchObject({ MaxResults: 1000, IncludeManagedResources: true });
      expect(filterValue(call.args[0].input, 'instance-state-name')).toEqual(['running']);
    }
  });

  it('follows NextToken', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [] })
      .on(DescribeInstancesCommand, {
        NextToken: undefined,
        Filters: [
          { Name: 'tag:eks:cluster-name', Values: ['c'] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      })
      .resolves({ Reservations: [{ Instances: [instance(1, { 'eks:cluster-name': 'c' })] }], NextToken: 'n' })
      .on(DescribeInstancesCommand, { NextToken: 'n' })
      .resolves({ Reservations: [{ Instances: [instance(2, { 'eks:cluster-name': 'c' })] }] });
    const nodes = await listClusterNodes(new EC2Client({}), 'c');
    expect(nodes.map((n) => n.instanceId)).toEqual([id(1), id(2)]);
  });
});

describe('resolveInstanceClusters', () => {
  it('maps requested ids to their cluster and reports the ones that are no node', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance(1, { 'eks:cluster-name': 'a' }),
            instance(2, { 'kubernetes.io/cluster/b': 'owned' }),
            instance(3, { Name: 'bastion' }),
          ],
        },
      ],
    });
    const result = await resolveInstanceClusters(new EC2Client({}), [id(1), id(2), id(3), id(9)]);
    expect(Object.fromEntries(result.byCluster)).toEqual({ a: [id(1)], b: [id(2)] });
    expect(result.notANode).toEqual([id(3), id(9)]);
    // instance-id filter, not InstanceIds (a missing id would fail the whole call).
    const input = ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input;
    expect(input?.InstanceIds).toBeUndefined();
    expect(filterValue(input ?? {}, 'instance-id')).toHaveLength(4);
  });
});

describe('runningInstanceIds', () => {
  it('returns the ids EC2 still shows pending or running, ≤ 200 filter values per call, by filter', async () => {
    ec2.on(DescribeInstancesCommand).callsFake((input) => ({
      Reservations: [
        {
          Instances: (filterValue(input, 'instance-id') ?? [])
            .filter((x: string) => x !== id(2))
            .map((x: string) => ({ InstanceId: x })),
        },
      ],
    }));
    const ids = Array.from({ length: 250 }, (_, i) => id(i + 1));
    const running = await runningInstanceIds(new EC2Client({}), ids);
    expect(running.size).toBe(249);
    expect(running.has(id(2))).toBe(false);
    const calls = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    // 198 ids + 2 states = 200 values: EC2's limit counts every filter of the call.
    expect(calls.map((c) => filterValue(c, 'instance-id')?.length)).toEqual([198, 52]);
    for (const c of calls) {
      expect(c.InstanceIds).toBeUndefined();
      expect(filterValue(c, 'instance-state-name')).toEqual(['pending', 'running']);
      const values = (c.Filters ?? []).reduce(
        (n: number, f: { Values?: string[] }) => n + (f.Values?.length ?? 0),
        0,
      );
      expect(values).toBeLessThanOrEqual(200);
    }
  });
});
