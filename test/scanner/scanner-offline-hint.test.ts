/**
 * The offline listing handed from the fan-out to the cluster scans, end to end: the real scanner and
 * SDK against the emulator, Scan Requested events delivered back to the scanner as the stack's rule
 * does. One listing per scheduled scan; the cluster scans answer offline nodes exactly as when they
 * list them themselves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OFFLINE_PING_STATUSES } from '../../functions/aws/reachability.ts';
import type { ClusterScanSummary, FanOutSummary, ScanSummary } from '../../functions/scanner/summary.ts';
import { active, instanceOf } from '../e2e/expectations.ts';
import { type Harness, SCHEDULED, scanRequested, startHarness, workItem } from '../e2e/harness.ts';
import { Fleet, type SimNodeInput } from '../sim/fleet.ts';

/** The offline listing: one paged call per PingStatus (SSM takes one value a filter). */
const LISTING_CALLS = OFFLINE_PING_STATUSES.length;

let h: Harness;
afterEach(() => h?.stop());

const NODES_PER_CLUSTER = 30;
/** In each cluster, node 7 has lost its SSM connection. */
const OFFLINE_INDEX = 7;

function twoClusters(): Fleet {
  const nodes: SimNodeInput[] = [];
  for (const cluster of ['east', 'west']) {
    for (let i = 0; i < NODES_PER_CLUSTER; i++) {
      nodes.push({
        cluster,
        provisioner: 'managed-node-group',
        group: 'general',
        os: 'al2023',
        ...(i === OFFLINE_INDEX ? { ssm: 'connection-lost' as const } : {}),
      });
    }
  }
  return new Fleet({ clusters: [{ name: 'east' }, { name: 'west' }], nodes });
}

function offlineIds(): string[] {
  return h.fleet.order.filter((n) => n.ssm === 'connection-lost').map((n) => n.instanceId);
}

/** status-reason and reason-code of the offline node's finding (one control: one finding). */
function reasonOf(instanceId: string): { code: string; reason: string } {
  const finding = active(h.emulator).find((f) => instanceOf(f) === instanceId);
  const fields = (finding?.ProductFields ?? {}) as Record<string, string>;
  return {
    code: fields['eks-kubelet-audit/reason-code'] ?? '',
    reason: fields['eks-kubelet-audit/status-reason'] ?? '',
  };
}

const clusterScans = (all: ScanSummary[]) =>
  all.filter((s): s is ClusterScanSummary => s.kind === 'cluster-scan');

/** The work item details the fan-out put. */
function fannedOutDetails(): Record<string, unknown>[] {
  return h.emulator.events.published
    .filter((e) => e['detail-type'] === 'Scan Work')
    .map((e) => e.detail as Record<string, unknown>);
}

describe('offline instances listed once per fan-out', () => {
  it('one listing for the whole scan; each cluster scan answers its offline node as if it had listed', async () => {
    // Prepare
    h = await startHarness({ fleet: twoClusters() });
    const [eastOffline, westOffline] = offlineIds();
    // Act: a scheduled scan fans out to both clusters.
    const all = await h.scanAll(SCHEDULED);
    const hinted = { east: reasonOf(eastOffline!), west: reasonOf(westOffline!) };
    // Assess: the fan-out made the only DescribeInstanceInformation calls (one listing per PingStatus).
    const fanOut = all[0] as FanOutSummary;
    expect(fanOut.kind).toBe('fan-out');
    expect(fanOut.apiCalls.DescribeInstanceInformation).toBe(LISTING_CALLS);
    const scans = clusterScans(all);
    expect(scans.map((s) => s.cluster).sort()).toEqual(['east', 'west']);
    for (const s of scans) {
      expect(s.apiCalls.DescribeInstanceInformation ?? 0).toBe(0);
      expect(s.nodes.notAssessedByCode).toEqual({ SSM_OFFLINE: 1 });
      expect(s.nodes.sentCommand).toBe(NODES_PER_CLUSTER - 1);
    }
    // Each event carried both offline instances of the account.
    const details = fannedOutDetails();
    expect(details).toHaveLength(2);
    for (const d of details) {
      const offline = d.offline as { byPingStatus: { ConnectionLost?: [string, number | null][] } };
      expect(offline.byPingStatus.ConnectionLost?.map(([id]) => id).sort()).toEqual(
        [eastOffline, westOffline].sort(),
      );
    }
    expect(hinted.east.code).toBe('SSM_OFFLINE');
    expect(hinted.east.reason).toMatch(/^SSM agent offline \(ConnectionLost\) since \d{4}-\d\d-\d\dT/);

    // Act again: the same clusters scanned on demand, each listing offline instances itself.
    const east = (await h.scan(scanRequested({ clusters: ['east'] }))) as ClusterScanSummary;
    const west = (await h.scan(scanRequested({ clusters: ['west'] }))) as ClusterScanSummary;
    // Assess: a listing each, and the very same code and reason text.
    expect(east.apiCalls.DescribeInstanceInformation).toBe(LISTING_CALLS);
    expect(west.apiCalls.DescribeInstanceInformation).toBe(LISTING_CALLS);
    expect({ east: reasonOf(eastOffline!), west: reasonOf(westOffline!) }).toEqual(hinted);
  });

  it('a full scan that finds one cluster scans it in place with the fan-out listing: one listing', async () => {
    // Prepare: only "east" is allowed, so the scheduled scan finds one cluster and does not fan out.
    h = await startHarness({ fleet: twoClusters(), config: { clusterAllowList: ['east'] } });
    // Act
    const summary = (await h.scan(SCHEDULED)) as ClusterScanSummary;
    // Assess
    expect(summary.kind).toBe('cluster-scan');
    expect(summary.apiCalls.DescribeInstanceInformation).toBe(LISTING_CALLS);
    expect(summary.nodes.notAssessedByCode).toEqual({ SSM_OFFLINE: 1 });
    expect(fannedOutDetails()).toEqual([]);
  });

  it('when the fan-out cannot list (throttled past its retries), each cluster scan lists for itself', async () => {
    // Prepare: the fan-out's attempts (two listings side by side, two attempts each) are throttled;
    // later calls succeed.
    h = await startHarness({ fleet: twoClusters(), maxAttempts: 2 });
    h.emulator.faults.throttle('ssm:DescribeInstanceInformation', 2 * LISTING_CALLS);
    // Act
    const all = await h.scanAll(SCHEDULED);
    // Assess: the events went out without the listing, and every node still got its answer.
    expect(h.emulator.faults.fired['throttle:ssm:DescribeInstanceInformation']).toBe(2 * LISTING_CALLS);
    expect(h.deliveryErrors).toEqual([]);
    const details = fannedOutDetails();
    expect(details).toHaveLength(2);
    for (const d of details) expect(d).not.toHaveProperty('offline');
    for (const s of clusterScans(all)) {
      expect(s.apiCalls.DescribeInstanceInformation).toBe(LISTING_CALLS);
      expect(s.nodes.notAssessedByCode).toEqual({ SSM_OFFLINE: 1 });
      expect(s.nodes.byStatus.PASSED + s.nodes.byStatus.NOT_AVAILABLE).toBe(NODES_PER_CLUSTER);
    }
  });

  it('a listing older than a quarter of an hour is not trusted: the scan lists again', async () => {
    // Prepare: an event whose listing names the real offline node and, wrongly, an online one. No
    // stale verdicts (staleAfterHours 0): a node listed offline is reported NOT_AVAILABLE at once.
    h = await startHarness({ fleet: twoClusters(), config: { staleAfterMs: 0 } });
    const online = h.fleet.order.find((n) => n.cluster === 'east' && n.ssm === 'online')!.instanceId;
    const [eastOffline] = offlineIds();
    const stale = new Date(h.emulator.clock.now() - 16 * 60_000).toISOString();
    const fresh = new Date(h.emulator.clock.now()).toISOString();
    const event = (listedAt: string) =>
      workItem({
        clusters: ['east'],
        offline: {
          listedAt,
          byPingStatus: {
            ConnectionLost: [
              [online, 1_764_000_000_000],
              [eastOffline, 1_764_000_000_000],
            ],
          },
        },
      });
    // Act: listed 16 minutes ago.
    const old = (await h.scan(event(stale))) as ClusterScanSummary;
    // Assess: listed again, so the online node was assessed and the real offline one was not.
    expect(old.apiCalls.DescribeInstanceInformation).toBe(LISTING_CALLS);
    expect(old.nodes.notAssessedByCode).toEqual({ SSM_OFFLINE: 1 });
    expect(reasonOf(online).code).not.toBe('SSM_OFFLINE');
    // Act / Assess: the same listing when fresh is taken as it is: no call, both answered from it.
    const taken = (await h.scan(event(fresh))) as ClusterScanSummary;
    expect(taken.apiCalls.DescribeInstanceInformation ?? 0).toBe(0);
    expect(taken.nodes.notAssessedByCode).toEqual({ SSM_OFFLINE: 2 });
    expect(reasonOf(online)).toEqual({
      code: 'SSM_OFFLINE',
      reason: 'SSM agent offline (ConnectionLost) since 2025-11-24T16:00:00.000Z',
    });
  });
});
