/**
 * The fleet as the scanner sees it: clusters, their nodes, and whether SSM can reach a node. Plain
 * data with no AWS SDK types, so the AWS adapters (functions/aws) produce it and the findings
 * (functions/findings) describe it without either depending on the other.
 */

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
   * value is the cluster, `kubernetes.io/cluster/<cluster>` when present (aws/tag-targets.ts picks the
   * SendCommand targets from them).
   */
  readonly clusterTags: readonly string[];
  readonly operatorPrincipal?: string;
}

/** Whether SSM can run the collector on a node; when not, the code and reason its findings carry. */
export type Reachability =
  | { readonly reachable: true; readonly platformType?: string }
  | { readonly reachable: false; readonly reason: string; readonly code: string };
