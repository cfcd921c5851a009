/**
 * A command line the collector had to cut: a flag in the cut part would override every file and
 * earlier flag, so no control may give PASSED or FAILED on it, nor claim drift between the process
 * and its unit files. The reason says the line was cut and what the collected part says.
 */
import { describe, expect, it } from 'vitest';
import { isFileControl } from '../../functions/controls/control.ts';
import { controls } from '../../functions/controls/index.ts';
import { makeIptablesUtilChains } from '../../functions/controls/make-iptables-util-chains.ts';
import { rotateCertificates } from '../../functions/controls/rotate-certificates.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { buildEvidence, dropIn, kcJson, textFile } from '../kubelet/evidence-builder.ts';
import { AL2_ARGS, AL2_UNIT } from '../kubelet/unit-fixtures.ts';
import { config, DIR, runOn } from './setting-node.ts';

const K = '/usr/bin/kubelet';
const AL2_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
/** What AL2_UNIT with AL2_ARGS starts: the running process matches its unit files. */
const RUNNING = [
  K,
  '--config',
  AL2_CONFIG,
  '--kubeconfig',
  '/var/lib/kubelet/kubeconfig',
  '--container-runtime-endpoint',
  'unix:///run/containerd/containerd.sock',
  '--node-ip=10.0.0.1',
  '--pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5',
  '--v=2',
];
const unit = textFile('/etc/systemd/system/kubelet.service', AL2_UNIT, ['unit']);
const args = textFile('/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf', AL2_ARGS, [
  'unit-dropin',
]);
/** Someone edited the extra args without restarting the kubelet: every control's flag differs on disk. */
const editedExtraArgs = textFile(
  '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
  "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--make-iptables-util-chains=false --anonymous-auth=true --event-qps=3 --rotate-certificates=false --feature-gates=RotateKubeletServerCertificate=false'\n",
  ['unit-dropin'],
);
const al2Config = textFile(
  AL2_CONFIG,
  kcJson({
    authentication: { anonymous: { enabled: false } },
    makeIPTablesUtilChains: true,
    featureGates: { RotateKubeletServerCertificate: true },
    serverTLSBootstrap: true,
  }),
);

/** Flags the running process shows, each the opposite of what the edited unit files would give. */
const SHOWN = [
  '--make-iptables-util-chains=true',
  '--anonymous-auth=false',
  '--event-qps=50',
  '--rotate-certificates=true',
  '--feature-gates=RotateKubeletServerCertificate=true',
];

function node(argvCut: boolean) {
  return buildEvidence({
    argv: [...RUNNING, ...SHOWN],
    kubelet: argvCut ? { argvCut: true } : {},
    files: [al2Config, unit, args, editedExtraArgs],
  });
}

describe.each(controls.map((c) => [c.id, c] as const))('%s on a cut command line', (_id, control) => {
  it('is WARNING, says the line was cut, and claims no value and no drift', () => {
    const r = runControl(control, { evidence: node(true) });
    expect(r.status).toBe('WARNING');
    // A file control names the flags a cut may have hidden; a setting control how much was kept.
    expect(r.reason).toContain(
      isFileControl(control)
        ? 'the collector cut the command line'
        : 'cut the command line after its first 15 arguments',
    );
    expect(r.evidence.problem).toBe('argv-cut');
    expect(r.effectiveValue).toBeUndefined();
    expect(r.decidedBy).toBeUndefined();
    expect(r.drift).toBeUndefined();
    expect(r.evidence.drift).toBeUndefined();
    expect(r.reason).not.toContain('Drift:');
    expect(r.reason).not.toContain('running process has');
  });

  it('the drift the complete line shows is not claimed from the cut line', () => {
    const whole = runControl(control, { evidence: node(false) });
    const cut = runControl(control, { evidence: node(true) });
    // Only the controls whose deciding flag the edited unit files change can show drift uncut.
    const primary = Object.values(control.settings ?? {})[0];
    if (primary !== undefined && SHOWN.some((f) => f.startsWith(`--${primary.flag}=`))) {
      expect(whole.drift).toContain('the running process has');
    }
    expect(cut.drift).toBeUndefined();
  });

  it('the same node with its whole command line is judged (PASSED, FAILED, or WARNING for another reason)', () => {
    const r = runControl(control, { evidence: node(false) });
    expect(r.evidence.problem).not.toBe('argv-cut');
    expect(r.reason).not.toContain('cut the command line');
  });
});

// A file control says which files the cut may hide (its own tests pin that wording).
const settingControls = controls.filter((c) => !isFileControl(c));
describe.each(settingControls.map((c) => [c.id, c] as const))('%s on a cut command line', (_id, control) => {
  it('says what the collected part reads', () => {
    const r = runControl(control, { evidence: node(true) });
    expect(r.reason).toMatch(/What was collected (alone would be (PASSED|FAILED)|cannot be judged either): /);
    expect(r.evidence.collectedStatus).toMatch(/^(PASSED|FAILED|WARNING)$/);
  });
});

describe('a cut command line: what the collected part says', () => {
  it('drift that the complete line shows is not claimed once the line is cut', () => {
    const whole = runControl(makeIptablesUtilChains, { evidence: node(false) });
    expect(whole.status).toBe('PASSED');
    expect(whole.drift).toContain('makeIPTablesUtilChains=false');
    expect(whole.drift).toContain('the running process has true');
    const cut = runControl(makeIptablesUtilChains, { evidence: node(true) });
    expect(cut.drift).toBeUndefined();
    expect(cut.reason).toContain('What was collected alone would be PASSED');
  });

  it('a collected flag that would decide: WARNING, and the reason gives the verdict it alone would give', () => {
    const evidence = buildEvidence({
      argv: [...RUNNING, '--make-iptables-util-chains=false'],
      kubelet: { argvCut: true },
      files: [al2Config],
    });
    const r = runControl(makeIptablesUtilChains, { evidence });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(
      'What was collected alone would be FAILED: The kubelet does NOT manage iptables utility chains: --make-iptables-util-chains=false on the command line (argument 10)',
    );
    expect(r.evidence).toMatchObject({
      problem: 'argv-cut',
      collectedStatus: 'FAILED',
      collectedValue: 'false',
    });
  });

  it('a collected part that reads differently by version (unknown) says so', () => {
    const r = runOn(rotateCertificates, {
      argvCut: true,
      config: config({ rotateCertificates: false }),
      dropIns: [dropIn(`${DIR}/50.conf`, kcJson({ rotateCertificates: null }))],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(
      "What was collected cannot be judged either: it reads FAILED up to 1.31 and PASSED from 1.32, and the kubelet's version is unknown.",
    );
  });

  it('a collected part the kubelet would refuse says why', () => {
    const r = runOn(rotateCertificates, { argvCut: true, argv: ['--rotate-certificates', 'false'] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('What was collected cannot be judged either: A kubelet is running');
    expect(r.evidence.collectedStatus).toBe('WARNING');
  });
});
