/**
 * Reachability by exception, end to end through the real SDK against the emulator: offline nodes are
 * known from one DescribeInstanceInformation and not waited for (a tag command reaches them but
 * their agent never picks it up); an unmanaged node is simply not among the instances SSM resolves
 * the tag to, and one DescribeInstanceInformation then classifies it; a cluster SSM does not manage
 * at all costs a bounded number of calls and every node still gets an answer with the right reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import type { Finding } from '../sim/emulator/findings-filter.ts';
import { Fleet, type SimNodeInput } from '../sim/fleet.ts';
import { active, instanceOf, statusOf } from './expectations.ts';
import { type Harness, scanRequested, startHarness } from './harness.ts';

let h: Harness;
afterEach(() => h?.stop());

function fleetOf(cluster: string, nodes: Partial<SimNodeInput>[]): Fleet {
  return new Fleet({
    clusters: [{ name: cluster }],
    nodes: nodes.map((n) => ({
      cluster,
      provisioner: 'managed-node-group',
      group: 'general',
      os: 'al2023',
      ...n,
    })),
  });
}

function findingOf(instanceId: string): Finding {
  const f = active(h.emulator).find((x) => instanceOf(x) === instanceId);
  if (!f) throw new Error(`no finding for ${instanceId}`);
  return f;
}

function field(f: Finding, key: string): string {
  return String((f.ProductFields as Record<string, string>)[`eks-kubelet-audit/${key}`]);
}

/** Every instance id any SSM command was sent to (by id, or by a tag SSM resolved to it). */
function sentTo(): Set<string> {
  return new Set(h.emulator.ssm.commands.commands.flatMap((c) => c.instanceIds));
}

describe('one unmanaged and one offline node among 120', () => {
  it('reaches the group with one tag command: the unmanaged node is not targeted, the offline one never gets it', async () => {
    // Prepare: both odd nodes sit in the same node group as the healthy ones.
    const nodes: Partial<SimNodeInput>[] = Array.from({ length: 120 }, () => ({}));
    nodes[30] = { ssm: 'unmanaged' };
    nodes[70] = { ssm: 'connection-lost' };
    h = await startHarness({ fleet: fleetOf('c', nodes) });
    const [unmanaged, offline] = [h.fleet.order[30]!.instanceId, h.fleet.order[70]!.instanceId];
    // Act
    const first = (await h.scan(scanRequested({ clusters: ['c'] }))) as ClusterScanSummary;
    const second = (await h.scan(scanRequested({ clusters: ['c'] }))) as ClusterScanSummary;
    // Assess: answers.
    expect(statusOf(findingOf(unmanaged))).toBe('NOT_AVAILABLE');
    expect(field(findingOf(unmanaged), 'status-reason')).toMatch(/^not managed by SSM/);
    expect(field(findingOf(offline), 'status-reason')).toMatch(
      /^SSM agent offline \(ConnectionLost\) since \d{4}-\d\d-\d\dT/,
    );
    expect(first.nodes.notAssessedByCode).toEqual({ SSM_UNMANAGED: 1, SSM_OFFLINE: 1 });
    expect(first.nodes.byStatus.PASSED).toBe(118);
    // SSM resolves the tag to managed instances only; the offline one is targeted but its agent
    // never picks the command up (it expires at the delivery timeout), and the scan does not wait.
    expect(sentTo().has(unmanaged)).toBe(false);
    const offlineRuns = h.emulator.ssm.commands.commands.flatMap((c) =>
      c.invocations.filter((i) => i.instanceId === offline && Number.isFinite(i.startMs)),
    );
    expect(offlineRuns).toEqual([]);
    // Calls, first scan: one tag-targeted SendCommand for the 119 candidates; its 119 invocations
    // (118 online, the offline one pending) are 3 pages; the unmanaged node, absent from them, is
    // classified by DescribeInstanceInformation (plus the offline listing: one call per PingStatus)
    // and one DescribeInstances tells it from a vanished node. The look-up names the unmanaged node
    // among those not listed yet, so SSM rejects it (InvalidInstanceId) and it is asked again without.
    expect(first.apiCalls).toMatchObject({
      DescribeInstanceInformation: 2 + 2,
      SendCommand: 1,
      ListCommandInvocations: 3,
      DescribeInstances: 4,
    });
    expect(first.nodes.sentCommand).toBe(118);
    // Second scan: the same, except the findings say the node was unmanaged before, so no
    // DescribeInstances look-up is needed.
    expect(second.apiCalls).toMatchObject({
      DescribeInstanceInformation: 2 + 2,
      SendCommand: 1,
      ListCommandInvocations: 3,
      DescribeInstances: 3,
    });
    expect(second.nodes.notAssessedByCode).toEqual({ SSM_UNMANAGED: 1, SSM_OFFLINE: 1 });
  });

  it('a node that vanishes before SendCommand is told apart from an unmanaged one', async () => {
    const nodes: Partial<SimNodeInput>[] = Array.from({ length: 20 }, () => ({}));
    nodes[3] = { ssm: 'unmanaged' };
    h = await startHarness({ fleet: fleetOf('c', nodes) });
    const unmanaged = h.fleet.order[3]!.instanceId;
    const vanishing = h.fleet.order[9]!.instanceId;
    h.emulator.faults.vanishOnSend(vanishing);
    const summary = (await h.scan(scanRequested({ clusters: ['c'] }))) as ClusterScanSummary;
    expect(summary.nodes.notAssessedByCode).toEqual({ SSM_UNMANAGED: 1, SSM_VANISHED: 1 });
    expect(field(findingOf(vanishing), 'reason-code')).toBe('SSM_VANISHED');
    expect(field(findingOf(unmanaged), 'reason-code')).toBe('SSM_UNMANAGED');
    expect(summary.nodes.byStatus.PASSED).toBe(18);
    expect(sentTo().has(vanishing)).toBe(false);
  });
});

describe('a cluster SSM does not manage at all', () => {
  it('answers every node NOT_AVAILABLE "not managed by SSM" with a bounded number of calls', async () => {
    // Prepare: 300 nodes (6 chunks), none registered with SSM.
    h = await startHarness({
      fleet: fleetOf(
        'dark',
        Array.from({ length: 300 }, () => ({ ssm: 'unmanaged' as const })),
      ),
    });
    // Act
    const first = (await h.scan(scanRequested({ clusters: ['dark'] }))) as ClusterScanSummary;
    const second = (await h.scan(scanRequested({ clusters: ['dark'] }))) as ClusterScanSummary;
    // Assess
    const findings = active(h.emulator);
    expect(findings).toHaveLength(300 * controls.length);
    for (const f of findings) {
      expect(statusOf(f)).toBe('NOT_AVAILABLE');
      expect(field(f, 'reason-code')).toBe('SSM_UNMANAGED');
      expect(field(f, 'status-reason')).toMatch(
        /^not managed by SSM \(node role lacks AmazonSSMManagedInstanceCore/,
      );
    }
    expect(sentTo().size).toBe(0);
    expect(first.nodes.sentCommand).toBe(0);
    // First scan: one tag-targeted SendCommand, which SSM resolves to no instance ("No Instances In
    // Tag"); one poll and one empty read say so, then the 300 nodes are classified 50 at a time
    // (6 DescribeInstanceInformation, each rejected naming all its ids, plus the offline listing: one
    // call per PingStatus) and 1 DescribeInstances per 198 ids.
    expect(first.apiCalls.SendCommand).toBe(1);
    expect(first.apiCalls.DescribeInstanceInformation).toBe(2 + 6);
    expect(first.apiCalls.DescribeInstances).toBe(3 + 2);
    expect(first.apiCalls.ListCommands).toBe(1);
    expect(first.apiCalls.ListCommandInvocations).toBe(1);
    // (+1: the cluster's lease, taken before the scan; it is released after the summary.)
    // (BatchImportFindings: one finding per node and control, 100 a call; the state table: one Query,
    // the 300 node records 25 a BatchWriteItem, the cluster's record.)
    expect(first.apiCallsTotal).toBeLessThanOrEqual(
      1 + 1 + 8 + 5 + 1 + 1 + 2 + 3 * controls.length + 1 + 1 + 1 + 12 + 1,
    );
    // Second scan: the same calls, but the findings say these nodes were unmanaged before: no EC2 look-up.
    expect(second.apiCalls.SendCommand).toBe(1);
    expect(second.apiCalls.DescribeInstanceInformation).toBe(2 + 6);
    expect(second.apiCalls.DescribeInstances).toBe(3);
    expect(second.nodes.notAssessedByCode).toEqual({ SSM_UNMANAGED: 300 });
  });
});
