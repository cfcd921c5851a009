/**
 * Ready-made fleets: `sampleFleet()` for the demo and end-to-end tests (every node type, known
 * failures), `syntheticFleet()` for the bench (deterministic, any size, few distinct node profiles
 * so collector output caches well).
 */

import { seededRng } from './emulator/random.ts';
import {
  Fleet,
  type NodeOs,
  type NodeTreeRef,
  type Provisioner,
  type SimNodeInput,
  type SsmState,
} from './fleet.ts';

/** Trees of nodes that fail or cannot be assessed, by what a test expects of them. */
export const SAMPLE_TREES = {
  al2FlagFalse: { preset: 'al2-flag-false' },
  al2023DropInFalse: { preset: 'al2023-dropin-false' },
  al2023FlagFalse: { preset: 'al2023-flag-false' },
  // A quoted "false" is a type error for the kubelet's *bool: it could not load this file
  // (kubernetes/kubernetes pkg/kubelet/kubeletconfig/util/codec/codec.go).
  al2UnloadableConfig: { preset: 'al2', options: { configMakeIptables: '"false"' } },
  // Started without --config but with its drop-ins: the legacy flag defaults (anonymous auth on,
  // AlwaysAllow, read-only port 10255) apply under the drop-ins.
  legacyDefaults: { preset: 'legacy-defaults' },
  // A drop-in after nodeadm's that opens the read-only port.
  al2023DropInReadOnlyPort: { preset: 'al2023-dropin-read-only-port' },
  // A kubeconfig anyone on the node may write.
  al2023KubeconfigWorldWritable: { preset: 'al2023-kubeconfig-world-writable' },
  // Judged through Bottlerocket's API: its own CIS Kubernetes check 4.2.6 FAILs.
  bottlerocketIptablesFail: {
    preset: 'bottlerocket-control-container',
    options: { apiChecks: { '4.2.6': 'FAIL' } },
  },
} as const satisfies Record<string, NodeTreeRef>;

/** Instance ids of the sample fleet nodes tests single out. */
export const SAMPLE_IDS = {
  failingByFlag: 'i-0a000000000000f01',
  failingByDropIn: 'i-0a000000000000d01',
  failingByNodeadmFlag: 'i-0a000000000000f02',
  unloadableConfig: 'i-0a000000000000c01',
  windows: 'i-0a000000000000e01',
  unmanaged: 'i-0a000000000000b01',
  offline: 'i-0a000000000000b02',
  bottlerocket: 'i-0a000000000000b0b',
  legacyDefaults: 'i-0a000000000000a01',
  readOnlyPortDropIn: 'i-0a000000000000a02',
  worldWritableKubeconfig: 'i-0a000000000000a03',
} as const;

interface Group {
  cluster: string;
  provisioner: Provisioner;
  group: string;
  os: NodeOs;
  count: number;
}

/**
 * 3 clusters (one with EKS Auto Mode), 30 nodes: AL2 and AL2023 managed node groups, Karpenter,
 * self-managed, Bottlerocket, Windows, Auto Mode, a node without SSM and one offline; two nodes
 * fail by flag, one by drop-in, one Bottlerocket node by its own CIS check (judged through its API),
 * one has a config file the kubelet could not load (WARNING); one runs on the legacy defaults, one has
 * a drop-in that opens the read-only port, one a world-writable kubeconfig.
 */
export function sampleFleet(options: { region?: string; accountId?: string } = {}): Fleet {
  const fleet = new Fleet({
    ...options,
    clusters: [
      { name: 'prod-eu', version: '1.31', tags: { env: 'prod' } },
      { name: 'legacy-al2', version: '1.29', tags: { env: 'legacy' } },
      { name: 'auto', version: '1.32', autoMode: true, tags: { env: 'dev' } },
    ],
    nodes: [],
  });
  const groups: Group[] = [
    { cluster: 'prod-eu', provisioner: 'managed-node-group', group: 'general', os: 'al2023', count: 6 },
    { cluster: 'prod-eu', provisioner: 'karpenter', group: 'default', os: 'al2023', count: 4 },
    {
      cluster: 'prod-eu',
      provisioner: 'managed-node-group',
      group: 'bottlerocket',
      os: 'bottlerocket',
      count: 3,
    },
    { cluster: 'prod-eu', provisioner: 'managed-node-group', group: 'windows', os: 'windows', count: 2 },
    { cluster: 'legacy-al2', provisioner: 'managed-node-group', group: 'ng-al2', os: 'al2', count: 5 },
    { cluster: 'legacy-al2', provisioner: 'self-managed', group: 'legacy-asg', os: 'al2', count: 5 },
    { cluster: 'auto', provisioner: 'auto-mode', group: 'general-purpose', os: 'bottlerocket', count: 3 },
    { cluster: 'auto', provisioner: 'managed-node-group', group: 'system', os: 'al2023', count: 2 },
  ];
  const special: Record<string, Partial<SimNodeInput> & { instanceId: string }> = {
    'prod-eu/general/0': { instanceId: SAMPLE_IDS.failingByDropIn, tree: SAMPLE_TREES.al2023DropInFalse },
    'prod-eu/general/1': { instanceId: SAMPLE_IDS.legacyDefaults, tree: SAMPLE_TREES.legacyDefaults },
    'prod-eu/general/2': {
      instanceId: SAMPLE_IDS.readOnlyPortDropIn,
      tree: SAMPLE_TREES.al2023DropInReadOnlyPort,
    },
    'auto/system/0': {
      instanceId: SAMPLE_IDS.worldWritableKubeconfig,
      tree: SAMPLE_TREES.al2023KubeconfigWorldWritable,
    },
    'prod-eu/default/0': { instanceId: SAMPLE_IDS.failingByNodeadmFlag, tree: SAMPLE_TREES.al2023FlagFalse },
    'prod-eu/bottlerocket/0': {
      instanceId: SAMPLE_IDS.bottlerocket,
      tree: SAMPLE_TREES.bottlerocketIptablesFail,
    },
    'prod-eu/windows/0': { instanceId: SAMPLE_IDS.windows },
    'legacy-al2/ng-al2/0': { instanceId: SAMPLE_IDS.failingByFlag, tree: SAMPLE_TREES.al2FlagFalse },
    'legacy-al2/legacy-asg/0': {
      instanceId: SAMPLE_IDS.unloadableConfig,
      tree: SAMPLE_TREES.al2UnloadableConfig,
    },
    'legacy-al2/legacy-asg/1': { instanceId: SAMPLE_IDS.unmanaged, ssm: 'unmanaged' },
    'legacy-al2/legacy-asg/2': { instanceId: SAMPLE_IDS.offline, ssm: 'connection-lost' },
  };
  for (const g of groups) {
    for (let i = 0; i < g.count; i++) {
      const extra = special[`${g.cluster}/${g.group}/${i}`];
      fleet.addNode({ cluster: g.cluster, provisioner: g.provisioner, group: g.group, os: g.os, ...extra });
    }
  }
  return fleet;
}

interface Profile {
  weight: number;
  provisioner: Provisioner;
  os: NodeOs;
  group: string;
  ssm?: SsmState;
  tree?: NodeTreeRef;
}

/** Share of each node profile in a synthetic cluster (Auto Mode only in Auto Mode clusters). */
const PROFILES: Profile[] = [
  { weight: 45, provisioner: 'managed-node-group', os: 'al2023', group: 'general' },
  { weight: 20, provisioner: 'karpenter', os: 'al2023', group: 'default' },
  { weight: 10, provisioner: 'managed-node-group', os: 'al2', group: 'legacy' },
  { weight: 6, provisioner: 'managed-node-group', os: 'bottlerocket', group: 'bottlerocket' },
  { weight: 5, provisioner: 'self-managed', os: 'al2', group: 'self-managed' },
  { weight: 3, provisioner: 'managed-node-group', os: 'windows', group: 'windows' },
  { weight: 3, provisioner: 'auto-mode', os: 'bottlerocket', group: 'general-purpose' },
  // SSM management follows the node role (or account-wide DHMC), so nodes without SSM come as a whole
  // node group whose role lacks AmazonSSMManagedInstanceCore, not scattered through healthy groups.
  { weight: 2, provisioner: 'managed-node-group', os: 'al2023', group: 'no-ssm', ssm: 'unmanaged' },
  { weight: 2, provisioner: 'managed-node-group', os: 'al2023', group: 'general', ssm: 'connection-lost' },
  {
    weight: 2,
    provisioner: 'managed-node-group',
    os: 'al2',
    group: 'legacy',
    tree: SAMPLE_TREES.al2FlagFalse,
  },
  {
    weight: 2,
    provisioner: 'karpenter',
    os: 'al2023',
    group: 'default',
    tree: SAMPLE_TREES.al2023DropInFalse,
  },
];

/**
 * `nodes` nodes spread evenly over `clusters` clusters (every 4th cluster has Auto Mode), node
 * profiles drawn with a seeded RNG: the same arguments always give the same fleet.
 */
export function syntheticFleet(options: {
  nodes: number;
  clusters: number;
  seed?: number;
  region?: string;
  accountId?: string;
}): Fleet {
  const rng = seededRng(options.seed ?? 42);
  const clusterNames = Array.from(
    { length: options.clusters },
    (_, i) => `cluster-${String(i + 1).padStart(2, '0')}`,
  );
  const fleet = new Fleet({
    region: options.region,
    accountId: options.accountId,
    clusters: clusterNames.map((name, i) => ({ name, version: '1.31', autoMode: i % 4 === 3 })),
    nodes: [],
  });
  for (let i = 0; i < options.nodes; i++) {
    const clusterIndex = i % options.clusters;
    const autoMode = clusterIndex % 4 === 3;
    const profiles = PROFILES.filter((p) => autoMode || p.provisioner !== 'auto-mode');
    const total = profiles.reduce((sum, p) => sum + p.weight, 0);
    const profile = pickWeighted(profiles, rng() * total);
    fleet.addNode({
      cluster: clusterNames[clusterIndex]!,
      provisioner: profile.provisioner,
      group: profile.group,
      os: profile.os,
      ...(profile.ssm ? { ssm: profile.ssm } : {}),
      ...(profile.tree ? { tree: profile.tree } : {}),
    });
  }
  return fleet;
}

function pickWeighted(profiles: Profile[], at: number): Profile {
  let left = at;
  for (const p of profiles) {
    left -= p.weight;
    if (left < 0) return p;
  }
  return profiles[profiles.length - 1]!;
}
