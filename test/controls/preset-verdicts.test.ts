/**
 * Every host-visible node preset, collected by the real collect.sh and evaluated by the whole
 * catalog: each control gives the status test/e2e/expectations.ts predicts for it (FAILED exactly on
 * the presets listed for the control), so the expectations the end-to-end tests rely on hold for the
 * presets the sample fleet does not carry too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { controls, evaluateEvidence } from '../../functions/controls/index.ts';
import { cleanupRoots, collect, evidenceOf } from '../collector/run-collector.ts';
import { expectedStatus } from '../e2e/expectations.ts';
import { Fleet } from '../sim/fleet.ts';
import { type NodePresetName, nodePresets } from '../sim/node-tree.ts';

afterAll(cleanupRoots);

/** Presets a fleet node can carry and whose kubelet is judged (no-kubelet has none to judge). */
const PRESETS: readonly NodePresetName[] = [
  'al2',
  'al2-flag-false',
  'al2023',
  'al2023-flag-false',
  'al2023-dropin-false',
  'legacy-defaults',
  'al2023-dropin-read-only-port',
  'al2023-flag-streaming-zero',
  'kubeadm',
  'bottlerocket-control-container',
];

const fleet = new Fleet({ clusters: [{ name: 'presets' }], nodes: [] });

describe.each(PRESETS)('preset %s', (preset) => {
  it('each control gives the expected status', () => {
    // Prepare
    const node = fleet.addNode({
      cluster: 'presets',
      provisioner: 'managed-node-group',
      os: preset.startsWith('bottlerocket') ? 'bottlerocket' : 'al2023',
      tree: { preset },
    });
    const evidence = evidenceOf(collect(nodePresets[preset]()));

    // Act
    const results = evaluateEvidence(evidence);

    // Assess
    expect(results.map((r) => r.controlId)).toEqual(controls.map((c) => c.id));
    const got = results.map((r) => `${r.controlId} ${r.status}`);
    const want = results.map((r) => `${r.controlId} ${expectedStatus(node, r.controlId)}`);
    expect(got, results.map((r) => r.reason).join('\n')).toEqual(want);
  });
});

describe('what decides the new presets', () => {
  const results = (preset: NodePresetName) =>
    new Map(evaluateEvidence(evidenceOf(collect(nodePresets[preset]()))).map((r) => [r.controlId, r]));

  it('legacy-defaults: the drop-ins merge onto the legacy flag defaults; its client CA comes from the drop-in', () => {
    const r = results('legacy-defaults');
    for (const id of ['kubelet-anonymous-auth', 'kubelet-authorization-mode', 'kubelet-read-only-port']) {
      expect(r.get(id)).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'default' } });
      expect(r.get(id)!.reason).toContain('runs without --config (applyLegacyDefaults)');
    }
    expect(r.get('kubelet-read-only-port')!.effectiveValue).toBe(10255);
    expect(r.get('kubelet-client-ca-file')).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'drop-in', path: '/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf' },
      evidence: { clientCAFilePath: '/etc/kubernetes/pki/ca.crt', clientCAFileState: 'exists' },
    });
  });

  it('al2023-dropin-read-only-port: the extra drop-in overrides config.json', () => {
    const r = results('al2023-dropin-read-only-port').get('kubelet-read-only-port')!;
    expect(r).toMatchObject({
      status: 'FAILED',
      effectiveValue: 10255,
      decidedBy: { kind: 'drop-in', path: '/etc/kubernetes/kubelet/config.json.d/50-read-only-port.conf' },
    });
    expect(r.reason).toContain('overrides readOnlyPort: 0 in /etc/kubernetes/kubelet/config.json');
  });

  it('al2023-flag-streaming-zero: the flag zero sticks', () => {
    expect(
      results('al2023-flag-streaming-zero').get('kubelet-streaming-connection-idle-timeout'),
    ).toMatchObject({
      status: 'FAILED',
      effectiveValue: '0s',
      decidedBy: { kind: 'flag', arg: '--streaming-connection-idle-timeout=0' },
    });
  });
});
