/**
 * The simulated EKS fleet: clusters and the EC2 instances that are their worker nodes, tagged the
 * way each provisioner tags them (see provisionerTags), with the SSM state of each node and the simulated
 * node filesystem (a test/sim/node-tree.ts preset) its command runs against. Indexed so the emulator never
 * scans the whole fleet per request. Sample and synthetic fleets are in fleet-samples.ts.
 */
import type { NodePresetName, PresetOptions } from './node-tree.ts';

export const NODE_OS = ['al2', 'al2023', 'bottlerocket', 'windows'] as const;
export type NodeOs = (typeof NODE_OS)[number];

export const PROVISIONERS = ['managed-node-group', 'karpenter', 'auto-mode', 'self-managed'] as const;
export type Provisioner = (typeof PROVISIONERS)[number];

/** online / ConnectionLost are SSM ping states; unmanaged = no SSM registration at all. */
export const SSM_STATES = ['online', 'connection-lost', 'unmanaged'] as const;
export type SsmState = (typeof SSM_STATES)[number];

export type InstanceState = 'running' | 'stopped' | 'terminated';

/** A node-tree preset and its options (see test/sim/node-tree.ts `nodePresets`). */
export interface NodeTreeRef {
  preset: NodePresetName;
  options?: PresetOptions;
}

export interface SimClusterInput {
  name: string;
  version?: string;
  autoMode?: boolean;
  tags?: Record<string, string>;
}

export interface SimCluster {
  name: string;
  arn: string;
  version: string;
  platformVersion: string;
  status: 'ACTIVE';
  autoMode: boolean;
  tags: Record<string, string>;
  createdAtMs: number;
}

export interface SimNodeInput {
  instanceId?: string;
  cluster: string;
  provisioner: Provisioner;
  /** Node group (managed), node pool (Karpenter / Auto Mode) or ASG name (self-managed). */
  group?: string;
  os: NodeOs;
  /**
   * Default: online, except Auto Mode nodes (never SSM-managed:
   * https://docs.aws.amazon.com/eks/latest/userguide/automode.html).
   */
  ssm?: SsmState;
  /** Default: the OS's stock preset; Windows has none (the Linux document skips it). */
  tree?: NodeTreeRef | null;
  instanceType?: string;
  architecture?: 'x86_64' | 'arm64';
  launchTimeMs?: number;
  extraTags?: Record<string, string>;
}

export interface SimNode {
  instanceId: string;
  cluster: string;
  provisioner: Provisioner;
  group: string;
  os: NodeOs;
  ssm: SsmState;
  tree: NodeTreeRef | null;
  state: InstanceState;
  terminatedAtMs?: number;
  instanceType: string;
  architecture: 'x86_64' | 'arm64';
  imageId: string;
  launchTimeMs: number;
  privateIpAddress: string;
  privateDnsName: string;
  vpcId: string;
  subnetId: string;
  iamInstanceProfileArn: string;
  reservationId: string;
  ownerId: string;
  tags: Record<string, string>;
  /** Auto Mode: an EC2 managed instance (Operator.Managed, principal eks.amazonaws.com). */
  managedBy?: string;
}

const STOCK_TREE: Record<NodeOs, NodeTreeRef | null> = {
  al2: { preset: 'al2' },
  al2023: { preset: 'al2023' },
  // The SSM agent of Bottlerocket runs in the control container (bottlerocket-os/bottlerocket README.md,
  // "Control container"): that is what the collector sees by default.
  bottlerocket: { preset: 'bottlerocket-control-container' },
  windows: null,
};

export function stockTree(os: NodeOs): NodeTreeRef | null {
  return STOCK_TREE[os];
}

const IMAGE_IDS: Record<NodeOs, string> = {
  al2: 'ami-0a1b2c3d4e5f60001',
  al2023: 'ami-0a1b2c3d4e5f60002',
  bottlerocket: 'ami-0a1b2c3d4e5f60003',
  windows: 'ami-0a1b2c3d4e5f60004',
};

/**
 * Tags EC2 shows on the instance, per provisioner: managed node groups (eksctl-io/eksctl#2607),
 * self-managed (https://docs.aws.amazon.com/eks/latest/userguide/worker.html), Karpenter
 * (aws/karpenter-provider-aws pkg/apis/v1/labels.go), Auto Mode
 * (https://docs.aws.amazon.com/eks/latest/userguide/auto-troubleshoot.html).
 */
export function provisionerTags(
  cluster: string,
  provisioner: Provisioner,
  group: string,
): Record<string, string> {
  switch (provisioner) {
    case 'managed-node-group':
      return {
        'eks:cluster-name': cluster,
        'eks:nodegroup-name': group,
        [`kubernetes.io/cluster/${cluster}`]: 'owned',
        'aws:autoscaling:groupName': `eks-${group}-${cluster}`,
      };
    case 'karpenter':
      return {
        'eks:eks-cluster-name': cluster,
        'karpenter.sh/nodepool': group,
        'karpenter.k8s.aws/ec2nodeclass': 'default',
        [`kubernetes.io/cluster/${cluster}`]: 'owned',
      };
    case 'auto-mode':
      return { 'eks:eks-cluster-name': cluster, 'eks:kubernetes-node-pool-name': group };
    case 'self-managed':
      return { [`kubernetes.io/cluster/${cluster}`]: 'owned', 'aws:autoscaling:groupName': group };
  }
}

export interface FleetOptions {
  region?: string;
  accountId?: string;
  clusters: SimClusterInput[];
  nodes: SimNodeInput[];
  /** Epoch ms used for launch/creation times when not given. */
  startMs?: number;
}

export class Fleet {
  readonly region: string;
  readonly accountId: string;
  readonly clusters = new Map<string, SimCluster>();
  /** Insertion order = EC2/SSM listing order. */
  readonly nodes = new Map<string, SimNode>();
  /** The same nodes as an array in insertion order, for O(page) listing from a token offset. */
  readonly order: SimNode[] = [];
  /** tag key → tag value → instance ids. */
  private readonly tagIndex = new Map<string, Map<string, Set<string>>>();
  private sequence = 0;
  private readonly startMs: number;
  /** The time source for mutations (the emulator sets its simulated clock here). */
  now: () => number = () => Date.now();

  constructor(options: FleetOptions) {
    this.region = options.region ?? 'eu-west-1';
    this.accountId = options.accountId ?? '123456789012';
    this.startMs = options.startMs ?? Date.parse('2026-11-01T00:00:00Z');
    for (const cluster of options.clusters) this.addCluster(cluster);
    for (const node of options.nodes) this.addNode(node);
  }

  addCluster(input: SimClusterInput): SimCluster {
    if (this.clusters.has(input.name)) throw new Error(`duplicate cluster ${input.name}`);
    const cluster: SimCluster = {
      name: input.name,
      arn: `arn:aws:eks:${this.region}:${this.accountId}:cluster/${input.name}`,
      version: input.version ?? '1.31',
      platformVersion: 'eks.12',
      status: 'ACTIVE',
      autoMode: input.autoMode ?? false,
      tags: input.tags ?? {},
      createdAtMs: this.startMs - 86_400_000 * 90,
    };
    this.clusters.set(cluster.name, cluster);
    return cluster;
  }

  removeCluster(name: string): void {
    for (const node of this.nodes.values()) if (node.cluster === name) this.terminate(node.instanceId);
    this.clusters.delete(name);
  }

  addNode(input: SimNodeInput): SimNode {
    if (!this.clusters.has(input.cluster)) throw new Error(`unknown cluster ${input.cluster}`);
    const n = ++this.sequence;
    const instanceId =
      input.instanceId ?? `i-${(0x0f00000000000000n + BigInt(n) * 7919n).toString(16).padStart(17, '0')}`;
    if (this.nodes.has(instanceId)) throw new Error(`duplicate instance ${instanceId}`);
    const group = input.group ?? `${input.cluster}-${input.provisioner}`;
    const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const autoMode = input.provisioner === 'auto-mode';
    const node: SimNode = {
      instanceId,
      cluster: input.cluster,
      provisioner: input.provisioner,
      group,
      os: autoMode ? 'bottlerocket' : input.os,
      ssm: autoMode ? 'unmanaged' : (input.ssm ?? 'online'),
      tree: input.tree === undefined ? stockTree(input.os) : input.tree,
      state: 'running',
      instanceType: input.instanceType ?? (input.os === 'windows' ? 'm6i.xlarge' : 'm7g.large'),
      architecture: input.architecture ?? (input.os === 'windows' ? 'x86_64' : 'arm64'),
      imageId: IMAGE_IDS[input.os],
      launchTimeMs: input.launchTimeMs ?? this.startMs + n * 1000,
      privateIpAddress: ip,
      privateDnsName: `ip-${ip.replaceAll('.', '-')}.${this.region}.compute.internal`,
      vpcId: 'vpc-0abc0000000000001',
      subnetId: `subnet-0abc000000000000${(n % 3) + 1}`,
      iamInstanceProfileArn: `arn:aws:iam::${this.accountId}:instance-profile/eks-node-${input.cluster}`,
      reservationId: `r-${(0x0e00000000000000n + BigInt(n)).toString(16).padStart(17, '0')}`,
      ownerId: this.accountId,
      tags: { ...provisionerTags(input.cluster, input.provisioner, group), ...input.extraTags },
      ...(autoMode ? { managedBy: 'eks.amazonaws.com' } : {}),
    };
    this.nodes.set(instanceId, node);
    this.order.push(node);
    for (const [key, value] of Object.entries(node.tags)) this.indexTag(key, value, instanceId);
    return node;
  }

  /** Instance ids carrying tag `key` (with `value` when given). Empty set when none. */
  idsWithTag(key: string, value?: string): Set<string> {
    const byValue = this.tagIndex.get(key);
    if (!byValue) return new Set();
    if (value !== undefined) return byValue.get(value) ?? new Set();
    const all = new Set<string>();
    for (const ids of byValue.values()) for (const id of ids) all.add(id);
    return all;
  }

  get(instanceId: string): SimNode | undefined {
    return this.nodes.get(instanceId);
  }

  /** Terminate a node: EC2 keeps showing it as terminated; SSM forgets it. */
  terminate(instanceId: string, atMs = this.now()): SimNode {
    const node = this.require(instanceId);
    node.state = 'terminated';
    node.terminatedAtMs = atMs;
    return node;
  }

  /** Give a node a compliant configuration (its OS's stock tree, or the one given). */
  fix(instanceId: string, tree?: NodeTreeRef): SimNode {
    const node = this.require(instanceId);
    node.tree = tree ?? stockTree(node.os);
    return node;
  }

  setTree(instanceId: string, tree: NodeTreeRef | null): SimNode {
    const node = this.require(instanceId);
    node.tree = tree;
    return node;
  }

  setSsm(instanceId: string, ssm: SsmState): SimNode {
    const node = this.require(instanceId);
    node.ssm = ssm;
    return node;
  }

  instanceArn(node: SimNode): string {
    return `arn:aws:ec2:${this.region}:${this.accountId}:instance/${node.instanceId}`;
  }

  /** What SSM would list: registered (online or ConnectionLost) and not terminated. */
  isSsmManaged(node: SimNode): boolean {
    return node.ssm !== 'unmanaged' && node.state === 'running';
  }

  private require(instanceId: string): SimNode {
    const node = this.nodes.get(instanceId);
    if (!node) throw new Error(`unknown instance ${instanceId}`);
    return node;
  }

  private indexTag(key: string, value: string, id: string): void {
    const byValue = this.tagIndex.get(key) ?? new Map<string, Set<string>>();
    this.tagIndex.set(key, byValue);
    const ids = byValue.get(value) ?? new Set<string>();
    byValue.set(value, ids);
    ids.add(id);
  }
}

export { SAMPLE_IDS, SAMPLE_TREES, sampleFleet, syntheticFleet } from './fleet-samples.ts';
