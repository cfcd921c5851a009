/**
 * What the REAL collector gathers for the file controls (CIS EKS 3.1.1-3.1.4) and the kubelet's
 * version, on simulated nodes: the kubeconfig and client CA files as metadata only, every clientCAFile
 * candidate of the config texts, and `--version` of the binary the kubelet process runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  CA_SECRET_MARKER,
  fakeKubeletBinary,
  KUBECONFIG_SECRET_MARKER,
  nodePresets,
  type SimEntry,
} from '../sim/node-tree.ts';
import { cleanupRoots, collect, evidenceOf, fileAt } from './run-collector.ts';

afterAll(cleanupRoots);

const KUBELET_PID = 3187;

describe('kubeconfig and client CA files', () => {
  it.each([
    ['al2', '/var/lib/kubelet/kubeconfig', '0644'],
    ['al2023', '/var/lib/kubelet/kubeconfig', '0644'],
    ['bottlerocket-host', '/etc/kubernetes/kubelet/kubeconfig', '0600'],
    ['kubeadm', '/etc/kubernetes/kubelet.conf', '0600'],
  ] as const)('%s: --kubeconfig and the CA are metadata only, never their content', (name, kubeconfig, mode) => {
    // Act
    const run = collect(nodePresets[name](), { env: { KUBELET_AUDIT_ENCODING: 'plain' } });

    // Assess
    const evidence = evidenceOf(run);
    expect(fileAt(evidence, kubeconfig)).toEqual({
      path: kubeconfig,
      roles: ['kubeconfig'],
      pid: KUBELET_PID,
      ok: true,
      size: 71,
      mode,
      uid: 0,
      gid: 0,
      type: 'file',
      redacted: true,
    });
    expect(fileAt(evidence, '/etc/kubernetes/pki/ca.crt')).toMatchObject({
      roles: ['client-ca'],
      ok: true,
      mode: '0644',
      redacted: true,
    });
    expect(run.stdout).not.toContain(KUBECONFIG_SECRET_MARKER);
    expect(run.stdout).not.toContain(CA_SECRET_MARKER);
  });

  it('keeps the special bits and shows a symlink both as the link (lstat) and its target', () => {
    // Prepare: the kubeconfig is a link to a setgid file; the CA named by flag is a link too.
    const spec = nodePresets.al2023({
      makeIptablesFlag: ['--client-ca-file=/etc/kubernetes/pki/ca-link.crt'],
      extraFiles: {
        '/var/lib/kubelet/kubeconfig': { symlink: '/etc/eks/kubeconfig.real' },
        '/etc/eks/kubeconfig.real': { content: `# ${KUBECONFIG_SECRET_MARKER}\n`, mode: 0o2640, gid: 0 },
        '/etc/kubernetes/pki/ca-link.crt': { symlink: 'ca.crt' },
      },
    });

    // Act
    const evidence = evidenceOf(collect(spec));

    // Assess
    expect(fileAt(evidence, '/var/lib/kubelet/kubeconfig')).toMatchObject({
      ok: true,
      mode: '2640',
      type: 'file',
      target: '/etc/eks/kubeconfig.real',
      link: { mode: '0777', uid: 0, gid: 0 },
      redacted: true,
    });
    expect(fileAt(evidence, '/etc/kubernetes/pki/ca-link.crt')).toMatchObject({
      roles: ['client-ca'],
      ok: true,
      mode: '0644',
      target: 'ca.crt',
      link: { mode: '0777' },
    });
    // The file the flag names is not a link: no lstat block.
    expect(fileAt(evidence, '/etc/kubernetes/pki/ca.crt').link).toBeUndefined();
  });

  it('stats every clientCAFile candidate: JSON, YAML plain and quoted, relative to the file that names it', () => {
    // Prepare: the config (JSON) names /etc/kubernetes/pki/ca.crt; two drop-ins name others, one of
    // them relative (the kubelet joins it to the drop-in's directory), one in single quotes.
    const dir = '/etc/kubernetes/kubelet/config.json.d';
    const spec = nodePresets.al2023({
      dropIns: {
        '10-ca.conf':
          'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  x509:\n    clientCAFile: pki/other-ca.crt # relative\n',
        '20-ca.conf': "authentication:\n  x509:\n    clientCAFile: '/srv/ca bundle.pem'\n",
      },
      extraFiles: { [`${dir}/pki/other-ca.crt`]: { content: 'x', mode: 0o600 } },
    });

    // Act
    const evidence = evidenceOf(collect(spec));

    // Assess
    const cas = evidence.files.filter((f) => f.roles.includes('client-ca'));
    // The relative one lies inside --config-dir: listed by the walk first, then given its second role.
    expect(cas.map((f) => f.path)).toEqual([
      `${dir}/pki/other-ca.crt`,
      '/etc/kubernetes/pki/ca.crt',
      '/srv/ca bundle.pem',
    ]);
    expect(fileAt(evidence, `${dir}/pki/other-ca.crt`)).toMatchObject({
      roles: ['config-dir-entry', 'client-ca'],
      ok: true,
      mode: '0600',
      redacted: true,
    });
    expect(fileAt(evidence, '/srv/ca bundle.pem')).toMatchObject({ ok: false, error: 'not found' });
    for (const f of cas) expect(f.content).toBeUndefined();
  });

  it('resolves a relative --kubeconfig and --client-ca-file against the working directory, each value once', () => {
    // Prepare
    const spec = nodePresets.al2023({
      makeIptablesFlag: ['--client_ca_file', 'pki/a.crt', '--client-ca-file=pki/b.crt', '--kubeconfig=kc'],
      extraProcesses: [],
    });
    const kubelet = spec.processes.find((p) => p.pid === KUBELET_PID)!;
    kubelet.cwd = '/var/lib/kubelet';

    // Act
    const evidence = evidenceOf(collect(spec));

    // Assess: the last value (the one the kubelet uses) first.
    const paths = (role: string) =>
      evidence.files.filter((f) => f.roles.includes(role as never)).map((f) => f.path);
    expect(paths('kubeconfig')).toEqual(['/var/lib/kubelet/kc', '/var/lib/kubelet/kubeconfig']);
    expect(paths('client-ca')).toEqual([
      '/var/lib/kubelet/pki/b.crt',
      '/var/lib/kubelet/pki/a.crt',
      '/etc/kubernetes/pki/ca.crt',
    ]);
  });
});

describe('the kubelet version', () => {
  function versionOf(files: Record<string, SimEntry>, exe = '/usr/bin/kubelet') {
    const spec = nodePresets.al2023({ extraFiles: files });
    spec.processes.find((p) => p.pid === KUBELET_PID)!.exe = exe;
    const started = Date.now();
    const evidence = evidenceOf(collect(spec));
    const [kubelet] = evidence.kubelets;
    return { version: kubelet?.version, versionError: kubelet?.versionError, ms: Date.now() - started };
  }

  it('is the first line of --version of the binary the process runs', () => {
    expect(versionOf({})).toMatchObject({ version: 'Kubernetes v1.32.3-eks-7636447' });
    const other = versionOf({ '/opt/k8s/kubelet': fakeKubeletBinary('v1.33.0') }, '/opt/k8s/kubelet');
    expect(other).toMatchObject({ version: 'Kubernetes v1.33.0', versionError: undefined });
  });

  it('is not there, with the reason, for a missing binary or a missing exe link', () => {
    expect(versionOf({}, '/usr/bin/kubelet-gone').versionError).toBe(
      'refused: /usr/bin/kubelet-gone is not an executable regular file',
    );
    expect(versionOf({}, '/usr/bin/kubelet (deleted)').versionError).toBe(
      'binary deleted or replaced since the kubelet started',
    );
  });

  it('refuses a binary not owned by root, writable by others, in /tmp or under a world-writable directory', () => {
    const script = (fakeKubeletBinary('v1.32.3') as { content: string }).content;
    expect(versionOf({ '/usr/bin/kubelet': { content: script, mode: 0o755, uid: 1000 } }).versionError).toBe(
      'refused: /usr/bin/kubelet has owner 1000, mode 755',
    );
    expect(versionOf({ '/usr/bin/kubelet': { content: script, mode: 0o777 } }).versionError).toBe(
      'refused: /usr/bin/kubelet has owner 0, mode 777',
    );
    expect(versionOf({ '/tmp/kubelet': { content: script, mode: 0o755 } }, '/tmp/kubelet').versionError).toBe(
      'refused: /tmp/kubelet is in a pseudo or temporary filesystem',
    );
    expect(
      versionOf(
        { '/opt/drop': { dir: true, mode: 0o777 }, '/opt/drop/kubelet': { content: script, mode: 0o755 } },
        '/opt/drop/kubelet',
      ).versionError,
    ).toBe('refused: /opt/drop/kubelet is under a world-writable directory');
  });

  it('gives up on a binary that hangs, and rejects output that is not a version', () => {
    const hang = versionOf({ '/usr/bin/kubelet': { content: '#!/bin/sh\nsleep 30\n', mode: 0o755 } });
    expect(hang.versionError).toBe('--version timed out after 3s');
    expect(hang.ms).toBeLessThan(9000);
    const garbage = versionOf({
      '/usr/bin/kubelet': { content: '#!/bin/sh\necho "Kubernetes v1.32\\"},{evil"\nexit 3\n', mode: 0o755 },
    });
    expect(garbage).toMatchObject({
      version: undefined,
      versionError: 'unexpected output of --version (exit status 3)',
    });
    const long = versionOf({
      '/usr/bin/kubelet': { content: `#!/bin/sh\necho "Kubernetes v1.${'9'.repeat(200)}"\n`, mode: 0o755 },
    });
    expect(long.versionError).toBe('unexpected output of --version (exit status 0)');
  }, 20_000);
});
