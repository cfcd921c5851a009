/**
 * The file controls (CIS EKS 3.1.1-3.1.4) end to end on simulated nodes: the REAL collect.sh run with
 * bash over a node tree, its output parsed and evaluated by the catalog. The metadata the controls
 * need (type, symlink target, mode with the special bits, uid, gid) must come for the --kubeconfig
 * file, the --config file and every *.conf drop-in, also when they are symbolic links.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ControlResult } from '../../functions/controls/control.ts';
import { evaluateEvidence } from '../../functions/controls/index.ts';
import {
  KUBECONFIG_SECRET_MARKER,
  type NodePresetName,
  nodePresets,
  type SimEntry,
} from '../sim/node-tree.ts';
import { cleanupRoots, collect, evidenceOf, fileAt } from './run-collector.ts';

afterAll(cleanupRoots);

const FILE_CONTROLS = [
  'kubeconfig-file-permissions',
  'kubeconfig-file-ownership',
  'kubelet-config-file-permissions',
  'kubelet-config-file-ownership',
] as const;
const KUBECONFIG = '/var/lib/kubelet/kubeconfig';
const DIR = '/etc/kubernetes/kubelet/config.json.d';
const DROP_IN = `{"apiVersion":"kubelet.config.k8s.io/v1beta1","kind":"KubeletConfiguration","maxPods":58}`;

function verdicts(results: readonly ControlResult[]): Record<string, string> {
  return Object.fromEntries(
    results
      .filter((r) => (FILE_CONTROLS as readonly string[]).includes(r.controlId))
      .map((r) => [r.controlId, r.status]),
  );
}

function reasonOf(results: readonly ControlResult[], id: (typeof FILE_CONTROLS)[number]): string {
  return results.find((r) => r.controlId === id)!.reason;
}

describe('the file-control presets, collected and judged', () => {
  it.each([
    ['al2', ['PASSED', 'PASSED', 'PASSED', 'PASSED']],
    ['al2023', ['PASSED', 'PASSED', 'PASSED', 'PASSED']],
    ['kubeadm', ['PASSED', 'PASSED', 'PASSED', 'PASSED']],
    ['bottlerocket-host', ['PASSED', 'PASSED', 'PASSED', 'PASSED']],
    ['al2023-kubeconfig-world-writable', ['FAILED', 'PASSED', 'PASSED', 'PASSED']],
    ['al2-kubeconfig-user-owned', ['PASSED', 'FAILED', 'PASSED', 'PASSED']],
    ['al2023-dropin-0664', ['PASSED', 'PASSED', 'FAILED', 'PASSED']],
    ['al2023-kubeconfig-symlink', ['PASSED', 'PASSED', 'PASSED', 'PASSED']],
  ] as const)('%s: %j', (name, expected) => {
    const run = collect(nodePresets[name as NodePresetName]());
    const results = evaluateEvidence(evidenceOf(run));
    expect(verdicts(results)).toEqual(Object.fromEntries(FILE_CONTROLS.map((id, i) => [id, expected[i]])));
    expect(run.stdout).not.toContain(KUBECONFIG_SECRET_MARKER);
  });

  it('the world-writable kubeconfig: its mode in the evidence and the reason', () => {
    const run = collect(nodePresets['al2023-kubeconfig-world-writable'](), {
      env: { KUBELET_AUDIT_ENCODING: 'plain' },
    });
    const evidence = evidenceOf(run);
    expect(fileAt(evidence, KUBECONFIG)).toMatchObject({
      mode: '0666',
      uid: 0,
      gid: 0,
      type: 'file',
      redacted: true,
    });
    expect(reasonOf(evaluateEvidence(evidence), 'kubeconfig-file-permissions')).toBe(
      `The kubeconfig ${KUBECONFIG} has mode 0666 (group write, others write beyond 0644).`,
    );
  });

  it('the kubeconfig owned by uid 1000 and the 0664 drop-in: named with their owner and mode', () => {
    const owned = evaluateEvidence(evidenceOf(collect(nodePresets['al2-kubeconfig-user-owned']())));
    expect(reasonOf(owned, 'kubeconfig-file-ownership')).toBe(
      `The kubeconfig ${KUBECONFIG} is owned by uid 1000, gid 0, not root:root.`,
    );
    const dropIn = evaluateEvidence(evidenceOf(collect(nodePresets['al2023-dropin-0664']())));
    expect(reasonOf(dropIn, 'kubelet-config-file-permissions')).toBe(
      `The drop-in ${DIR}/40-nodeadm.conf has mode 0664 (group write beyond 0644). It passes otherwise: ` +
        'the config file /etc/kubernetes/kubelet/config.json has mode 0644 (nothing beyond 0644, no special bit).',
    );
  });

  it('the symlinked kubeconfig: the target (0600 root) is judged, the link named in the reason and evidence', () => {
    const evidence = evidenceOf(collect(nodePresets['al2023-kubeconfig-symlink']()));
    expect(fileAt(evidence, KUBECONFIG)).toMatchObject({
      mode: '0600',
      uid: 0,
      gid: 0,
      type: 'file',
      target: '/etc/kubernetes/kubelet/kubeconfig',
      link: { mode: '0777', uid: 0, gid: 0 },
    });
    const result = evaluateEvidence(evidence).find((r) => r.controlId === 'kubeconfig-file-permissions')!;
    expect(result.status).toBe('PASSED');
    expect(result.reason).toContain(`${KUBECONFIG} (a symbolic link to /etc/kubernetes/kubelet/kubeconfig;`);
    expect(result.evidence.symlinks).toBe(`${KUBECONFIG} -> /etc/kubernetes/kubelet/kubeconfig`);
  });
});

describe('what collect.sh ships for the --config file and the drop-ins', () => {
  it('a symlinked --config file and drop-in: type, target, the target mode with special bits, uid, gid', () => {
    const spec = nodePresets.al2023({
      dropIns: { '10-a.conf': DROP_IN, '20-b.conf': DROP_IN },
      extraFiles: {
        '/etc/kubernetes/kubelet/config.json': { symlink: '/opt/kubelet/config.json' },
        '/opt/kubelet/config.json': { content: nodePresetsConfig(), mode: 0o2644, uid: 0, gid: 0 },
        [`${DIR}/20-b.conf`]: { symlink: '../../../../opt/kubelet/20-b.conf' },
        '/opt/kubelet/20-b.conf': { content: DROP_IN, mode: 0o600, uid: 1000, gid: 1000 },
      },
    });
    const evidence = evidenceOf(collect(spec));
    expect(fileAt(evidence, '/etc/kubernetes/kubelet/config.json')).toMatchObject({
      roles: ['config'],
      ok: true,
      type: 'file',
      target: '/opt/kubelet/config.json',
      mode: '2644',
      uid: 0,
      gid: 0,
    });
    expect(fileAt(evidence, `${DIR}/20-b.conf`)).toMatchObject({
      roles: ['config-dir-entry'],
      type: 'file',
      target: '../../../../opt/kubelet/20-b.conf',
      mode: '0600',
      uid: 1000,
      gid: 1000,
    });
    const results = evaluateEvidence(evidence);
    expect(verdicts(results)).toMatchObject({
      'kubelet-config-file-permissions': 'FAILED',
      'kubelet-config-file-ownership': 'FAILED',
    });
    expect(reasonOf(results, 'kubelet-config-file-permissions')).toMatch(
      /^The config file \/etc\/kubernetes\/kubelet\/config\.json \(a symbolic link to \/opt\/kubelet\/config\.json;.*has mode 2644 \(setgid beyond 0644\)/,
    );
    expect(reasonOf(results, 'kubelet-config-file-ownership')).toContain(
      `The drop-in ${DIR}/20-b.conf (a symbolic link to ../../../../opt/kubelet/20-b.conf; its target, which the kubelet opens, is judged) is owned by uid 1000, gid 1000`,
    );
  });

  it.each<[string, SimEntry, string, string]>([
    ['a FIFO', { fifo: true }, 'WARNING', 'is not a regular file but a fifo'],
    ['a directory', { dir: true }, 'WARNING', 'is not a regular file but a directory'],
    [
      'a dangling link',
      { symlink: '/opt/none.json' },
      'WARNING',
      'a dangling symbolic link to /opt/none.json',
    ],
  ])('the --config path is %s: WARNING, naming it', (_name, entry, status, text) => {
    const spec = nodePresets.al2023({ extraFiles: { '/etc/kubernetes/kubelet/config.json': entry } });
    const results = evaluateEvidence(evidenceOf(collect(spec)));
    const r = results.find((x) => x.controlId === 'kubelet-config-file-permissions')!;
    expect(r.status).toBe(status);
    expect(r.reason).toContain(text);
  });

  it('a kubeconfig that does not exist while the kubelet runs: WARNING that says so', () => {
    const spec = nodePresets.al2({ makeIptablesFlag: ['--kubeconfig=/var/lib/kubelet/gone'] });
    const results = evaluateEvidence(evidenceOf(collect(spec)));
    expect(verdicts(results)['kubeconfig-file-permissions']).toBe('WARNING');
    expect(reasonOf(results, 'kubeconfig-file-ownership')).toContain(
      'the kubeconfig /var/lib/kubelet/gone does not exist, yet the kubelet runs with it',
    );
  });
});

/** The AL2023 config.json as the preset writes it (read back from the preset itself). */
function nodePresetsConfig(): string {
  const entry = nodePresets.al2023().files['/etc/kubernetes/kubelet/config.json'];
  if (typeof entry !== 'string') throw new Error('the al2023 preset writes config.json as text');
  return entry;
}
