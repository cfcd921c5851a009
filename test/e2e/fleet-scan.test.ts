/**
 * End to end on the emulator, through the real SDK clients and the real collector:
 * full scan, re-scan, fleet changes, fan-out, vanished cluster, on-demand scan of two instances.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import type { ClusterScanSummary, FanOutSummary } from '../../functions/scanner/summary.ts';
import { SAMPLE_IDS, syntheticFleet } from '../sim/fleet.ts';
import {
  active,
  byInstance,
  controlOf,
  expectedStatus,
  instanceOf,
  ourFindings,
  runningNodes,
  statusOf,
} from './expectations.ts';
import { type Harness, SCHEDULED, scanRequested, startHarness } from './harness.ts';

let h: Harness;
afterEach(() => h?.stop());

function clusterScans(summaries: unknown[]): ClusterScanSummary[] {
  return (summaries as ClusterScanSummary[]).filter((s) => s.kind === 'cluster-scan');
}

describe('sample fleet (3 clusters, 30 nodes, every node type)', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('a scheduled scan fans out per cluster and answers 100% of the nodes with the right status', async () => {
    // Act
    const [first, ...rest] = await h.scanAll(SCHEDULED);
    // Assess: the first invocation only fanned out, one event per cluster, each scanned once.
    expect(first?.kind).toBe('fan-out');
    expect((first as FanOutSummary).clusters.sort()).toEqual(['auto', 'legacy-al2', 'prod-eu']);
    expect(h.deliveryErrors).toEqual([]);
    const scans = clusterScans(rest);
    expect(scans.map((s) => s.cluster).sort()).toEqual(['auto', 'legacy-al2', 'prod-eu']);
    const completed = h.emulator.events.published.filter((e) => e['detail-type'] === 'Scan Completed');
    expect(completed.map((e) => e.detail.cluster).sort()).toEqual(['auto', 'legacy-al2', 'prod-eu']);
    // Every running node: exactly one ACTIVE finding per control, with the expected status.
    const nodes = runningNodes(h.fleet);
    const findings = byInstance(active(h.emulator));
    expect(findings.size).toBe(nodes.length);
    for (const node of nodes) {
      const mine = findings.get(node.instanceId) ?? [];
      expect(mine.map((f) => f.GeneratorId).sort(), node.instanceId).toEqual(
        controls.map((c) => `eks-kubelet-audit/${c.id}`).sort(),
      );
      for (const f of mine)
        expect(`${node.instanceId} ${controlOf(f)} ${statusOf(f)}`).toBe(
          `${node.instanceId} ${controlOf(f)} ${expectedStatus(node, controlOf(f))}`,
        );
    }
    // The summaries add up to the fleet.
    const total = scans.reduce((n, s) => n + s.nodes.inScope, 0);
    expect(total).toBe(nodes.length);
    const failed = scans.reduce((n, s) => n + s.nodes.byStatus.FAILED, 0);
    // A node counts by its worst control: FAILED when any control fails on it.
    expect(failed).toBe(
      nodes.filter((n) => controls.some((c) => expectedStatus(n, c.id) === 'FAILED')).length,
    );
    expect(failed).toBeGreaterThanOrEqual(3);
    // Reasons a person can act on.
    const reasonOf = (id: string) =>
      String(
        (findings.get(id)?.[0]?.ProductFields as Record<string, string>)['eks-kubelet-audit/status-reason'],
      );
    expect(reasonOf(SAMPLE_IDS.unmanaged)).toMatch(/not managed by SSM/);
    expect(reasonOf(SAMPLE_IDS.offline)).toMatch(/SSM agent offline \(ConnectionLost\) since \d{4}-/);
    expect(reasonOf(SAMPLE_IDS.windows)).toMatch(/Windows/);
    const autoNode = runningNodes(h.fleet, 'auto').find((n) => n.provisioner === 'auto-mode');
    expect(reasonOf(autoNode?.instanceId ?? '')).toMatch(/Auto Mode/);
  });

  it('a second scan of an unchanged fleet imports nothing; a resync updates the same findings', async () => {
    await h.scanAll(SCHEDULED);
    const before = new Map(ourFindings(h.emulator).map((f) => [f.Id, { ...f }]));
    const second = clusterScans(await h.scanAll(SCHEDULED));
    expect(second.every((s) => s.state?.mode === 'change-only')).toBe(true);
    expect(second.reduce((n, s) => n + s.findings.imported, 0)).toBe(0);
    expect(ourFindings(h.emulator).map((f) => [f.Id, f.UpdatedAt])).toEqual(
      [...before.values()].map((f) => [f.Id, f.UpdatedAt]),
    );
    // A resync re-imports every finding in place: same Ids, no duplicates, CreatedAt kept, UpdatedAt newer.
    const resync = clusterScans(await h.scanAll(scanRequested({ resync: true })));
    expect(resync.every((s) => s.state?.mode === 'rebuild')).toBe(true);
    const after = ourFindings(h.emulator);
    expect(after.map((f) => f.Id).sort()).toEqual([...before.keys()].sort());
    expect(new Set(after.map((f) => f.Id)).size).toBe(after.length);
    for (const f of after) {
      const old = before.get(f.Id);
      expect(f.CreatedAt).toBe(old?.CreatedAt);
      if (f.RecordState === 'ACTIVE')
        expect(Date.parse(String(f.UpdatedAt))).toBeGreaterThan(Date.parse(String(old?.UpdatedAt)));
    }
    // No import was silently ignored for being not newer.
    expect(h.emulator.securityHub.store.outcomes.ignored).toBe(0);
  });

  it('archives a terminated node, resolves a fixed one and adds a new one', async () => {
    // Prepare
    await h.scanAll(SCHEDULED);
    const terminated = runningNodes(h.fleet, 'prod-eu').find((n) => expectedStatus(n) === 'PASSED');
    if (!terminated) throw new Error('fixture: no passing node');
    h.fleet.terminate(terminated.instanceId, h.emulator.clock.now());
    h.fleet.fix(SAMPLE_IDS.failingByFlag);
    const added = h.fleet.addNode({
      cluster: 'legacy-al2',
      provisioner: 'managed-node-group',
      group: 'ng-al2',
      os: 'al2',
    });
    // Act
    const summaries = clusterScans(await h.scanAll(SCHEDULED));
    // Assess
    const all = ourFindings(h.emulator);
    const ofTerminated = all.filter((f) => instanceOf(f) === terminated.instanceId);
    expect(ofTerminated.map((f) => f.RecordState)).toEqual(controls.map(() => 'ARCHIVED'));
    const fixed = all.filter((f) => instanceOf(f) === SAMPLE_IDS.failingByFlag);
    expect(fixed.map((f) => [statusOf(f), (f.Workflow as { Status: string }).Status])).toEqual(
      controls.map(() => ['PASSED', 'RESOLVED']),
    );
    const fresh = all.filter((f) => instanceOf(f) === added.instanceId);
    expect(fresh.map((f) => [f.RecordState, statusOf(f), (f.Workflow as { Status: string }).Status])).toEqual(
      controls.map(() => ['ACTIVE', 'PASSED', 'RESOLVED']),
    );
    const prod = summaries.find((s) => s.cluster === 'prod-eu');
    expect(prod?.findings.archived).toBe(controls.length);
    const legacy = summaries.find((s) => s.cluster === 'legacy-al2');
    // Only the fixed node's make-iptables-util-chains finding was FAILED; its other findings passed already.
    expect(legacy?.findings.resolved).toBe(1);
    expect(legacy?.findings.created).toBe(controls.length);
  });

  it('brings a node back ACTIVE with its first CreatedAt after it was archived', async () => {
    await h.scanAll(SCHEDULED);
    const node = runningNodes(h.fleet, 'legacy-al2').find((n) => expectedStatus(n) === 'PASSED');
    if (!node) throw new Error('fixture');
    const createdAt = active(h.emulator).find((f) => instanceOf(f) === node.instanceId)?.CreatedAt;
    node.state = 'stopped';
    await h.scanAll(scanRequested({ clusters: ['legacy-al2'] }));
    expect(ourFindings(h.emulator).find((f) => instanceOf(f) === node.instanceId)?.RecordState).toBe(
      'ARCHIVED',
    );
    node.state = 'running';
    await h.scanAll(scanRequested({ clusters: ['legacy-al2'] }));
    const back = ourFindings(h.emulator).find((f) => instanceOf(f) === node.instanceId);
    expect(back?.RecordState).toBe('ACTIVE');
    expect(back?.CreatedAt).toBe(createdAt);
    expect((back?.Workflow as { Status: string }).Status).toBe('RESOLVED');
  });

  it('archives the findings of a deleted cluster on the next full scan', async () => {
    await h.scanAll(SCHEDULED);
    h.fleet.removeCluster('auto');
    const [first] = await h.scanAll(SCHEDULED);
    expect((first as FanOutSummary).vanishedClusters.archived).toBe(5 * controls.length);
    const ofAuto = ourFindings(h.emulator).filter(
      (f) => (f.ProductFields as Record<string, string>)['eks-kubelet-audit/cluster'] === 'auto',
    );
    expect(ofAuto.every((f) => f.RecordState === 'ARCHIVED')).toBe(true);
    expect(ofAuto).toHaveLength(5 * controls.length);
  });

  it('an on-demand scan of two instances touches only those, and reports ids that are no node', async () => {
    // Prepare
    await h.scanAll(SCHEDULED);
    const before = new Map(ourFindings(h.emulator).map((f) => [f.Id, f.UpdatedAt]));
    const commandsBefore = h.emulator.ssm.commands.commands.length;
    const two: string[] = [SAMPLE_IDS.failingByFlag, SAMPLE_IDS.failingByDropIn];
    // Act: two nodes of two clusters, plus an id that is no node at all.
    const summaries = await h.scanAll(scanRequested({ instanceIds: [...two, 'i-0ffffffffffffffff'] }));
    // Assess
    const fanOut = summaries[0] as FanOutSummary;
    expect(fanOut.kind).toBe('fan-out');
    expect(fanOut.notANodeIds).toEqual(['i-0ffffffffffffffff']);
    const scans = clusterScans(summaries);
    expect(scans.map((s) => s.nodes.inScope)).toEqual([1, 1]);
    const sent = h.emulator.ssm.commands.commands.slice(commandsBefore).flatMap((c) => c.instanceIds);
    expect(sent.sort()).toEqual([...two].sort());
    // Nothing changed on the two nodes: change-only, nothing is imported, and nothing else is touched.
    for (const f of ourFindings(h.emulator)) expect(f.UpdatedAt, `${f.Id}`).toBe(before.get(f.Id));
    expect(scans.every((s) => s.state?.mode === 'change-only' && s.findings.imported === 0)).toBe(true);
  });

  it('an on-demand scan of one cluster with instanceIds scans it directly and names a foreign id', async () => {
    const summary = (await h.scan(
      scanRequested({
        clusters: ['legacy-al2'],
        instanceIds: [SAMPLE_IDS.failingByFlag, SAMPLE_IDS.windows],
      }),
    )) as ClusterScanSummary;
    expect(summary.kind).toBe('cluster-scan');
    expect(summary.nodes.inScope).toBe(1);
    expect(summary.notANodeIds).toEqual([SAMPLE_IDS.windows]);
    expect(summary.nodes.byStatus.FAILED).toBe(1);
  });
});

describe('scope', () => {
  it('honours KUBELET_AUDIT_CLUSTERS and leaves other clusters findings alone', async () => {
    h = await startHarness({ config: { clusterAllowList: ['legacy-al2'] } });
    const [first] = await h.scanAll(SCHEDULED);
    // One cluster in scope: scanned in this invocation, no fan-out.
    expect(first?.kind).toBe('cluster-scan');
    const clusters = new Set(
      ourFindings(h.emulator).map(
        (f) => (f.ProductFields as Record<string, string>)['eks-kubelet-audit/cluster'],
      ),
    );
    expect([...clusters]).toEqual(['legacy-al2']);
    const skipped = await h.scan(scanRequested({ clusters: ['prod-eu', 'auto'] }));
    expect(skipped).toMatchObject({ kind: 'fan-out', clusters: [], eventsPut: 0 });
    expect((skipped as FanOutSummary).skippedClusters.map((s) => s.cluster)).toEqual(['prod-eu', 'auto']);
  });

  it('a Security Hub custom action rescans the instance of the selected finding', async () => {
    h = await startHarness();
    await h.scanAll(SCHEDULED);
    const finding = active(h.emulator).find((f) => instanceOf(f) === SAMPLE_IDS.failingByDropIn);
    h.fleet.fix(SAMPLE_IDS.failingByDropIn);
    const before = new Map(ourFindings(h.emulator).map((f) => [f.Id, f.UpdatedAt]));
    // Act: the event Security Hub sends for a custom action (one finding per event).
    const summary = (await h.scan({
      version: '0',
      source: 'aws.securityhub',
      'detail-type': 'Security Hub Findings - Custom Action',
      resources: ['arn:aws:securityhub:eu-west-1:123456789012:action/custom/rescan'],
      detail: { actionName: 'Rescan node', actionDescription: 'x', findings: [finding] },
    })) as ClusterScanSummary;
    // Assess
    expect(summary).toMatchObject({ kind: 'cluster-scan', trigger: 'security-hub', cluster: 'prod-eu' });
    expect(summary.nodes.inScope).toBe(1);
    const after = ourFindings(h.emulator);
    for (const f of after)
      expect(f.UpdatedAt !== before.get(f.Id)).toBe(instanceOf(f) === SAMPLE_IDS.failingByDropIn);
    const rescanned = after.find((f) => instanceOf(f) === SAMPLE_IDS.failingByDropIn);
    expect(statusOf(rescanned ?? {})).toBe('PASSED');
    expect((rescanned?.Workflow as { Status: string }).Status).toBe('RESOLVED');
  });
});

describe('fan-out of many clusters', () => {
  it('puts one event per cluster, 10 a call, and runs each cluster once', async () => {
    h = await startHarness({ fleet: syntheticFleet({ nodes: 130, clusters: 13, seed: 7 }) });
    const [first, ...rest] = await h.scanAll(SCHEDULED);
    expect((first as FanOutSummary).eventsPut).toBe(13);
    expect((first as FanOutSummary).apiCalls.PutEvents).toBe(2);
    const scans = clusterScans(rest);
    expect(new Set(scans.map((s) => s.cluster)).size).toBe(13);
    expect(scans).toHaveLength(13);
    expect(active(h.emulator)).toHaveLength(runningNodes(h.fleet).length * controls.length);
  });
});
