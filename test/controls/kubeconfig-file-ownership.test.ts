/**
 * kubeconfig-file-ownership (CIS EKS 3.1.2): uid 0 and gid 0 as numbers, of what the kubelet opens
 * for its last --kubeconfig, and the cases it cannot judge.
 */
import { describe, expect, it } from 'vitest';
import { kubeconfigFileOwnership as control } from '../../functions/controls/kubeconfig-file-ownership.ts';
import { PID } from '../kubelet/evidence-builder.ts';
import { brokenFile, K, KUBECONFIG, kubeconfigMeta, type Meta, runOn } from './file-evidence.ts';

const ARGV = [K, '--kubeconfig', KUBECONFIG];
const withMeta = (meta: Meta) => runOn(control, { argv: ARGV, files: [kubeconfigMeta(KUBECONFIG, meta)] });

describe('kubeconfig-file-ownership', () => {
  it('PASSED for root:root, whatever the mode (3.1.1 judges the mode)', () => {
    const r = withMeta({ uid: 0, gid: 0, mode: '0666' });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toBe(`The kubeconfig ${KUBECONFIG} is owned by root (uid 0, gid 0).`);
    expect(r.evidence.files).toBe(`${KUBECONFIG} mode 0666 uid 0 gid 0`);
  });

  it.each([
    [{ uid: 1000, gid: 0 }, 'uid 1000, gid 0'],
    [{ uid: 0, gid: 1000 }, 'uid 0, gid 1000'],
    [{ uid: 65534, gid: 65534 }, 'uid 65534, gid 65534'],
  ])('FAILED for %o', (owner, text) => {
    const r = withMeta(owner);
    expect(r.status).toBe('FAILED');
    expect(r.reason).toBe(`The kubeconfig ${KUBECONFIG} is owned by ${text}, not root:root.`);
  });

  it('judges the target of a symbolic link, not the link, and names the link', () => {
    const r = withMeta({ uid: 1000, gid: 1000, target: '/home/ec2-user/kubeconfig' });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toContain(`${KUBECONFIG} (a symbolic link to /home/ec2-user/kubeconfig;`);
    expect(r.evidence.symlinks).toBe(`${KUBECONFIG} -> /home/ec2-user/kubeconfig`);
    expect(withMeta({ target: '/etc/eks/kubeconfig' }).status).toBe('PASSED');
  });

  it('takes the last --kubeconfig', () => {
    const r = runOn(control, {
      argv: [K, '--kubeconfig=/root/kc', `--kubeconfig=${KUBECONFIG}`],
      files: [kubeconfigMeta('/root/kc', { uid: 1000 }), kubeconfigMeta(KUBECONFIG)],
    });
    expect(r).toMatchObject({ status: 'PASSED', evidence: { kubeconfig: KUBECONFIG } });
  });

  it('WARNING for a missing file or one that is not a regular file', () => {
    const missing = runOn(control, {
      argv: ARGV,
      files: [brokenFile(KUBECONFIG, 'kubeconfig', { error: 'not found' })],
    });
    expect(missing.status).toBe('WARNING');
    expect(missing.reason).toContain('does not exist, yet the kubelet runs with it');
    const dir = brokenFile(KUBECONFIG, 'kubeconfig', {
      error: 'not a regular file (directory)',
      type: 'directory',
    });
    expect(runOn(control, { argv: ARGV, files: [dir] }).reason).toContain(
      'is not a regular file but a directory',
    );
  });

  it('NOT_AVAILABLE for a standalone kubelet, on Windows; WARNING when the command line was cut', () => {
    expect(runOn(control, { argv: [K] })).toMatchObject({ status: 'NOT_AVAILABLE' });
    expect(runOn(control, { argv: [K] }).reason).toMatch(/^Not applicable: a standalone kubelet/);
    const windows = runOn(
      control,
      { argv: ARGV, files: [kubeconfigMeta(KUBECONFIG)] },
      { platform: 'Windows' },
    );
    expect(windows.reason).toBe(
      'Not applicable: Windows nodes own files by security identifiers and ACLs, not uid and gid.',
    );
    const cut = runOn(control, { argv: [K], kubelet: { argvCut: true } });
    expect(cut.status).toBe('WARNING');
    expect(cut.reason).toContain(
      `A kubelet is running (PID ${PID}) but which kubeconfig it opens cannot be told`,
    );
  });
});
