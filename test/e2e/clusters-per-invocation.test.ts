/**
 * Several clusters scanned side by side in one invocation (KUBELET_AUDIT_CLUSTERS_PER_INVOCATION):
 * no event per cluster, one "Scan Completed" per cluster with its own calls, a failing cluster does
 * not stop the others, and more clusters than that are fanned out in events of that many.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import { ClusterScansFailedError } from '../../functions/scanner/errors.ts';
import type { FanOutSummary } from '../../functions/scanner/summary.ts';
import { fixed } from '../sim/emulator/random.ts';
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

const published = (type: string) => h.emulator.events.published.filter((e) => e['detail-type'] === type);

describe('clusters scanned side by side in one invocation', () => {
  it('scans every cluster of a full scan in the scheduled invocation, with the right status for every node', async () => {
    // Prepare: the sample fleet (3 clusters, every node type), up to 20 clusters an invocation; EMF on.
    const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    h = await startHarness({ config: { clustersPerInvocation: 20 } });
    const emf: Record<string, unknown>[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      try {
        const parsed = JSON.parse(String(line));
        if (parsed._aws) emf.push(parsed);
      } catch {
        // not EMF
      }
    });
    // Act
    const [first, ...rest] = await h.scanAll(SCHEDULED).finally(() => {
      log.mockRestore();
      process.env.POWERTOOLS_METRICS_DISABLED = disabled;
    });
    // Assess: one invocation, no Scan Requested event, one Scan Completed per cluster.
    const summary = first as FanOutSummary;
    expect(summary.kind).toBe('fan-out');
    expect(summary.eventsPut).toBe(0);
    expect(rest).toEqual([]);
    expect(published('Scan Requested')).toEqual([]);
    expect(summary.clusterScans.map((s) => s.cluster).sort()).toEqual(['auto', 'legacy-al2', 'prod-eu']);
    expect(
      published('Scan Completed')
        .map((e) => e.detail.cluster)
        .sort(),
    ).toEqual(['auto', 'legacy-al2', 'prod-eu']);
    const nodes = runningNodes(h.fleet);
    const findings = byInstance(active(h.emulator));
    expect(findings.size).toBe(nodes.length);
    for (const node of nodes) {
      const mine = findings.get(node.instanceId) ?? [];
      expect(mine).toHaveLength(controls.length);
      for (const f of mine)
        expect(`${node.instanceId} ${controlOf(f)} ${statusOf(f)}`).toBe(
          `${node.instanceId} ${controlOf(f)} ${expectedStatus(node, controlOf(f))}`,
        );
    }
    // Each cluster counts its own calls; with the invocation's own they are every call made.
    const perCluster = summary.clusterScans.reduce((n, s) => n + s.apiCallsTotal, 0);
    expect(perCluster + summary.apiCallsTotal).toBe(h.counter.total);
    expect(summary.clusterScans.every((s) => (s.apiCalls.SendCommand ?? 0) > 0 || s.cluster === 'auto')).toBe(
      true,
    );
    // The invocation's metrics tell the clusters in scope from those it scanned itself.
    const own = emf.find((e) => 'ClustersScannedInPlace' in e);
    expect(own).toMatchObject({ ClustersInScope: 3, ClustersScannedInPlace: 3 });
  });

  it('scans an on-demand request for instances of two clusters in place, touching only those', async () => {
    // Prepare: a first scan, then two nodes of two clusters and an id that is no node at all.
    h = await startHarness({ config: { clustersPerInvocation: 20 } });
    await h.scanAll(SCHEDULED);
    const before = new Map(ourFindings(h.emulator).map((f) => [f.Id, f.UpdatedAt]));
    const commandsBefore = h.emulator.ssm.commands.commands.length;
    const two: string[] = [SAMPLE_IDS.failingByFlag, SAMPLE_IDS.failingByDropIn];
    // One of them is fixed meanwhile: its changed findings are imported, nothing else.
    h.fleet.fix(SAMPLE_IDS.failingByDropIn);
    // Act
    const [first, ...rest] = await h.scanAll(scanRequested({ instanceIds: [...two, 'i-0ffffffffffffffff'] }));
    // Assess: one invocation, one scan of one node in each cluster, the stray id named once.
    const summary = first as FanOutSummary;
    expect(rest).toEqual([]);
    expect(summary.eventsPut).toBe(0);
    expect(summary.notANodeIds).toEqual(['i-0ffffffffffffffff']);
    expect(summary.clusterScans.map((s) => s.nodes.inScope)).toEqual([1, 1]);
    const sent = h.emulator.ssm.commands.commands.slice(commandsBefore).flatMap((c) => c.instanceIds);
    expect(sent.sort()).toEqual([...two].sort());
    const touched = ourFindings(h.emulator).filter((f) => f.UpdatedAt !== before.get(f.Id));
    expect(touched.length).toBeGreaterThan(0);
    for (const f of touched) expect(instanceOf(f), `${f.Id}`).toBe(SAMPLE_IDS.failingByDropIn);
  });

  it('reports the other clusters when one cannot deliver its findings, then fails the invocation', async () => {
    // Prepare: one finding of legacy-al2 is refused for good.
    h = await startHarness({ config: { clustersPerInvocation: 20 } });
    const id = `${h.fleet.region}/${h.fleet.accountId}/legacy-al2/${SAMPLE_IDS.failingByFlag}/${controls[0]?.id}`;
    h.emulator.faults.failFindings([id], { errorCode: 'InvalidInput', message: 'bad' });
    // Act
    const error = await h.scan(SCHEDULED).catch((e: unknown) => e);
    // Assess: the error names the cluster; every other finding is delivered and every cluster reported.
    expect(error).toBeInstanceOf(ClusterScansFailedError);
    expect((error as ClusterScansFailedError).clusters).toEqual(['legacy-al2']);
    expect(active(h.emulator)).toHaveLength(runningNodes(h.fleet).length * controls.length - 1);
    expect(published('Scan Completed')).toHaveLength(3);
  });

  it('fans out more clusters in events of that many, each scanned side by side by its invocation', async () => {
    // Prepare: 13 clusters, 5 an invocation.
    h = await startHarness({
      fleet: syntheticFleet({ nodes: 130, clusters: 13, seed: 7 }),
      config: { clustersPerInvocation: 5 },
    });
    // Act
    const [first, ...rest] = await h.scanAll(SCHEDULED);
    // Assess: 3 events (5 + 5 + 3 clusters), each invocation told it is one of 3.
    expect((first as FanOutSummary).eventsPut).toBe(3);
    const requested = published('Scan Work');
    expect(requested.map((e) => (e.detail.clusters as string[]).length).sort()).toEqual([3, 5, 5]);
    expect(requested.every((e) => e.detail.concurrentScans === 3)).toBe(true);
    const scanned = (rest as FanOutSummary[]).flatMap((s) => s.clusterScans.map((c) => c.cluster));
    expect(scanned).toHaveLength(13);
    expect(new Set(scanned).size).toBe(13);
    expect(active(h.emulator)).toHaveLength(runningNodes(h.fleet).length * controls.length);
  });

  it('discovers small clusters together, and the rest at most five clusters at a time', async () => {
    // Prepare: 13 clusters, 1,300 nodes in one invocation; each DescribeInstances call takes 30 ms.
    // Every node carries kubernetes.io/cluster/<name>, so that grouped query holds more than a page.
    const discovery: { start: number; end: number; clusters: string[]; key: string }[] = [];
    h = await startHarness({
      fleet: syntheticFleet({ nodes: 1_300, clusters: 13, seed: 7 }),
      config: { clustersPerInvocation: 20 },
      latency: { '*': fixed(0), 'ec2:DescribeInstances': fixed(30) },
      onCall: (call) => {
        if (call.key !== 'ec2:DescribeInstances') return;
        // Discovery's queries name clusters in a tag filter; the later look-ups by id do not.
        const filters = [...call.query].filter(([k]) => /^Filter\.\d+\.(Name|Value\.\d+)$/.test(k));
        const clusters = filters
          .map(([, v]) => v.replace('kubernetes.io/cluster/', ''))
          .filter((v) => h?.fleet.clusters.has(v));
        const key = filters.find(([, v]) => v.startsWith('tag'))?.[1] ?? '';
        if (clusters.length > 0) discovery.push({ start: call.startMs, end: call.endMs, clusters, key });
      },
    });
    const tagged = (key: string) =>
      runningNodes(h.fleet).filter((n) => Object.keys(n.tags).some((k) => k.startsWith(key)));
    // Act
    await h.scanAll(SCHEDULED);
    // Assess: one query per tag names all 13 clusters; where its page held every match (fewer than
    // 1,000), no cluster asks again; the tag-key query did not fit, so each cluster runs its own,
    // never more than five clusters at once.
    const grouped = discovery.filter((d) => d.clusters.length === 13);
    expect(grouped.map((d) => d.key).sort()).toEqual([
      'tag-key',
      'tag:eks:cluster-name',
      'tag:eks:eks-cluster-name',
    ]);
    expect(tagged('kubernetes.io/cluster/').length).toBeGreaterThan(1_000);
    expect(tagged('eks:cluster-name').length).toBeLessThanOrEqual(1_000);
    const own = discovery.filter((d) => d.clusters.length === 1);
    expect(new Set(own.map((d) => d.key))).toEqual(new Set(['tag-key']));
    expect(new Set(own.map((d) => d.clusters[0])).size).toBe(13);
    const mostAtOnce = Math.max(
      ...own.map(
        (d) =>
          new Set(own.filter((o) => o.start <= d.start && o.end > d.start).map((o) => o.clusters[0])).size,
      ),
    );
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(5);
  });

  it('asks no grouped query once the clusters last held more nodes than a page, and keeps them for small fleets', async () => {
    // Prepare: 13 clusters of 1,300 nodes, and the 3-cluster sample fleet; every DescribeInstances
    // call that names clusters in a tag filter is recorded with the number it names.
    const named: number[] = [];
    const onCall = (call: { key: string; query: URLSearchParams }) => {
      if (call.key !== 'ec2:DescribeInstances') return;
      const values = [...call.query].filter(([k]) => /^Filter\.\d+\.Value\.\d+$/.test(k));
      const clusters = values.filter(([, v]) =>
        h?.fleet.clusters.has(v.replace('kubernetes.io/cluster/', '')),
      );
      if (clusters.length > 0) named.push(clusters.length);
    };
    h = await startHarness({
      fleet: syntheticFleet({ nodes: 1_300, clusters: 13, seed: 7 }),
      config: { clustersPerInvocation: 20 },
      onCall,
    });
    // Act: a first scan (no count recorded yet), then a second one.
    await h.scanAll(SCHEDULED);
    const first = named.splice(0);
    await h.scanAll(SCHEDULED);
    const second = named.splice(0);
    // Assess: the first scan asked the three grouped queries; the second, knowing 1,300 nodes, none:
    // each cluster asked its own three, and every node was still answered.
    expect(first.filter((n) => n === 13)).toHaveLength(3);
    expect(second.filter((n) => n > 1)).toEqual([]);
    expect(second).toHaveLength(13 * 3);
    expect(active(h.emulator)).toHaveLength(runningNodes(h.fleet).length * controls.length);
    await h.stop();

    // A small fleet (the sample's 3 clusters) keeps its grouped queries scan after scan.
    h = await startHarness({ config: { clustersPerInvocation: 20 }, onCall });
    await h.scanAll(SCHEDULED);
    named.splice(0);
    await h.scanAll(SCHEDULED);
    expect(named.filter((n) => n === 3)).toHaveLength(3);
  });

  it('discovers the clusters while the offline listing pages in, and sends once it is in', async () => {
    // Prepare: the sample fleet's 3 clusters side by side; each DescribeInstanceInformation page of the
    // account's offline listing takes 400 ms, every other call none.
    const calls: { key: string; start: number; end: number; listing: boolean }[] = [];
    h = await startHarness({
      config: { clustersPerInvocation: 20 },
      latency: { '*': fixed(0), 'ssm:DescribeInstanceInformation': fixed(400) },
      onCall: (call) => {
        const filters = (call.json.Filters ?? []) as { Key?: string }[];
        const listing = filters.some((f) => f.Key === 'PingStatus');
        calls.push({ key: call.key, start: call.startMs, end: call.endMs, listing });
      },
    });
    // Act
    await h.scanAll(SCHEDULED);
    // Assess: every cluster was described and its nodes queried before the listing ended; no command
    // went out before it (a node offline in SSM is never sent to).
    const listingEnd = Math.max(...calls.filter((c) => c.listing).map((c) => c.end));
    const starts = (key: string) => calls.filter((c) => c.key === key).map((c) => c.start);
    expect(starts('eks:DescribeCluster')).toHaveLength(3);
    expect(Math.max(...starts('eks:DescribeCluster'))).toBeLessThan(listingEnd);
    expect(Math.min(...starts('ec2:DescribeInstances'))).toBeLessThan(listingEnd);
    expect(starts('ssm:SendCommand').length).toBeGreaterThan(0);
    expect(Math.min(...starts('ssm:SendCommand'))).toBeGreaterThanOrEqual(listingEnd);
  });

  it('holds a cluster back until the nodes in flight fit the node budget', async () => {
    // Prepare: 3 clusters of 40 nodes, room for 50 nodes in flight: one cluster at a time.
    h = await startHarness({
      fleet: syntheticFleet({ nodes: 120, clusters: 3, seed: 11 }),
      config: { clustersPerInvocation: 20, nodesInFlight: 50 },
    });
    // Act
    const [first] = await h.scanAll(SCHEDULED);
    // Assess: every node answered, and no two cluster scans collected at the same time.
    const scans = (first as FanOutSummary).clusterScans;
    expect(scans).toHaveLength(3);
    expect(active(h.emulator)).toHaveLength(runningNodes(h.fleet).length * controls.length);
    const sends = h.emulator.ssm.commands.commands.map((c) => ({
      cluster: h.fleet.get(c.invocations[0]?.instanceId ?? '')?.cluster,
      at: c.requestedMs,
    }));
    const spans = scans.map((s) => ({
      cluster: s.cluster,
      from: Math.min(...sends.filter((x) => x.cluster === s.cluster).map((x) => x.at)),
      to: Date.parse(s.finishedAt),
    }));
    spans.sort((a, b) => a.from - b.from);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]?.from ?? 0).toBeGreaterThanOrEqual(spans[i - 1]?.to ?? 0);
    }
  });
});
