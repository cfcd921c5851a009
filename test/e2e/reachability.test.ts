/**
 * Reachability by exception, end to end through the real SDK against the emulator: offline nodes are
 * known from one DescribeInstanceInformation and never sent to; an unmanaged node makes SSM reject its
 * chunk (InvalidInstanceId, nothing sent), which one DescribeInstanceInformation then classifies; a
 * cluster SSM does not manage at all costs a bounded number of calls and every node still gets an
 * answer with the right reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

/** Every instance id any SSM command was sent to. */
function sentTo(): Set<string> {
  return new Set(h.emulator.ssm.commands.commands.flatMap((c) => c.instanceIds));
}

describe('one unmanaged and one offline node among 120', () => {
  it('rejects only the unmanaged node chunk, classifies it with one call, re-sends the rest; never sends to either', async () => {
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
    expect(sentTo().has(unmanaged)).toBe(false);
    expect(sentTo().has(offline)).toBe(false);
    // Calls, first scan: 119 candidates → chunks of 50/50/19; the unmanaged node's chunk is rejected
    // once, classified by one DescribeInstanceInformation (plus the offline listing), re-sent without
    // it; one DescribeInstances tells it from a vanished node.
    expect(first.apiCalls).toMatchObject({
      DescribeInstanceInformation: 2,
      SendCommand: 4,
      ListCommandInvocations: 3,
      DescribeInstances: 4,
    });
    expect(first.nodes.sentCommand).toBe(118);
    // Second scan: sending does not wait for the previous scan's findings, so the chunk is rejected
    // and classified again; the findings (read meanwhile) say the node was unmanaged before, so no
    // DescribeInstances look-up is needed.
    expect(second.apiCalls).toMatchObject({
      DescribeInstanceInformation: 2,
      SendCommand: 4,
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
    expect(findings).toHaveLength(300);
    for (const f of findings) {
      expect(statusOf(f)).toBe('NOT_AVAILABLE');
      expect(field(f, 'reason-code')).toBe('SSM_UNMANAGED');
      expect(field(f, 'status-reason')).toMatch(
        /^not managed by SSM \(node role lacks AmazonSSMManagedInstanceCore/,
      );
    }
    expect(sentTo().size).toBe(0);
    expect(first.nodes.sentCommand).toBe(0);
    // First scan: the first wave of concurrent sends (4, plus at most one more before two rejections
    // are in) is rejected, then the rest is checked first: 1 + 6 DescribeInstanceInformation, and
    // 1 DescribeInstances per 200 unlisted ids.
    expect(first.apiCalls.SendCommand).toBeLessThanOrEqual(5);
    expect(first.apiCalls.DescribeInstanceInformation).toBe(1 + 6);
    expect(first.apiCalls.DescribeInstances).toBe(3 + 2);
    expect(first.apiCalls.ListCommands ?? 0).toBe(0);
    expect(first.apiCalls.ListCommandInvocations ?? 0).toBe(0);
    expect(first.apiCallsTotal).toBeLessThanOrEqual(1 + 5 + 7 + 5 + 2 + 3 + 1);
    // Second scan: the same bounded first wave of rejected sends (sending does not wait for the
    // previous scan's findings), but the findings say these nodes were unmanaged before: no EC2 look-up.
    expect(second.apiCalls.SendCommand ?? 0).toBeLessThanOrEqual(5);
    expect(second.apiCalls.DescribeInstanceInformation).toBe(1 + 6);
    expect(second.apiCalls.DescribeInstances).toBe(3);
    expect(second.nodes.notAssessedByCode).toEqual({ SSM_UNMANAGED: 300 });
  });
});
