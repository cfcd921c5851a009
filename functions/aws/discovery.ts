/**
 * Which clusters exist, which instances are their nodes, and which of those SSM can reach.
 * Paged calls only; nothing here is per node.
 */
import {
  DescribeInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import {
  type InstanceInformation,
  type PingStatus,
  paginateDescribeInstanceInformation,
  type SSMClient,
} from '@aws-sdk/client-ssm';

export interface ClusterInfo {
  readonly name: string;
  readonly arn: string;
  readonly version?: string;
  /** EKS Auto Mode compute (DescribeCluster computeConfig.enabled). */
  readonly autoMode: boolean;
}

export const Provisioner = {
  MANAGED_NODE_GROUP: 'managed-node-group',
  KARPENTER: 'karpenter',
  AUTO_MODE: 'auto-mode',
  SELF_MANAGED: 'self-managed',
} as const;
export type Provisioner = (typeof Provisioner)[keyof typeof Provisioner];

export interface NodeInfo {
  readonly instanceId: string;
  readonly cluster: string;
  readonly provisioner: Provisioner;
  readonly platform: 'linux' | 'windows';
  readonly nodeGroup?: string;
  readonly nodePool?: string;
  readonly instanceType?: string;
  readonly imageId?: string;
  readonly launchTime?: Date;
  readonly privateDnsName?: string;
  readonly privateIpAddress?: string;
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly iamInstanceProfileArn?: string;
  /** EC2 managed instance (Operator.Managed): EKS Auto Mode; AWS blocks SSM on these. */
  readonly operatorManaged: boolean;
  /**
   * The tags that name the node's cluster: `eks:cluster-name` and `eks:eks-cluster-name` when their
   * value is the cluster, `kubernetes.io/cluster/<cluster>` when present (tag-targets.ts picks the
   * SendCommand targets from them).
   */
  readonly clusterTags: readonly string[];
  readonly operatorPrincipal?: string;
}

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

/** The tag keys each provisioner puts on a node instance (facts C1). */
export const NodeTag = {
  MANAGED_NODE_GROUP_CLUSTER: 'eks:cluster-name',
  MANAGED_NODE_GROUP_NAME: 'eks:nodegroup-name',
  KARPENTER_CLUSTER: 'eks:eks-cluster-name',
  KARPENTER_NODE_POOL: 'karpenter.sh/nodepool',
  EKSCTL_NODE_GROUP: 'alpha.eksctl.io/nodegroup-name',
  SELF_MANAGED_PREFIX: 'kubernetes.io/cluster/',
} as const;

/**
 * One DescribeInstances query per provisioner tag: EC2 ANDs different filter names, so the three tags
 * need a query each, while the values of one filter are ORed, so one query can name several clusters
 * (grouped-discovery.ts).
 */
export interface TagQuery {
  /** The filter that selects the nodes of `clusters` by this tag. */
  filter(clusters: readonly string[]): Filter;
  /** The clusters an instance this filter selected belongs to by this tag. */
  clustersOf(instance: Instance): string[];
}

const valueQuery = (key: string): TagQuery => ({
  filter: (clusters) => ({ Name: `tag:${key}`, Values: [...clusters] }),
  clustersOf: (instance) => {
    const value = instance.Tags?.find((t) => t.Key === key)?.Value;
    return value ? [value] : [];
  },
});

export const TAG_QUERIES: readonly TagQuery[] = [
  valueQuery(NodeTag.MANAGED_NODE_GROUP_CLUSTER),
  valueQuery(NodeTag.KARPENTER_CLUSTER),
  {
    // Its value is "owned" or "shared": the key alone names the cluster.
    filter: (clusters) => ({
      Name: 'tag-key',
      Values: clusters.map((c) => `${NodeTag.SELF_MANAGED_PREFIX}${c}`),
    }),
    clustersOf: (instance) =>
      (instance.Tags ?? []).flatMap((t) =>
        t.Key?.startsWith(NodeTag.SELF_MANAGED_PREFIX) && t.Key.length > NodeTag.SELF_MANAGED_PREFIX.length
          ? [t.Key.slice(NodeTag.SELF_MANAGED_PREFIX.length)]
          : [],
      ),
  },
];

export const RUNNING_FILTER: Filter = { Name: 'instance-state-name', Values: ['running'] };

/** One DescribeInstances filter set per provisioner tag (filters are ANDed, so each needs its own call). */
export function nodeTagFilters(cluster: string): Filter[][] {
  return TAG_QUERIES.map((q) => [q.filter([cluster]), RUNNING_FILTER]);
}

function tagMap(instance: Instance): Map<string, string> {
  return new Map((instance.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The cluster an instance is tagged for, by any provisioner; undefined when it is not a node. */
export function clusterOfInstance(instance: Instance): string | undefined {
  const tags = tagMap(instance);
  const direct = tags.get(NodeTag.MANAGED_NODE_GROUP_CLUSTER) || tags.get(NodeTag.KARPENTER_CLUSTER);
  if (direct) return direct;
  for (const key of tags.keys()) {
    if (key.startsWith(NodeTag.SELF_MANAGED_PREFIX) && key.length > NodeTag.SELF_MANAGED_PREFIX.length) {
      return key.slice(NodeTag.SELF_MANAGED_PREFIX.length);
    }
  }
  return undefined;
}

export function toNodeInfo(instance: Instance, cluster: string): NodeInfo {
  const tags = tagMap(instance);
  const nodeGroup =
    tags.get(NodeTag.MANAGED_NODE_GROUP_NAME) || tags.get(NodeTag.EKSCTL_NODE_GROUP) || undefined;
  const nodePool = tags.get(NodeTag.KARPENTER_NODE_POOL) || undefined;
  const operatorManaged = instance.Operator?.Managed === true;
  // Karpenter and Auto Mode share eks:eks-cluster-name; Auto Mode instances are EC2 managed instances.
  const provisioner: Provisioner = operatorManaged
    ? Provisioner.AUTO_MODE
    : tags.has(NodeTag.MANAGED_NODE_GROUP_NAME)
      ? Provisioner.MANAGED_NODE_GROUP
      : nodePool || tags.has(NodeTag.KARPENTER_CLUSTER)
        ? Provisioner.KARPENTER
        : Provisioner.SELF_MANAGED;
  const platform = (instance.Platform ?? '').toLowerCase() === 'windows' ? 'windows' : 'linux';
  const ownedKey = `${NodeTag.SELF_MANAGED_PREFIX}${cluster}`;
  const clusterTags = [
    ...[NodeTag.MANAGED_NODE_GROUP_CLUSTER, NodeTag.KARPENTER_CLUSTER].filter((k) => tags.get(k) === cluster),
    ...(tags.has(ownedKey) ? [ownedKey] : []),
  ];
  return {
    instanceId: instance.InstanceId ?? '',
    cluster,
    provisioner,
    platform,
    ...(nodeGroup ? { nodeGroup } : {}),
    ...(nodePool ? { nodePool } : {}),
    ...(instance.InstanceType ? { instanceType: instance.InstanceType } : {}),
    ...(instance.ImageId ? { imageId: instance.ImageId } : {}),
    ...(instance.LaunchTime ? { launchTime: new Date(instance.LaunchTime) } : {}),
    ...(instance.PrivateDnsName ? { privateDnsName: instance.PrivateDnsName } : {}),
    ...(instance.PrivateIpAddress ? { privateIpAddress: instance.PrivateIpAddress } : {}),
    ...(instance.VpcId ? { vpcId: instance.VpcId } : {}),
    ...(instance.SubnetId ? { subnetId: instance.SubnetId } : {}),
    ...(instance.IamInstanceProfile?.Arn ? { iamInstanceProfileArn: instance.IamInstanceProfile.Arn } : {}),
    operatorManaged,
    ...(instance.Operator?.Principal ? { operatorPrincipal: instance.Operator.Principal } : {}),
    clusterTags,
  };
}

/** DescribeInstances MaxResults is 5..1000. */
export const DESCRIBE_PAGE = 1000;
/** Instance ids in one DescribeInstances `instance-id` filter (EC2 takes up to 200 filter values). */
export const EC2_ID_CHUNK = 200;

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
 * Where the given instances belong: running instances are looked up by an `instance-id` filter (a
 * missing id is simply absent; `InstanceIds=` would fail the whole call), 200 ids per call.
 */
export async function resolveInstanceClusters(
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<{ byCluster: Map<string, string[]>; notANode: string[] }> {
  const found = new Map<string, string>();
  for (let i = 0; i < instanceIds.length; i += EC2_ID_CHUNK) {
    const chunk = instanceIds.slice(i, i + EC2_ID_CHUNK);
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'instance-id', Values: chunk },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
        IncludeManagedResources: true,
      }),
    );
    for (const reservation of out.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        const cluster = clusterOfInstance(instance);
        if (instance.InstanceId && cluster) found.set(instance.InstanceId, cluster);
      }
    }
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

export type Reachability =
  | { readonly reachable: true; readonly platformType?: string }
  | { readonly reachable: false; readonly reason: string; readonly code: string };

export const UNMANAGED_REASON =
  'not managed by SSM (node role lacks AmazonSSMManagedInstanceCore and no Default Host Management Configuration)';

export function reachabilityOf(info: InstanceInformation | undefined): Reachability {
  if (!info) return { reachable: false, code: 'SSM_UNMANAGED', reason: UNMANAGED_REASON };
  if (info.PingStatus === 'Online') {
    return { reachable: true, ...(info.PlatformType ? { platformType: info.PlatformType } : {}) };
  }
  const since = info.LastPingDateTime ? new Date(info.LastPingDateTime).toISOString() : 'an unknown time';
  if (info.PingStatus === 'ConnectionLost') {
    return {
      reachable: false,
      code: 'SSM_OFFLINE',
      reason: `SSM agent offline (ConnectionLost) since ${since}`,
    };
  }
  return {
    reachable: false,
    code: 'SSM_INACTIVE',
    reason: `SSM agent ${info.PingStatus ?? 'status unknown'} (last ping ${since})`,
  };
}

/*
 * Reachability is checked by exception, not per node (issue 5):
 * - DescribeInstanceInformation pages hold at most 50 instances (MaxResults 5..50, facts A8), so a
 *   per-id pre-check costs 20 calls per 1,000 nodes even when every node is healthy.
 * - Instead, one paged listing (normally one page) names the account's managed EC2 instances that
 *   are NOT online (PingStatus ConnectionLost or Inactive; these keys combine, unlike tag filters).
 *   It is account-wide, so a fan-out lists it once and passes it in every cluster's event; a scan
 *   started without it lists it itself. Candidates in that set are answered NOT_AVAILABLE and never
 *   sent to.
 * - Everything else is sent to directly (run-command/send.ts). SendCommand fails the whole call with
 *   InvalidInstanceId when one id is unmanaged, offline or gone (facts A1), and a rejected call sends
 *   nothing; only then does one DescribeInstanceInformation for that chunk (≤ 50 ids = one page)
 *   classify each id, and the online ones are sent again. Healthy fleet: 1 listing; a chunk that holds
 *   an unmanaged node: +1 DescribeInstanceInformation and +1 SendCommand.
 */

/** SSM DescribeInstanceInformation caps MaxResults at 50, so 50 ids per call is one page. */
export const SSM_INFO_CHUNK = 50;

/** A managed EC2 instance whose SSM agent is not online, as DescribeInstanceInformation lists it. */
export interface OfflineInstance {
  readonly instanceId: string;
  readonly pingStatus?: PingStatus;
  readonly lastPingAt?: Date;
}

/**
 * The account's managed EC2 instances whose agent is not online (normally one page). The listing is
 * account-wide, so a fan-out lists it once and hands it to every cluster scan (fan-out.ts).
 */
export async function describeOfflineInstances(ssm: SSMClient): Promise<OfflineInstance[]> {
  const out: OfflineInstance[] = [];
  const pages = paginateDescribeInstanceInformation(
    { client: ssm, pageSize: SSM_INFO_CHUNK },
    {
      Filters: [
        { Key: 'PingStatus', Values: ['ConnectionLost', 'Inactive'] },
        { Key: 'ResourceType', Values: ['EC2Instance'] },
      ],
    },
  );
  for await (const page of pages) {
    for (const info of page.InstanceInformationList ?? []) {
      // The filter is the server's; the classification stays ours, so an Online row (should SSM ever
      // return one) is not mistaken for an offline node.
      if (!info.InstanceId || reachabilityOf(info).reachable) continue;
      out.push({
        instanceId: info.InstanceId,
        ...(info.PingStatus ? { pingStatus: info.PingStatus } : {}),
        ...(info.LastPingDateTime ? { lastPingAt: new Date(info.LastPingDateTime) } : {}),
      });
    }
  }
  return out;
}

/** Offline instances by id, with the reason a node among them is not assessed. */
export function offlineReachability(instances: readonly OfflineInstance[]): Map<string, Reachability> {
  const out = new Map<string, Reachability>();
  for (const i of instances) {
    // Through reachabilityOf, so a listing passed along in an event gives the very same code and reason.
    const reach = reachabilityOf({
      InstanceId: i.instanceId,
      ...(i.pingStatus ? { PingStatus: i.pingStatus } : {}),
      ...(i.lastPingAt ? { LastPingDateTime: i.lastPingAt } : {}),
    });
    if (!reach.reachable) out.set(i.instanceId, reach);
  }
  return out;
}

/** The account's managed EC2 instances whose agent is not online, by id (normally one page). */
export async function listOfflineInstances(ssm: SSMClient): Promise<Map<string, Reachability>> {
  return offlineReachability(await describeOfflineInstances(ssm));
}

async function describeChunk(
  ssm: SSMClient,
  chunk: readonly string[],
  into: Map<string, InstanceInformation>,
) {
  try {
    const pages = paginateDescribeInstanceInformation(
      { client: ssm, pageSize: SSM_INFO_CHUNK },
      { Filters: [{ Key: 'InstanceIds', Values: [...chunk] }] },
    );
    for await (const page of pages) {
      for (const info of page.InstanceInformationList ?? []) {
        if (info.InstanceId) into.set(info.InstanceId, info);
      }
    }
  } catch (error) {
    // The filter normally just omits unknown ids; should SSM instead reject the call over one id it
    // does not know (its model lists InvalidInstanceId), split the chunk to isolate it: at most
    // 2·log2(50) extra calls, and the known nodes are still answered.
    if ((error as { name?: string }).name !== 'InvalidInstanceId') throw error;
    if (chunk.length === 1) return;
    const half = Math.ceil(chunk.length / 2);
    await describeChunk(ssm, chunk.slice(0, half), into);
    await describeChunk(ssm, chunk.slice(half), into);
  }
}

/** Classifies each id (online, offline, unmanaged): one call per 50 ids. */
export async function checkReachability(
  ssm: SSMClient,
  instanceIds: readonly string[],
): Promise<Map<string, Reachability>> {
  const infos = new Map<string, InstanceInformation>();
  for (let i = 0; i < instanceIds.length; i += SSM_INFO_CHUNK) {
    await describeChunk(ssm, instanceIds.slice(i, i + SSM_INFO_CHUNK), infos);
  }
  return new Map(instanceIds.map((id) => [id, reachabilityOf(infos.get(id))]));
}

/**
 * Which of `instanceIds` are still running EC2 instances (instance-id filter: an unknown id is just
 * absent), 200 ids per call. Tells a node that vanished during the scan from one SSM never managed.
 */
export async function runningInstanceIds(
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<Set<string>> {
  const running = new Set<string>();
  for (let i = 0; i < instanceIds.length; i += EC2_ID_CHUNK) {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'instance-id', Values: instanceIds.slice(i, i + EC2_ID_CHUNK) },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
        IncludeManagedResources: true,
      }),
    );
    for (const reservation of out.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        if (instance.InstanceId) running.add(instance.InstanceId);
      }
    }
  }
  return running;
}
