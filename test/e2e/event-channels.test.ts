/**
 * The public and internal channels and the flood rule, end to end: the real scanner and SDK clients
 * against the emulator (EventBridge buses with the internal bus's policy and the internal rule's
 * input transformer, DynamoDB in dynalite), the real collector on simulated nodes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RejectedSummary } from '../../functions/scanner/rejection.ts';
import {
  type ClusterScanSummary,
  clusterScansIn,
  type ScanSummary,
  type SkippedSummary,
} from '../../functions/scanner/summary.ts';
import { FAKE_CREDENTIALS, INTERNAL_BUS } from '../sim/emulator/index.ts';
import { active, byInstance, controlOf, expectedStatus, runningNodes, statusOf } from './expectations.ts';
import { type Harness, scanRequested, startHarness } from './harness.ts';

let h: Harness;
let metric: ReturnType<typeof vi.spyOn>;
let warn: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  metric = vi.spyOn(Metrics.prototype, 'addMetric');
  warn = vi.spyOn(Logger.prototype, 'warn');
});
afterEach(async () => {
  metric.mockRestore();
  warn.mockRestore();
  await h?.stop();
});

const MINUTE = 60_000;
const metricSum = (name: string) =>
  (metric.mock.calls as unknown[][])
    .filter(([n]) => n === name)
    .reduce((a: number, [, , v]) => a + Number(v), 0);

/** A client with other credentials than the scanner's: a user or role of the same account. */
function client(accessKeyId: string = FAKE_CREDENTIALS.accessKeyId) {
  return new EventBridgeClient({
    endpoint: h.emulator.endpoint,
    region: h.fleet.region,
    credentials: { accessKeyId, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

function entry(detail: Record<string, unknown>, bus = 'default', detailType = 'Scan Requested') {
  return {
    Source: 'eks-kubelet-audit',
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    EventBusName: bus,
  };
}

async function putAndWait(entries: ReturnType<typeof entry>[], accessKeyId?: string): Promise<ScanSummary[]> {
  const eb = client(accessKeyId);
  for (let i = 0; i < entries.length; i += 10) {
    await eb.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
  }
  eb.destroy();
  await h.emulator.events.idle();
  return h.delivered.splice(0);
}

const kinds = (summaries: ScanSummary[]) => summaries.map((s) => s.kind).sort();

describe('the public Scan Requested event is scope only', () => {
  it('a forged offline listing or pacing share is rejected, counted, and changes no finding', async () => {
    // Prepare: every running node of prod-eu named offline since 1970, and a crawl of a pace.
    h = await startHarness({ config: { minScanIntervalMs: 0 } });
    const nodes = runningNodes(h.fleet, 'prod-eu');
    const forgedOffline = {
      listedAt: new Date(h.emulator.clock.now()).toISOString(),
      byPingStatus: { ConnectionLost: nodes.map((n) => [n.instanceId, 0]) },
    };
    // Act
    const forged = await putAndWait([
      entry({ clusters: ['prod-eu'], offline: forgedOffline }),
      entry({ clusters: ['prod-eu'], concurrentScans: 1000 }),
    ]);
    // Assess: both answered (no retry), each naming its field; nothing was sent to a node.
    expect(forged).toHaveLength(2);
    expect(forged.map((s) => (s as RejectedSummary).forgedFields).sort()).toEqual([
      ['detail.concurrentScans'],
      ['detail.offline'],
    ]);
    expect(h.emulator.calls['ssm:SendCommand'] ?? 0).toBe(0);
    expect(metricSum('ForgedInternalFields')).toBe(2);
    expect(warn).toHaveBeenCalledWith(
      'Event rejected: internal fields on the public bus',
      expect.objectContaining({ forgedFields: ['detail.offline'] }),
    );
    // Act: the same scope without the forged fields.
    const clean = await putAndWait([entry({ clusters: ['prod-eu'] })]);
    // Assess: every node judged on its own evidence, none "offline since 1970".
    expect(kinds(clean)).toEqual(['cluster-scan']);
    const findings = byInstance(active(h.emulator));
    for (const node of nodes) {
      for (const f of findings.get(node.instanceId) ?? []) {
        expect(statusOf(f)).toBe(expectedStatus(node, controlOf(f)));
        expect(JSON.stringify(f)).not.toContain('1970-01-01');
      }
    }
  });

  it('the internal bus refuses another principal, and its events never reach the function', async () => {
    h = await startHarness();
    const detail = { clusters: ['prod-eu'], scanId: 'x', trigger: 'on-demand', concurrentScans: 1 };
    // Act / Assess: an admin of the account (other credentials) is refused by the bus policy.
    const other = client('AKIDSOMEONEELSE');
    await expect(
      other.send(new PutEventsCommand({ Entries: [entry(detail, INTERNAL_BUS, 'Scan Work')] })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    other.destroy();
    await h.emulator.events.idle();
    expect(h.emulator.events.published).toEqual([]);
    expect(h.delivered).toEqual([]);
    // A work item put on the public bus is not a work item there: no rule of the default bus takes it.
    const onPublic = await putAndWait([entry(detail, 'default', 'Scan Work')]);
    expect(onPublic).toEqual([]);
  });
});

describe('floods are cheap', () => {
  it('50 identical Scan Requested events in a minute start one scan per cluster', async () => {
    h = await startHarness({ config: { minScanIntervalMs: 10 * MINUTE } });
    // Act: 50 events, put within the same minute.
    const summaries = await putAndWait(Array.from({ length: 50 }, () => entry({ reason: 'flood' })));
    // Assess: each cluster scanned once; everything else was held back, logged and counted.
    const scans = clusterScansIn(summaries);
    expect(scans.map((s) => s.cluster).sort()).toEqual(['auto', 'legacy-al2', 'prod-eu']);
    const nodes = h.fleet.order.filter((n) => n.ssm === 'online' && n.state === 'running');
    expect(h.emulator.calls['ssm:SendCommand']).toBeLessThanOrEqual(3 * Math.ceil(nodes.length / 50) + 3);
    const skipped = summaries.filter((s): s is SkippedSummary => s.kind === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(metricSum('ScansSkipped')).toBeGreaterThanOrEqual(skipped.length);
    expect(warn).toHaveBeenCalledWith(
      'Scan not started: already running or scanned within the minimum interval',
      expect.anything(),
    );
    expect(h.deliveryErrors).toEqual([]);
  });

  it('two scans of one cluster side by side: one runs, the other backs off', async () => {
    h = await startHarness({ config: { minScanIntervalMs: 0 } });
    // Act
    const both = await Promise.all([
      h.scan(scanRequested({ clusters: ['prod-eu'] })),
      h.scan(scanRequested({ clusters: ['prod-eu'] })),
    ]);
    // Assess
    expect(kinds(both)).toEqual(['cluster-scan', 'skipped']);
    const skipped = both.find((s): s is SkippedSummary => s.kind === 'skipped');
    expect(skipped?.skipped).toEqual([{ cluster: 'prod-eu', reason: 'running' }]);
    // With the interval 0 the next one runs as soon as the first has finished.
    expect((await h.scan(scanRequested({ clusters: ['prod-eu'] }))).kind).toBe('cluster-scan');
  });

  it('Rescan node: skipped 2 minutes after its cluster was scanned, run after 11, then not again', async () => {
    h = await startHarness({ config: { minScanIntervalMs: 10 * MINUTE } });
    const node = runningNodes(h.fleet, 'prod-eu').find((n) => n.ssm === 'online')!;
    const rescan = scanRequested({ instanceIds: [node.instanceId] });
    expect((await h.scan(scanRequested({ clusters: ['prod-eu'] }))).kind).toBe('cluster-scan');
    // Act / Assess: 2 minutes later.
    h.emulator.clock.advance(2 * MINUTE);
    const early = (await h.scan(rescan)) as SkippedSummary;
    expect(early).toMatchObject({
      kind: 'skipped',
      skipped: [{ cluster: 'prod-eu', reason: 'recently-scanned', instanceIds: [node.instanceId] }],
    });
    // 11 minutes after the cluster scan: the node is scanned, alone.
    h.emulator.clock.advance(9 * MINUTE);
    const sends = h.emulator.calls['ssm:SendCommand'] ?? 0;
    const late = (await h.scan(rescan)) as ClusterScanSummary;
    expect(late.kind).toBe('cluster-scan');
    expect(late.nodes.inScope).toBe(1);
    expect((h.emulator.calls['ssm:SendCommand'] ?? 0) - sends).toBe(1);
    // The node's own scan time now holds it back, though its cluster's was long ago.
    h.emulator.clock.advance(2 * MINUTE);
    expect((await h.scan(rescan)).kind).toBe('skipped');
  });
});
