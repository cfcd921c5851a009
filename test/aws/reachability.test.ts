import 'aws-sdk-client-mock-vitest/extend';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkReachability,
  describeOfflineInstances,
  listOfflineInstances,
  offlineReachability,
  UNMANAGED_REASON,
} from '../../functions/aws/reachability.ts';

const ssm = mockClient(SSMClient);

function id(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

beforeEach(() => {
  ssm.reset();
});

describe('checkReachability', () => {
  it('classifies online, offline and unmanaged, 50 ids per call', async () => {
    // Prepare: 120 ids; 0 online, 1 ConnectionLost, the rest online except 7 (absent = unmanaged).
    const ids = Array.from({ length: 120 }, (_, i) => id(i + 1));
    ssm.on(DescribeInstanceInformationCommand).callsFake((input) => {
      const wanted: string[] = input.Filters[0].Values;
      return {
        InstanceInformationList: wanted
          .filter((x) => x !== id(7))
          .map((x) =>
            x === id(2)
              ? {
                  InstanceId: x,
                  PingStatus: 'ConnectionLost',
                  LastPingDateTime: new Date('2026-11-01T10:00:00Z'),
                }
              : { InstanceId: x, PingStatus: 'Online', PlatformType: 'Linux' },
          ),
      };
    });
    // Act
    const reach = await checkReachability(new SSMClient({}), ids);
    // Assess
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 3);
    const sizes = ssm
      .commandCalls(DescribeInstanceInformationCommand)
      .map((c) => c.args[0].input.Filters?.[0]?.Values?.length);
    expect(sizes).toEqual([50, 50, 20]);
    expect(reach.get(id(1))).toEqual({ reachable: true, platformType: 'Linux' });
    expect(reach.get(id(2))).toEqual({
      reachable: false,
      code: 'SSM_OFFLINE',
      reason: 'SSM agent offline (ConnectionLost) since 2026-11-01T10:00:00.000Z',
    });
    expect(reach.get(id(7))).toEqual({ reachable: false, code: 'SSM_UNMANAGED', reason: UNMANAGED_REASON });
    expect(reach.size).toBe(120);
  });

  it('isolates an id SSM rejects instead of losing the whole chunk', async () => {
    const ids = [id(1), id(2), id(3), id(4)];
    ssm.on(DescribeInstanceInformationCommand).callsFake((input) => {
      const wanted: string[] = input.Filters[0].Values;
      if (wanted.includes(id(3))) throw Object.assign(new Error('bad id'), { name: 'InvalidInstanceId' });
      return { InstanceInformationList: wanted.map((x) => ({ InstanceId: x, PingStatus: 'Online' })) };
    });
    const reach = await checkReachability(new SSMClient({}), ids);
    expect([...reach.values()].map((r) => r.reachable)).toEqual([true, true, false, true]);
  });
});

describe('listOfflineInstances', () => {
  it("lists the account's offline EC2 instances in one filtered, paged call set", async () => {
    // Prepare: two pages; the second also holds an Online row, which must not count as offline.
    ssm
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce({
        InstanceInformationList: [
          {
            InstanceId: id(1),
            PingStatus: 'ConnectionLost',
            LastPingDateTime: new Date('2026-11-20T08:00:00Z'),
          },
        ],
        NextToken: 'next',
      })
      .resolvesOnce({
        InstanceInformationList: [
          { InstanceId: id(2), PingStatus: 'Inactive' },
          { InstanceId: id(3), PingStatus: 'Online' },
        ],
      });
    // Act
    const offline = await listOfflineInstances(new SSMClient({}));
    // Assess
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 2);
    expect(ssm).toHaveReceivedNthCommandWith(DescribeInstanceInformationCommand, 1, {
      MaxResults: 50,
      Filters: [
        { Key: 'PingStatus', Values: ['ConnectionLost', 'Inactive'] },
        { Key: 'ResourceType', Values: ['EC2Instance'] },
      ],
    });
    expect(Object.fromEntries(offline)).toEqual({
      [id(1)]: {
        reachable: false,
        code: 'SSM_OFFLINE',
        reason: 'SSM agent offline (ConnectionLost) since 2026-11-20T08:00:00.000Z',
      },
      [id(2)]: {
        reachable: false,
        code: 'SSM_INACTIVE',
        reason: 'SSM agent Inactive (last ping an unknown time)',
      },
    });
  });
});

describe('describeOfflineInstances', () => {
  it('keeps what a reason needs (status, last ping) and leaves out rows that are online or without id', async () => {
    // Prepare
    ssm.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        {
          InstanceId: id(1),
          PingStatus: 'ConnectionLost',
          LastPingDateTime: new Date('2026-11-20T08:00:00.5Z'),
        },
        { InstanceId: id(2), PingStatus: 'Online' },
        { PingStatus: 'Inactive' },
        { InstanceId: id(3), PingStatus: 'Inactive' },
      ],
    });
    // Act
    const listed = await describeOfflineInstances(new SSMClient({}));
    // Assess: one call, and offlineReachability of it is listOfflineInstances' answer.
    expect(listed).toEqual([
      { instanceId: id(1), pingStatus: 'ConnectionLost', lastPingAt: new Date('2026-11-20T08:00:00.500Z') },
      { instanceId: id(3), pingStatus: 'Inactive' },
    ]);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 1);
    expect(offlineReachability(listed)).toEqual(await listOfflineInstances(new SSMClient({})));
    expect(offlineReachability(listed).get(id(1))).toMatchObject({
      reason: 'SSM agent offline (ConnectionLost) since 2026-11-20T08:00:00.500Z',
    });
  });
});
