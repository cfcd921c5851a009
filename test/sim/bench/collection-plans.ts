/**
 * The collection part of the floor (pure): how few SendCommands a cluster needs, and how soon its
 * nodes can have ended, whatever way a scanner splits the cluster into commands.
 *
 * Fewest commands. A SendCommand reaches the nodes of one `Targets` tag (the cluster's tags are
 * `eks:cluster-name`, `eks:eks-cluster-name` and the key `kubernetes.io/cluster/<name>`, each on the
 * nodes of some provisioners) or at most 50 instance ids (ssm SendCommand InstanceIds). So the fewest
 * commands that reach every sendable node is a cover: some of the tag targets, the nodes none of them
 * reaches by id, 50 a command (`forcedCommands`). The scanner's IAM policy allows each of the three
 * tags for the clusters it scans, so the policy forces no more than that; a node no statement allows
 * is not sendable at all. The floor counts that many SendCommands.
 *
 * Least time. SSM releases each command through its own rate-control ramp (waves of 1, 2, 4 …,
 * emulator/rate-control.ts: the very schedule the emulator imposes), so a cluster split into more
 * commands ramps in fewer waves, at the price of more SendCommands, which every cluster of the account
 * sends through one bucket. One command per cluster is therefore not the quickest plan, and the floor
 * must not assume it: it takes the quickest of the plans a scanner can build from what SSM offers,
 * each applied to every cluster and timed with the node times the emulator drew:
 *  - a subset of the three tag targets (each node in the first target of the subset that reaches it,
 *    so no command is larger than needed), the nodes none reaches by id, 50 a command;
 *  - every node by id, in commands of 50, 25 or 12 (smaller commands ramp in fewer waves; below 12
 *    the sends alone take longer than any ramp they save at the rates modelled).
 * All clusters' commands go through the one SendCommand bucket, largest first (the longest ramps
 * start first), as fast as it allows, with MaxConcurrency covering every target (a lower one only holds
 * targets back). Targets are in instance-id order, the order the emulator resolves a tag in; a scanner
 * cannot pick a better order because it cannot know the times before it sends. Nodes SSM will never
 * reach (offline, Auto Mode) and Windows nodes are left out of the ramps: a command that reaches them
 * only gets slower. What this does not search: plans that differ from cluster to cluster, and other
 * send orders. For fleets of clusters alike, or one cluster, neither can be much quicker.
 */
import { gatedWaves, rampSchedule } from '../emulator/rate-control.ts';

/** SendCommand's InstanceIds limit, and a page of ListCommandInvocations. */
const ID_CHUNK = 50;
/** By-id command sizes the floor tries besides 50 (see the header). */
const SMALLER_ID_CHUNKS = [25, 12] as const;

/**
 * One sendable node's own times as the emulator drew them (agent pickup after the send, then the run)
 * and which of the cluster's tag targets reach it (bit i = target i).
 */
export interface NodeRun {
  readonly instanceId: string;
  readonly pickupMs: number;
  readonly runMs: number;
  readonly tags?: number;
}

export interface SendRate {
  readonly ratePerSecond: number;
  readonly burst: number;
}

function byInstanceId(runs: readonly NodeRun[]): NodeRun[] {
  return [...runs].sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Ms after the first request at which the `index`-th command (0-based) of a cluster can be requested. */
export function sendOffsetMs(index: number, rate: SendRate | undefined): number {
  if (!rate) return 0;
  return (Math.max(0, index + 1 - rate.burst) / rate.ratePerSecond) * 1000;
}

/** Each command's ramp from its request time: the plan's last end and its earliest first page. */
export function planTimes(
  commands: readonly (readonly NodeRun[])[],
  rate: SendRate | undefined,
  startMs = 0,
): { endMs: number; firstPageMs: number } {
  const ordered = [...commands].filter((c) => c.length > 0).sort((a, b) => b.length - a.length);
  let endMs = 0;
  let firstPageMs = Number.POSITIVE_INFINITY;
  ordered.forEach((targets, index) => {
    const schedule = rampSchedule(
      targets.map((r) => ({ delivered: true, pickupMs: r.pickupMs, runMs: r.runMs })),
      { requestedMs: startMs + sendOffsetMs(index, rate), maxConcurrency: targets.length },
    );
    let pageEnd = 0;
    schedule.forEach((slot, i) => {
      endMs = Math.max(endMs, slot.endMs);
      if (i < ID_CHUNK) pageEnd = Math.max(pageEnd, slot.endMs);
    });
    firstPageMs = Math.min(firstPageMs, pageEnd);
  });
  return { endMs, firstPageMs: Number.isFinite(firstPageMs) ? firstPageMs : 0 };
}

/** The tag targets that reach at least one node (bit indexes), from the nodes' masks. */
function usableTargets(runs: readonly NodeRun[]): number[] {
  const bits = new Set<number>();
  for (const r of runs) for (let b = 0; b < 31; b++) if ((r.tags ?? 0) & (1 << b)) bits.add(b);
  return [...bits].sort((a, b) => a - b);
}

/** A way to split every cluster into commands: some tag targets (bits), or by id in chunks of `size`. */
type PlanType = { readonly tags: readonly number[] } | { readonly size: number };

function planTypes(bits: readonly number[]): PlanType[] {
  const out: PlanType[] = [];
  for (let mask = 0; mask < 1 << bits.length; mask++)
    out.push({ tags: bits.filter((_, i) => mask & (1 << i)) });
  for (const size of SMALLER_ID_CHUNKS) out.push({ size });
  return out;
}

function label(type: PlanType): string {
  if ('size' in type) return `every node by id, ${type.size} a command`;
  return type.tags.length > 0
    ? `${type.tags.length} tag target(s) a cluster, the rest by id`
    : 'every node by id, 50 a command';
}

/** One cluster's commands under a plan type (nodes in instance-id order). */
function commandsOf(type: PlanType, ordered: readonly NodeRun[]): NodeRun[][] {
  if ('size' in type) return chunks(ordered, type.size);
  const groups = type.tags.map(() => [] as NodeRun[]);
  const byId: NodeRun[] = [];
  for (const r of ordered) {
    const g = type.tags.findIndex((bit) => (r.tags ?? 0) & (1 << bit));
    if (g >= 0) groups[g]!.push(r);
    else byId.push(r);
  }
  return [...groups.filter((g) => g.length > 0), ...chunks(byId, ID_CHUNK)];
}

/** The fewest commands: some tag targets, and by id (50 a command) the nodes they do not reach. */
export function forcedCommands(runs: readonly NodeRun[]): number {
  const targets = usableTargets(runs);
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << targets.length; mask++) {
    const picked = targets.filter((_, i) => mask & (1 << i));
    const left = runs.filter((r) => !picked.some((bit) => (r.tags ?? 0) & (1 << bit))).length;
    best = Math.min(best, picked.length + Math.ceil(left / ID_CHUNK));
  }
  return runs.length === 0 ? 0 : best;
}

export interface ClusterCollection {
  readonly forcedCommands: number;
  /** The fleet's quickest plan: this cluster's last node, ms after the fleet's first request. */
  readonly maxNodeMs: number;
  readonly planCommands: number;
}

export interface FleetCollectionFloor {
  readonly clusters: ReadonlyMap<string, ClusterCollection>;
  /** The quickest plan type (see the header). */
  readonly plan: string;
  /**
   * The earliest one command's first page (its first 50 targets, all if fewer) can have ended, over all
   * plans, ms after the first request: reading results cannot usefully start sooner.
   */
  readonly firstPageMs: number;
  /** The quickest any node can end (its pickup and run alone). */
  readonly fastestNodeMs: number;
}

/** Every cluster's commands through one bucket, largest first: each cluster's last end, first page. */
function fleetTimes(
  commands: readonly { cluster: string; targets: NodeRun[] }[],
  rate: SendRate | undefined,
) {
  const ordered = [...commands].sort((a, b) => b.targets.length - a.targets.length);
  const endByCluster = new Map<string, number>();
  let firstPageMs = Number.POSITIVE_INFINITY;
  ordered.forEach(({ cluster, targets }, index) => {
    const t = planTimes([targets], undefined, sendOffsetMs(index, rate));
    endByCluster.set(cluster, Math.max(endByCluster.get(cluster) ?? 0, t.endMs));
    firstPageMs = Math.min(firstPageMs, t.firstPageMs);
  });
  return { endByCluster, firstPageMs };
}

/** The floor's collection for the whole fleet: the plan type whose slowest cluster ends first. */
export function collectionFloor(
  runsByCluster: ReadonlyMap<string, readonly NodeRun[]>,
  rate: SendRate | undefined,
): FleetCollectionFloor {
  const ordered = new Map([...runsByCluster].map(([name, runs]) => [name, byInstanceId(runs)]));
  const all = [...ordered.values()].flat();
  let best:
    | { type: PlanType; end: number; times: ReturnType<typeof fleetTimes>; counts: Map<string, number> }
    | undefined;
  let firstPageMs = Number.POSITIVE_INFINITY;
  for (const type of planTypes(usableTargets(all))) {
    const commands = [...ordered].flatMap(([cluster, runs]) =>
      commandsOf(type, runs).map((targets) => ({ cluster, targets })),
    );
    const times = fleetTimes(commands, rate);
    firstPageMs = Math.min(firstPageMs, times.firstPageMs);
    const end = Math.max(0, ...times.endByCluster.values());
    if (!best || end < best.end) {
      const counts = new Map<string, number>();
      for (const c of commands) counts.set(c.cluster, (counts.get(c.cluster) ?? 0) + 1);
      best = { type, end, times, counts };
    }
  }
  const clusters = new Map<string, ClusterCollection>();
  for (const [name, runs] of ordered) {
    clusters.set(name, {
      forcedCommands: forcedCommands(runs),
      maxNodeMs: best?.times.endByCluster.get(name) ?? 0,
      planCommands: best?.counts.get(name) ?? 0,
    });
  }
  return {
    clusters,
    plan: best ? label(best.type) : 'none',
    firstPageMs: Number.isFinite(firstPageMs) ? firstPageMs : 0,
    fastestNodeMs: all.length > 0 ? Math.min(...all.map((r) => r.pickupMs + r.runMs)) : 0,
  };
}

/** Waves a command of `targets` targets ramps through (for tests and the report). */
export const rampWaves = (targets: number): number => gatedWaves(Math.max(1, targets));
