/**
 * The floor: the fewest API calls and the least time any scanner could need for the same fleet, the
 * same AWS limits and the same node run times. Pure, so it is unit-tested (test/sim/bench-floor.test.ts)
 * and computed in the same bench run from the fleet, the emulator's settings and the node execution
 * times the emulator actually drew.
 *
 * Calls (per scan):
 * - account: ListClusters (100 a page) and one GetFindings for findings of vanished clusters (a full
 *   scan must archive them); no fan-out event (one invocation can scan every cluster side by side);
 * - DescribeInstances: one query per provisioner tag key the discovery contract names (EC2 ANDs
 *   different filter names, so `eks:cluster-name`, `eks:eks-cluster-name` and
 *   `kubernetes.io/cluster/<name>` cannot share a query; the values of one filter are ORed, so one
 *   query can name every cluster scanned side by side), and together at least nodes / 1,000 pages
 *   (each query returns a part, so more pages is possible, fewer is not);
 * - per cluster: DescribeCluster; DescribeInstanceInformation:
 *   one listing of the account's managed instances that are not online, 50 a page (each cluster runs in
 *   its own invocation; SSM cannot filter by tag and ping status together: SSM API reference,
 *   DescribeInstanceInformation), made once by
 *   the fan-out and handed to every cluster, or (one cluster) a lookup of the candidates by id, 50 a
 *   page, whichever is fewer. Finding unmanaged nodes costs more than that (a per-id lookup), but no
 *   fixed amount, so the floor leaves it out: it is a lower bound, not a plan. SendCommand: one per
 *   cluster (a `Targets` tag can select every node of it); ListCommandInvocations: one per 50
 *   sendable nodes; GetCommandInvocation: one per output cut at
 *   2,500 characters; GetFindings: the cluster's existing ACTIVE findings, 100 a page (at least one call
 *   to learn there are none); BatchImportFindings: findings / 100; a "Scan Completed" event each, 10
 *   a PutEvents call when several are scanned side by side.
 *   No ListCommands: polling for completion is overhead a perfect scanner would not need.
 *
 * Time (expected, using the mean per-call latency; node times are the ones drawn in the run, released
 * to the nodes through SSM's rate-control ramp as one command per cluster: oneCommandNodeTimes):
 * - per cluster, the dependency chain: ListClusters → DescribeCluster →
 *   DescribeInstances pages (sequential NextToken chain) → DescribeInstanceInformation → SendCommand →
 *   the slowest node of the cluster (pickup + execution) → ListCommandInvocations (→ GetCommandInvocation)
 *   (the pages of different commands, and the import batches, can be in flight together)
 *   → BatchImportFindings → PutEvents. The existing-findings read (GetFindings pages, sequential) runs
 *   in parallel with collection and must end before the import.
 * - account-wide, each rate-limited operation: its bucket (shared by all concurrent cluster scans)
 *   allows its total demand D no sooner than `first call + max(0, D − burst) / rate`; after its last
 *   call come the stages that must follow it (for SendCommand: the first page's node time, the
 *   invocation read, the import and the event). ListCommandInvocations' first useful call is when a
 *   page of 50 ended invocations can first exist (FloorInput.firstPageNodeMs after the first send).
 * - whole scan = max(slowest cluster chain, every rate bound).
 */

import { rampSchedule } from '../emulator/rate-control.ts';

/**
 * One node's own times as the emulator drew them: agent pickup after the send, then the run.
 */
export interface NodeRun {
  readonly instanceId: string;
  readonly pickupMs: number;
  readonly runMs: number;
}

/**
 * When each node of a cluster would end if the whole cluster went in one command (the one
 * SendCommand per cluster the floor counts), through SSM's rate-control ramp (waves of 1, 2, 4 … up
 * to MaxConcurrency 100%: emulator/rate-control.ts, the very schedule the emulator imposes; SSM User
 * Guide "Using rate controls"). Returns `maxNodeMs` (FloorCluster) and the ends sorted, ms after the
 * send. Targets in instance-id order, as the emulator resolves a tag target.
 *
 * A scanner that splits a cluster into several commands ramps each in fewer waves, at the price of more
 * SendCommands (and their rate limit); the floor does not trade one against the other: it is the
 * time of the plan whose calls it counts.
 */
export function oneCommandNodeTimes(runs: readonly NodeRun[]): { maxNodeMs: number; endsMs: number[] } {
  const ordered = [...runs].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  const schedule = rampSchedule(
    ordered.map((r) => ({ delivered: true, pickupMs: r.pickupMs, runMs: r.runMs })),
    { requestedMs: 0, maxConcurrency: ordered.length },
  );
  const endsMs = schedule.map((s) => s.endMs).sort((a, b) => a - b);
  return { maxNodeMs: endsMs.at(-1) ?? 0, endsMs };
}

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface FloorCluster {
  readonly name: string;
  /** Running instances of the cluster (what DescribeInstances returns). */
  readonly nodes: number;
  /** Linux, non-Auto-Mode nodes: the ones whose SSM state matters. */
  readonly candidates: number;
  /** Nodes SendCommand can go to (SSM online, Linux, not Auto Mode). */
  readonly sendable: number;
  /** Sendable nodes whose output ListCommandInvocations cuts at 2,500 characters. */
  readonly truncatedOutputs: number;
  /** Findings this scan imports (one per node and control, plus archives). */
  readonly findings: number;
  /** ACTIVE findings of the cluster before the scan (read to keep CreatedAt). */
  readonly existingFindings: number;
  /**
   * Slowest node of the cluster: SendCommand to terminal state (rate-control ramp + pickup + execution),
   * ms; the bench computes it with oneCommandNodeTimes.
   */
  readonly maxNodeMs: number;
}

export interface FloorInput {
  readonly clusters: readonly FloorCluster[];
  /** Mean per-call latency by operation name (e.g. "GetFindings"); missing = `default`. */
  readonly latencyMs: Readonly<Record<string, number>> & { readonly default: number };
  /** Rate limits by operation name; missing = unlimited. */
  readonly rateLimits: Readonly<Record<string, RateLimit>>;
  /**
   * The earliest a page of 50 ended invocations can exist (ms after its command was sent): in the
   * cluster where it comes first, the time by which 50 of its nodes (all, if fewer) had ended. Reading
   * results cannot start sooner, and what must follow the last SendCommand is at least that. It
   * depends on the nodes' run times only, not on how the scan grouped them into commands (the fastest
   * of the scan's own commands would reward sending small groups and could exceed what a scan that
   * reads a group before its last nodes end needs: a floor it could beat).
   */
  readonly firstPageNodeMs: number;
  /** Managed instances of the account whose SSM agent is not online (ConnectionLost, Inactive). */
  readonly offlineInstances: number;
}

export interface RateBound {
  readonly operation: string;
  readonly demand: number;
  readonly seconds: number;
}

export interface FloorResult {
  readonly calls: Readonly<Record<string, number>>;
  readonly totalCalls: number;
  readonly seconds: number;
  readonly slowestClusterSeconds: number;
  readonly perClusterSeconds: Readonly<Record<string, number>>;
  readonly rateBounds: readonly RateBound[];
  /** What sets the floor: "cluster <name> critical path" or "<operation> rate limit". */
  readonly binding: string;
}

export const BATCH = {
  listClusters: 100,
  describeInstances: 1000,
  instanceInformation: 50,
  sendCommand: 50,
  listInvocations: 50,
  getFindings: 100,
  importFindings: 100,
  putEvents: 10,
} as const;

/** Provisioner tag keys discovery asks for (functions/aws/node-tags.ts). */
export const DISCOVERY_TAG_QUERIES = 3;

const pages = (items: number, size: number, atLeastOne = false): number =>
  items > 0 ? Math.ceil(items / size) : atLeastOne ? 1 : 0;

function add(calls: Record<string, number>, op: string, n: number): void {
  if (n > 0) calls[op] = (calls[op] ?? 0) + n;
}

export function computeFloor(input: FloorInput): FloorResult {
  const L = (op: string) => input.latencyMs[op] ?? input.latencyMs.default;
  const C = input.clusters.length;
  const several = C > 1;

  // Learning which candidates are offline: list the account's offline instances, or look the
  // candidates up by id (InstanceIds filter), 50 a page; whichever is fewer.
  const offlinePages = pages(input.offlineInstances, BATCH.instanceInformation, true);
  const reachPages = (c: FloorCluster) =>
    Math.min(offlinePages, pages(c.candidates, BATCH.instanceInformation));
  const calls: Record<string, number> = {};
  add(calls, 'ListClusters', pages(C, BATCH.listClusters, true));
  add(calls, 'GetFindings', 1);
  // The offline listing is account-wide: for several clusters it is made once and handed to each.
  const anyCandidates = input.clusters.some((c) => c.candidates > 0);
  if (several && anyCandidates) add(calls, 'DescribeInstanceInformation', offlinePages);
  // Each query is at least one page, and together they return every node, ≤ 1,000 a page; side by
  // side, each query names every cluster.
  const allNodes = input.clusters.reduce((sum, c) => sum + c.nodes, 0);
  add(calls, 'DescribeInstances', Math.max(DISCOVERY_TAG_QUERIES, pages(allNodes, BATCH.describeInstances)));
  add(calls, 'PutEvents', pages(C, BATCH.putEvents));
  for (const c of input.clusters) {
    add(calls, 'DescribeCluster', 1);
    if (c.candidates > 0 && !several) add(calls, 'DescribeInstanceInformation', reachPages(c));
    // One SendCommand with a tag target can reach every node of a cluster.
    add(calls, 'SendCommand', c.sendable > 0 ? 1 : 0);
    add(calls, 'ListCommandInvocations', pages(c.sendable, BATCH.listInvocations));
    add(calls, 'GetCommandInvocation', c.truncatedOutputs);
    add(calls, 'GetFindings', pages(c.existingFindings, BATCH.getFindings, true));
    add(calls, 'BatchImportFindings', pages(c.findings, BATCH.importFindings));
  }
  const totalCalls = Object.values(calls).reduce((a, b) => a + b, 0);

  // Per-cluster critical path (ms).
  const tFan = L('ListClusters');
  const tail = L('BatchImportFindings') + L('PutEvents');
  const perCluster: Record<string, number> = {};
  const starts = {
    instanceInformation: Infinity,
    sendCommand: Infinity,
    listInvocations: Infinity,
    import: Infinity,
  };
  let slowest = 0;
  let slowestName = '';
  for (const c of input.clusters) {
    const tDescribed = tFan + L('DescribeCluster');
    // The queries run side by side; the longest NextToken chain is at least its share of the pages.
    const chain = Math.max(1, Math.ceil(pages(c.nodes, BATCH.describeInstances) / DISCOVERY_TAG_QUERIES));
    const tDiscovered = tDescribed + chain * L('DescribeInstances');
    let tCollected = tDiscovered;
    // The offline listing needs only the account, so it runs beside DescribeInstances; its pages chain.
    const tReach =
      reachPages(c) === offlinePages
        ? Math.max(tDiscovered, tDescribed + offlinePages * L('DescribeInstanceInformation'))
        : tDiscovered + L('DescribeInstanceInformation');
    if (c.sendable > 0) {
      const tSent = tReach + L('SendCommand');
      tCollected =
        tSent +
        c.maxNodeMs +
        L('ListCommandInvocations') +
        (c.truncatedOutputs > 0 ? L('GetCommandInvocation') : 0);
      starts.instanceInformation = Math.min(starts.instanceInformation, tDescribed);
      starts.sendCommand = Math.min(starts.sendCommand, tReach);
      starts.listInvocations = Math.min(starts.listInvocations, tSent + input.firstPageNodeMs);
    } else if (c.candidates > 0) {
      tCollected = tReach;
    }
    const tRead = tDescribed + pages(c.existingFindings, BATCH.getFindings, true) * L('GetFindings');
    const tReady = Math.max(tCollected, tRead);
    starts.import = Math.min(starts.import, tReady);
    const t = tReady + tail;
    perCluster[c.name] = t / 1000;
    if (t >= slowest) {
      slowest = t;
      slowestName = c.name;
    }
  }

  // Account-wide token buckets: first call + (D − burst) / rate, then what must follow the last call.
  const afterSend = input.firstPageNodeMs + L('ListCommandInvocations') + tail;
  const bounds: { op: string; first: number; after: number }[] = [
    { op: 'GetFindings', first: L('ListClusters'), after: L('GetFindings') + tail },
    { op: 'BatchImportFindings', first: starts.import, after: tail },
    {
      op: 'DescribeInstanceInformation',
      first: starts.instanceInformation,
      after: L('DescribeInstanceInformation') + L('SendCommand') + afterSend,
    },
    { op: 'SendCommand', first: starts.sendCommand, after: L('SendCommand') + afterSend },
    {
      op: 'ListCommandInvocations',
      first: starts.listInvocations,
      after: L('ListCommandInvocations') + tail,
    },
    { op: 'DescribeCluster', first: tFan, after: L('DescribeCluster') + L('DescribeInstances') + tail },
    { op: 'DescribeInstances', first: tFan + L('DescribeCluster'), after: L('DescribeInstances') + tail },
  ];
  const rateBounds: RateBound[] = [];
  let seconds = slowest / 1000;
  let binding = C > 0 ? `cluster ${slowestName} critical path` : 'no clusters';
  for (const b of bounds) {
    const limit = input.rateLimits[b.op];
    const demand = calls[b.op] ?? 0;
    if (!limit || demand === 0 || !Number.isFinite(b.first)) continue;
    const ms = b.first + (Math.max(0, demand - limit.burst) / limit.ratePerSecond) * 1000 + b.after;
    rateBounds.push({ operation: b.op, demand, seconds: ms / 1000 });
    if (ms / 1000 > seconds) {
      seconds = ms / 1000;
      binding = `${b.op} rate limit (${limit.ratePerSecond}/s, burst ${limit.burst})`;
    }
  }
  return {
    calls,
    totalCalls,
    seconds,
    slowestClusterSeconds: slowest / 1000,
    perClusterSeconds: perCluster,
    rateBounds,
    binding,
  };
}
