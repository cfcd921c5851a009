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

  it('isolates an id SSM rejects without naming it, by halves, instead of losing the whole chunk', async () => {
    const ids = [id(1), id(2), id(3), id(4)];
    ssm.on(DescribeInstanceInformationCommand).callsFake((input) => {
      const wanted: string[] = input.Filters[0].Values;
      if (wanted.includes(id(3))) throw Object.assign(new Error('bad id'), { name: 'InvalidInstanceId' });
      return { InstanceInformationList: wanted.map((x) => ({ InstanceId: x, PingStatus: 'Online' })) };
    });
    const reach = await checkReachability(new SSMClient({}), ids);
    expect([...reach.values()].map((r) => r.reachable)).toEqual([true, true, false, true]);
    // [1,2,3,4] rejected → [1,2] answers, [3,4] rejected → [3] rejected alone, [4] answers.
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 5);
  });

  it('asks again without the ids a rejection names: one more call, whatever their number', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => id(i + 1));
    const unmanaged = new Set([id(3), id(17), id(40)]);
    ssm.on(DescribeInstanceInformationCommand).callsFake((input) => {
      const wanted: string[] = input.Filters[0].Values;
      const bad = wanted.filter((x) => unmanaged.has(x));
      if (bad.length > 0)
        throw Object.assign(new Error(`Instances [[${bad.join(', ')}]] not in a valid state for account 1`), {
          name: 'InvalidInstanceId',
        });
      return { InstanceInformationList: wanted.map((x) => ({ InstanceId: x, PingStatus: 'Online' })) };
    });
    const reach = await checkReachability(new SSMClient({}), ids);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 2);
    for (const x of ids) expect(reach.get(x)?.reachable).toBe(!unmanaged.has(x));
  });

  it('does not trust a rejection naming an id it was not asked about: it bisects', async () => {
    const ids = [id(1), id(2)];
    ssm.on(DescribeInstanceInformationCommand).callsFake((input) => {
      const wanted: string[] = input.Filters[0].Values;
      if (wanted.includes(id(2)))
        throw Object.assign(new Error(`Instances [[${id(99)}]] not valid`), { name: 'InvalidInstanceId' });
      return { InstanceInformationList: wanted.map((x) => ({ InstanceId: x, PingStatus: 'Online' })) };
    });
    const reach = await checkReachability(new SSMClient({}), ids);
    expect([...reach.values()].map((r) => r.reachable)).toEqual([true, false]);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 3);
  });
});

/** The PingStatus a listing asked for (one value a filter). */
function pingStatusOf(input: { Filters?: { Key?: string; Values?: string[] }[] }): string | undefined {
  return input.Filters?.find((f) => f.Key === 'PingStatus')?.Values?.[0];
}

describe('listOfflineInstances', () => {
  it("lists the account's offline EC2 instances: one paged listing per PingStatus, one value a filter", async () => {
    // Prepare: the ConnectionLost listing has two pages; the Inactive one also holds an Online row,
    // which must not count as offline.
    ssm
      .on(DescribeInstanceInformationCommand, {
        Filters: [
          { Key: 'PingStatus', Values: ['ConnectionLost'] },
          { Key: 'ResourceType', Values: ['EC2Instance'] },
        ],
      })
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
      .resolvesOnce({ InstanceInformationList: [{ InstanceId: id(4), PingStatus: 'ConnectionLost' }] });
    ssm
      .on(DescribeInstanceInformationCommand, {
        Filters: [
          { Key: 'PingStatus', Values: ['Inactive'] },
          { Key: 'ResourceType', Values: ['EC2Instance'] },
        ],
      })
      .resolves({
        InstanceInformationList: [
          { InstanceId: id(2), PingStatus: 'Inactive' },
          { InstanceId: id(3), PingStatus: 'Online' },
        ],
      });
    // Act
    const offline = await listOfflineInstances(new SSMClient({}));
    // Assess
    const calls = ssm.commandCalls(DescribeInstanceInformationCommand).map((c) => c.args[0].input);
    expect(calls.map(pingStatusOf).sort()).toEqual(['ConnectionLost', 'ConnectionLost', 'Inactive']);
    for (const input of calls) {
      expect(input.MaxResults).toBe(50);
      for (const filter of input.Filters ?? []) expect(filter.Values).toHaveLength(1);
    }
    expect(calls.find((c) => c.NextToken)?.NextToken).toBe('next');
    expect(Object.fromEntries(offline)).toEqual({
      [id(1)]: {
        reachable: false,
        code: 'SSM_OFFLINE',
        reason: 'SSM agent offline (ConnectionLost) since 2026-11-20T08:00:00.000Z',
      },
      [id(4)]: {
        reachable: false,
        code: 'SSM_OFFLINE',
        reason: 'SSM agent offline (ConnectionLost) since an unknown time',
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
    // Prepare: each listing answers the rows of its own status (and noise: an Online row, no id).
    ssm.on(DescribeInstanceInformationCommand).callsFake((input) =>
      pingStatusOf(input) === 'ConnectionLost'
        ? {
            InstanceInformationList: [
              {
                InstanceId: id(1),
                PingStatus: 'ConnectionLost',
                LastPingDateTime: new Date('2026-11-20T08:00:00.5Z'),
              },
              { InstanceId: id(2), PingStatus: 'Online' },
            ],
          }
        : {
            InstanceInformationList: [
              { PingStatus: 'Inactive' },
              { InstanceId: id(3), PingStatus: 'Inactive' },
            ],
          },
    );
    // Act
    const listed = await describeOfflineInstances(new SSMClient({}));
    // Assess: one call per status, and offlineReachability of it is listOfflineInstances' answer.
    expect(listed).toEqual([
      { instanceId: id(1), pingStatus: 'ConnectionLost', lastPingAt: new Date('2026-11-20T08:00:00.500Z') },
      { instanceId: id(3), pingStatus: 'Inactive' },
    ]);
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 2);
    expect(offlineReachability(listed)).toEqual(await listOfflineInstances(new SSMClient({})));
    expect(offlineReachability(listed).get(id(1))).toMatchObject({
      reason: 'SSM agent offline (ConnectionLost) since 2026-11-20T08:00:00.500Z',
    });
  });
});
