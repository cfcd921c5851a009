/**
 * How EC2 instances name their EKS cluster: the tag each provisioner puts on its nodes, the
 * DescribeInstances filters that select a cluster's nodes by them, and an instance read as a node
 * (pure; discovery.ts and grouped-discovery.ts make the calls).
 */
import type { Filter, Instance } from '@aws-sdk/client-ec2';
import { type NodeInfo, Provisioner } from '../fleet.ts';

/**
 * The tag keys each provisioner puts on a node instance: managed node groups `eks:cluster-name` and
 * `eks:nodegroup-name`; Karpenter and Auto Mode `eks:eks-cluster-name` (Karpenter also
 * `karpenter.sh/nodepool`, karpenter-provider-aws pkg/apis/v1/labels.go); self-managed nodes the key
 * `kubernetes.io/cluster/<cluster>` (eks-ug nodes/worker.adoc); eksctl node groups
 * `alpha.eksctl.io/nodegroup-name`.
 */
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
