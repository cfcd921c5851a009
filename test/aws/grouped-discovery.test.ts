import 'aws-sdk-client-mock-vitest/extend';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listClusterNodes } from '../../functions/aws/discovery.ts';
import { GroupedDiscovery, MAX_GROUPED_CLUSTERS } from '../../functions/aws/grouped-discovery.ts';

const ec2 = mockClient(EC2Client);

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

function instance(n: number, tags: Record<string, string>): Instance {
  return {
    InstanceId: id(n),
    State: { Name: 'running' },
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

type Input = { Filters?: { Name?: string; Values?: string[] }[] };
const tagFilter = (input: Input) => input.Filters?.find((f) => f.Name?.startsWith('tag'));

const mng = (n: number, cluster: string) =>
  instance(n, { 'eks:cluster-name': cluster, 'eks:nodegroup-name': 'ng' });
const karpenter = (n: number, cluster: string) =>
  instance(n, { 'eks:eks-cluster-name': cluster, [`kubernetes.io/cluster/${cluster}`]: 'owned' });
const selfManaged = (n: number, clusters: string[]) =>
  instance(n, Object.fromEntries(clusters.map((c) => [`kubernetes.io/cluster/${c}`, 'owned'])));

beforeEach(() => ec2.reset());

describe('GroupedDiscovery', () => {
  it('asks one query per tag naming every cluster, and hands each cluster its own instances', async () => {
    // Prepare: each grouped query fits one page.
    ec2.on(DescribeInstancesCommand).callsFake((input: Input) => {
      const filter = tagFilter(input);
      if (filter?.Name === 'tag:eks:cluster-name') {
        return { Reservations: [{ Instances: [mng(1, 'a'), mng(2, 'b')] }] };
      }
      if (filter?.Name === 'tag:eks:eks-cluster-name')
        return { Reservations: [{ Instances: [karpenter(3, 'a')] }] };
      // A self-managed node tagged for two clusters belongs to both, as their own queries would say.
      return { Reservations: [{ Instances: [karpenter(3, 'a'), selfManaged(4, ['a', 'b'])] }] };
    });
    // Act
    const grouped = new GroupedDiscovery(new EC2Client({}), ['a', 'b', 'c']);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => grouped.instancesOf(name)));
    // Assess
    const ids = (per: (readonly Instance[] | undefined)[] | undefined) =>
      per?.map((list) => list?.map((i) => i.InstanceId));
    expect(ids(a)).toEqual([[id(1)], [id(3)], [id(3), id(4)]]);
    expect(ids(b)).toEqual([[id(2)], [], [id(4)]]);
    expect(ids(c)).toEqual([[], [], []]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 3);
    const filters = ec2.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input);
    expect(filters.map((f) => tagFilter(f))).toEqual([
      { Name: 'tag:eks:cluster-name', Values: ['a', 'b', 'c'] },
      { Name: 'tag:eks:eks-cluster-name', Values: ['a', 'b', 'c'] },
      {
        Name: 'tag-key',
        Values: ['kubernetes.io/cluster/a', 'kubernetes.io/cluster/b', 'kubernetes.io/cluster/c'],
      },
    ]);
    for (const f of filters) expect(f).toMatchObject({ MaxResults: 1000, IncludeManagedResources: true });
  });

  it('leaves a query its first page did not complete, or that failed, to each cluster', async () => {
    // Prepare: the managed-node-group query has more pages; the Karpenter one fails.
    ec2.on(DescribeInstancesCommand).callsFake((input: Input) => {
      const filter = tagFilter(input);
      if (filter?.Name === 'tag:eks:cluster-name') {
        return { Reservations: [{ Instances: [mng(1, 'a')] }], NextToken: 'more' };
      }
      if (filter?.Name === 'tag:eks:eks-cluster-name') throw new Error('RequestLimitExceeded');
      return { Reservations: [{ Instances: [selfManaged(4, ['b'])] }] };
    });
    // Act
    const grouped = new GroupedDiscovery(new EC2Client({}), ['a', 'b']);
    const b = await grouped.instancesOf('b');
    // Assess: only the tag-key query is settled; no second page is asked for.
    expect(b.map((list) => list?.map((i) => i.InstanceId))).toEqual([undefined, undefined, [id(4)]]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 3);
  });

  it('asks nothing for one cluster, or for more clusters than a filter should name', async () => {
    // Act
    const one = new GroupedDiscovery(new EC2Client({}), ['a', 'a']);
    const many = new GroupedDiscovery(
      new EC2Client({}),
      Array.from({ length: MAX_GROUPED_CLUSTERS + 1 }, (_, i) => `c${i}`),
    );
    // Assess
    expect(await one.instancesOf('a')).toEqual([undefined, undefined, undefined]);
    expect(await many.instancesOf('c0')).toEqual([undefined, undefined, undefined]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 0);
  });
});

describe('listClusterNodes with grouped pages', () => {
  it('runs only the queries the grouped pages left open, and merges by id', async () => {
    // Prepare: the grouped pages settled the first and last query for cluster "a".
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [karpenter(3, 'a')] }] });
    // Act
    const nodes = await listClusterNodes(new EC2Client({}), 'a', [
      [mng(1, 'a')],
      undefined,
      [karpenter(3, 'a'), selfManaged(4, ['a'])],
    ]);
    // Assess
    expect(nodes.map((n) => [n.instanceId, n.provisioner])).toEqual([
      [id(1), 'managed-node-group'],
      [id(3), 'karpenter'],
      [id(4), 'self-managed'],
    ]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(tagFilter(ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input)).toEqual({
      Name: 'tag:eks:eks-cluster-name',
      Values: ['a'],
    });
  });
});
