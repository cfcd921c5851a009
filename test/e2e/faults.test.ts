/**
 * Every injected fault ends with no finding lost or duplicated and the failure visible in the
 * summary. Single-cluster scans of "legacy-al2" (10 nodes: passing, FAILED by flag,
 * WARNING, unmanaged, offline).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecurityHubNotEnabledError } from '../../functions/aws/errors.ts';
import { controls } from '../../functions/controls/index.ts';
import { FindingsNotDeliveredError } from '../../functions/scanner/errors.ts';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import { fixed } from '../sim/emulator/index.ts';
import { SAMPLE_IDS } from '../sim/fleet.ts';
import { nodePresets, writeNodeTree } from '../sim/node-tree.ts';
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
import { type Harness, scanRequested, startHarness } from './harness.ts';

const CLUSTER = 'legacy-al2';
const SCAN = scanRequested({ clusters: [CLUSTER] });
let h: Harness;
afterEach(() => h?.stop());

/** Exactly one ACTIVE finding per node and control; returns status by instance. */
function assertOneFindingPerNodeAndControl(nodes = runningNodes(h.fleet, CLUSTER)): Map<string, string> {
  const all = ourFindings(h.emulator);
  expect(new Set(all.map((f) => f.Id)).size).toBe(all.length);
  const mine = byInstance(active(h.emulator));
  expect(mine.size).toBe(nodes.length);
  const statuses = new Map<string, string>();
  for (const node of nodes) {
    const fs = mine.get(node.instanceId) ?? [];
    expect(fs, node.instanceId).toHaveLength(controls.length);
    // The make-iptables-util-chains finding: the control the node presets vary.
    const iptables = fs.find((f) => controlOf(f) === 'kubelet-make-iptables-util-chains');
    statuses.set(node.instanceId, statusOf(iptables ?? {}));
  }
  return statuses;
}

function reasonOf(instanceId: string): string {
  const f = active(h.emulator).find((x) => instanceOf(x) === instanceId);
  return String((f?.ProductFields as Record<string, string>)['eks-kubelet-audit/status-reason']);
}

function scanCompleted() {
  return h.emulator.events.published
    .filter((e) => e['detail-type'] === 'Scan Completed')
    .map((e) => e.detail);
}

describe('transient faults are absorbed by the SDK retry strategy', () => {
  it.each([
    ['ec2:DescribeInstances', 'DescribeInstances', 3],
    ['ssm:DescribeInstanceInformation', 'DescribeInstanceInformation', 1],
    ['ssm:SendCommand', 'SendCommand', 1],
    ['ssm:ListCommands', 'ListCommands', 1],
    ['ssm:ListCommandInvocations', 'ListCommandInvocations', 1],
    ['securityhub:GetFindings', 'GetFindings', 2],
    ['securityhub:BatchImportFindings', 'BatchImportFindings', 1],
    ['events:PutEvents', 'PutEvents', 1],
  ])('throttling and a 5xx on %s', async (key, operation, minimum) => {
    h = await startHarness();
    h.emulator.faults.throttle(key, 2).serverError(key, 1);
    const summary = (await h.scan(SCAN)) as ClusterScanSummary;
    await h.emulator.events.idle();
    const statuses = assertOneFindingPerNodeAndControl();
    for (const node of runningNodes(h.fleet, CLUSTER))
      expect(statuses.get(node.instanceId)).toBe(expectedStatus(node));
    expect(h.emulator.faults.fired[`throttle:${key}`]).toBe(2);
    // Visible: the retried attempts are counted (the Scan Completed PutEvents included).
    expect(summary.apiCalls[operation]).toBeGreaterThanOrEqual(minimum + 3);
    expect(scanCompleted()).toHaveLength(1);
  });
});

describe('node-level faults', () => {
  it('a node vanishing before SendCommand, one after, a delivery and an execution time-out', async () => {
    // Prepare: a fast clock so SSM's 30 s delivery and 60 s execution time-outs pass quickly.
    h = await startHarness({ clock: { scale: 40 } });
    const [a, b, c, d] = runningNodes(h.fleet, CLUSTER)
      .filter((n) => expectedStatus(n) === 'PASSED')
      .map((n) => n.instanceId);
    if (!a || !b || !c || !d) throw new Error('fixture');
    h.emulator.faults.vanishOnSend(a).vanishAfterSend(b).deliveryTimeout(c).executionTimeout(d);
    const discovered = runningNodes(h.fleet, CLUSTER);
    // Act
    const summary = (await h.scan(SCAN)) as ClusterScanSummary;
    // Assess: the vanished nodes were nodes when discovered, so they are answered in this scan
    // (and archived by the next one).
    const statuses = assertOneFindingPerNodeAndControl(discovered);
    for (const id of [a, b, c, d]) expect(statuses.get(id)).toBe('NOT_AVAILABLE');
    expect(reasonOf(a)).toMatch(/left during the scan: it is no longer a running instance/);
    expect(reasonOf(b)).toMatch(/Undeliverable/);
    expect(reasonOf(c)).toMatch(/could not deliver the command/);
    expect(reasonOf(d)).toMatch(/did not finish within the document.s execution timeout/);
    expect(summary.nodes.notAssessedByCode).toMatchObject({
      SSM_VANISHED: 1,
      SSM_UNDELIVERABLE: 1,
      SSM_DELIVERYTIMEDOUT: 1,
      SSM_EXECUTIONTIMEDOUT: 1,
    });
    // The other nodes of the same SendCommand chunk were still assessed.
    expect(summary.nodes.byStatus.PASSED, JSON.stringify(summary.nodes)).toBeGreaterThan(0);
    expect(summary.nodes.byStatus.FAILED).toBe(1);
    await h.scan(SCAN);
    const archived = ourFindings(h.emulator)
      .filter((f) => f.RecordState === 'ARCHIVED')
      .map(instanceOf);
    // Each vanished node's findings, one per control.
    expect(archived.sort()).toEqual([a, b].flatMap((id) => controls.map(() => id)).sort());
  });

  it('garbage and cut output: never PASSED, reason says why', async () => {
    h = await startHarness();
    const [a, b] = runningNodes(h.fleet, CLUSTER)
      .filter((n) => expectedStatus(n) === 'PASSED')
      .map((n) => n.instanceId);
    if (!a || !b) throw new Error('fixture');
    h.emulator.faults.nodeOutput(a, { stdout: 'Segmentation fault\n', exitCode: 0 }).nodeOutput(b, {
      stdout: `{"format":"eks-kubelet-audit/evidence","version":1,"host":{${'"x":1,'.repeat(6000)}`,
    });
    await h.scan(SCAN);
    const statuses = assertOneFindingPerNodeAndControl();
    expect(statuses.get(a)).toBe('NOT_AVAILABLE');
    expect(reasonOf(a)).toMatch(/no evidence document/);
    expect(statuses.get(b)).toBe('WARNING');
  });

  it('output over 2,500 characters is fetched with GetCommandInvocation, InvocationDoesNotExist retried', async () => {
    // Prepare: the failing node prints its plain (uncompressed, ~5 KB) document, as a node without
    // gzip would, so ListCommandInvocations cuts it.
    h = await startHarness();
    const root = mkdtempSync(join(tmpdir(), 'plain-node-'));
    writeNodeTree(root, nodePresets['al2-flag-false']());
    const plain = execFileSync('bash', ['functions/collector/collect.sh'], {
      env: { ...process.env, HOST_ROOT: root, KUBELET_AUDIT_ENCODING: 'plain' },
    }).toString();
    rmSync(root, { recursive: true, force: true });
    expect(plain.length).toBeGreaterThan(2_500);
    h.emulator.faults.nodeOutput(SAMPLE_IDS.failingByFlag, { stdout: plain }).invocationDoesNotExist(2);
    // Act
    const summary = (await h.scan(SCAN)) as ClusterScanSummary;
    // Assess
    const statuses = assertOneFindingPerNodeAndControl();
    for (const node of runningNodes(h.fleet, CLUSTER)) {
      expect(statuses.get(node.instanceId), reasonOf(node.instanceId)).toBe(expectedStatus(node));
    }
    expect(h.emulator.faults.fired.invocationDoesNotExist).toBe(2);
    expect(summary.apiCalls.GetCommandInvocation).toBe(3);
  });

  it('the deadline: nodes still running get NOT_AVAILABLE "scan deadline reached" and everything is reported', async () => {
    h = await startHarness({ clock: { scale: 20 }, executionTime: fixed(600_000) });
    const summary = (await h.scan(SCAN, 20_000)) as ClusterScanSummary;
    expect(summary.deadlineReached).toBe(true);
    const statuses = assertOneFindingPerNodeAndControl();
    const sent = runningNodes(h.fleet, CLUSTER).filter((n) => n.ssm === 'online');
    for (const node of sent) {
      expect(statuses.get(node.instanceId)).toBe('NOT_AVAILABLE');
      expect(reasonOf(node.instanceId)).toMatch(/^scan deadline reached/);
    }
    expect(summary.nodes.notAssessedByCode.DEADLINE).toBe(sent.length);
    expect(scanCompleted()).toHaveLength(1);
  });
});

describe('Security Hub delivery faults', () => {
  it('FailedFindings once: re-sent and delivered', async () => {
    h = await startHarness();
    const id = `${h.fleet.region}/${h.fleet.accountId}/${CLUSTER}/${SAMPLE_IDS.failingByFlag}/${controls[0]?.id}`;
    h.emulator.faults.failFindings([id], { times: 1 });
    const summary = (await h.scan(SCAN)) as ClusterScanSummary;
    assertOneFindingPerNodeAndControl();
    expect(h.emulator.faults.fired.failedFinding).toBe(1);
    expect(summary.findings.failed).toBe(0);
    // Every batch of up to 100 findings once, then the failed finding again in a call of its own.
    const findings = runningNodes(h.fleet, CLUSTER).length * controls.length;
    expect(summary.apiCalls.BatchImportFindings).toBe(Math.ceil(findings / 100) + 1);
  });

  it('FailedFindings for good: everything else delivered and reported, then the invocation fails', async () => {
    h = await startHarness();
    const id = `${h.fleet.region}/${h.fleet.accountId}/${CLUSTER}/${SAMPLE_IDS.failingByFlag}/${controls[0]?.id}`;
    h.emulator.faults.failFindings([id], { errorCode: 'InvalidInput', message: 'bad' });
    // Act
    const error = await h.scan(SCAN).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(FindingsNotDeliveredError);
    expect((error as FindingsNotDeliveredError).failedCount).toBe(1);
    const delivered = active(h.emulator);
    expect(delivered).toHaveLength(runningNodes(h.fleet, CLUSTER).length * controls.length - 1);
    expect(new Set(delivered.map((f) => f.Id)).size).toBe(delivered.length);
    const [event] = scanCompleted();
    expect(event?.findings).toMatchObject({ failed: 1, failedByCode: { InvalidInput: 1 } });
  });

  it('Security Hub not enabled: a clear error after the summary is reported', async () => {
    h = await startHarness();
    h.emulator.faults.disableSecurityHub();
    const error = await h.scan(SCAN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecurityHubNotEnabledError);
    expect(String((error as Error).message)).toBe(
      `Security Hub CSPM is not enabled in ${h.fleet.region} for account ${h.fleet.accountId}: enable it with \`aws securityhub enable-security-hub --region ${h.fleet.region}\` or in the console`,
    );
    const [event] = scanCompleted();
    expect(event?.error).toMatch(/not enabled/);
    expect(event?.nodes).toMatchObject({ inScope: 10 });
  });
});
