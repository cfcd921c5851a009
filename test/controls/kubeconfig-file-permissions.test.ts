/**
 * kubeconfig-file-permissions (CIS EKS 3.1.1): which file the running kubelet opens for --kubeconfig,
 * the mode rule (nothing outside 0644, no special bit), and what makes it choose WARNING or
 * NOT_AVAILABLE over PASSED/FAILED.
 */
import { describe, expect, it } from 'vitest';
import { notAssessedCase } from '../../functions/controls/index.ts';
import { kubeconfigFilePermissions as control } from '../../functions/controls/kubeconfig-file-permissions.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { buildEvidence, kubeletProcess, PID } from '../kubelet/evidence-builder.ts';
import { brokenFile, K, KUBECONFIG, kubeconfigMeta, type Meta, runOn } from './file-evidence.ts';

const ARGV = [K, '--kubeconfig', KUBECONFIG, '--v=2'];
const withMeta = (meta: Meta, argv = ARGV) =>
  runOn(control, { argv, files: [kubeconfigMeta(KUBECONFIG, meta)] });

describe('kubeconfig-file-permissions: the mode rule', () => {
  it.each([['0644'], ['0600'], ['0400'], ['0640'], ['644']])('PASSED for mode %s', (mode) => {
    const r = withMeta({ mode });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toBe(
      `The kubeconfig ${KUBECONFIG} has mode ${mode.padStart(4, '0')} (nothing beyond 0644, no special bit).`,
    );
    expect(r.evidence).toMatchObject({
      kubeconfig: KUBECONFIG,
      files: `${KUBECONFIG} mode ${mode.padStart(4, '0')} uid 0 gid 0`,
      flagArguments: `argument 1: --kubeconfig ${KUBECONFIG}`,
      kubeletPid: String(PID),
    });
  });

  it.each([
    ['0666', 'group write, others write'],
    ['0664', 'group write'],
    ['0646', 'others write'],
    ['0755', 'owner execute, group execute, others execute'],
    ['2640', 'setgid'],
    ['4644', 'setuid'],
    ['1600', 'sticky'],
    ['0777', 'owner execute, group write, group execute, others write, others execute'],
  ])('FAILED for mode %s, naming %s', (mode, bits) => {
    const r = withMeta({ mode });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(`The kubeconfig ${KUBECONFIG} has mode ${mode} (${bits} beyond 0644).`);
  });

  it('judges a symbolic link by its target and names the link', () => {
    const r = withMeta({ mode: '0600', target: '/etc/eks/kubeconfig.real' });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toContain(`${KUBECONFIG} (a symbolic link to /etc/eks/kubeconfig.real;`);
    expect(r.reason).toContain('has mode 0600');
    expect(r.evidence.symlinks).toBe(`${KUBECONFIG} -> /etc/eks/kubeconfig.real`);
    const bad = withMeta({ mode: '0666', target: '../kc' });
    expect(bad.status).toBe('FAILED');
    expect(bad.reason).toContain('a symbolic link to ../kc');
  });
});

describe('kubeconfig-file-permissions: which file the kubelet opens', () => {
  it('takes the last --kubeconfig (pflag: last wins) and ignores the collector copy of an earlier one', () => {
    const r = runOn(control, {
      argv: [K, '--kubeconfig=/tmp/kc', '--kubeconfig', KUBECONFIG],
      files: [kubeconfigMeta('/tmp/kc', { mode: '0666' }), kubeconfigMeta(KUBECONFIG, { mode: '0600' })],
    });
    expect(r.status).toBe('PASSED');
    expect(r.evidence).toMatchObject({
      kubeconfig: KUBECONFIG,
      flagArguments: `argument 2: --kubeconfig ${KUBECONFIG}`,
    });
    expect(r.reason).not.toContain('/tmp/kc');
  });

  it('resolves a relative --kubeconfig against the kubelet working directory', () => {
    const r = runOn(control, {
      argv: [K, '--kubeconfig=kubeconfig'],
      cwd: '/var/lib/kubelet',
      files: [kubeconfigMeta(KUBECONFIG, { mode: '0660' })],
    });
    expect(r).toMatchObject({ status: 'FAILED', evidence: { kubeconfig: KUBECONFIG } });
  });

  it('prefers the copy the collector recorded for this kubelet over another process copy', () => {
    const r = runOn(control, {
      argv: ARGV,
      files: [
        kubeconfigMeta(KUBECONFIG, { mode: '0666', pid: 999 }),
        kubeconfigMeta(KUBECONFIG, { mode: '0600' }),
      ],
    });
    expect(r.status).toBe('PASSED');
  });

  it('WARNING for a relative --kubeconfig when the working directory is unknown', () => {
    const r = runOn(control, {
      argv: [K, '--kubeconfig=kubeconfig'],
      kubelet: { cwd: undefined, cwdError: 'readlink failed' },
      files: [kubeconfigMeta(KUBECONFIG)],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(
      "--kubeconfig kubeconfig is relative and the kubelet's working directory is unknown",
    );
    expect(r.evidence.problem).toBe('path-unresolvable');
  });
});

describe('kubeconfig-file-permissions: what cannot be judged', () => {
  it('WARNING, saying so, when the named file does not exist while the kubelet runs', () => {
    const r = runOn(control, {
      argv: ARGV,
      files: [brokenFile(KUBECONFIG, 'kubeconfig', { error: 'not found' })],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toBe(
      `A kubelet is running (PID ${PID}) but its kubeconfig cannot be judged: the kubeconfig ${KUBECONFIG} does not exist, yet the kubelet runs with it.`,
    );
    expect(r.evidence.problem).toBe('file-missing');
  });

  it('WARNING for a dangling symbolic link, naming its target', () => {
    const file = brokenFile(KUBECONFIG, 'kubeconfig', {
      error: 'not found (dangling symbolic link)',
      type: 'symlink',
      target: '/etc/eks/gone',
    });
    const r = runOn(control, { argv: ARGV, files: [file] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('does not exist: a dangling symbolic link to /etc/eks/gone');
  });

  it.each([['directory'], ['fifo'], ['char-device']] as const)('WARNING for a %s, with its type', (type) => {
    const file = brokenFile(KUBECONFIG, 'kubeconfig', { error: `not a regular file (${type})`, type });
    const r = runOn(control, { argv: ARGV, files: [file] });
    expect(r).toMatchObject({ status: 'WARNING', evidence: { problem: 'not-regular-file' } });
    expect(r.reason).toContain(`the kubeconfig ${KUBECONFIG} is not a regular file but a ${type}`);
  });

  it('WARNING when the collector could not inspect it (a link loop)', () => {
    const file = brokenFile(KUBECONFIG, 'kubeconfig', { error: 'too many levels of symbolic links' });
    const r = runOn(control, { argv: ARGV, files: [file] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('could not be inspected: too many levels of symbolic links');
  });

  it('WARNING when the file is not in the evidence, naming the output cap when the document was cut', () => {
    const r = runOn(control, { argv: ARGV, files: [] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(`the kubeconfig ${KUBECONFIG} is not in the evidence.`);
    expect(r.evidence.problem).toBe('not-collected');
    const evidence = { ...buildEvidence({ argv: ARGV, files: [] }), cut: true };
    expect(runControl(control, { evidence }).reason).toContain(
      `the kubeconfig ${KUBECONFIG} is not in the evidence (the collector reached its output cap)`,
    );
  });

  it('NOT_AVAILABLE for a standalone kubelet (no --kubeconfig, or an empty one)', () => {
    for (const argv of [
      [K, '--v=2'],
      [K, '--kubeconfig='],
    ]) {
      const r = runOn(control, { argv });
      expect(r.status).toBe('NOT_AVAILABLE');
      expect(r.reason).toBe(
        'Not applicable: a standalone kubelet (no --kubeconfig) talks to no API server and has no kubeconfig file.',
      );
    }
  });

  it('WARNING, not NOT_AVAILABLE, when the collector cut the command line before any --kubeconfig', () => {
    const r = runOn(control, { argv: [K, '--v=2'], kubelet: { argvCut: true } });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('which kubeconfig it opens cannot be told');
    expect(r.reason).toContain('the collector cut the command line, so a later --kubeconfig may be missing');
    expect(r.evidence.problem).toBe('argv-cut');
  });

  it('WARNING when the command line is cut after --kubeconfig, with the reading as recorded', () => {
    const r = runOn(control, {
      argv: ARGV,
      kubelet: { argvCut: true },
      files: [kubeconfigMeta(KUBECONFIG, { mode: '0600' })],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(`Read as recorded, the kubeconfig ${KUBECONFIG} has mode 0600`);
  });

  it('WARNING when the kubelet would refuse the recorded command line', () => {
    const r = runOn(control, { argv: [...ARGV, 'stray'], files: [kubeconfigMeta(KUBECONFIG)] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('the kubelet would refuse this command line: unknown command "stray"');
    expect(r.evidence.problem).toBe('argv-rejected');
  });

  it('WARNING when --kubeconfig follows an unknown flag that may have taken it as its value', () => {
    const r = runOn(control, {
      argv: [K, '--some-future-flag', '--kubeconfig', KUBECONFIG],
      files: [kubeconfigMeta(KUBECONFIG)],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('follows the unrecognised flag --some-future-flag');
  });
});

describe('kubeconfig-file-permissions: the node around the kubelet', () => {
  it('NOT_AVAILABLE on Windows and EKS Auto Mode, each with its reason', () => {
    const r = runOn(control, { argv: ARGV, files: [kubeconfigMeta(KUBECONFIG)] }, { platform: 'windows' });
    expect(r).toMatchObject({ status: 'NOT_AVAILABLE', evidence: { platform: 'windows' } });
    expect(r.reason).toBe(
      'Not applicable: Windows nodes protect files with ACLs, not POSIX permission bits.',
    );
    const auto = notAssessedCase('autoMode').find((x) => x.controlId === control.id);
    expect(auto?.status).toBe('NOT_AVAILABLE');
    expect(auto?.reason).toMatch(/^EKS Auto Mode node/);
  });

  it('NOT_AVAILABLE when the host is not visible or no kubelet runs', () => {
    expect(
      runOn(control, { host: { visible: false, note: 'control container' }, kubelets: [] }),
    ).toMatchObject({
      status: 'NOT_AVAILABLE',
      evidence: { hostVisible: 'false' },
    });
    expect(runOn(control, { kubelets: [] })).toMatchObject({
      status: 'NOT_AVAILABLE',
      evidence: { kubelets: '0' },
    });
  });

  it('several kubelets: agreeing on the same file, opening different files, disagreeing', () => {
    const second = kubeletProcess(ARGV, { pid: 5151 });
    const first = kubeletProcess(ARGV);
    const files = [
      kubeconfigMeta(KUBECONFIG, { mode: '0600' }),
      kubeconfigMeta(KUBECONFIG, { mode: '0600', pid: 5151 }),
    ];
    const agree = runOn(control, { kubelets: [first, second], files });
    expect(agree.status).toBe('PASSED');
    expect(agree.reason).toMatch(/^All 2 host kubelets agree\. The kubeconfig/);

    const other = kubeletProcess([K, '--kubeconfig=/etc/kc2'], { pid: 5151 });
    const different = runOn(control, {
      kubelets: [first, other],
      files: [kubeconfigMeta(KUBECONFIG), kubeconfigMeta('/etc/kc2', { mode: '0600', pid: 5151 })],
    });
    expect(different.status).toBe('PASSED');
    expect(different.reason).toContain('The 2 host kubelets open different files, each PASSED');
    expect(different.reason).toContain('/etc/kc2');

    const standalone = kubeletProcess([K], { pid: 5151 });
    const disagree = runOn(control, { kubelets: [first, standalone], files: [kubeconfigMeta(KUBECONFIG)] });
    expect(disagree.status).toBe('WARNING');
    expect(disagree.reason).toContain('2 host kubelet processes disagree');
    expect(disagree.evidence.perKubelet).toContain('PID 5151: NOT_AVAILABLE');
  });
});
