/**
 * Regression guard for API calls: a scheduled scan of a 1,000-node synthetic fleet in 2
 * clusters with the deployed configuration (both clusters scanned side by side in the scheduled
 * invocation) through the real handler code and SDK against the emulator. Counts are
 * deterministic (pages, chunks, fleet composition), so they are asserted per operation; wall time
 * is not. Targets: ≤ 80 calls per 1,000 nodes for a steady-state scan (CALLS_PER_1000_NODES), with an
 * unchanged fleet importing nothing at once and about 1/14 of its findings 12 hours later (the 7-day
 * refresh spread over the scans); the first scan imports everything and writes every node's record
 * (FIRST_SCAN_CALLS_PER_1000_NODES).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_PING_STATUSES } from '../../functions/aws/reachability.ts';
import { controls } from '../../functions/controls/index.ts';
import { CONFIG_DEFAULTS } from '../../functions/scanner/config.ts';
import {
  type ClusterScanSummary,
  clusterScansIn,
  type FanOutSummary,
  type ScanSummary,
} from '../../functions/scanner/summary.ts';
import { type SimNode, syntheticFleet } from '../sim/fleet.ts';
import { CALLS_PER_1000_NODES, FIRST_SCAN_CALLS_PER_1000_NODES, runningNodes } from './expectations.ts';
import { type Harness, SCHEDULED, startHarness } from './harness.ts';

const NODES = 1_000;
const CLUSTERS = 2;
let h: Harness;
let first: ScanSummary[];
let second: ScanSummary[];
let later: ScanSummary[];
let emulatorFirst: number;
let emulatorSecond: number;
const SCAN_INTERVAL_MS = 12 * 3_600_000;

const emulatorTotal = () => Object.values(h.emulator.calls).reduce((a, b) => a + b, 0);

/** Every summary of one scheduled scan: invocations, and the cluster scans an invocation ran itself. */
function flat(summaries: ScanSummary[]): (ClusterScanSummary | FanOutSummary)[] {
  return summaries.flatMap((s) =>
    s.kind === 'fan-out' ? [s, ...s.clusterScans] : s.kind === 'cluster-scan' ? [s] : [],
  );
}

const clusterScans = clusterScansIn;

/** Calls by operation summed over one scheduled scan (the invocation's own + each cluster scan's). */
function byOperation(summaries: ScanSummary[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of flat(summaries)) {
    for (const [op, n] of Object.entries(s.apiCalls)) out[op] = (out[op] ?? 0) + n;
  }
  return out;
}

const sumOf = <T>(items: readonly T[], f: (item: T) => number) => items.reduce((n, x) => n + f(x), 0);
const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
const pages = (n: number, size: number) => Math.ceil(n / size);

/** What each cluster's nodes imply, from the simulated fleet (independent of the scanner). */
function plan(cluster: string) {
  const nodes = runningNodes(h.fleet, cluster);
  const candidates = nodes.filter(
    (n: SimNode) => n.provisioner !== 'auto-mode' && n.os !== 'windows' && n.ssm !== 'connection-lost',
  );
  const unmanaged = candidates.filter((n) => n.ssm === 'unmanaged').length;
  // Managed-node-group, Karpenter and self-managed nodes all carry kubernetes.io/cluster/<name> (as the
  // simulated fleet tags them, see provisionerTags), so one SendCommand with that tag key reaches the whole
  // cluster; SSM resolves it to every managed instance carrying it (Windows and offline ones too).
  const resolved = nodes.filter((n) => n.provisioner !== 'auto-mode' && n.ssm !== 'unmanaged').length;
  return {
    nodes: nodes.length,
    candidates: candidates.length,
    unmanaged,
    online: candidates.length - unmanaged,
    sends: 1,
    invocationPages: pages(resolved, 50),
  };
}

beforeAll(async () => {
  // A generous first poll (simulated 5 s at 10× speed) so every command has finished by then and the
  // poll count does not depend on how fast this machine runs bash.
  h = await startHarness({
    fleet: syntheticFleet({ nodes: NODES, clusters: CLUSTERS, seed: 11 }),
    clock: { scale: 10 },
    config: {
      pollInitialDelayMs: 5_000,
      pollIntervalMs: 5_000,
      clustersPerInvocation: CONFIG_DEFAULTS.clustersPerInvocation,
    },
  });
  first = await h.scanAll(SCHEDULED);
  emulatorFirst = emulatorTotal();
  second = await h.scanAll(SCHEDULED);
  emulatorSecond = emulatorTotal() - emulatorFirst;
  h.emulator.clock.advance(SCAN_INTERVAL_MS);
  later = await h.scanAll(SCHEDULED);
}, 180_000);
afterAll(() => h.stop());

describe(`API call budget: ${NODES} nodes in ${CLUSTERS} clusters, scheduled scan`, () => {
  it('the summaries count every call the emulator saw (Scan Completed events included)', () => {
    expect(runningNodes(h.fleet).length).toBeLessThanOrEqual(1_000);
    expect(total(byOperation(first))).toBe(emulatorFirst);
    expect(total(byOperation(second))).toBe(emulatorSecond);
    expect(h.deliveryErrors).toEqual([]);
    expect(first).toHaveLength(1);
    expect(clusterScans(first)).toHaveLength(CLUSTERS);
  });

  it('steady state: exact counts per operation, within the budget per 1,000 nodes', () => {
    const clusters = clusterScans(second);
    const plans = clusters.map((s) => plan(s.cluster));
    const sum = (f: (p: ReturnType<typeof plan>) => number) => plans.reduce((n, p) => n + f(p), 0);
    const calls = byOperation(second);
    console.info(
      `API calls, ${NODES} nodes / ${CLUSTERS} clusters: first scan ${total(byOperation(first))} ` +
        `${JSON.stringify(byOperation(first))}; second scan ${total(calls)} ${JSON.stringify(calls)}`,
    );
    // Every cluster is large enough to go by tag, and the unmanaged nodes (a node group without SSM)
    // carry the tag: SSM leaves them out, and one look-up per 50 classifies them.
    for (const p of plans) expect(p.candidates).toBeGreaterThan(50);
    expect(calls).toEqual({
      // The scheduled invocation: clusters, the vanished-cluster check; no event per cluster.
      ListClusters: 1,
      // One "Scan Completed" per cluster, put together at the end (up to 10 a call).
      PutEvents: pages(CLUSTERS, 10),
      // Only the vanished-cluster check: nothing turned PASSED, so no Workflow is read.
      GetFindings: 1,
      // Each cluster's state records: one Query page (≤ 1 MB) each.
      Query: CLUSTERS,
      DescribeCluster: CLUSTERS,
      // One query per provisioner tag naming both clusters: 1,000 nodes in all fit its first page.
      DescribeInstances: 3,
      // The invocation's offline listing, one per PingStatus value (ConnectionLost, Inactive: SSM
      // takes one value a filter), handed to every cluster scan (≈ 20 offline instances: one page
      // each); per cluster, the look-up of the nodes not listed yet, which SSM rejects for naming
      // the unmanaged ones (InvalidInstanceId), then the same without them.
      DescribeInstanceInformation: OFFLINE_PING_STATUSES.length + sum((p) => 2 * pages(p.unmanaged, 50)),
      SendCommand: sum((p) => p.sends),
      ListCommandInvocations: sum((p) => p.invocationPages),
      // One listing serves the polls of both clusters that fall within a second of it (and after
      // their sends): how many polls share one depends on timing, so it is bounded below.
      ListCommands: calls.ListCommands,
      // The flood guard: each cluster's lease taken before its scan and released after it; then
      // each cluster's own state record (its last scan).
      UpdateItem: 3 * CLUSTERS,
      // Nothing changed. The simulated clock runs during the first scan, so a node whose refresh
      // point it passed may be refreshed (≈ 2 minutes of a 7-day period: almost never).
      ...(calls.BatchImportFindings
        ? { BatchImportFindings: sumOf(clusters, (s) => pages(s.findings.refreshed, 100)) }
        : {}),
      ...(calls.BatchWriteItem
        ? { BatchWriteItem: sumOf(clusters, (s) => pages(s.state?.written ?? 0, 25)) }
        : {}),
    });
    for (const s of clusters) {
      expect(s.state?.mode).toBe('change-only');
      // The Query of the cluster's records (0.5 read unit per 4 KB, eventually consistent).
      expect(s.state?.readUnits).toBeGreaterThan(0);
      expect(s.findings.imported).toBe(s.findings.refreshed);
      expect(s.findings.refreshed).toBeLessThanOrEqual(2 * controls.length);
      expect(s.findings.unchanged + s.findings.refreshed).toBe(s.nodes.inScope * controls.length);
    }
    const rounds = clusters.map((s) => s.pollRounds);
    expect(calls.ListCommands).toBeGreaterThanOrEqual(Math.max(...rounds));
    expect(calls.ListCommands).toBeLessThanOrEqual(rounds.reduce((a, b) => a + b, 0));
    expect(calls.ListCommands).toBeLessThanOrEqual(CLUSTERS);
    expect((total(calls) / NODES) * 1000).toBeLessThanOrEqual(CALLS_PER_1000_NODES);
  });

  it('first scan: the same sends and reads; the unmanaged nodes cost one EC2 look-up per cluster', () => {
    // The grouped discovery queries are the invocation's.
    const invocation = first[0] as FanOutSummary;
    expect(invocation?.kind).toBe('fan-out');
    expect(invocation?.apiCalls.DescribeInstances).toBe(3);
    // No findings tell yet which nodes SSM does not manage: after the DescribeInstanceInformation
    // look-up that finds them unlisted, one DescribeInstances tells them from vanished nodes.
    const clusters = clusterScans(first);
    expect(clusters).toHaveLength(CLUSTERS);
    for (const s of clusters) {
      const p = plan(s.cluster);
      expect(s.apiCalls.SendCommand).toBe(p.sends);
      expect(s.apiCalls.ListCommandInvocations).toBe(p.invocationPages);
      expect(s.apiCalls.DescribeInstanceInformation).toBe(2 * pages(p.unmanaged, 50));
      expect(s.nodes.sentCommand).toBe(p.online);
      expect(s.apiCalls.DescribeInstances).toBe(1);
      // First scan: no findings yet, one ACTIVE and one ARCHIVED listing.
      expect(s.apiCalls.GetFindings).toBe(2);
      // No state records yet: a rebuild, which writes every node's record, 25 a call.
      expect(s.state?.mode).toBe('rebuild');
      expect(s.apiCalls.BatchWriteItem).toBe(pages(p.nodes, 25));
      expect(s.apiCalls.BatchImportFindings).toBe(pages(p.nodes * controls.length, 100));
      // Capacity for the cost: every node record written once (≥ 1 write unit each).
      expect(s.state?.writeUnits).toBeGreaterThanOrEqual(p.nodes);
    }
    console.info(
      `state table, first scan: ${JSON.stringify(clusters.map((s) => s.state))}; steady: ${JSON.stringify(clusterScans(second).map((s) => s.state))}`,
    );
    expect((total(byOperation(first)) / NODES) * 1000).toBeLessThanOrEqual(FIRST_SCAN_CALLS_PER_1000_NODES);
  });

  it('12 hours later: about 1/14 of the findings refreshed (7 days over 12-hour scans), within the budget', () => {
    const clusters = clusterScans(later);
    const findings = NODES * controls.length;
    const refreshed = clusters.reduce((n, s) => n + s.findings.refreshed, 0);
    const calls = byOperation(later);
    console.info(
      `12 h later: ${refreshed} of ${findings} findings refreshed; ${total(calls)} calls ${JSON.stringify(calls)}`,
    );
    // Nodes are refreshed whole at a point of the period fixed by their id: the share is binomial
    // around 1/14 (≈ 71 of 1,000 nodes), well inside ±50 %.
    expect(refreshed).toBeGreaterThan((findings / 14) * 0.5);
    expect(refreshed).toBeLessThan((findings / 14) * 1.5);
    expect(refreshed % controls.length).toBe(0);
    expect(clusters.reduce((n, s) => n + s.findings.created + s.findings.updated, 0)).toBe(0);
    expect(calls.GetFindings).toBe(1);
    expect(calls.BatchImportFindings).toBe(sumOf(clusters, (s) => pages(s.findings.refreshed, 100)));
    expect(calls.BatchWriteItem).toBe(
      sumOf(clusters, (s) => pages(s.findings.refreshed / controls.length, 25)),
    );
    expect((total(calls) / NODES) * 1000).toBeLessThanOrEqual(CALLS_PER_1000_NODES);
  });
});
