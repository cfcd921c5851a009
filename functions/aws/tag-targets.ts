/**
 * Which nodes of a whole-cluster scan are reached by one tag-targeted SendCommand per provisioner
 * instead of one SendCommand per 50 instance ids (pure).
 *
 * SSM resolves `tag:<key>=<value>` to every managed instance carrying the tag (ssm-ug
 * send-commands-multiple: "we recommend using the Targets option" past 50 nodes). Only tags that
 * name the cluster on exactly one provisioner's nodes are used, so no node is targeted twice:
 * `eks:cluster-name` (managed node groups) and `eks:eks-cluster-name` (Karpenter; Auto Mode carries
 * it too, but AWS blocks SSM on those instances, so SSM never resolves them). Self-managed nodes
 * carry only `kubernetes.io/cluster/<name>`, which Karpenter nodes carry too: they go by id.
 */
import type { NodeInfo } from './discovery.ts';
import { NodeTag, Provisioner } from './discovery.ts';
import { SEND_CHUNK, type TagTarget } from './run-command.ts';

const TAG_BY_PROVISIONER: Partial<Record<Provisioner, string>> = {
  [Provisioner.MANAGED_NODE_GROUP]: NodeTag.MANAGED_NODE_GROUP_CLUSTER,
  [Provisioner.KARPENTER]: NodeTag.KARPENTER_CLUSTER,
};

/**
 * `sendTo`: the nodes to collect from; `offline`: nodes of the cluster SSM lists as not online (they
 * carry the same tags, so the tag command targets them too, and the scan must not wait for them).
 * A group of 50 nodes or fewer goes by id: the same one call, and nothing sent to offline nodes.
 */
export function tagTargetsFor(
  cluster: string,
  sendTo: readonly NodeInfo[],
  offline: readonly NodeInfo[],
): TagTarget[] {
  const targets: TagTarget[] = [];
  for (const [provisioner, key] of Object.entries(TAG_BY_PROVISIONER)) {
    const ids = sendTo.filter((n) => n.provisioner === provisioner).map((n) => n.instanceId);
    if (ids.length <= SEND_CHUNK) continue;
    targets.push({
      key,
      value: cluster,
      instanceIds: ids,
      offline: offline.filter((n) => n.provisioner === provisioner).length,
    });
  }
  return targets;
}
