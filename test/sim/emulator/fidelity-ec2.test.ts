/**
 * What EC2 refuses, the emulator refuses: each modelled limit of DescribeInstances stated once through
 * the real SDK client, with its source, and the scanner's look-ups shown to stay within it.
 */
import { DescribeInstancesCommand, type EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EC2_FILTER_VALUES,
  EC2_ID_CHUNK,
  resolveInstanceClusters,
  runningInstanceIds,
} from '../../../functions/aws/discovery.ts';
import { syntheticFleet } from '../fleet.ts';
import { type CallRecord, type Emulator, startEmulator } from './index.ts';
import { fakeCollectorScript, sdkClients } from './test-support.ts';

let emulator: Emulator;
let ec2: EC2Client;
const calls: CallRecord[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    fleet: syntheticFleet({ nodes: 500, clusters: 2, seed: 3 }),
    rateLimits: false,
    collector: { scriptPath: fakeCollectorScript() },
    onCall: (call) => calls.push(call),
  });
  ({ ec2 } = sdkClients(emulator.endpoint));
});
afterAll(() => emulator.stop());
beforeEach(() => {
  calls.length = 0;
  emulator.faults.clear();
});

const ids = (n: number) => emulator.fleet.order.slice(0, n).map((node) => node.instanceId);
/** Filter values a recorded DescribeInstances call carried, over all its filters (Filter.N.Value.M). */
const filterValues = (call: CallRecord) =>
  [...call.query.keys()].filter((k) => /^Filter\.\d+\.Value\.\d+$/.test(k)).length;

describe('DescribeInstances: at most 200 filter values in one call (FilterLimitExceeded)', () => {
  // Source: the error EC2 returns, "FilterLimitExceeded: The maximum number of filter values specified
  // on a single call is 200" (gjbae1212/gossm#31, #47; convox/rack#2205). Per call, not per filter:
  // the stricter reading, since AWS documents neither.
  it('takes 200 values in all and refuses 201, however they are spread over the filters', async () => {
    const state = { Name: 'instance-state-name', Values: ['running'] };
    const ok = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids(199) }, state] }),
    );
    expect(ok.Reservations?.length).toBeGreaterThan(0);
    for (const filters of [
      [{ Name: 'instance-id', Values: ids(201) }],
      [{ Name: 'instance-id', Values: ids(200) }, state],
      [
        { Name: 'instance-id', Values: ids(150) },
        { Name: 'tag-key', Values: Array.from({ length: 51 }, (_, i) => `k${i}`) },
      ],
    ]) {
      await expect(ec2.send(new DescribeInstancesCommand({ Filters: filters }))).rejects.toMatchObject({
        name: 'FilterLimitExceeded',
        message: 'The maximum number of filter values specified on a single call is 200',
        $metadata: { httpStatusCode: 400 },
      });
    }
  });

  it("keeps the scanner's id look-ups within it: 198 ids beside two states, 199 beside one", async () => {
    expect(EC2_FILTER_VALUES).toBe(200);
    expect(EC2_ID_CHUNK).toBe(198);
    const wanted = ids(450);
    const running = await runningInstanceIds(ec2, wanted);
    const resolved = await resolveInstanceClusters(ec2, wanted);
    expect(running.size).toBe(450);
    expect([...resolved.byCluster.values()].flat().length + resolved.notANode.length).toBe(450);
    const described = calls.filter((c) => c.key === 'ec2:DescribeInstances');
    expect(described.map(filterValues).sort((a, b) => b - a)).toEqual([200, 200, 200, 200, 56, 53]);
    expect(described.every((c) => c.outcome === 'ok')).toBe(true);
  });
});

describe('DescribeInstances: short pages with a NextToken', () => {
  // Source: the DescribeInstances reference ("the call also returns a token that you can specify in a
  // subsequent call"; EC2 filters after it pages, so a page may hold fewer than MaxResults while more
  // remain, and even none). The emulator makes such pages on demand: faults.shortPages.
  it('answers fewer than MaxResults with a token while more remain; a paginator gets everything', async () => {
    emulator.faults.shortPages('ec2:DescribeInstances', 3);
    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 100 }));
    expect(first.Reservations?.length).toBe(50);
    expect(first.NextToken).toBeDefined();
    const seen = new Set<string>();
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 100 }, {})) {
      for (const r of page.Reservations ?? [])
        for (const i of r.Instances ?? []) seen.add(i.InstanceId ?? '');
    }
    expect(seen.size).toBe(emulator.fleet.order.filter((n) => !n.managedBy).length);
    expect(emulator.faults.fired['shortPage:ec2:DescribeInstances']).toBe(3);
  });

  it('the scanner follows the token of a short page in its id look-ups', async () => {
    const firedBefore = emulator.faults.fired['shortPage:ec2:DescribeInstances'] ?? 0;
    emulator.faults.shortPages('ec2:DescribeInstances', 2);
    const running = await runningInstanceIds(ec2, ids(300));
    expect(running.size).toBe(300);
    // 2 chunks (198 + 102 ids), each answered in two pages: a short one with a token, then the rest.
    expect(calls.filter((c) => c.key === 'ec2:DescribeInstances')).toHaveLength(4);
    expect((emulator.faults.fired['shortPage:ec2:DescribeInstances'] ?? 0) - firedBefore).toBe(2);
  });
});
