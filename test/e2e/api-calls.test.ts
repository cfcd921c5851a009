/**
 * API calls per node, measured through the clients' middleware on a 500-node cluster, and the EMF
 * metrics a scan emits.
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

describe('API calls', () => {
  it('stay per page, not per node', () => {
    const nodes = runningNodes(h.fleet).length;
    for (const s of [first, second]) {
      const perNode = (op: string) => (s.apiCalls[op] ?? 0) / nodes;
      // Pages of 1000 / 50 / 100: a small fraction of a call per node.
      expect(s.apiCalls.DescribeInstances).toBe(3);
      expect(perNode('DescribeInstanceInformation')).toBeLessThanOrEqual(1 / 50 + 0.001);
      expect(perNode('SendCommand')).toBeLessThanOrEqual(1 / 50 + 0.001);
      expect(perNode('ListCommandInvocations')).toBeLessThanOrEqual(1 / 50 + 0.001);
      expect(perNode('BatchImportFindings')).toBeLessThanOrEqual(1 / 100 + 0.001);
      expect(s.apiCalls.ListCommands).toBe(s.pollRounds);
      // GetCommandInvocation is only for output cut at 2,500 characters.
      expect(s.apiCalls.GetCommandInvocation ?? 0).toBeLessThanOrEqual(s.nodes.sentCommand);
    }
    // First scan: 1 listing of ACTIVE (empty) + 1 of ARCHIVED; later scans page the ACTIVE ones.
    expect(first.apiCalls.GetFindings).toBe(2);
    expect(second.apiCalls.GetFindings).toBe(Math.ceil(nodes / 100));
    const withoutGci = (s: ClusterScanSummary) => s.apiCallsTotal - (s.apiCalls.GetCommandInvocation ?? 0);
    console.info(
      `API calls for ${nodes} nodes: first scan ${first.apiCallsTotal} (${(first.apiCallsTotal / nodes).toFixed(3)}/node, ` +
        `${(withoutGci(first) / nodes).toFixed(3)}/node without GetCommandInvocation), second scan ${second.apiCallsTotal} ` +
        `(${(second.apiCallsTotal / nodes).toFixed(3)}/node, ${(withoutGci(second) / nodes).toFixed(3)} without); ` +
        `by operation: ${JSON.stringify(second.apiCalls)}`,
    );
    expect(withoutGci(second) / nodes).toBeLessThan(0.1);
  });

  it('match what the emulator saw', () => {
    expect(h.counter.total).toBe(Object.values(h.emulator.calls).reduce((a, b) => a + b, 0));
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
