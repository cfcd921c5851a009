/**
 * End to end on the emulator, through the real SDK clients and the real collector, for the nodes that
 * fail or cannot pass the event-rate and certificate-rotation controls: a nodeadm flag turning the
 * RotateKubeletServerCertificate gate off, rotateCertificates: false in an AL2 config file, and an
 * eventRecordQPS the kubelet refuses. Every finding of every control has the expected status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import { Fleet, type NodeTreeRef } from '../sim/fleet.ts';
import { active, byInstance, controlOf, expectedStatus, runningNodes, statusOf } from './expectations.ts';
import { type Harness, SCHEDULED, startHarness } from './harness.ts';

const TREES: readonly NodeTreeRef[] = [
  { preset: 'al2023-server-cert-gate-false' },
  { preset: 'al2-rotate-certificates-false' },
  { preset: 'al2023-event-qps-negative' },
  { preset: 'al2' },
  { preset: 'al2023' },
];

let h: Harness;

beforeAll(async () => {
  const fleet = new Fleet({
    clusters: [{ name: 'certs', version: '1.32' }],
    nodes: TREES.map((tree) => ({
      cluster: 'certs',
      provisioner: 'managed-node-group' as const,
      group: 'ng',
      os: tree.preset.startsWith('al2023') ? ('al2023' as const) : ('al2' as const),
      tree,
    })),
  });
  h = await startHarness({ fleet });
  await h.scanAll(SCHEDULED);
}, 120_000);
afterAll(() => h.stop());

const reasonOf = (f: { ProductFields?: unknown }) =>
  String((f.ProductFields as Record<string, string>)['eks-kubelet-audit/status-reason']);

describe('event-rate and certificate-rotation controls on simulated nodes', () => {
  it('every node has one finding per control with the expected status', () => {
    expect(h.deliveryErrors).toEqual([]);
    const findings = byInstance(active(h.emulator));
    const nodes = runningNodes(h.fleet);
    expect(nodes).toHaveLength(TREES.length);
    for (const node of nodes) {
      const mine = findings.get(node.instanceId) ?? [];
      expect(mine.map(controlOf).sort()).toEqual(controls.map((c) => c.id).sort());
      for (const f of mine) {
        expect(`${node.tree?.preset} ${controlOf(f)} ${statusOf(f)}`).toBe(
          `${node.tree?.preset} ${controlOf(f)} ${expectedStatus(node, controlOf(f))}`,
        );
      }
    }
  });

  it('each failing node says what decided it', () => {
    const findings = byInstance(active(h.emulator));
    const find = (preset: string, control: string) => {
      const node = runningNodes(h.fleet).find((n) => n.tree?.preset === preset)!;
      return (findings.get(node.instanceId) ?? []).find((f) => controlOf(f) === control)!;
    };
    const gate = find('al2023-server-cert-gate-false', 'kubelet-rotate-server-certificates');
    expect(reasonOf(gate)).toContain('--feature-gates=RotateKubeletServerCertificate=false');
    expect(reasonOf(gate)).toContain('serverTLSBootstrap is false (--rotate-server-certificates=false');
    const rotate = find('al2-rotate-certificates-false', 'kubelet-rotate-certificates');
    expect(reasonOf(rotate)).toContain(
      'rotateCertificates: false in /etc/kubernetes/kubelet/kubelet-config.json',
    );
    const qps = find('al2023-event-qps-negative', 'kubelet-event-qps');
    expect(reasonOf(qps)).toContain('eventRecordQPS (--event-qps) -1 must not be a negative number');
    const stock = find('al2', 'kubelet-event-qps');
    expect(reasonOf(stock)).toContain('up to 50 events per second');
  });
});
