import { describe, expect, it } from 'vitest';
import { type NodeInfo, Provisioner } from '../../functions/aws/discovery.ts';
import { tagTargetsFor } from '../../functions/aws/tag-targets.ts';

let n = 0;
const node = (provisioner: NodeInfo['provisioner']): NodeInfo => ({
  instanceId: `i-${(++n).toString(16).padStart(17, '0')}`,
  cluster: 'prod',
  provisioner,
  platform: 'linux',
  operatorManaged: false,
});
const many = (count: number, provisioner: NodeInfo['provisioner']) =>
  Array.from({ length: count }, () => node(provisioner));

describe('tagTargetsFor', () => {
  it('targets managed node groups and Karpenter nodes by their cluster tag, counting their offline nodes', () => {
    // Prepare
    const mng = many(120, Provisioner.MANAGED_NODE_GROUP);
    const karpenter = many(51, Provisioner.KARPENTER);
    const offline = [...many(3, Provisioner.MANAGED_NODE_GROUP), ...many(1, Provisioner.SELF_MANAGED)];
    // Act
    const targets = tagTargetsFor('prod', [...mng, ...karpenter], offline);
    // Assess
    expect(targets).toEqual([
      { key: 'eks:cluster-name', value: 'prod', instanceIds: mng.map((x) => x.instanceId), offline: 3 },
      {
        key: 'eks:eks-cluster-name',
        value: 'prod',
        instanceIds: karpenter.map((x) => x.instanceId),
        offline: 0,
      },
    ]);
  });

  it('leaves self-managed nodes and groups of 50 or fewer to instance ids', () => {
    // Prepare: kubernetes.io/cluster/<name> is on Karpenter nodes too, so self-managed never go by tag.
    const sendTo = [...many(400, Provisioner.SELF_MANAGED), ...many(50, Provisioner.MANAGED_NODE_GROUP)];
    // Act
    const targets = tagTargetsFor('prod', sendTo, []);
    // Assess
    expect(targets).toEqual([]);
  });
});
