/**
 * `kubelet-audit fleet`: the scanner's own discovery (aws/discovery.ts) run with the caller's
 * credentials, and per node whether a scan would reach it. Nodes no command is meant for (EKS Auto
 * Mode, Windows) get the scanner's own answer (scan-cluster/triage.ts); the others are classified by
 * DescribeInstanceInformation (aws/reachability.ts), one call per 50 nodes. The Lambda finds
 * unmanaged nodes by sending to them; a preview must not send, so it asks SSM instead.
 */
import type { AwsClients } from '../aws/clients.ts';
import {
  type ClusterInfo,
  checkReachability,
  describeCluster,
  listClusterNames,
  listClusterNodes,
  type NodeInfo,
} from '../aws/discovery.ts';
import { noCommandAnswer } from '../scanner/scan-cluster/triage.ts';

export interface NodeVerdict {
  readonly cluster: string;
  readonly node: NodeInfo;
  /** The collector would be sent to this node. */
  readonly reachable: boolean;
  readonly code: string;
  readonly reason: string;
}

export interface FleetView {
  readonly clusters: readonly ClusterInfo[];
  /** Clusters asked for with --clusters that EKS does not know. */
  readonly missing: readonly string[];
  readonly verdicts: readonly NodeVerdict[];
}

function noCommandVerdict(cluster: string, node: NodeInfo): NodeVerdict {
  const answer = noCommandAnswer(node);
  const reason = answer.results[0]?.reason ?? '';
  return { cluster, node, reachable: false, code: answer.reasonCode ?? 'NO_COMMAND', reason };
}

async function clusterVerdicts(clients: AwsClients, cluster: ClusterInfo): Promise<NodeVerdict[]> {
  const nodes = await listClusterNodes(clients.ec2, cluster.name);
  const noCommand = (n: NodeInfo) => n.operatorManaged || n.platform === 'windows';
  const candidates = nodes.filter((n) => !noCommand(n)).map((n) => n.instanceId);
  const reach = candidates.length > 0 ? await checkReachability(clients.ssm, candidates) : new Map();
  return nodes.map((node): NodeVerdict => {
    if (noCommand(node)) return noCommandVerdict(cluster.name, node);
    const r = reach.get(node.instanceId);
    if (r?.reachable) {
      const platform = r.platformType ? ` (${r.platformType})` : '';
      return {
        cluster: cluster.name,
        node,
        reachable: true,
        code: 'SSM_ONLINE',
        reason: `SSM managed, online${platform}`,
      };
    }
    return {
      cluster: cluster.name,
      node,
      reachable: false,
      code: r?.code ?? 'SSM_UNMANAGED',
      reason: r?.reason ?? 'not known to SSM',
    };
  });
}

/** Discovery and reachability of the named clusters (or every cluster), clusters one after another. */
export async function viewFleet(clients: AwsClients, clusterNames?: readonly string[]): Promise<FleetView> {
  const names = clusterNames ?? (await listClusterNames(clients.eks));
  const clusters: ClusterInfo[] = [];
  const missing: string[] = [];
  const verdicts: NodeVerdict[] = [];
  for (const name of names) {
    const cluster = await describeCluster(clients.eks, name);
    if (!cluster) {
      missing.push(name);
      continue;
    }
    clusters.push(cluster);
    verdicts.push(...(await clusterVerdicts(clients, cluster)));
  }
  return { clusters, missing, verdicts };
}
