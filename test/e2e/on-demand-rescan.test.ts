/**
 * An on-demand rescan of 250 instance ids, end to end through the real scanner and SDK against the
 * emulator as strict as AWS: EC2 refuses more than 200 filter values a call and answers short pages,
 * SSM rejects an id list naming an unmanaged instance. Every id is answered, with the right reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterScansIn, type FanOutSummary, type ScanSummary } from '../../functions/scanner/summary.ts';
import type { CallRecord } from '../sim/emulator/index.ts';
import { Fleet, type SimNodeInput } from '../sim/fleet.ts';
import { active, instanceOf, statusOf } from './expectations.ts';
import { type Harness, scanRequested, startHarness } from './harness.ts';

const PER_CLUSTER = 130;
const FOREIGN = Array.from({ length: 5 }, (_, i) => `i-0fffffffffffff${String(i).padStart(3, '0')}`);

/** Every 20th node without SSM, every 25th offline (ConnectionLost), the rest online. */
function node(cluster: string, i: number): SimNodeInput {
  return {
    cluster,
    provisioner: 'managed-node-group',
    group: 'general',
    os: 'al2023',
    ...(i % 20 === 7
      ? { ssm: 'unmanaged' as const }
      : i % 25 === 3
        ? { ssm: 'connection-lost' as const }
        : {}),
  };
}

let h: Harness;
let summaries: ScanSummary[];
let requested: string[];
const calls: CallRecord[] = [];

beforeAll(async () => {
  const fleet = new Fleet({
    clusters: [{ name: 'a' }, { name: 'b' }],
    nodes: ['a', 'b'].flatMap((c) => Array.from({ length: PER_CLUSTER }, (_, i) => node(c, i))),
  });
  h = await startHarness({ fleet, onCall: (call) => calls.push(call) });
  // EC2 answers short pages with a token (while more remain): the scanner must follow them.
  h.emulator.faults.shortPages('ec2:DescribeInstances', 10);
  requested = [...fleet.order.slice(0, 250 - FOREIGN.length).map((n) => n.instanceId), ...FOREIGN];
  summaries = await h.scanAll(scanRequested({ instanceIds: requested }));
}, 120_000);
afterAll(() => h.stop());

describe('on-demand rescan of 250 instance ids', () => {
  it('succeeds: no scan failed, every DescribeInstances call within 200 filter values', () => {
    expect(requested).toHaveLength(250);
    expect(h.deliveryErrors).toEqual([]);
    const fanOut = summaries[0] as FanOutSummary;
    expect(fanOut.kind).toBe('fan-out');
    expect(fanOut.failedClusters).toEqual([]);
    expect([...fanOut.notANodeIds].sort()).toEqual([...FOREIGN].sort());
    const described = calls.filter((c) => c.key === 'ec2:DescribeInstances');
    for (const call of described) {
      const values = [...call.query.keys()].filter((k) => /^Filter\.\d+\.Value\.\d+$/.test(k)).length;
      expect(values).toBeLessThanOrEqual(200);
      expect(call.outcome).toBe('ok');
    }
    expect(h.emulator.faults.fired['shortPage:ec2:DescribeInstances']).toBeGreaterThan(0);
    for (const s of clusterScansIn(summaries)) expect(s.error).toBeUndefined();
  });

  it('answers every node with the right reason', () => {
    const findings = active(h.emulator);
    const nodes = requested.filter((id) => !FOREIGN.includes(id));
    const byInstance = new Map<string, { status: string; reason?: string }>();
    for (const f of findings) {
      const fields = f.ProductFields as Record<string, string>;
      byInstance.set(instanceOf(f), {
        status: statusOf(f),
        ...(fields['eks-kubelet-audit/reason-code']
          ? { reason: fields['eks-kubelet-audit/reason-code'] }
          : {}),
      });
    }
    for (const id of nodes) {
      const sim = h.fleet.get(id)!;
      const got = byInstance.get(id);
      expect(got, id).toBeDefined();
      if (sim.ssm === 'unmanaged')
        expect(got, id).toEqual({ status: 'NOT_AVAILABLE', reason: 'SSM_UNMANAGED' });
      else if (sim.ssm === 'connection-lost')
        expect(got, id).toEqual({ status: 'NOT_AVAILABLE', reason: 'SSM_OFFLINE' });
      else expect(got?.status, id).toBe('PASSED');
    }
    const scans = clusterScansIn(summaries);
    expect(scans.reduce((n, s) => n + s.nodes.inScope, 0)).toBe(nodes.length);
    const unmanaged = nodes.filter((id) => h.fleet.get(id)?.ssm === 'unmanaged').length;
    const offline = nodes.filter((id) => h.fleet.get(id)?.ssm === 'connection-lost').length;
    expect(unmanaged).toBeGreaterThan(5);
    expect(offline).toBeGreaterThan(5);
    const byCode = (code: string) => scans.reduce((n, s) => n + (s.nodes.notAssessedByCode[code] ?? 0), 0);
    expect(byCode('SSM_UNMANAGED')).toBe(unmanaged);
    expect(byCode('SSM_OFFLINE')).toBe(offline);
    // No command ever went to a node SSM does not manage, nor to an offline one.
    const sent = new Set(h.emulator.ssm.commands.commands.flatMap((c) => c.instanceIds));
    for (const id of nodes) if (h.fleet.get(id)?.ssm !== 'online') expect(sent.has(id), id).toBe(false);
  });
});
