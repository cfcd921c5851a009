/**
 * The floor: the fewest API calls and the least time any scanner could need for the same fleet, the
 * same AWS limits and the same node run times. Pure, so it is unit-tested (test/sim/bench-floor.test.ts)
 * and computed in the same bench run from the fleet, the emulator's settings and the node execution
 * times the emulator actually drew.
 *
 * Calls (per scan):
 * - account: ListClusters (100 a page); without earlier state, one GetFindings for findings of vanished
 *   clusters (a full scan must archive them; with its state table a scanner knows them); no fan-out
 *   event (one invocation can scan every cluster side by side);
 * - DescribeInstances: one query per provisioner tag key the discovery contract names (EC2 ANDs
 *   different filter names, so `eks:cluster-name`, `eks:eks-cluster-name` and
 *   `kubernetes.io/cluster/<name>` cannot share a query; the values of one filter are ORed, so one
 *   query can name every cluster scanned side by side), and together at least nodes / 1,000 pages
 *   (each query returns a part, so more pages is possible, fewer is not);
 * - per cluster: DescribeCluster; DescribeInstanceInformation:
 *   one listing of the account's managed instances that are not online, 50 a page (SSM cannot filter
 *   by tag and ping status together: SSM API reference, DescribeInstanceInformation), made once and
 *   handed to every cluster, or (one cluster) a lookup of the candidates by id, 50 a page, whichever is
 *   fewer. Finding unmanaged nodes costs more than that (a per-id lookup), but no fixed amount, so the
 *   floor leaves it out: it is a lower bound, not a plan. SendCommand: the fewest commands that reach
 *   every sendable node (collection-plans.ts: the tag targets' cover, the rest 50 ids a command);
 *   ListCommandInvocations: one per 50 sendable nodes; GetCommandInvocation: one per output cut at
 *   2,500 characters; BatchImportFindings: the findings that must be imported / 100 (a first scan:
 *   every node × control; later: the new ones and those whose status changed); GetFindings: without
 *   earlier state, the cluster's ACTIVE findings, 100 a page (at least one call to learn there are
 *   none); with it, only the findings to be RESOLVED (their Workflow status is Security Hub's alone);
 *   DynamoDB: with earlier state one read a cluster (the last conclusions, to import only changes) and
 *   one write a cluster whose conclusions changed (BatchWriteItem); a "Scan Completed" event each, 10 a
 *   PutEvents call. No leases (conditional writes can decide instead) and no ListCommands (polling for
 *   completion is overhead a perfect scanner would not need).
 *
 * Time (expected, using the mean per-call latency; node times are the ones drawn in the run):
 * - per cluster, the dependency chain: ListClusters → DescribeCluster →
 *   DescribeInstances pages (sequential NextToken chain) → DescribeInstanceInformation → SendCommand →
 *   the quickest collection plan's last node (collection-plans.ts: each command's own rate-control ramp,
 *   the later sends paced by the SendCommand bucket) → ListCommandInvocations (→ GetCommandInvocation)
 *   (the pages of different commands, and the import batches, can be in flight together)
 *   → BatchImportFindings → PutEvents. A node SSM listed online whose agent never picks the command up
 *   (offline after the listing) keeps its invocation Pending until the command expires (delivery
 *   timeout + execution timeout: FloorInput.commandExpiryMs); the cluster's answer for it cannot come
 *   sooner. The existing-findings read (GetFindings pages, sequential) runs in parallel with
 *   collection and must end before the import.
 * - account-wide, each rate-limited operation: its bucket (shared by all concurrent cluster scans)
 *   allows its total demand D no sooner than `first call + max(0, D − burst) / rate`; after its last
 *   call come the stages that must follow it (for SendCommand: the quickest node, the invocation read,
 *   the import and the event). ListCommandInvocations' first useful call is when a page of ended
 *   invocations can first exist (FloorInput.firstPageNodeMs after the first send).
 * - whole scan = max(slowest cluster chain, every rate bound).
 */

import { type NodeRun, planTimes } from './collection-plans.ts';

export type { NodeRun } from './collection-plans.ts';

/**
 * When each node of a cluster would end if the whole cluster went in one command, through SSM's
 * rate-control ramp (waves of 1, 2, 4 … up to MaxConcurrency 100%: emulator/rate-control.ts). One plan
 * of many (collection-plans.ts takes the quickest); kept for tests and comparisons.
 */
export function oneCommandNodeTimes(runs: readonly NodeRun[]): { maxNodeMs: number } {
  const ordered = [...runs].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  return { maxNodeMs: planTimes([ordered], undefined).endMs };
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
  /** The fewest SendCommands that reach every sendable node (collection-plans.ts forcedCommands). */
  readonly commands: number;
  /** Sendable nodes whose output ListCommandInvocations cuts at 2,500 characters. */
  readonly truncatedOutputs: number;
  /** Findings this scan must import (first scan: one per node and control; later: changes only). */
  readonly findings: number;
  /** ACTIVE findings of the cluster before the scan (read when there is no earlier state). */
  readonly existingFindings: number;
  /** Findings this scan turns to PASSED from another status: their Workflow is read before RESOLVED. */
  readonly resolving?: number;
  /**
   * The quickest collection plan's last node, ms after the cluster's first SendCommand is requested
   * (collection-plans.ts collectionFloor: every command's ramp, the later sends' pacing).
   */
  readonly maxNodeMs: number;
  /** Sendable nodes listed online whose agent never picks the command up (offline after the listing). */
  readonly pendingUntilExpiry?: number;
}

export interface FloorInput {
  readonly clusters: readonly FloorCluster[];
  /** Mean per-call latency by operation name (e.g. "GetFindings"); missing = `default`. */
  readonly latencyMs: Readonly<Record<string, number>> & { readonly default: number };
  /** Rate limits by operation name; missing = unlimited. */
  readonly rateLimits: Readonly<Record<string, RateLimit>>;
  /**
   * The earliest a page of ended invocations can exist (ms after its command was sent): over every
   * cluster and every plan collection-plans.ts times, when one command's first 50 targets (all, if
   * fewer) had ended. Reading results usefully cannot start sooner.
   */
  readonly firstPageNodeMs: number;
  /** The quickest any sendable node ends after its command (pickup + run): what follows the last send. */
  readonly fastestNodeMs?: number;
  /** Managed instances of the account whose SSM agent is not online (ConnectionLost, Inactive). */
  readonly offlineInstances: number;
  /** A command's life: SendCommand TimeoutSeconds (delivery) + the document's execution timeout, ms. */
  readonly commandExpiryMs?: number;
  /**
   * The scanner has its conclusions of an earlier scan (its state table): Security Hub need not be
   * read back, only the Workflow of findings about to be RESOLVED. False for a first scan.
   */
  readonly priorState?: boolean;
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

/** The fewest calls of each operation (see the header). */
function floorCalls(input: FloorInput): Record<string, number> {
  const C = input.clusters.length;
  const several = C > 1;
  const prior = input.priorState === true;
  const offlinePages = pages(input.offlineInstances, BATCH.instanceInformation, true);
  const calls: Record<string, number> = {};
  add(calls, 'ListClusters', pages(C, BATCH.listClusters, true));
  add(calls, 'GetFindings', prior ? 0 : 1);
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
    if (c.candidates > 0 && !several) add(calls, 'DescribeInstanceInformation', reachPages(input, c));
    add(calls, 'SendCommand', c.sendable > 0 ? c.commands : 0);
    add(calls, 'ListCommandInvocations', pages(c.sendable, BATCH.listInvocations));
    add(calls, 'GetCommandInvocation', c.truncatedOutputs);
    add(calls, 'GetFindings', readPages(input, c));
    add(calls, 'BatchImportFindings', pages(c.findings, BATCH.importFindings));
    add(calls, 'Query', prior ? 1 : 0);
    add(calls, 'BatchWriteItem', c.findings > 0 ? 1 : 0);
  }
  return calls;
}

/** Offline listing pages, or (one cluster) the candidates looked up by id: whichever is fewer. */
function reachPages(input: FloorInput, c: FloorCluster): number {
  const offlinePages = pages(input.offlineInstances, BATCH.instanceInformation, true);
  return Math.min(offlinePages, pages(c.candidates, BATCH.instanceInformation));
}

/** GetFindings pages of a cluster: its ACTIVE findings without earlier state, else those to resolve. */
function readPages(input: FloorInput, c: FloorCluster): number {
  return input.priorState
    ? pages(c.resolving ?? 0, BATCH.getFindings)
    : pages(c.existingFindings, BATCH.getFindings, true);
}

interface Chains {
  readonly perCluster: Record<string, number>;
  readonly slowest: number;
  readonly slowestName: string;
  readonly starts: {
    instanceInformation: number;
    sendCommand: number;
    listInvocations: number;
    import: number;
  };
}

/** Each cluster's dependency chain (ms), and when each rate-limited stage can first start. */
function clusterChains(input: FloorInput): Chains {
  const L = latencyOf(input);
  const offlinePages = pages(input.offlineInstances, BATCH.instanceInformation, true);
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
    // The first findings this cluster could import: its first page of results read.
    let tFirstResults = tDiscovered;
    // The offline listing needs only the account, so it runs beside DescribeInstances; its pages chain.
    const tReach =
      reachPages(input, c) === offlinePages
        ? Math.max(tDiscovered, tDescribed + offlinePages * L('DescribeInstanceInformation'))
        : tDiscovered + L('DescribeInstanceInformation');
    if (c.sendable > 0) {
      const tSent = tReach + L('SendCommand');
      // A node offline after the listing answers only when its command expires.
      const expiry = (c.pendingUntilExpiry ?? 0) > 0 ? (input.commandExpiryMs ?? 0) : 0;
      tCollected =
        tSent +
        Math.max(c.maxNodeMs, expiry) +
        L('ListCommandInvocations') +
        (c.truncatedOutputs > 0 ? L('GetCommandInvocation') : 0);
      starts.instanceInformation = Math.min(starts.instanceInformation, tDescribed);
      starts.sendCommand = Math.min(starts.sendCommand, tReach);
      starts.listInvocations = Math.min(starts.listInvocations, tSent + input.firstPageNodeMs);
      tFirstResults = tSent + input.firstPageNodeMs + L('ListCommandInvocations');
    } else if (c.candidates > 0) {
      tCollected = tReach;
      tFirstResults = tReach;
    }
    const tRead = tDescribed + readPages(input, c) * L('GetFindings');
    const tReady = Math.max(tCollected, tRead);
    // Imports stream while collection runs: a cluster's first batch can go once its first results are
    // read and its stored findings known, long before its last node answers.
    starts.import = Math.min(starts.import, Math.max(tFirstResults, tRead));
    // A cluster with nothing to import (a steady state without changes) ends with its event.
    const t = tReady + (c.findings > 0 ? tail : L('PutEvents'));
    perCluster[c.name] = t / 1000;
    if (t >= slowest) {
      slowest = t;
      slowestName = c.name;
    }
  }
  return { perCluster, slowest, slowestName, starts };
}

const latencyOf = (input: FloorInput) => (op: string) => input.latencyMs[op] ?? input.latencyMs.default;

export function computeFloor(input: FloorInput): FloorResult {
  const L = latencyOf(input);
  const calls = floorCalls(input);
  const totalCalls = Object.values(calls).reduce((a, b) => a + b, 0);
  const { perCluster, slowest, slowestName, starts } = clusterChains(input);
  const tail = L('BatchImportFindings') + L('PutEvents');

  // Account-wide token buckets: first call + (D − burst) / rate, then what must follow the last call.
  const afterSend = (input.fastestNodeMs ?? input.firstPageNodeMs) + L('ListCommandInvocations') + tail;
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
    {
      op: 'DescribeCluster',
      first: L('ListClusters'),
      after: L('DescribeCluster') + L('DescribeInstances') + tail,
    },
    {
      op: 'DescribeInstances',
      first: L('ListClusters') + L('DescribeCluster'),
      after: L('DescribeInstances') + tail,
    },
  ];
  const rateBounds: RateBound[] = [];
  let seconds = slowest / 1000;
  let binding = input.clusters.length > 0 ? `cluster ${slowestName} critical path` : 'no clusters';
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
