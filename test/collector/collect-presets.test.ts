/**
 * The real collect.sh, run with bash against every simulated node preset: the right process is
 * chosen, the right files are read byte-exactly, and the output parses and stays small.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeFileContent,
  inflateCompactEnvelope,
  parseEvidence,
} from '../../functions/collector/evidence.ts';
import type { EvidenceDocument } from '../../functions/collector/evidence-schema.ts';
import { type NodePresetName, nodePresets, writeNodeTree } from '../sim/node-tree.ts';
import { cleanupRoots, collect, evidenceOf, fileAt, freshRoot, runCollectorAt } from './run-collector.ts';

afterAll(cleanupRoots);

/** Content of a collected file as text, asserting it is complete (os-release is kept as a prefix). */
function textOf(evidence: EvidenceDocument, path: string): string {
  const file = fileAt(evidence, path);
  const decoded = decodeFileContent(file);
  if (!decoded.ok) throw new Error(`${path}: ${decoded.reason}`);
  // os-release is capped on purpose: its identifying lines come first.
  if (!file.roles.includes('os-release')) expect(decoded.cut).toBe(false);
  return decoded.text;
}

/**
 * ListCommandInvocations returns 2,500 characters of output inline; anything longer costs one
 * GetCommandInvocation call per node. The compact output must stay this far below it, so that a
 * real node (longer hostnames, a few more flags) still fits.
 */
const INLINE_BUDGET = 2500 - 50;

/**
 * Presets whose compact output is known NOT to fit the inline budget. Since unit, environment and
 * os-release files travel reduced to the lines the disclosure rule names, every preset fits.
 * A preset joining this list is a decision, not an accident.
 */
const OVER_INLINE_BUDGET: readonly NodePresetName[] = [];

function onDisk(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

describe('collect.sh on every preset', () => {
  const names = Object.keys(nodePresets) as NodePresetName[];

  it.each(
    names,
  )('%s: exits 0, prints one valid document, nothing on stderr, plain output well under 24,000', (name) => {
    // Prepare
    const spec = nodePresets[name]();

    // Act
    const plain = collect(spec, { env: { KUBELET_AUDIT_ENCODING: 'plain' } });

    // Assess
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('');
    expect(plain.stdout.endsWith('\n')).toBe(true);
    expect(plain.stdout.trim().split('\n')).toHaveLength(1);
    expect(() => JSON.parse(plain.stdout)).not.toThrow();
    expect(plain.stdout).toMatch(/"end":true}\n$/);
    expect(plain.stdout.length).toBeLessThan(12_000);
    expect(/^[\x20-\x7e\n]*$/.test(plain.stdout)).toBe(true);
    const evidence = evidenceOf(plain);
    expect(plain.parsed.ok && plain.parsed.encoding).toBe('plain');
    expect(evidence.errors).toEqual([]);
    expect(evidence.cut).toBe(false);
  });

  it.each(names)('%s: the compact output inflates to exactly the plain document of the same run', (name) => {
    // Prepare
    const root = freshRoot();
    writeNodeTree(root, nodePresets[name]());

    // Act: "both" prints the plain document and then the compact form of that same document.
    const both = runCollectorAt(root, { env: { KUBELET_AUDIT_ENCODING: 'both' } });
    const packed = runCollectorAt(root);

    // Assess
    expect(both.status).toBe(0);
    expect(both.stderr).toBe('');
    const [plainLine, compactLine, rest] = both.stdout.split('\n');
    expect(rest).toBe('');
    expect(compactLine).toMatch(/^\{"eka":1,"gz85":"[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]+","pad":[0-3]\}$/);
    expect(inflateCompactEnvelope(JSON.parse(compactLine!))).toEqual({ ok: true, text: plainLine });
    const fromPlain = parseEvidence(plainLine!);
    expect(fromPlain.ok && fromPlain.encoding).toBe('plain');
    expect(parseEvidence(compactLine!)).toEqual({ ...fromPlain, encoding: 'gzip+z85' });
    // By default the shorter of the two is printed.
    expect(packed.status).toBe(0);
    expect(packed.stderr).toBe('');
    const expected = compactLine!.length < plainLine!.length ? 'gzip+z85' : 'plain';
    expect(packed.parsed.ok && packed.parsed.encoding).toBe(expected);
  });

  it.each(
    names,
  )('%s: the default output fits ListCommandInvocations inline unless listed as too big', (name) => {
    // Prepare / Act
    const packed = collect(nodePresets[name]());
    const length = packed.stdout.trimEnd().length;

    // Assess
    expect(packed.parsed.ok).toBe(true);
    if (OVER_INLINE_BUDGET.includes(name)) {
      expect(length).toBeGreaterThan(INLINE_BUDGET);
      // Still far smaller than the plain document, which the scanner then fetches once.
      expect(length).toBeLessThan(3000);
    } else {
      expect(length).toBeLessThanOrEqual(INLINE_BUDGET);
    }
  });

  it('al2: the kubelet in kubelet.service, its JSON config, unit and 10-kubelet-args.conf byte-exact', () => {
    // Prepare / Act
    const run = collect(nodePresets.al2());
    const ev = evidenceOf(run);

    // Assess
    expect(ev.host.visible).toBe(true);
    expect(ev.host.hostname).toBe('ip-10-0-12-34.us-west-2.compute.internal');
    expect(ev.host.uptimeSeconds).toBe(86412.37);
    expect(ev.kubelets).toHaveLength(1);
    const [k] = ev.kubelets;
    expect(k).toMatchObject({
      pid: 3187,
      ppid: 1,
      uid: 0,
      cwd: '/',
      startSecondsSinceBoot: 24,
      cpuSeconds: 2481.13,
      selectedBy: 'kubelet.service cgroup',
    });
    expect(k?.argv.slice(0, 3)).toEqual([
      '/usr/bin/kubelet',
      '--config',
      '/etc/kubernetes/kubelet/kubelet-config.json',
    ]);
    expect(k?.argv.at(-1)).toBe('--cloud-provider=external');
    expect(k?.cgroup?.split('\n')).toHaveLength(11);
    const config = fileAt(ev, '/etc/kubernetes/kubelet/kubelet-config.json');
    expect(config).toMatchObject({
      roles: ['config'],
      pid: 3187,
      ok: true,
      mode: '0644',
      uid: 0,
      gid: 0,
      encoding: 'text',
    });
    expect(textOf(ev, '/etc/kubernetes/kubelet/kubelet-config.json')).toBe(
      onDisk(run.root, 'etc/kubernetes/kubelet/kubelet-config.json'),
    );
    expect(fileAt(ev, '/etc/systemd/system/kubelet.service').roles).toEqual(['unit']);
    expect(textOf(ev, '/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf')).toContain(
      "Environment='KUBELET_ARGS=--node-ip=10.0.12.34",
    );
    expect(textOf(ev, '/etc/os-release')).toContain('PRETTY_NAME="Amazon Linux 2"');
    expect(ev.configDirs).toEqual([]);
    expect(ev.files.some((f) => f.path.endsWith('30-kubelet-extra-args.conf'))).toBe(false);
  });

  it('al2-flag-false: the extra flag is last in argv and 30-kubelet-extra-args.conf is collected', () => {
    const ev = evidenceOf(collect(nodePresets['al2-flag-false']()));

    expect(ev.kubelets[0]?.argv.at(-1)).toBe('--make-iptables-util-chains=false');
    expect(fileAt(ev, '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf')).toMatchObject({
      roles: ['unit-dropin'],
      ok: true,
    });
  });

  it('al2023: nodeadm environment file and config.json without trailing newline, byte-exact', () => {
    const run = collect(nodePresets.al2023());
    const ev = evidenceOf(run);

    // Reduced to the one assignment ExecStart references (it is the whole file here), one per line.
    const env = textOf(ev, '/etc/eks/kubelet/environment');
    expect(env).toBe(`${onDisk(run.root, 'etc/eks/kubelet/environment')}\n`);
    expect(fileAt(ev, '/etc/eks/kubelet/environment')).toMatchObject({
      roles: ['environment'],
      reduced: true,
    });
    expect(textOf(ev, '/etc/systemd/system/kubelet.service')).toBe(
      '[Unit]\n[Service]\nEnvironmentFile=/etc/eks/kubelet/environment\nExecStart=/usr/bin/kubelet $NODEADM_KUBELET_ARGS\n[Install]\n',
    );
    expect(textOf(ev, '/etc/kubernetes/kubelet/config.json')).toBe(
      onDisk(run.root, 'etc/kubernetes/kubelet/config.json'),
    );
    // /etc/os-release is a relative symlink to ../usr/lib/os-release on AL2023.
    expect(textOf(ev, '/etc/os-release')).toContain('VERSION_ID="2023"');
    expect(ev.kubelets[0]?.cgroup).toBe('0::/runtime.slice/kubelet.service');
  });

  it('al2023-dropin-false: --config-dir is walked and 40-nodeadm.conf is a config-dir-entry', () => {
    const run = collect(nodePresets['al2023-dropin-false']());
    const ev = evidenceOf(run);

    expect(ev.configDirs).toEqual([
      {
        path: '/etc/kubernetes/kubelet/config.json.d',
        pid: 3187,
        entries: ['/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf'],
      },
    ]);
    const dropIn = fileAt(ev, '/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf');
    expect(dropIn).toMatchObject({ roles: ['config-dir-entry'], pid: 3187, ok: true });
    expect(JSON.parse(textOf(ev, dropIn.path))).toEqual({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      makeIPTablesUtilChains: false,
    });
  });

  it('bottlerocket-host: YAML config, exec-start.conf drop-in, EnvironmentFile= files, empty argv element kept', () => {
    const run = collect(nodePresets['bottlerocket-host']());
    const ev = evidenceOf(run);

    const argv = ev.kubelets[0]?.argv ?? [];
    expect(argv[argv.indexOf('--register-with-taints') + 1]).toBe('');
    expect(textOf(ev, '/etc/kubernetes/kubelet/config')).toBe(
      onDisk(run.root, 'etc/kubernetes/kubelet/config'),
    );
    expect(fileAt(ev, '/usr/lib/systemd/system/kubelet.service').roles).toEqual(['unit']);
    expect(fileAt(ev, '/etc/systemd/system/kubelet.service.d/exec-start.conf').roles).toEqual([
      'unit-dropin',
    ]);
    expect(fileAt(ev, '/etc/kubernetes/kubelet/env')).toMatchObject({ roles: ['environment'], ok: true });
    // No ExecStart references IPV6_ENABLED: net.env is listed, its assignment stays on the node.
    expect(fileAt(ev, '/etc/network/net.env')).toMatchObject({
      roles: ['environment'],
      ok: true,
      content: '',
    });
    expect(textOf(ev, '/etc/kubernetes/kubelet/env')).toContain('NODE_IP=192.168.84.28\n');
    expect(textOf(ev, '/etc/os-release')).toContain('ID=bottlerocket');
    // The SSM agent in the control container has another mount namespace but is not named kubelet.
    expect(ev.rejected).toEqual([]);
  });

  it('bottlerocket-control-container: says the host is not visible instead of "no kubelet"', () => {
    const ev = evidenceOf(collect(nodePresets['bottlerocket-control-container']()));

    expect(ev.host.visible).toBe(false);
    expect(ev.host.note).toMatch(/Bottlerocket control container/);
    expect(ev.host.note).toMatch(/admin container/);
    expect(ev.kubelets).toEqual([]);
    expect(ev.files).toEqual([]);
  });

  it('kubeadm: /var/lib/kubelet/config.yaml, 10-kubeadm.conf and its optional EnvironmentFile=s', () => {
    const run = collect(nodePresets.kubeadm());
    const ev = evidenceOf(run);

    expect(ev.kubelets[0]?.selectedBy).toBe('kubelet.service cgroup');
    expect(textOf(ev, '/var/lib/kubelet/config.yaml')).toBe(onDisk(run.root, 'var/lib/kubelet/config.yaml'));
    expect(fileAt(ev, '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf').roles).toEqual([
      'unit-dropin',
    ]);
    expect(fileAt(ev, '/var/lib/kubelet/kubeadm-flags.env')).toMatchObject({
      roles: ['environment'],
      ok: true,
    });
    // "EnvironmentFile=-/etc/default/kubelet": optional and absent on this node.
    expect(fileAt(ev, '/etc/default/kubelet')).toMatchObject({ ok: false, error: 'not found' });
  });

  it('no-kubelet: host visible, no kubelet, the files on disk still collected', () => {
    const ev = evidenceOf(collect(nodePresets['no-kubelet']()));

    expect(ev.host.visible).toBe(true);
    expect(ev.kubelets).toEqual([]);
    expect(ev.rejected).toEqual([]);
    expect(fileAt(ev, '/etc/systemd/system/kubelet.service').ok).toBe(true);
    expect(ev.files.some((f) => f.roles.includes('config'))).toBe(false);
  });

  it('container-named-kubelet: the pod process is rejected, the host kubelet chosen', () => {
    const ev = evidenceOf(collect(nodePresets['container-named-kubelet']()));

    expect(ev.kubelets.map((k) => k.pid)).toEqual([3187]);
    expect(ev.rejected).toEqual([
      {
        pid: 9120,
        argv0: '/usr/local/bin/kubelet',
        why: 'containerised: cgroup under kubepods (a Kubernetes pod)',
      },
    ]);
    expect(ev.files.some((f) => f.path === '/var/lib/kubelet/config.yaml')).toBe(false);
  });

  it('container-named-kubelet without the host kubelet: nothing chosen, the container still rejected', () => {
    const ev = evidenceOf(collect(nodePresets['container-named-kubelet']({ kubeletRunning: false })));

    expect(ev.kubelets).toEqual([]);
    expect(ev.rejected.map((r) => r.pid)).toEqual([9120]);
  });

  it('grep-noise: grep and shell lines that mention kubelet are ignored, a script named kubelet rejected', () => {
    const ev = evidenceOf(collect(nodePresets['grep-noise']()));

    expect(ev.kubelets.map((k) => k.pid)).toEqual([3187]);
    expect(ev.rejected).toEqual([
      {
        pid: 52020,
        argv0: '/bin/bash',
        why: 'its name is kubelet but argv[0] is not: a script or a renamed process',
      },
    ]);
  });
});
