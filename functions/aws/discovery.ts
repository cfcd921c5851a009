/**
 * Which clusters exist and which running instances are their nodes (EKS and EC2 reads). Paged calls
 * only; nothing here is per node. How an instance names its cluster is node-tags.ts; which nodes SSM
 * can reach is reachability.ts. Both are re-exported here, with the fleet types, so a scan imports
 * discovery as one surface.
 */
import { type EC2Client, type Filter, type Instance, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import type { ClusterInfo, NodeInfo } from '../fleet.ts';
import { clusterOfInstance, nodeTagFilters, toNodeInfo } from './node-tags.ts';

export { type ClusterInfo, type NodeInfo, Provisioner, type Reachability } from '../fleet.ts';
export {
  clusterOfInstance,
  NodeTag,
  nodeTagFilters,
  RUNNING_FILTER,
  TAG_QUERIES,
  type TagQuery,
  toNodeInfo,
} from './node-tags.ts';
export {
  checkReachability,
  describeOfflineInstances,
  listOfflineInstances,
  type OfflineInstance,
  offlineReachability,
  reachabilityOf,
  SSM_INFO_CHUNK,
  UNMANAGED_REASON,
} from './reachability.ts';

export async function listClusterNames(eks: EKSClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListClusters({ client: eks, pageSize: 100 }, {})) {
    names.push(...(page.clusters ?? []));
  }
  return names;
}

/** DescribeCluster; returns undefined when the cluster does not exist (ResourceNotFoundException). */
export async function describeCluster(eks: EKSClient, name: string): Promise<ClusterInfo | undefined> {
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    if (!cluster?.arn) return undefined;
    return {
      name,
      arn: cluster.arn,
      ...(cluster.version ? { version: cluster.version } : {}),
      autoMode: cluster.computeConfig?.enabled === true,
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** DescribeInstances MaxResults is 5..1000. */
export const DESCRIBE_PAGE = 1000;
/**
 * Filter values in one DescribeInstances call, over all its filters: EC2 refuses more with
 * FilterLimitExceeded ("The maximum number of filter values specified on a single call is 200",
 * gjbae1212/gossm#47, convox/rack#2205). Whether the limit is per filter or per call is not
 * documented; counted per call, the stricter reading.
 */
export const EC2_FILTER_VALUES = 200;
/** States a running-instance look-up names (runningInstanceIds): the most any id look-up here adds. */
const RUNNING_OR_PENDING = ['pending', 'running'] as const;
/**
 * Instance ids one DescribeInstances call is sure to take beside its state filter: 200 values in all,
 * less the states (198). Callers may count on ≤ EC2_ID_CHUNK ids being one call (plus short pages).
 */
export const EC2_ID_CHUNK = EC2_FILTER_VALUES - RUNNING_OR_PENDING.length;

async function describeAll(ec2: EC2Client, filters: Filter[]): Promise<Instance[]> {
  const out: Instance[] = [];
  // IncludeManagedResources: EC2 managed instances (EKS Auto Mode) may otherwise be hidden (ec2
  // DescribeInstancesRequest doc), and we must see them to report them.
  const pages = paginateDescribeInstances(
    { client: ec2, pageSize: DESCRIBE_PAGE },
    { Filters: filters, IncludeManagedResources: true },
  );
  for await (const page of pages) {
    for (const reservation of page.Reservations ?? []) out.push(...(reservation.Instances ?? []));
  }
  return out;
}

/**
 * Every running node of a cluster, whatever provisioned it: 3 paged calls, deduplicated by id.
 * `grouped` holds, per TAG_QUERIES entry, the cluster's instances from a query that named several
 * clusters and returned every match (grouped-discovery.ts); where it has none, the cluster's own
 * query runs.
 */
export async function listClusterNodes(
  ec2: EC2Client,
  cluster: string,
  grouped: readonly (readonly Instance[] | undefined)[] = [],
): Promise<NodeInfo[]> {
  const byId = new Map<string, NodeInfo>();
  // The queries are independent (one per provisioner tag), so they run side by side: a 5,000-node
  // cluster's discovery is its longest NextToken chain, not the sum of all pages.
  const results = await Promise.all(
    nodeTagFilters(cluster).map((filters, i) => grouped[i] ?? describeAll(ec2, filters)),
  );
  for (const instances of results) {
    for (const instance of instances) {
      if (instance.InstanceId && !byId.has(instance.InstanceId)) {
        byId.set(instance.InstanceId, toNodeInfo(instance, cluster));
      }
    }
  }
  return [...byId.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

/**
 * The instances among `instanceIds` in one of `states`: as many ids per call as leave room for the
 * states within EC2_FILTER_VALUES, each call paged (EC2 may answer a short page with a NextToken).
 */
async function describeByIds(
  ec2: EC2Client,
  instanceIds: readonly string[],
  states: readonly string[],
): Promise<Instance[]> {
  const perCall = EC2_FILTER_VALUES - states.length;
  const chunks: string[][] = [];
  for (let i = 0; i < instanceIds.length; i += perCall) chunks.push(instanceIds.slice(i, i + perCall));
  const results = await Promise.all(
    chunks.map((ids) =>
      describeAll(ec2, [
        { Name: 'instance-id', Values: ids },
        { Name: 'instance-state-name', Values: [...states] },
      ]),
    ),
  );
  return results.flat();
}

/**
 * Where the given instances belong: running instances are looked up by an `instance-id` filter (a
 * missing id is simply absent; `InstanceIds=` would fail the whole call), 199 ids per call.
 */
export async function resolveInstanceClusters(
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<{ byCluster: Map<string, string[]>; notANode: string[] }> {
  const found = new Map<string, string>();
  for (const instance of await describeByIds(ec2, instanceIds, ['running'])) {
    const cluster = clusterOfInstance(instance);
    if (instance.InstanceId && cluster) found.set(instance.InstanceId, cluster);
  }
  const byCluster = new Map<string, string[]>();
  const notANode: string[] = [];
  for (const id of instanceIds) {
    const cluster = found.get(id);
    if (!cluster) notANode.push(id);
    else byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), id]);
  }
  return { byCluster, notANode };
}

/**
 * Which of `instanceIds` are still running EC2 instances (instance-id filter: an unknown id is just
 * absent), EC2_ID_CHUNK ids per call. Tells a node that vanished during the scan from one SSM never
 * managed.
 */
export async function runningInstanceIds(
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<Set<string>> {
  const running = new Set<string>();
  for (const instance of await describeByIds(ec2, instanceIds, RUNNING_OR_PENDING)) {
    if (instance.InstanceId) running.add(instance.InstanceId);
  }
  return running;
}
