import { describe, expect, it } from 'vitest';
import {
  collectionFloor,
  forcedCommands,
  type NodeRun,
  planTimes,
  rampWaves,
  sendOffsetMs,
} from './bench/collection-plans.ts';
import {
  computeFloor,
  DISCOVERY_TAG_QUERIES,
  type FloorCluster,
  type FloorInput,
  oneCommandNodeTimes,
} from './bench/floor.ts';

const cluster = (name: string, overrides: Partial<FloorCluster> = {}): FloorCluster => ({
  name,
  nodes: 500,
  candidates: 480,
  sendable: 470,
  commands: 1,
  truncatedOutputs: 0,
  findings: 500,
  existingFindings: 0,
  maxNodeMs: 10_000,
  ...overrides,
});

const input = (clusters: FloorCluster[], overrides: Partial<FloorInput> = {}): FloorInput => ({
  clusters,
  latencyMs: { default: 100 },
  rateLimits: {},
  firstPageNodeMs: 4_000,
  offlineInstances: 10,
  ...overrides,
});

describe('computeFloor: calls', () => {
  it('counts one call per batch of each operation, plus the account-level discovery and events', () => {
    const clusters = [cluster('a'), cluster('b', { truncatedOutputs: 3, existingFindings: 450 })];

    const floor = computeFloor(input(clusters));

    expect(floor.calls).toEqual({
      ListClusters: 1,
      // 1 for findings of vanished clusters + a: none yet (1 call to learn that) + b: 450 / 100 → 5.
      GetFindings: 1 + 1 + 5,
      // One "Scan Completed" per cluster, both in one call (no fan-out event: one invocation can
      // scan both side by side).
      PutEvents: 1,
      DescribeCluster: 2,
      // One query per tag naming both clusters.
      DescribeInstances: DISCOVERY_TAG_QUERIES,
      // The account's 10 offline instances, listed once by the fan-out.
      DescribeInstanceInformation: 1,
      // One tag-targeted command per cluster.
      SendCommand: 2,
      ListCommandInvocations: 2 * 10,
      GetCommandInvocation: 3,
      BatchImportFindings: 2 * 5,
      // The state of each cluster written once (no earlier state to read on a first scan).
      BatchWriteItem: 2,
    });
    expect(floor.totalCalls).toBe(Object.values(floor.calls).reduce((a, b) => a + b, 0));
  });

  it('needs at least one DescribeInstances page per tag query, and at least one per 1,000 nodes', () => {
    const floor = computeFloor(input([cluster('small', { nodes: 900 }), cluster('big', { nodes: 5_000 })]));
    const fewer = computeFloor(input([cluster('small', { nodes: 900 }), cluster('big', { nodes: 1_000 })]));

    expect(floor.calls.DescribeInstances).toBe(6);
    expect(fewer.calls.DescribeInstances).toBe(DISCOVERY_TAG_QUERIES);
  });

  it('does not fan out a single cluster, and sends nothing to a cluster without reachable nodes', () => {
    const floor = computeFloor(
      input([cluster('only', { sendable: 0, candidates: 0 })], { offlineInstances: 120 }),
    );

    expect(floor.calls.PutEvents).toBe(1);
    expect(floor.calls.SendCommand).toBeUndefined();
    expect(floor.calls.DescribeInstanceInformation).toBeUndefined();
  });

  it('pages the offline listing at 50 instances a page, once for the whole fan-out', () => {
    const floor = computeFloor(input([cluster('a'), cluster('b')], { offlineInstances: 120 }));

    expect(floor.calls.DescribeInstanceInformation).toBe(3);
  });

  it('looks a small cluster up by id when that takes fewer pages than the offline listing', () => {
    const floor = computeFloor(
      input([cluster('small', { candidates: 40, sendable: 40 })], { offlineInstances: 400 }),
    );

    expect(floor.calls.DescribeInstanceInformation).toBe(1);
  });
});

describe('computeFloor: time', () => {
  it('is the slowest cluster chain when no rate limit binds', () => {
    const floor = computeFloor(input([cluster('fast', { maxNodeMs: 5_000 }), cluster('slow')]));

    // ListClusters, DescribeCluster, 1 DescribeInstances page (the offline listing runs beside it),
    // SendCommand, nodes, ListCommandInvocations, BatchImportFindings, PutEvents: 7 latencies + 10 s.
    expect(floor.perClusterSeconds.slow).toBeCloseTo(10.7, 6);
    expect(floor.perClusterSeconds.fast).toBeCloseTo(5.7, 6);
    expect(floor.seconds).toBeCloseTo(10.7, 6);
    expect(floor.binding).toBe('cluster slow critical path');
  });

  it('waits for the existing-findings read when it is longer than collection', () => {
    const floor = computeFloor(
      input([cluster('a', { existingFindings: 20_000, maxNodeMs: 1_000 })], {
        latencyMs: { default: 100, GetFindings: 300 },
      }),
    );

    // ListClusters + DescribeCluster, then 200 sequential pages of 300 ms, then import and event.
    expect(floor.seconds).toBeCloseTo(0.2 + 60 + 0.2, 6);
  });

  it('is bound by a shared rate limit when all clusters together need more than the bucket allows', () => {
    const clusters = Array.from({ length: 20 }, (_, i) =>
      cluster(`c${i}`, { existingFindings: 500, findings: 500 }),
    );

    const floor = computeFloor(
      input(clusters, { rateLimits: { GetFindings: { ratePerSecond: 3, burst: 6 } } }),
    );

    // Demand 1 + 20 × 5 = 101 calls at 3/s after a burst of 6: (101 − 6) / 3 s after the first call
    // (ListClusters, 0.1 s), then one GetFindings, the import and the event (0.3 s).
    const bound = floor.rateBounds.find((b) => b.operation === 'GetFindings');
    expect(bound?.demand).toBe(101);
    expect(bound?.seconds).toBeCloseTo(0.1 + 95 / 3 + 0.3, 6);
    expect(floor.seconds).toBeCloseTo(bound?.seconds ?? 0, 6);
    expect(floor.binding).toBe('GetFindings rate limit (3/s, burst 6)');
    expect(floor.slowestClusterSeconds).toBeLessThan(floor.seconds);
  });

  it('ignores a rate limit whose burst covers the whole demand', () => {
    const floor = computeFloor(
      input([cluster('a')], { rateLimits: { BatchImportFindings: { ratePerSecond: 10, burst: 30 } } }),
    );

    expect(floor.binding).toBe('cluster a critical path');
    expect(floor.seconds).toBeCloseTo(floor.slowestClusterSeconds, 6);
  });
});

it('starts the import bucket at the first page of results read, since imports stream during collection', () => {
  // 40 clusters × 500 findings = 200 imports at 10/s after a burst of 30: 17 s of bucket, longer
  // than any cluster's 10 s of collection.
  const clusters = Array.from({ length: 40 }, (_, i) => cluster(`c${i}`));

  const floor = computeFloor(
    input(clusters, { rateLimits: { BatchImportFindings: { ratePerSecond: 10, burst: 30 } } }),
  );

  // ListClusters, DescribeCluster, DescribeInstances, SendCommand (0.4 s), the first page's nodes
  // (4 s) and one ListCommandInvocations (0.1 s): the first findings could go at 4.5 s, not once
  // a cluster's slowest node (10 s) answered.
  const bound = floor.rateBounds.find((b) => b.operation === 'BatchImportFindings');
  expect(bound?.demand).toBe(200);
  expect(bound?.seconds).toBeCloseTo(4.5 + 170 / 10 + 0.2, 6);
  expect(floor.binding).toBe('BatchImportFindings rate limit (10/s, burst 30)');
});

it('starts no import before the stored findings of the cluster were read', () => {
  const clusters = Array.from({ length: 40 }, (_, i) =>
    cluster(`c${i}`, { existingFindings: 2_000, maxNodeMs: 1_000 }),
  );

  const floor = computeFloor(
    input(clusters, {
      latencyMs: { default: 100, GetFindings: 500 },
      rateLimits: { BatchImportFindings: { ratePerSecond: 10, burst: 30 } },
    }),
  );

  // ListClusters + DescribeCluster, then 20 sequential pages of 500 ms: 10.2 s before any import.
  const bound = floor.rateBounds.find((b) => b.operation === 'BatchImportFindings');
  expect(bound?.seconds).toBeCloseTo(10.2 + 170 / 10 + 0.2, 6);
});
describe('oneCommandNodeTimes: the rate-control ramp of one command per cluster', () => {
  it('releases 1, 2, 4 … nodes, each wave once the previous one was picked up (as the emulator does)', () => {
    const runs = Array.from({ length: 7 }, (_, i) => ({
      instanceId: `i-${String(i).padStart(17, '0')}`,
      pickupMs: 1_000,
      runMs: 500,
    }));

    const { maxNodeMs } = oneCommandNodeTimes(runs);

    // Waves of 1, 2 and 4 picked up at 1, 2 and 3 s: the last ends at 3.5 s, not at 1.5 s.
    expect(maxNodeMs).toBe(3_500);
  });

  it('1,000 nodes take 10 waves: the ramp, not the slowest node, sets the time', () => {
    const runs = Array.from({ length: 1_000 }, (_, i) => ({
      instanceId: `i-${String(i).padStart(17, '0')}`,
      pickupMs: 500,
      runMs: 1_500,
    }));
    expect(oneCommandNodeTimes(runs).maxNodeMs).toBe(10 * 500 + 1_500);
  });
});

const run = (i: number, overrides: Partial<NodeRun> = {}): NodeRun => ({
  instanceId: `i-${String(i).padStart(17, '0')}`,
  pickupMs: 1_000,
  runMs: 500,
  ...overrides,
});

describe('collectionFloor: each command ramps on its own', () => {
  it('times every command of a plan through its own ramp, the later sends paced by the bucket', () => {
    const eight = Array.from({ length: 8 }, (_, i) => run(i));
    // One command of 8: waves 1, 2, 4, 1 picked up at 1, 2, 3, 4 s.
    expect(planTimes([eight], undefined).endMs).toBe(4_500);
    // Two commands of 4: waves 1, 2, 1 each, side by side.
    expect(planTimes([eight.slice(0, 4), eight.slice(4)], undefined).endMs).toBe(3_500);
    // The second command waits for the bucket: burst 1, 2/s → requested 0.5 s later.
    expect(planTimes([eight.slice(0, 4), eight.slice(4)], { ratePerSecond: 2, burst: 1 }).endMs).toBe(4_000);
    expect(sendOffsetMs(0, { ratePerSecond: 2, burst: 1 })).toBe(0);
    expect(sendOffsetMs(3, { ratePerSecond: 2, burst: 1 })).toBe(1_500);
  });

  it('needs one command when one tag reaches every node, more when the tags only cover parts', () => {
    const everyNode = Array.from({ length: 120 }, (_, i) =>
      run(i, { tags: 0b100 | (i % 2 ? 0b001 : 0b010) }),
    );
    const twoGroups = Array.from({ length: 120 }, (_, i) => run(i, { tags: i % 2 ? 0b001 : 0b010 }));
    const partly = Array.from({ length: 120 }, (_, i) => run(i, { tags: i < 100 ? 0b001 : 0 }));

    expect(forcedCommands(everyNode)).toBe(1);
    expect(forcedCommands(twoGroups)).toBe(2);
    // One tag for 100 nodes, the other 20 by id in one command.
    expect(forcedCommands(partly)).toBe(2);
    // No tag at all: 50 ids a command.
    expect(forcedCommands(Array.from({ length: 120 }, (_, i) => run(i)))).toBe(3);
  });

  it('takes the quickest plan: splitting a cluster ramps in fewer waves than one command', () => {
    const nodes = Array.from({ length: 1_000 }, (_, i) =>
      run(i, { pickupMs: 500, runMs: 1_500, tags: 0b100 }),
    );

    const floor = collectionFloor(new Map([['a', nodes]]), { ratePerSecond: 10, burst: 20 });
    const a = floor.clusters.get('a');

    expect(a?.forcedCommands).toBe(1);
    // One command of 1,000 ramps in 10 waves (6.5 s); 20 commands of 50 in 6 waves each, all sent in
    // the burst: 3 s + 1.5 s.
    expect(oneCommandNodeTimes(nodes).maxNodeMs).toBe(6_500);
    expect(a?.maxNodeMs).toBeLessThanOrEqual(4_500);
    expect(a?.planCommands).toBeGreaterThan(1);
    expect(rampWaves(1_000)).toBe(10);
    expect(rampWaves(50)).toBe(6);
  });

  it('holds a split back when the send rate makes it slower than one command', () => {
    const nodes = Array.from({ length: 1_000 }, (_, i) =>
      run(i, { pickupMs: 500, runMs: 1_500, tags: 0b100 }),
    );

    // At one SendCommand a second, 20 commands of 50 take 19 s to send: one command is quicker.
    const floor = collectionFloor(new Map([['a', nodes]]), { ratePerSecond: 1, burst: 1 });

    expect(floor.clusters.get('a')?.maxNodeMs).toBe(6_500);
    expect(floor.clusters.get('a')?.planCommands).toBe(1);
  });

  it('sends every cluster through one bucket: many clusters split less than one alone', () => {
    const cluster = (c: number) =>
      Array.from({ length: 200 }, (_, i) => run(c * 1_000 + i, { pickupMs: 500, runMs: 1_500, tags: 0b100 }));
    const rate = { ratePerSecond: 1, burst: 4 };

    const alone = collectionFloor(new Map([['a', cluster(0)]]), rate);
    const many = collectionFloor(new Map(Array.from({ length: 8 }, (_, c) => [`c${c}`, cluster(c)])), rate);

    // Alone, four commands of 50 go in the burst; eight clusters could not send 32 commands in it.
    expect(alone.clusters.get('a')?.planCommands).toBe(4);
    expect(many.clusters.get('c0')?.planCommands).toBe(1);
    expect(many.plan).toBe('1 tag target(s) a cluster, the rest by id');
  });
});

describe('computeFloor: state and expiry', () => {
  it('waits for the command to expire when a node listed online never picks the command up', () => {
    const floor = computeFloor(
      input([cluster('a', { pendingUntilExpiry: 1, maxNodeMs: 10_000 })], { commandExpiryMs: 120_000 }),
    );

    // ListClusters, DescribeCluster, DescribeInstances, SendCommand, 120 s, ListCommandInvocations,
    // BatchImportFindings, PutEvents.
    expect(floor.seconds).toBeCloseTo(0.4 + 120 + 0.3, 6);
  });

  it('ends a cluster with nothing to import with its event: no import latency in the chain', () => {
    const floor = computeFloor(input([cluster('a', { findings: 0 })], { priorState: true }));

    // ListClusters, DescribeCluster, DescribeInstances, SendCommand, 10 s of nodes,
    // ListCommandInvocations, PutEvents.
    expect(floor.seconds).toBeCloseTo(10.6, 6);
    expect(floor.calls.BatchImportFindings).toBeUndefined();
  });

  it('reads its own state instead of Security Hub once it has one: only findings to resolve are read', () => {
    const floor = computeFloor(
      input(
        [
          cluster('a', { existingFindings: 500, findings: 3, resolving: 2 }),
          cluster('b', { existingFindings: 500, findings: 0 }),
        ],
        {
          priorState: true,
        },
      ),
    );

    expect(floor.calls.GetFindings).toBe(1);
    expect(floor.calls.Query).toBe(2);
    expect(floor.calls.BatchWriteItem).toBe(1);
    expect(floor.calls.BatchImportFindings).toBe(1);
  });
});
