/**
 * Which nodes of a whole-cluster scan are reached by tag-targeted SendCommands instead of one
 * SendCommand per 50 instance ids, and by which tags (pure).
 *
 * SSM resolves a target to every managed instance it selects (SSM User Guide, "Run commands at
 * scale": "we recommend using the Targets option" past 50 nodes). Three tags name a node's cluster,
 * each on the nodes of some provisioners: `eks:cluster-name` (managed node groups),
 * `eks:eks-cluster-name` (Karpenter and Auto Mode; AWS blocks SSM on Auto Mode instances, so SSM never
 * resolves them) and the key `kubernetes.io/cluster/<name>` (self-managed and Karpenter nodes, and
 * wherever else a tool put it). Discovery read every node's tags, so what each target reaches among
 * the cluster's nodes is known: the chosen targets reach disjoint sets of nodes (no node runs the
 * collector twice) and, among those whose results read within a second of the quickest (below), as
 * many nodes as possible with as few commands as possible. Where `kubernetes.io/cluster/<name>` is on
 * no managed-node-group node, it reaches Karpenter and self-managed nodes with one command and one run
 * of pages instead of a tag command for Karpenter and chunks by id for the rest (one SendCommand and a
 * partial page fewer per cluster); where it is on every node, one command reaches the whole cluster.
 */
import type { NodeInfo } from '../../fleet.ts';
import { NodeTag } from '../node-tags.ts';
import { LIST_PAGE, READ_PAGES_PER_SECOND, SEND_CHUNK } from './limits.ts';
import type { TagTarget } from './types.ts';

interface Candidate {
  /** The SendCommand Target: `tag:<key>` with the cluster as value, or `tag-key` with the key. */
  readonly key: string;
  readonly value: string;
  /** The node tag (NodeInfo.clusterTags) that puts a node in its reach. */
  readonly tag: string;
}

function candidates(cluster: string): Candidate[] {
  return [
    {
      key: `tag:${NodeTag.MANAGED_NODE_GROUP_CLUSTER}`,
      value: cluster,
      tag: NodeTag.MANAGED_NODE_GROUP_CLUSTER,
    },
    { key: `tag:${NodeTag.KARPENTER_CLUSTER}`, value: cluster, tag: NodeTag.KARPENTER_CLUSTER },
    {
      // Its value is "owned" or "shared" (eks-ug worker.adoc, eksctl): the key alone names the cluster.
      key: 'tag-key',
      value: `${NodeTag.SELF_MANAGED_PREFIX}${cluster}`,
      tag: `${NodeTag.SELF_MANAGED_PREFIX}${cluster}`,
    },
  ];
}

/** Every way to pick some of the candidates, as lists (2^n − 1 for n candidates). */
function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) {
    out.push(items.filter((_, i) => mask & (1 << i)));
  }
  return out;
}

/**
 * Pages of invocations a second along one command's NextToken chain (call plus parsing): it decides
 * when one large command reads slower than several side by side (docs/performance.md).
 */
const CHAIN_PAGES_PER_SECOND = 7;

/**
 * `sendTo`: the nodes to collect from; `offline`: nodes of the cluster SSM lists as not online (they
 * carry the same tags, so a tag command targets them too, and the scan must not wait for them);
 * `others`: the cluster's other nodes (Windows, Auto Mode), which a tag reaches too. A target that
 * would reach 50 nodes of `sendTo` or fewer is not used: by id it is the same one call, and nothing is
 * sent to offline nodes.
 *
 * Among the choices that reach no node twice and whose invocations read within a second of the
 * quickest, the one reaching the most nodes by tag wins, then the one with the fewest commands. A
 * command's pages are one NextToken chain, about 7 a second, while SSM allows 10 a second across
 * chains: one command for 5,000 nodes is 100 pages, 14 s, where a managed-node-group command and a
 * Karpenter one read side by side in 10 s. For a cluster of a few hundred nodes every choice reads
 * in a second or two, and one command for all of them wins.
 */
export function tagTargetsFor(
  cluster: string,
  sendTo: readonly NodeInfo[],
  offline: readonly NodeInfo[],
  others: readonly NodeInfo[] = [],
): TagTarget[] {
  // What each target reaches, worked out once: every node of the cluster, and those to collect from.
  const everyNode = [...sendTo, ...offline, ...others];
  const reach = (c: Candidate, nodes: readonly NodeInfo[]) =>
    nodes.filter((n) => n.clusterTags.includes(c.tag));
  const usable = candidates(cluster)
    .map((c) => ({
      c,
      all: new Set(reach(c, everyNode).map((n) => n.instanceId)),
      sendable: reach(c, sendTo),
    }))
    .filter((r) => r.sendable.length > SEND_CHUNK);
  const pages = (n: number) => Math.ceil(n / LIST_PAGE);
  const plans: { picked: typeof usable; covered: number; readSeconds: number }[] = [];
  for (const picked of [[], ...subsets(usable)]) {
    const disjoint = picked.every((a, i) =>
      picked.every((b, j) => j <= i || [...a.all].every((id) => !b.all.has(id))),
    );
    if (!disjoint) continue;
    const covered = picked.reduce((sum, r) => sum + r.sendable.length, 0);
    const byId = sendTo.length - covered;
    const longestChain = Math.max(byId > 0 ? 1 : 0, ...picked.map((r) => pages(r.all.size)));
    const totalPages = picked.reduce((sum, r) => sum + pages(r.all.size), 0) + pages(byId);
    const readSeconds = Math.max(longestChain / CHAIN_PAGES_PER_SECOND, totalPages / READ_PAGES_PER_SECOND);
    plans.push({ picked, covered, readSeconds });
  }
  // Plans that read within a second of the quickest; of those, the one that reaches the most nodes by
  // tag (fewest SendCommands and partial pages), then the one with the fewest commands.
  const quickest = Math.min(...plans.map((p) => p.readSeconds));
  let best: (typeof plans)[number] | undefined;
  for (const plan of plans) {
    if (plan.readSeconds > quickest + 1) continue;
    if (
      !best ||
      plan.covered > best.covered ||
      (plan.covered === best.covered && plan.picked.length < best.picked.length)
    ) {
      best = plan;
    }
  }
  return (best?.picked ?? []).map(({ c, sendable }) => ({
    key: c.key,
    value: c.value,
    instanceIds: sendable.map((n) => n.instanceId),
    offline: reach(c, offline).length,
  }));
}

/** SSM's answers to a target it does not take (the key), as opposed to a fault worth retrying as is. */
export const TARGET_REFUSED: ReadonlySet<string> = new Set([
  'ValidationException',
  'InvalidParameters',
  'InvalidTarget',
]);

/**
 * The SendCommand Targets to try for a group, in order. The SDK's Target doc lists `tag-key` for every
 * Systems Manager tool, but should a Region refuse it, the same nodes are reached by the tag's values:
 * `kubernetes.io/cluster/<name>` is "owned" or "shared" (eks-ug worker.adoc; the kubelet's cloud
 * provider and eksctl), one `tag:` target with both values. A node with another value is then not
 * targeted, and the untargeted nodes of a group are sent to by id (untargeted.ts).
 */
export function targetsToTry(target: TagTarget): { Key: string; Values: string[] }[][] {
  const primary = [{ Key: target.key, Values: [target.value] }];
  if (target.key !== 'tag-key') return [primary];
  return [primary, [{ Key: `tag:${target.value}`, Values: ['owned', 'shared'] }]];
}
