/**
 * API calls per node, measured through the clients' middleware on a 500-node synthetic cluster (its
 * unmanaged nodes are spread through a managed node group), and the EMF metrics a scan emits.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClusterScanSummary } from '../../functions/scanner/summary.ts';
import { syntheticFleet } from '../sim/fleet.ts';
import { runningNodes } from './expectations.ts';
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

/** What the cluster's nodes imply for reachability, from the simulated fleet (not the scanner). */
function reachPlan() {
  const nodes = runningNodes(h.fleet);
  const linux = nodes.filter((n) => n.provisioner !== 'auto-mode' && n.os !== 'windows');
  const candidates = linux.filter((n) => n.ssm !== 'connection-lost');
  const unmanaged = candidates.filter((n) => n.ssm === 'unmanaged').length;
  return {
    nodes: nodes.length,
    candidates: candidates.length,
    unmanaged,
    online: candidates.length - unmanaged,
  };
}

describe('API calls', () => {
  it('stay per page, not per node, with reachability checked by exception', () => {
    const plan = reachPlan();
    const pages = (n: number, size: number) => Math.ceil(n / size);
    for (const s of [first, second]) {
      console.info(`API calls for ${plan.nodes} nodes: ${s.apiCallsTotal} ${JSON.stringify(s.apiCalls)}`);
      expect(s.apiCalls.DescribeCluster).toBe(1);
      expect(s.apiCalls.BatchImportFindings).toBe(pages(plan.nodes, 100));
      // One page of invocations per accepted SendCommand: ≥ one per 50 nodes SSM runs the command on.
      expect(s.apiCalls.ListCommandInvocations).toBeGreaterThanOrEqual(pages(plan.online, 50));
      expect(s.apiCalls.ListCommands).toBe(s.pollRounds);
      // The Scan Completed event is counted in the summary it carries.
      expect(s.apiCalls.PutEvents).toBe(1);
      expect(s.apiCalls.GetCommandInvocation ?? 0).toBeLessThanOrEqual(s.nodes.sentCommand);
      expect(s.nodes.sentCommand).toBe(plan.online);
    }
    // First scan: the unmanaged nodes (spread over the 'general' node group) spoil the chunks they
    // are in: each rejected SendCommand costs one DescribeInstanceInformation of that chunk, the
    // resend is one of the accepted ones above, and one DescribeInstances tells vanished from
    // unmanaged. Bounded by the chunks, whatever the spread.
    const chunks = pages(plan.candidates, 50);
    const rejected = (first.apiCalls.SendCommand ?? 0) - (first.apiCalls.ListCommandInvocations ?? 0);
    expect(rejected).toBeGreaterThan(0);
    expect(rejected).toBeLessThanOrEqual(Math.min(plan.unmanaged, chunks));
    expect(first.apiCalls.DescribeInstanceInformation).toBeLessThanOrEqual(1 + chunks);
    expect(first.apiCalls.DescribeInstances).toBe(4);
    // 1 listing of ACTIVE (empty) + 1 of ARCHIVED.
    expect(first.apiCalls.GetFindings).toBe(2);
    // Second scan: sending does not wait for the previous scan's findings (read meanwhile, paced by
    // GetFindings' 3/s), so the chunks holding unmanaged nodes are rejected and checked as in the
    // first scan; those findings then spare the EC2 look-up (the nodes were unmanaged before).
    const rejectedAgain = (second.apiCalls.SendCommand ?? 0) - (second.apiCalls.ListCommandInvocations ?? 0);
    expect(rejectedAgain).toBeGreaterThan(0);
    expect(rejectedAgain).toBeLessThanOrEqual(Math.min(plan.unmanaged, chunks));
    expect(second.apiCalls.DescribeInstanceInformation).toBe(1 + rejectedAgain);
    expect(second.apiCalls.ListCommandInvocations).toBe(pages(plan.online, 50));
    expect(second.apiCalls.DescribeInstances).toBe(3);
    expect(second.apiCalls.GetFindings).toBe(pages(plan.nodes, 100));
    const withoutGci = (s: ClusterScanSummary) => s.apiCallsTotal - (s.apiCalls.GetCommandInvocation ?? 0);
    // ≤ 80 per 1,000 apart from the rejected sends (see call-budget.test.ts).
    expect(((withoutGci(second) - rejectedAgain) / plan.nodes) * 1000).toBeLessThanOrEqual(80);
  });

  it('match what the emulator saw', () => {
    expect(h.counter.total).toBe(Object.values(h.emulator.calls).reduce((a, b) => a + b, 0));
    expect(first.apiCallsTotal + second.apiCallsTotal).toBe(h.counter.total);
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
