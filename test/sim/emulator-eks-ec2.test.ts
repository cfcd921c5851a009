import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type EC2Client,
  EC2ServiceException,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  type EKSClient,
  ListClustersCommand,
  paginateListClusters,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './emulator/index.ts';
import { fakeCollectorScript, sdkClients } from './emulator/test-support.ts';
import { SAMPLE_IDS, syntheticFleet } from './fleet.ts';

let emulator: Emulator;
let eks: EKSClient;
let ec2: EC2Client;

beforeAll(async () => {
  emulator = await startEmulator({ rateLimits: false, collector: { scriptPath: fakeCollectorScript() } });
  ({ eks, ec2 } = sdkClients(emulator.endpoint));
});
afterAll(() => emulator.stop());

describe('EKS', () => {
  it('lists clusters page by page with maxResults/nextToken', async () => {
    const pages: string[][] = [];
    for await (const page of paginateListClusters({ client: eks, pageSize: 2 }, {}))
      pages.push(page.clusters ?? []);

    expect(pages).toEqual([['prod-eu', 'legacy-al2'], ['auto']]);
    expect(emulator.calls['eks:ListClusters']).toBe(2);
  });

  it('describes a cluster, including whether EKS Auto Mode compute is enabled', async () => {
    const auto = await eks.send(new DescribeClusterCommand({ name: 'auto' }));
    const plain = await eks.send(new DescribeClusterCommand({ name: 'prod-eu' }));

    expect(auto.cluster).toMatchObject({
      name: 'auto',
      arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/auto',
      version: '1.32',
      status: 'ACTIVE',
      computeConfig: { enabled: true },
    });
    expect(auto.cluster?.createdAt).toBeInstanceOf(Date);
    expect(plain.cluster?.computeConfig?.enabled).toBe(false);
  });

  it('answers an unknown cluster with ResourceNotFoundException', async () => {
    await expect(eks.send(new DescribeClusterCommand({ name: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('rejects maxResults above 100', async () => {
    await expect(eks.send(new ListClustersCommand({ maxResults: 101 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

describe('EC2 DescribeInstances', () => {
  const ids = async (input: DescribeInstancesCommandInput) => {
    const out = await ec2.send(new DescribeInstancesCommand(input));
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  };

  it('finds managed node group instances by tag with the fields discovery needs', async () => {
    const instances = await ids({
      Filters: [
        { Name: 'tag:eks:cluster-name', Values: ['legacy-al2'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    });

    expect(instances).toHaveLength(5);
    const first = instances.find((i) => i.InstanceId === SAMPLE_IDS.failingByFlag)!;
    expect(first).toMatchObject({
      ImageId: expect.stringMatching(/^ami-/),
      InstanceType: expect.any(String),
      PlatformDetails: 'Linux/UNIX',
      PrivateDnsName: expect.stringMatching(/\.eu-west-1\.compute\.internal$/),
      PrivateIpAddress: expect.stringMatching(/^10\./),
      VpcId: expect.stringMatching(/^vpc-/),
      SubnetId: expect.stringMatching(/^subnet-/),
      Architecture: 'arm64',
      State: { Code: 16, Name: 'running' },
      IamInstanceProfile: { Arn: expect.stringContaining(':instance-profile/') },
    });
    expect(first.LaunchTime).toBeInstanceOf(Date);
    expect(first.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'eks:cluster-name', Value: 'legacy-al2' },
        { Key: 'eks:nodegroup-name', Value: 'ng-al2' },
        { Key: 'kubernetes.io/cluster/legacy-al2', Value: 'owned' },
      ]),
    );
  });

  it('reports Windows as platform "windows"', async () => {
    const [windows] = await ids({ InstanceIds: [SAMPLE_IDS.windows] });

    expect(windows?.Platform).toBe('windows');
    expect(windows?.PlatformDetails).toBe('Windows');
  });

  it('hides EKS Auto Mode (managed) instances unless IncludeManagedResources is true', async () => {
    const filter = [{ Name: 'tag:eks:eks-cluster-name', Values: ['auto'] }];

    const hidden = await ids({ Filters: filter });
    const shown = await ids({ Filters: filter, IncludeManagedResources: true });

    expect(hidden).toHaveLength(0);
    expect(shown).toHaveLength(3);
    expect(shown[0]?.Operator).toEqual({ Managed: true, Principal: 'eks.amazonaws.com' });
  });

  it('matches tag-key filters and ORs the values of one filter', async () => {
    const selfManaged = await ids({
      Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/legacy-al2'] }],
    });
    const both = await ids({ Filters: [{ Name: 'tag:eks:cluster-name', Values: ['legacy-al2', 'auto'] }] });

    expect(selfManaged).toHaveLength(10);
    expect(both).toHaveLength(7);
  });

  it('keeps terminated instances visible with state terminated, so a state filter drops them', async () => {
    const fleet = emulator.fleet;
    const node = fleet.addNode({
      cluster: 'prod-eu',
      provisioner: 'karpenter',
      group: 'default',
      os: 'al2023',
    });
    fleet.terminate(node.instanceId);

    const all = await ids({ InstanceIds: [node.instanceId] });
    const running = await ids({
      InstanceIds: [node.instanceId],
      Filters: [{ Name: 'instance-state-name', Values: ['running'] }],
    });

    expect(all[0]?.State).toEqual({ Code: 48, Name: 'terminated' });
    expect(running).toHaveLength(0);
  });

  it('rejects an unknown instance id with InvalidInstanceID.NotFound and a bad filter name', async () => {
    await expect(ids({ InstanceIds: ['i-0123456789abcdef0'] })).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
    });
    await expect(ids({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })).rejects.toBeInstanceOf(
      EC2ServiceException,
    );
  });

  it('validates MaxResults (5..1000) and refuses it together with InstanceIds', async () => {
    await expect(ids({ MaxResults: 4 })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(ids({ MaxResults: 5, InstanceIds: [SAMPLE_IDS.windows] })).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
    });
  });
});

describe('EC2 paging over a large fleet', () => {
  it('pages 1,200 nodes of one cluster at MaxResults 1000 without loss or duplicates', async () => {
    const big = await startEmulator({
      fleet: syntheticFleet({ nodes: 2400, clusters: 2, seed: 7 }),
      rateLimits: false,
      collector: { scriptPath: fakeCollectorScript() },
    });
    try {
      const { ec2: client } = sdkClients(big.endpoint);
      const seen: string[] = [];
      const paginator = paginateDescribeInstances(
        { client, pageSize: 1000 },
        {
          Filters: [{ Name: 'tag:kubernetes.io/cluster/cluster-01', Values: ['owned'] }],
          IncludeManagedResources: true,
        },
      );
      for await (const page of paginator) {
        for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) seen.push(i.InstanceId!);
      }
      const expected = [...big.fleet.nodes.values()].filter(
        (n) => n.tags['kubernetes.io/cluster/cluster-01'] === 'owned',
      );

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual(expected.map((n) => n.instanceId).sort());
      expect(big.calls['ec2:DescribeInstances']).toBe(Math.ceil(expected.length / 1000));
    } finally {
      await big.stop();
    }
  });
});

describe('throttling', () => {
  it('answers EKS ThrottlingException (429) and EC2 RequestLimitExceeded (503 XML), both retried by the SDK', async () => {
    emulator.faults.throttle('eks:DescribeCluster', 1).throttle('ec2:DescribeInstances', 2);

    const cluster = await eks.send(new DescribeClusterCommand({ name: 'auto' }));
    const instances = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [SAMPLE_IDS.windows] }));

    expect(cluster.$metadata.attempts).toBe(2);
    expect(instances.$metadata.attempts).toBe(3);
    expect(emulator.faults.fired).toMatchObject({
      'throttle:eks:DescribeCluster': 1,
      'throttle:ec2:DescribeInstances': 2,
    });
  });

  it('surfaces RequestLimitExceeded by name once retries are exhausted', async () => {
    emulator.faults.throttle('ec2:DescribeInstances', 3);

    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503, attempts: 3 },
    });
  });
});

describe('authentication', () => {
  it('rejects a request without a SigV4 Authorization header', async () => {
    const res = await fetch(`${emulator.endpoint}/clusters`);

    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });
});
