/**
 * The cases run-control.ts answers before a control's evaluate runs (not applicable by the control's
 * own data, host not visible, no kubelet, kubelets that disagree) and the wording it adds to every
 * verdict (what decided the value, what it overrides, notes, drift), with a control made for the test
 * so each case is reached whatever the catalog holds.
 */
import { describe, expect, it } from 'vitest';
import { caseReason, notApplicableCase } from '../../functions/controls/applicability.ts';
import { ComplianceStatus, defineControl } from '../../functions/controls/control.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import {
  buildEvidence,
  type EvidenceSpec,
  kcJson,
  kubeletProcess,
  textFile,
} from '../kubelet/evidence-builder.ts';

const K = '/usr/bin/kubelet';
const CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
const KUBECONFIG = ['--kubeconfig', '/var/lib/kubelet/kubeconfig'];

const probe = defineControl({
  id: 'kubelet-probe',
  cisIds: { eks: '9.9.9', kubernetes: '9.9.9' },
  title: 'Probe',
  description: 'A control for runner tests.',
  severity: 'LOW',
  severityWhy: 'test',
  profile: 'Level 1',
  applicability: {
    notApplicable: {
      windows: 'no Windows here.',
      bottlerocket: 'no Bottlerocket here.',
      standalone: 'no standalone kubelet here.',
    },
  },
  remediation: { short: 'fix', url: 'https://example.com/', byNodeType: {} },
  settings: {
    iptables: KubeletSettings.makeIPTablesUtilChains,
    anonymous: KubeletSettings.anonymousAuth,
  },
  evaluate({ settings }) {
    // The second setting decides when the first is true, so the runner must word the decider's reading.
    return settings.iptables.value === true
      ? { status: ComplianceStatus.PASSED, reason: 'Probe passes', decidedBy: 'anonymous' }
      : { status: ComplianceStatus.FAILED, reason: 'Probe fails', decidedBy: 'iptables' };
  },
});

function run(spec: EvidenceSpec, node?: { platform?: string }) {
  // Prepare
  const evidence = buildEvidence(spec);
  // Act
  return runControl(probe, node ? { evidence, node } : { evidence });
}

const osRelease = (id: string) => textFile('/etc/os-release', `ID=${id}\nVERSION_ID=1\n`, ['os-release']);

describe('not applicable, from the control data', () => {
  it('a Windows node: NOT_AVAILABLE with the platform only', () => {
    const r = run({ argv: [K, ...KUBECONFIG] }, { platform: 'Windows Server 2022' });
    expect(r).toEqual({
      controlId: 'kubelet-probe',
      status: 'NOT_AVAILABLE',
      reason: 'Not applicable: no Windows here.',
      evidence: { platform: 'Windows Server 2022' },
    });
  });

  it('a Linux platform applies', () => {
    expect(
      notApplicableCase(probe, {
        evidence: buildEvidence({ argv: [K, ...KUBECONFIG] }),
        node: { platform: 'Linux' },
      }),
    ).toBeUndefined();
  });

  it('a Bottlerocket node: NOT_AVAILABLE with the node facts', () => {
    const r = run({ argv: [K, ...KUBECONFIG], files: [osRelease('bottlerocket')] });
    expect(r.status).toBe('NOT_AVAILABLE');
    expect(r.reason).toBe('Not applicable: no Bottlerocket here.');
    expect(r.evidence).toMatchObject({ nodeType: 'bottlerocket' });
  });

  it.each([
    ['no --kubeconfig', [[K]]],
    ['an empty --kubeconfig', [[K, '--kubeconfig=']]],
    ['every kubelet standalone', [[K], [K, '--v=2']]],
  ])('a standalone kubelet (%s): NOT_AVAILABLE', (_, argvs) => {
    const r = run({ kubelets: argvs.map((argv, i) => kubeletProcess(argv, { pid: 10 + i })) });
    expect(r).toMatchObject({
      status: 'NOT_AVAILABLE',
      reason: 'Not applicable: no standalone kubelet here.',
    });
  });

  it.each([
    [
      'one of two kubelets has --kubeconfig',
      [kubeletProcess([K], { pid: 10 }), kubeletProcess([K, ...KUBECONFIG], { pid: 11 })],
    ],
    ['a cut command line may hide --kubeconfig', [kubeletProcess([K], { argvCut: true })]],
  ])('not standalone when %s', (_, kubelets) => {
    expect(notApplicableCase(probe, { evidence: buildEvidence({ kubelets }) })).toBeUndefined();
  });

  it('no kubelet at all is not "standalone": it is no kubelet', () => {
    const r = run({ kubelets: [] });
    expect(r.status).toBe('NOT_AVAILABLE');
    expect(r.reason).toBe('No host kubelet process is running.');
    expect(r.evidence.kubelets).toBe('0');
  });

  it('a case the control does not list is "not assessed" in the general words', () => {
    expect(caseReason(probe, 'windows')).toBe('Not applicable: no Windows here.');
    expect(caseReason(probe, 'autoMode')).toBe(
      'EKS Auto Mode node (EC2 managed instance): AWS blocks SSM access to it and manages its kubelet configuration',
    );
  });
});

describe('the node cannot be assessed', () => {
  it('host not visible, with and without a note', () => {
    expect(run({ kubelets: [], host: { visible: false, note: 'control container' } })).toMatchObject({
      status: 'NOT_AVAILABLE',
      reason:
        "The collector cannot see the host's processes (control container), so the kubelet could not be assessed.",
      evidence: { hostVisible: 'false' },
    });
    expect(run({ kubelets: [], host: { visible: false } }).reason).toBe(
      "The collector cannot see the host's processes, so the kubelet could not be assessed.",
    );
  });

  it('one ignored process is named in the singular, several in the plural', () => {
    expect(
      run({ kubelets: [], rejected: [{ pid: 7, argv0: 'kubelet', why: 'in a container' }] }).reason,
    ).toBe(
      'No host kubelet process is running (1 other process named kubelet ignored: PID 7 in a container).',
    );
    const two = run({
      kubelets: [],
      rejected: [
        { pid: 7, argv0: 'kubelet', why: 'a' },
        { pid: 8, argv0: 'kubelet', why: 'b' },
      ],
    });
    expect(two.reason).toBe(
      'No host kubelet process is running (2 other processes named kubelet ignored: PID 7 a; PID 8 b).',
    );
  });
});

describe('the wording of a verdict', () => {
  it('names the decider the evaluate chose, with its own provenance', () => {
    const r = run({
      argv: [K, ...KUBECONFIG, '--config', CONFIG, '--anonymous-auth=false'],
      files: [textFile(CONFIG, kcJson({ authentication: { anonymous: { enabled: true } } }))],
    });
    expect(r.status).toBe('PASSED');
    expect(r.effectiveValue).toBe(false);
    expect(r.decidedBy).toEqual({ kind: 'flag', arg: '--anonymous-auth=false', index: 5 });
    expect(r.reason).toBe(
      `Probe passes: --anonymous-auth=false on the command line (argument 5) overrides authentication.anonymous.enabled: true in ${CONFIG}.`,
    );
    expect(r.evidence).toMatchObject({ effectiveValue: 'false', configFile: CONFIG, kubeletPid: '4242' });
  });

  it('a default decider overrides nothing', () => {
    const r = run({ argv: [K, ...KUBECONFIG, '--config', CONFIG], files: [textFile(CONFIG, kcJson({}))] });
    expect(r.reason).toBe(
      `Probe passes: the kubelet default (false), as no --anonymous-auth flag is given and authentication.anonymous.enabled is not set in ${CONFIG}.`,
    );
  });

  it('a flag overriding an earlier flag says "the earlier"; a config value and a flag list the flag arguments', () => {
    const r = run({
      argv: [
        K,
        ...KUBECONFIG,
        '--config',
        CONFIG,
        '--make-iptables-util-chains=true',
        '--make-iptables-util-chains=false',
      ],
      files: [textFile(CONFIG, kcJson({ makeIPTablesUtilChains: true }))],
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(
      'Probe fails: --make-iptables-util-chains=false on the command line (argument 6) overrides the earlier --make-iptables-util-chains=true on the command line (argument 5).',
    );
    expect(r.evidence.flagArguments).toBe(
      'argument 5: --make-iptables-util-chains=true; argument 6: --make-iptables-util-chains=false',
    );
    expect(r.evidence.configValue).toBe('true');
  });

  it('notes and non-blocking problems are appended', () => {
    const r = run({
      argv: [
        K,
        ...KUBECONFIG,
        '--config',
        '/missing.json',
        '--make-iptables-util-chains=false',
        '--anonymous-auth=false',
      ],
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(
      'Probe fails: --make-iptables-util-chains=false on the command line (argument 5). Note: the config file /missing.json is not in the evidence.',
    );
    expect(r.evidence.problem).toBeUndefined();
  });
});

describe('a setting the verdict cannot rest on', () => {
  it('WARNING names the undetermined setting and its blocking problem', () => {
    const r = run({ argv: [K, ...KUBECONFIG, '--config', '/missing.json'] });
    expect(r).toMatchObject({ status: 'WARNING', evidence: { problem: 'config-missing' } });
    expect(r.reason).toBe(
      'A kubelet is running (PID 4242) but its makeIPTablesUtilChains cannot be judged: the config file /missing.json is not in the evidence.',
    );
    expect(r.effectiveValue).toBeUndefined();
  });

  it('a determined value with a blocking problem is reported with the value', () => {
    const r = run({ argv: [K, ...KUBECONFIG, '--brand-new', '--make-iptables-util-chains=true'] });
    expect(r.status).toBe('WARNING');
    expect(r.effectiveValue).toBe(true);
    expect(r.decidedBy).toEqual({ kind: 'flag', arg: '--make-iptables-util-chains=true', index: 4 });
    expect(r.reason).toContain(
      'Read as the kubelet would, the value is true (--make-iptables-util-chains=true on the command line (argument 4)).',
    );
    expect(r.evidence.problem).toBe('ambiguous-flag');
  });
});

describe('several kubelets', () => {
  it('agreeing kubelets give the common verdict, counted', () => {
    const r = run({
      kubelets: [
        kubeletProcess([K, ...KUBECONFIG], { pid: 10 }),
        kubeletProcess([K, ...KUBECONFIG, '--v=2'], { pid: 11 }),
      ],
    });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toMatch(/^All 2 host kubelets agree\. Probe passes: /);
    expect(r.evidence.kubelets).toBe('2');
  });

  it('kubelets with the same status but different values disagree', () => {
    const r = run({
      kubelets: [
        kubeletProcess([K, ...KUBECONFIG, '--anonymous-auth=true'], { pid: 10 }),
        kubeletProcess([K, ...KUBECONFIG, '--anonymous-auth=false'], { pid: 11 }),
      ],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('2 host kubelet processes disagree');
    expect(r.evidence.perKubelet).toMatch(/^PID 10: PASSED \(.*=true\); PID 11: PASSED \(.*=false\)$/);
  });
});
