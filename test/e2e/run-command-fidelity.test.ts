/**
 * End to end under the Run Command limits the emulator enforces like AWS (FIDELITY.md):
 * nodes whose agent goes offline after the offline listing, the stack's IAM tag conditions, and a
 * Region that refuses `tag-key` targets. Real scanner, real SDK clients, real collector.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sendCommandTagConditions } from '../../functions/aws/send-command-policy.ts';
import { controls } from '../../functions/controls/index.ts';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import type { CallRecord } from '../sim/emulator/server.ts';
import type { SimNode } from '../sim/fleet.ts';
import { syntheticFleet } from '../sim/fleet.ts';
import {
  active,
  byInstance,
  controlOf,
  expectedStatus,
  instanceOf,
  runningNodes,
  statusOf,
} from './expectations.ts';
import { type Harness, SCHEDULED, scanRequested, startHarness } from './harness.ts';

let h: Harness;
afterEach(() => h?.stop());

function field(instanceId: string, name: string): string {
  const f = active(h.emulator).find((x) => instanceOf(x) === instanceId);
  return String((f?.ProductFields as Record<string, string> | undefined)?.[`eks-kubelet-audit/${name}`]);
}

/** Every running node has one ACTIVE finding per control, with the status a correct scanner reports. */
function assertEveryNodeAnswered(): void {
  const nodes = runningNodes(h.fleet);
  const findings = byInstance(active(h.emulator));
  expect(findings.size).toBe(nodes.length);
  for (const node of nodes) {
    const mine = findings.get(node.instanceId) ?? [];
    expect(mine, node.instanceId).toHaveLength(controls.length);
    for (const f of mine) {
      expect(`${node.instanceId} ${controlOf(f)} ${statusOf(f)}`).toBe(
        `${node.instanceId} ${controlOf(f)} ${expectedStatus(node, controlOf(f))}`,
      );
    }
  }
}

function sendable(node: SimNode): boolean {
  return node.ssm === 'online' && node.os !== 'windows' && node.provisioner !== 'auto-mode';
}

describe('10 % of the nodes go offline after the offline listing', () => {
  for (const offlineDelivery of ['delivery-timeout', 'undeliverable'] as const) {
    it(`a scheduled scan answers every node, the offline ones NOT_AVAILABLE (${offlineDelivery})`, async () => {
      // Prepare: 2 clusters of 150 nodes; a fast clock, so the command's expiry (delivery 30 s + the
      // document's 60 s execution timeout) passes in seconds.
      let flipped: SimNode[] = [];
      const onCall = (call: CallRecord) => {
        // The scan's offline listing (PingStatus filter) is answered: now 10 % of the online nodes go.
        if (call.key !== 'ssm:DescribeInstanceInformation' || flipped.length > 0) return;
        const online = h.fleet.order.filter((n) => n.state === 'running' && sendable(n));
        flipped = online.filter((_, i) => i % 10 === 3);
        for (const n of flipped) n.ssm = 'connection-lost';
      };
      h = await startHarness({
        fleet: syntheticFleet({ nodes: 300, clusters: 2, seed: 11 }),
        clock: { scale: 40 },
        runCommand: { offlineDelivery },
        onCall,
      });
      // Act
      const summaries = await h.scanAll(SCHEDULED);
      // Assess
      expect(h.deliveryErrors).toEqual([]);
      expect(flipped.length).toBeGreaterThanOrEqual(20);
      assertEveryNodeAnswered();
      const code = offlineDelivery === 'undeliverable' ? 'SSM_UNDELIVERABLE' : 'SSM_DELIVERYTIMEDOUT';
      for (const node of flipped) {
        expect(field(node.instanceId, 'reason-code'), node.instanceId).toBe(code);
        expect(field(node.instanceId, 'status-reason')).toMatch(
          offlineDelivery === 'undeliverable' ? /could not be delivered/ : /could not deliver the command/,
        );
      }
      const scans = (summaries as ClusterScanSummary[]).filter((s) => s.kind === 'cluster-scan');
      expect(scans.some((s) => s.deadlineReached)).toBe(false);
      const notAssessed = scans.reduce((n, s) => n + (s.nodes.notAssessedByCode[code] ?? 0), 0);
      expect(notAssessed).toBe(flipped.length);
    });
  }
});

describe('the scan deadline before the command expires (delivery + execution timeout)', () => {
  it('a node offline since the listing is answered DEADLINE, saying SSM had not delivered yet', async () => {
    let goesOffline: SimNode | undefined;
    h = await startHarness({
      clock: { scale: 40 },
      // The node's agent goes as the scan's offline listing is answered.
      onCall: (call) => {
        if (call.key === 'ssm:DescribeInstanceInformation' && goesOffline)
          goesOffline.ssm = 'connection-lost';
      },
    });
    goesOffline = runningNodes(h.fleet, 'prod-eu').find(
      (n) => n.provisioner === 'managed-node-group' && sendable(n),
    );
    if (!goesOffline) throw new Error('fixture');
    // Act (prod-eu has no unmanaged node, so its chunk is not rejected and looked up again): 60 s of budget, while the command expires 30 + 60 s after it is sent.
    const summary = (await h.scan(scanRequested({ clusters: ['prod-eu'] }), 60_000)) as ClusterScanSummary;
    // Assess
    expect(summary.deadlineReached).toBe(true);
    expect(field(goesOffline.instanceId, 'reason-code')).toBe('DEADLINE');
    expect(field(goesOffline.instanceId, 'status-reason')).toMatch(
      /Pending.*the agent had not picked the command up \(SSM would keep trying until \d{4}-/,
    );
  });
});

describe("the stack's IAM tag conditions on ssm:SendCommand", () => {
  it('without an allow-list, self-managed nodes are answered "may not send", the rest of their chunk assessed', async () => {
    h = await startHarness({ runCommand: { sendCommandPolicy: sendCommandTagConditions() } });
    const denials: string[] = [];
    h.emulator.resetCalls();
    // Act: legacy-al2 mixes a managed node group with self-managed nodes (tag kubernetes.io/cluster/… only).
    const summary = (await h.scan(scanRequested({ clusters: ['legacy-al2'] }))) as ClusterScanSummary;
    // Assess
    // IAM decides before SSM looks at the node: an unmanaged self-managed node is denied too (only the
    // one the offline listing named is never sent to).
    const selfManaged = runningNodes(h.fleet, 'legacy-al2').filter(
      (n) => n.provisioner === 'self-managed' && n.ssm !== 'connection-lost',
    );
    expect(selfManaged.length).toBeGreaterThanOrEqual(2);
    for (const node of selfManaged) {
      expect(field(node.instanceId, 'reason-code')).toBe('SSM_ACCESSDENIED');
      expect(field(node.instanceId, 'status-reason')).toMatch(/may not send commands to this node/);
      denials.push(node.instanceId);
    }
    const managed = runningNodes(h.fleet, 'legacy-al2').filter((n) => n.provisioner === 'managed-node-group');
    for (const node of managed) expect(field(node.instanceId, 'reason-code')).not.toBe('SSM_ACCESSDENIED');
    expect(summary.nodes.byStatus.FAILED).toBe(1);
    // One denied call, then one call per access class: never a node-by-node search.
    expect(h.emulator.calls['ssm:SendCommand']).toBeLessThanOrEqual(3);
    expect(summary.nodes.notAssessedByCode.SSM_ACCESSDENIED).toBe(denials.length);
  });
});

describe('a Region that refuses tag-key targets', () => {
  it('the scan reaches the group by the tag value instead and answers every node', async () => {
    const targets: string[] = [];
    h = await startHarness({
      fleet: syntheticFleet({ nodes: 240, clusters: 1, seed: 5 }),
      clock: { scale: 20 },
      runCommand: { refuseTagKeyTargets: 'ValidationException' },
      onCall: (call) => {
        const t = (call.json.Targets as { Key: string }[] | undefined)?.[0];
        if (call.key === 'ssm:SendCommand' && t) targets.push(`${t.Key} ${call.outcome}`);
      },
    });
    await h.scanAll(SCHEDULED);
    expect(h.deliveryErrors).toEqual([]);
    assertEveryNodeAnswered();
    expect(targets).toContain('tag-key ValidationException');
    expect(targets.some((t) => t.startsWith('tag:kubernetes.io/cluster/') && t.endsWith(' ok'))).toBe(true);
  });
});
