/**
 * API calls per node, measured through the clients' middleware on a 500-node synthetic cluster (its
 * unmanaged nodes are spread through a managed node group), and the EMF metrics a scan emits.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import { syntheticFleet } from '../sim/fleet.ts';
import { CALLS_PER_1000_NODES, FIRST_SCAN_CALLS_PER_1000_NODES, runningNodes } from './expectations.ts';
import { type Harness, scanRequested, startHarness } from './harness.ts';

let h: Harness;
let first: ClusterScanSummary;
let second: ClusterScanSummary;
const emf: Record<string, unknown>[] = [];

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  h = await startHarness({ fleet: syntheticFleet({ nodes: 500, clusters: 1, seed: 3 }) });
  const cluster = [...h.fleet.clusters.keys()][0];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    try {
      const parsed = JSON.parse(String(line));
      if (parsed._aws) emf.push(parsed);
    } catch {
      // not EMF
    }
  });
  first = (await h.scan(scanRequested({ clusters: [cluster] }))) as ClusterScanSummary;
  second = (await h.scan(scanRequested({ clusters: [cluster] }))) as ClusterScanSummary;
  log.mockRestore();
});
afterAll(() => h.stop());

/** What the cluster's nodes imply for reachability and sending, from the simulated fleet (not the scanner). */
function reachPlan() {
  const nodes = runningNodes(h.fleet);
  const linux = nodes.filter((n) => n.provisioner !== 'auto-mode' && n.os !== 'windows');
  const candidates = linux.filter((n) => n.ssm !== 'connection-lost');
  const unmanaged = candidates.filter((n) => n.ssm === 'unmanaged').length;
  // Managed-node-group, Karpenter and self-managed nodes all carry kubernetes.io/cluster/<name> (as
  // the simulated fleet tags them, see provisionerTags): one SendCommand with that tag key reaches the
  // cluster, and SSM resolves it to every managed instance carrying it (Windows and offline ones included).
  const resolved = nodes.filter((n) => n.provisioner !== 'auto-mode' && n.ssm !== 'unmanaged');
  expect(candidates.length).toBeGreaterThan(50);
  return {
    nodes: nodes.length,
    candidates: candidates.length,
    unmanaged,
    online: candidates.length - unmanaged,
    sends: 1,
    invocationPages: Math.ceil(resolved.length / 50),
  };
}

describe('API calls', () => {
  it('stay per page, not per node, with the cluster reached by one tag', () => {
    const plan = reachPlan();
    const pages = (n: number, size: number) => Math.ceil(n / size);
    for (const s of [first, second]) {
      console.info(`API calls for ${plan.nodes} nodes: ${s.apiCallsTotal} ${JSON.stringify(s.apiCalls)}`);
      expect(s.apiCalls.DescribeCluster).toBe(1);
      // One tag-targeted SendCommand for the whole cluster.
      expect(s.apiCalls.SendCommand).toBe(plan.sends);
      // Invocation pages: every instance a tag resolved to (Windows and offline ones too), 50 a page.
      expect(s.apiCalls.ListCommandInvocations).toBe(plan.invocationPages);
      expect(s.apiCalls.ListCommands).toBe(s.pollRounds);
      // The offline listing (one call per PingStatus), and the look-up of the nodes no tag resolved
      // to: rejected for naming the unmanaged ones (InvalidInstanceId), then asked without them.
      expect(s.apiCalls.DescribeInstanceInformation).toBe(2 + 2 * pages(plan.unmanaged, 50));
      // The Scan Completed event is counted in the summary it carries.
      expect(s.apiCalls.PutEvents).toBe(1);
      expect(s.apiCalls.GetCommandInvocation ?? 0).toBeLessThanOrEqual(s.nodes.sentCommand);
      expect(s.nodes.sentCommand).toBe(plan.online);
    }
    // First scan: one DescribeInstances tells the unmanaged nodes from vanished ones; 1 listing of
    // ACTIVE findings (empty) + 1 of ARCHIVED; every finding imported, 100 a call, and every node's
    // record written, 25 a call.
    expect(first.apiCalls.DescribeInstances).toBe(4);
    expect(first.apiCalls.GetFindings).toBe(2);
    expect(first.apiCalls.BatchImportFindings).toBe(pages(plan.nodes * controls.length, 100));
    expect(first.apiCalls.BatchWriteItem).toBe(pages(plan.nodes, 25));
    // Second scan: the records say those nodes were unmanaged before, which spares the EC2 look-up;
    // nothing changed, so nothing is read from Security Hub, imported or written.
    expect(second.apiCalls.DescribeInstances).toBe(3);
    expect(second.apiCalls.GetFindings ?? 0).toBe(0);
    expect(second.apiCalls.BatchImportFindings ?? 0).toBe(second.findings.refreshed > 0 ? 1 : 0);
    expect(second.apiCalls.Query).toBe(1);
    const withoutGci = (s: ClusterScanSummary) => s.apiCallsTotal - (s.apiCalls.GetCommandInvocation ?? 0);
    expect((withoutGci(first) / plan.nodes) * 1000).toBeLessThanOrEqual(FIRST_SCAN_CALLS_PER_1000_NODES);
    expect((withoutGci(second) / plan.nodes) * 1000).toBeLessThanOrEqual(CALLS_PER_1000_NODES);
  });

  it('match what the emulator saw', () => {
    expect(h.counter.total).toBe(Object.values(h.emulator.calls).reduce((a, b) => a + b, 0));
    // Plus one lease release per scan: it follows the summary, so only the counters see it.
    expect(first.apiCallsTotal + second.apiCallsTotal + 2).toBe(h.counter.total);
  });
});

describe('metrics', () => {
  it('emits EMF with nodes by status, API calls by operation and duration', () => {
    const names = new Set(
      emf.flatMap((e) =>
        (e._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap((m) =>
          m.Metrics.map((x) => x.Name),
        ),
      ),
    );
    for (const name of [
      'NodesPASSED',
      'NodesFAILED',
      'NodesNOT_AVAILABLE',
      'ScanDuration',
      'ApiCalls',
      'ApiCallsByOperation',
    ]) {
      expect(names).toContain(name);
    }
    const main = emf.find((e) => 'NodesPASSED' in e);
    expect(main?.NodesPASSED).toBe(first.nodes.byStatus.PASSED);
    const sendCommand = emf.find((e) => e.Operation === 'SendCommand');
    expect(sendCommand?.ApiCallsByOperation).toBe(first.apiCalls.SendCommand);
  });
});
