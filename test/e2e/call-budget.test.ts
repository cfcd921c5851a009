/**
 * Regression guard for API calls (issue 5 §3): a scheduled scan of a 1,000-node synthetic fleet in 2
 * clusters (fan-out included) through the real handler code and SDK against the emulator. Counts are
 * deterministic (pages, chunks, fleet composition), so they are asserted per operation; wall time
 * is not. Target: ≤ 80 calls per 1,000 nodes for a scheduled scan in steady state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterScanSummary, ScanSummary } from '../../functions/scanner/summary.ts';
import { type SimNode, syntheticFleet } from '../sim/fleet.ts';
import { runningNodes } from './expectations.ts';
import { type Harness, SCHEDULED, startHarness } from './harness.ts';

const NODES = 1_000;
const CLUSTERS = 2;
let h: Harness;
let first: ScanSummary[];
let second: ScanSummary[];
let emulatorFirst: number;
let emulatorSecond: number;

const emulatorTotal = () => Object.values(h.emulator.calls).reduce((a, b) => a + b, 0);

/** Calls by operation summed over every invocation of one scheduled scan (fan-out + clusters). */
function byOperation(summaries: ScanSummary[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of summaries) {
    for (const [op, n] of Object.entries(s.apiCalls)) out[op] = (out[op] ?? 0) + n;
  }
  return out;
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
const pages = (n: number, size: number) => Math.ceil(n / size);

/** What each cluster's nodes imply, from the simulated fleet (independent of the scanner). */
function plan(cluster: string) {
  const nodes = runningNodes(h.fleet, cluster);
  const candidates = nodes.filter(
    (n: SimNode) => n.provisioner !== 'auto-mode' && n.os !== 'windows' && n.ssm !== 'connection-lost',
  );
  const unmanaged = candidates.filter((n) => n.ssm === 'unmanaged').length;
  return {
    nodes: nodes.length,
    candidates: candidates.length,
    unmanaged,
    online: candidates.length - unmanaged,
  };
}

beforeAll(async () => {
  // A generous first poll (simulated 5 s at 10× speed) so every command has finished by then and the
  // poll count does not depend on how fast this machine runs bash.
  h = await startHarness({
    fleet: syntheticFleet({ nodes: NODES, clusters: CLUSTERS, seed: 11 }),
    clock: { scale: 10 },
    config: { pollInitialDelayMs: 5_000, pollIntervalMs: 5_000 },
  });
  first = await h.scanAll(SCHEDULED);
  emulatorFirst = emulatorTotal();
  second = await h.scanAll(SCHEDULED);
  emulatorSecond = emulatorTotal() - emulatorFirst;
}, 120_000);
afterAll(() => h.stop());

describe(`API call budget: ${NODES} nodes in ${CLUSTERS} clusters, scheduled scan`, () => {
  it('the summaries count every call the emulator saw (Scan Completed events included)', () => {
    expect(total(byOperation(first))).toBe(emulatorFirst);
    expect(total(byOperation(second))).toBe(emulatorSecond);
    expect(h.deliveryErrors).toEqual([]);
    expect(first.filter((s) => s.kind === 'cluster-scan')).toHaveLength(CLUSTERS);
  });

  it('steady state: exact counts per operation, ≤ 80 calls per 1,000 nodes', () => {
    const clusters = second.filter((s): s is ClusterScanSummary => s.kind === 'cluster-scan');
    const plans = clusters.map((s) => plan(s.cluster));
    const sum = (f: (p: ReturnType<typeof plan>) => number) => plans.reduce((n, p) => n + f(p), 0);
    const calls = byOperation(second);
    console.info(
      `API calls, ${NODES} nodes / ${CLUSTERS} clusters: first scan ${total(byOperation(first))} ` +
        `${JSON.stringify(byOperation(first))}; second scan ${total(calls)} ${JSON.stringify(calls)}`,
    );
    // Sending does not wait for the previous scan's findings (GetFindings is paced at 3/s account-wide),
    // so a chunk holding a node SSM does not manage is rejected as in a first scan: one more
    // SendCommand and one DescribeInstanceInformation per such chunk. Nodes are chunked by node group,
    // so an unmanaged group spoils at most the chunks it fills plus one at its edge.
    const spoiled = calls.SendCommand! - sum((p) => pages(p.online, 50));
    expect(spoiled).toBeGreaterThanOrEqual(plans.filter((p) => p.unmanaged > 0).length);
    expect(spoiled).toBeLessThanOrEqual(sum((p) => (p.unmanaged > 0 ? pages(p.unmanaged, 50) + 1 : 0)));
    expect(calls).toEqual({
      // Fan-out invocation: clusters, one PutEvents of ≤ 10 entries, the vanished-cluster check.
      ListClusters: 1,
      // Fan-out + one "Scan Completed" per cluster.
      PutEvents: 1 + CLUSTERS,
      GetFindings: 1 + sum((p) => pages(p.nodes, 100)),
      DescribeCluster: CLUSTERS,
      // One paged call per provisioner tag, 1,000 instances a page.
      DescribeInstances: 3 * CLUSTERS,
      // Per cluster: the offline listing; per rejected chunk: one look-up of its ids.
      DescribeInstanceInformation: CLUSTERS + spoiled,
      SendCommand: sum((p) => pages(p.online, 50)) + spoiled,
      ListCommandInvocations: sum((p) => pages(p.online, 50)),
      ListCommands: clusters.reduce((n, s) => n + s.pollRounds, 0),
      BatchImportFindings: sum((p) => pages(p.nodes, 100)),
    });
    expect(calls.ListCommands).toBe(CLUSTERS);
    // ≤ 80 per 1,000 nodes apart from the rejected sends: each spoiled chunk costs one rejected
    // SendCommand and one look-up, where checking the previous scan's unmanaged nodes before sending
    // cost only the look-up but held collection back until the findings were read (issue 5 bench:
    // 37.7 s for the slowest of 20 clusters). That is 1 call per cluster with an unmanaged node group.
    expect(((total(calls) - spoiled) / NODES) * 1000).toBeLessThanOrEqual(80);
  });

  it('first scan: unmanaged nodes spread through managed node groups cost a bounded extra', () => {
    // No findings tell yet which nodes SSM does not manage, and the synthetic fleet spreads them
    // through managed node groups, so several chunks are rejected (or, once rejections dominate,
    // checked before sending).
    const clusters = first.filter((s): s is ClusterScanSummary => s.kind === 'cluster-scan');
    let extraBound = 0;
    for (const s of clusters) {
      const p = plan(s.cluster);
      const chunks = pages(p.candidates, 50);
      // Accepted commands (one page of invocations each): one per chunk with an online node.
      const accepted = s.apiCalls.ListCommandInvocations ?? 0;
      const checked = (s.apiCalls.DescribeInstanceInformation ?? 0) - 1;
      expect(accepted).toBeGreaterThanOrEqual(pages(p.online, 50));
      expect(accepted).toBeLessThanOrEqual(chunks);
      expect(s.nodes.sentCommand).toBe(p.online);
      const rejected = (s.apiCalls.SendCommand ?? 0) - accepted;
      expect(rejected).toBeGreaterThan(0);
      expect(rejected).toBeLessThanOrEqual(Math.min(p.unmanaged, chunks));
      // One per rejected or checked-first chunk, plus the offline listing.
      expect(checked).toBeGreaterThanOrEqual(rejected);
      expect(checked).toBeLessThanOrEqual(chunks);
      // One DescribeInstances tells vanished nodes from unmanaged ones.
      expect(s.apiCalls.DescribeInstances).toBe(3 + 1);
      // First scan: no findings yet, one ACTIVE and one ARCHIVED listing.
      expect(s.apiCalls.GetFindings).toBe(2);
      extraBound += 2 * chunks + 1;
    }
    expect(total(byOperation(first))).toBeLessThanOrEqual(total(byOperation(second)) + extraBound);
  });
});
