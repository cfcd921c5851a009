import { describe, expect, it } from 'vitest';
import { NODE_OS, PROVISIONERS, SAMPLE_IDS, sampleFleet, syntheticFleet } from './fleet.ts';

describe('sampleFleet', () => {
  it('has at least 3 clusters and 30 nodes covering every node type', () => {
    const fleet = sampleFleet();
    const nodes = [...fleet.nodes.values()];

    expect(fleet.clusters.size).toBeGreaterThanOrEqual(3);
    expect(nodes.length).toBeGreaterThanOrEqual(30);
    expect(new Set(nodes.map((n) => n.os))).toEqual(new Set(NODE_OS));
    expect(new Set(nodes.map((n) => n.provisioner))).toEqual(new Set(PROVISIONERS));
    expect(nodes.some((n) => n.os === 'al2023' && n.tree?.preset === 'al2023-dropin-false')).toBe(true);
    expect(fleet.get(SAMPLE_IDS.failingByFlag)?.tree?.preset).toBe('al2-flag-false');
    expect(fleet.get(SAMPLE_IDS.unloadableConfig)?.tree?.options).toEqual({ configMakeIptables: '"false"' });
    expect(fleet.get(SAMPLE_IDS.unmanaged)?.ssm).toBe('unmanaged');
    expect(fleet.get(SAMPLE_IDS.offline)?.ssm).toBe('connection-lost');
    expect([...fleet.clusters.values()].filter((c) => c.autoMode).map((c) => c.name)).toEqual(['auto']);
  });

  it('tags instances the way each provisioner does', () => {
    const fleet = sampleFleet();
    const tagsOf = (provisioner: string) =>
      [...fleet.nodes.values()].find((n) => n.provisioner === provisioner)!.tags;

    expect(tagsOf('managed-node-group')).toMatchObject({
      'eks:cluster-name': 'prod-eu',
      'eks:nodegroup-name': 'general',
      'kubernetes.io/cluster/prod-eu': 'owned',
    });
    expect(tagsOf('karpenter')).toMatchObject({
      'eks:eks-cluster-name': 'prod-eu',
      'karpenter.sh/nodepool': 'default',
      'kubernetes.io/cluster/prod-eu': 'owned',
    });
    expect(tagsOf('auto-mode')).toMatchObject({ 'eks:eks-cluster-name': 'auto' });
    expect(tagsOf('auto-mode')).not.toHaveProperty('kubernetes.io/cluster/auto');
    expect(tagsOf('self-managed')).toMatchObject({ 'kubernetes.io/cluster/legacy-al2': 'owned' });
    expect(tagsOf('self-managed')).not.toHaveProperty('eks:cluster-name');
  });

  it('marks Auto Mode instances as EC2 managed instances without SSM', () => {
    const auto = [...sampleFleet().nodes.values()].filter((n) => n.provisioner === 'auto-mode');

    expect(auto.map((n) => [n.managedBy, n.ssm, n.os])).toEqual(
      Array.from({ length: 3 }, () => ['eks.amazonaws.com', 'unmanaged', 'bottlerocket']),
    );
  });
});

describe('fleet mutators and indexes', () => {
  it('fixes, terminates and adds nodes; the tag index follows', () => {
    const fleet = sampleFleet();
    const before = fleet.idsWithTag('eks:cluster-name', 'legacy-al2').size;

    fleet.fix(SAMPLE_IDS.failingByFlag);
    fleet.terminate(SAMPLE_IDS.failingByDropIn, 123);
    const added = fleet.addNode({
      cluster: 'legacy-al2',
      provisioner: 'managed-node-group',
      group: 'ng-al2',
      os: 'al2',
    });

    expect(fleet.get(SAMPLE_IDS.failingByFlag)?.tree).toEqual({ preset: 'al2' });
    expect(fleet.get(SAMPLE_IDS.failingByDropIn)).toMatchObject({ state: 'terminated', terminatedAtMs: 123 });
    expect(fleet.isSsmManaged(fleet.get(SAMPLE_IDS.failingByDropIn)!)).toBe(false);
    expect(fleet.idsWithTag('eks:cluster-name', 'legacy-al2').size).toBe(before + 1);
    expect(fleet.idsWithTag('eks:cluster-name', 'legacy-al2').has(added.instanceId)).toBe(true);
    expect(added.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
  });
});

describe('syntheticFleet', () => {
  it('is deterministic for a seed and spreads nodes evenly over clusters', () => {
    const a = syntheticFleet({ nodes: 1000, clusters: 4, seed: 3 });
    const b = syntheticFleet({ nodes: 1000, clusters: 4, seed: 3 });
    const c = syntheticFleet({ nodes: 1000, clusters: 4, seed: 4 });
    const profile = (f: typeof a) =>
      [...f.nodes.values()].map((n) => `${n.instanceId}/${n.provisioner}/${n.os}/${n.ssm}/${n.tree?.preset}`);

    expect(profile(a)).toEqual(profile(b));
    expect(profile(a)).not.toEqual(profile(c));
    expect(a.nodes.size).toBe(1000);
    for (const name of a.clusters.keys()) {
      expect([...a.nodes.values()].filter((n) => n.cluster === name)).toHaveLength(250);
    }
  });

  it('has few distinct node trees, so collector output caches well at 10,000 nodes', () => {
    const fleet = syntheticFleet({ nodes: 10_000, clusters: 20 });
    const trees = new Set([...fleet.nodes.values()].map((n) => JSON.stringify(n.tree)));

    expect(fleet.nodes.size).toBe(10_000);
    expect(trees.size).toBeLessThanOrEqual(8);
    expect([...fleet.nodes.values()].some((n) => n.provisioner === 'auto-mode')).toBe(true);
  });
});
