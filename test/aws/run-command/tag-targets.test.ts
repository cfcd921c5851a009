import { describe, expect, it } from 'vitest';
import { tagTargetsFor } from '../../../functions/aws/run-command/tag-targets.ts';
import { type NodeInfo, Provisioner } from '../../../functions/fleet.ts';

const MNG = 'eks:cluster-name';
const KARPENTER = 'eks:eks-cluster-name';
const OWNED = 'kubernetes.io/cluster/prod';
/** The tags each provisioner puts on its nodes (functions/aws/node-tags.ts). */
const TAGS: Record<string, string[]> = {
  [Provisioner.MANAGED_NODE_GROUP]: [MNG],
  [Provisioner.KARPENTER]: [KARPENTER, OWNED],
  [Provisioner.SELF_MANAGED]: [OWNED],
  [Provisioner.AUTO_MODE]: [KARPENTER],
};

let n = 0;
const node = (provisioner: NodeInfo['provisioner'], clusterTags = TAGS[provisioner] ?? []): NodeInfo => ({
  instanceId: `i-${(++n).toString(16).padStart(17, '0')}`,
  cluster: 'prod',
  provisioner,
  platform: 'linux',
  operatorManaged: provisioner === Provisioner.AUTO_MODE,
  clusterTags,
});
const many = (count: number, provisioner: NodeInfo['provisioner'], clusterTags?: string[]) =>
  Array.from({ length: count }, () => node(provisioner, clusterTags));
const idsOf = (nodes: NodeInfo[]) => nodes.map((x) => x.instanceId);

describe('tagTargetsFor', () => {
  it('reaches managed node groups by eks:cluster-name and Karpenter with self-managed nodes by the kubernetes.io/cluster key', () => {
    // Prepare: kubernetes.io/cluster/prod is on Karpenter and self-managed nodes, not on managed ones.
    const mng = many(120, Provisioner.MANAGED_NODE_GROUP);
    const karpenter = many(51, Provisioner.KARPENTER);
    const selfManaged = many(20, Provisioner.SELF_MANAGED);
    const offline = [...many(3, Provisioner.MANAGED_NODE_GROUP), ...many(1, Provisioner.SELF_MANAGED)];
    // Act
    const targets = tagTargetsFor('prod', [...mng, ...karpenter, ...selfManaged], offline);
    // Assess: two commands for every node; eks:eks-cluster-name would reach Karpenter nodes twice.
    expect(targets).toEqual([
      { key: `tag:${MNG}`, value: 'prod', instanceIds: idsOf(mng), offline: 3 },
      { key: 'tag-key', value: OWNED, instanceIds: idsOf([...karpenter, ...selfManaged]), offline: 1 },
    ]);
  });

  it('reaches the whole cluster with one command when every node carries the kubernetes.io/cluster key', () => {
    // Prepare: managed nodes tagged kubernetes.io/cluster/prod too (some tools do).
    const mng = many(120, Provisioner.MANAGED_NODE_GROUP, [MNG, OWNED]);
    const karpenter = many(60, Provisioner.KARPENTER);
    // Act
    const targets = tagTargetsFor('prod', [...mng, ...karpenter], []);
    // Assess
    expect(targets).toEqual([
      { key: 'tag-key', value: OWNED, instanceIds: idsOf([...mng, ...karpenter]), offline: 0 },
    ]);
  });

  it('splits a cluster whose one command would read for much longer than its pages need', () => {
    // Prepare: 5,000 nodes that all carry the kubernetes.io/cluster key. One command: 100 pages on
    // one NextToken chain (about 14 s); a managed-node-group and a Karpenter command read side by
    // side in about 10 s at SSM's 10 pages a second.
    const mng = many(3_400, Provisioner.MANAGED_NODE_GROUP, [MNG, OWNED]);
    const karpenter = many(1_100, Provisioner.KARPENTER);
    const selfManaged = many(250, Provisioner.SELF_MANAGED);
    // Act
    const targets = tagTargetsFor('prod', [...mng, ...karpenter, ...selfManaged], []);
    // Assess: the self-managed nodes go by id.
    expect(targets.map((t) => [t.key, t.instanceIds.length])).toEqual([
      [`tag:${MNG}`, 3_400],
      [`tag:${KARPENTER}`, 1_100],
    ]);
  });

  it('never picks two targets that reach the same node, Windows and Auto Mode nodes included', () => {
    // Prepare: a Windows managed node carries the kubernetes.io/cluster key, so that key and
    // eks:cluster-name overlap on it; Karpenter then goes by eks:eks-cluster-name (which also reaches
    // the Auto Mode nodes, never sent to), self-managed nodes by id.
    const mng = many(120, Provisioner.MANAGED_NODE_GROUP);
    const windows = { ...node(Provisioner.MANAGED_NODE_GROUP, [MNG, OWNED]), platform: 'windows' as const };
    const karpenter = many(60, Provisioner.KARPENTER);
    const selfManaged = many(20, Provisioner.SELF_MANAGED);
    const autoMode = many(5, Provisioner.AUTO_MODE);
    // Act
    const targets = tagTargetsFor('prod', [...mng, ...karpenter, ...selfManaged], [], [windows, ...autoMode]);
    // Assess
    expect(targets).toEqual([
      { key: `tag:${MNG}`, value: 'prod', instanceIds: idsOf(mng), offline: 0 },
      { key: `tag:${KARPENTER}`, value: 'prod', instanceIds: idsOf(karpenter), offline: 0 },
    ]);
  });

  it('leaves groups of 50 or fewer to instance ids', () => {
    // Prepare
    const sendTo = [...many(50, Provisioner.SELF_MANAGED), ...many(50, Provisioner.MANAGED_NODE_GROUP)];
    // Act
    const targets = tagTargetsFor('prod', sendTo, []);
    // Assess
    expect(targets).toEqual([]);
  });
});
