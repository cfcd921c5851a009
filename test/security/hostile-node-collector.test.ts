/**
 * The collector on hostile nodes (test/sim/hostile-nodes.ts): the REAL collect.sh with bash on each
 * simulated tree, the REAL evaluator on what it printed. Its output is readable by anyone with
 * ssm:Get* / ssm:List* for 30 days, so no planted canary may appear in it (plain, or inside the
 * compact envelope), every run must end quickly although the node sets traps (FIFOs, /dev/zero, huge
 * files), and the control that does not depend on the hostile part must still get its verdict.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inflateCompactEnvelope, parseEvidence } from '../../functions/collector/evidence.ts';
import type { EvidenceDocument } from '../../functions/collector/evidence-schema.ts';
import { evaluateRaw } from '../../functions/controls/index.ts';
import {
  COLLECT_SH,
  cleanupRoots,
  evidenceOf,
  freshRoot,
  runCollectorAt,
} from '../collector/run-collector.ts';
import { hostileNodes } from '../sim/hostile-nodes.ts';
import { type NodeTreeSpec, nodePresets, type SimProcess, writeNodeTree } from '../sim/node-tree.ts';
import { hasControlCharacter } from '../text/controls.ts';

afterAll(cleanupRoots);

const PASSED_DEFAULT =
  'The kubelet manages iptables utility chains: the kubelet default (true), as no --make-iptables-util-chains flag is given and makeIPTablesUtilChains is not set in ';

/** The verdict of make-iptables-util-chains each hostile node must get. */
const EXPECTED: Record<string, { status: string; reason: string }> = {
  configdir: {
    status: 'PASSED',
    reason: `${PASSED_DEFAULT}/etc/kubernetes/kubelet/config.json nor in any drop-in.`,
  },
  traps: {
    status: 'WARNING',
    reason:
      'A kubelet is running (PID 3187) but its makeIPTablesUtilChains cannot be judged: the drop-in /etc/kubernetes/kubelet/config.json.d/20-fifo.conf could not be read: not a regular file (fifo).',
  },
  fifoconfig: {
    status: 'WARNING',
    reason:
      'A kubelet is running (PID 3187) but its makeIPTablesUtilChains cannot be judged: the config file /etc/kubernetes/kubelet/kubelet-config.json could not be read: not a regular file (fifo).',
  },
  unit: { status: 'PASSED', reason: `${PASSED_DEFAULT}/etc/kubernetes/kubelet/kubelet-config.json.` },
  nodeadm: { status: 'PASSED', reason: `${PASSED_DEFAULT}/etc/kubernetes/kubelet/config.json.` },
  userkubelet: {
    status: 'NOT_AVAILABLE',
    reason:
      "No host kubelet process is running (1 other process named kubelet ignored: PID 7001 not root (real uid 1000): not the node's kubelet).",
  },
  proc: {
    status: 'WARNING',
    reason:
      'A kubelet is running (PID 3187) but its makeIPTablesUtilChains cannot be judged: the config file /proc/self/environ could not be read: refused: on /proc, /sys or /dev, not read.',
  },
  escapes: { status: 'PASSED', reason: `${PASSED_DEFAULT}/etc/kubernetes/kubelet/kubelet-config.json.` },
  deep: {
    status: 'WARNING',
    reason:
      'A kubelet is running (PID 3187) but its makeIPTablesUtilChains cannot be judged: the kubelet could not have loaded the drop-in /etc/kubernetes/kubelet/config.json.d/50-deep.conf: nested deeper than 64 levels (the limit for node files; a kubelet configuration nests fewer than 10).',
  },
};

interface HostileRun {
  plain: string;
  compact: string;
  inflated: string;
  stderr: string;
  seconds: number;
  evidence: EvidenceDocument;
}

/** One run printing the plain document and the compact envelope of the same collection. */
function runBoth(spec: NodeTreeSpec, env: Record<string, string> = {}): HostileRun {
  const root = freshRoot();
  writeNodeTree(root, spec);
  const started = process.hrtime.bigint();
  const run = runCollectorAt(root, { env: { KUBELET_AUDIT_ENCODING: 'both', ...env } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [plain = '', compact = ''] = run.stdout.split('\n');
  const inflated = inflateCompactEnvelope(JSON.parse(compact));
  if (!inflated.ok) throw new Error(`compact envelope did not inflate: ${inflated.reason}`);
  const evidence = evidenceOf({ ...run, stdout: plain, parsed: parseEvidence(plain) });
  return { plain, compact, inflated: inflated.text, stderr: run.stderr, seconds, evidence };
}

function verdict(output: string) {
  // The hostile nodes vary the iptables setting; the catalog is in CIS order, so it is not first.
  const result = evaluateRaw(output).find((r) => r.controlId === 'kubelet-make-iptables-util-chains');
  return { status: result?.status, reason: result?.reason };
}

describe('the collector on hostile nodes', () => {
  it('covers every hostile node with an expected verdict', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(hostileNodes).sort());
  });

  it.each(
    Object.entries(hostileNodes),
  )('%s: no canary leaves the node, quickly, and the verdict stands', (name, node) => {
    // Act
    const run = runBoth(node.spec);

    // Assess: nothing planted appears, in any form the scanner could read.
    for (const canary of node.canaries) {
      expect(run.plain).not.toContain(canary);
      expect(run.inflated).not.toContain(canary);
      expect(run.stderr).not.toContain(canary);
    }
    expect(run.inflated).toBe(run.plain);
    expect(run.seconds).toBeLessThan(10);
    // ASCII only: escape sequences from the node travel as JSON \u escapes, never raw.
    expect(/^[\x20-\x7e]*$/.test(run.plain)).toBe(true);
    expect(run.plain.length).toBeLessThan(24_000);
    expect(verdict(run.plain)).toEqual(EXPECTED[name]);
    expect(verdict(run.compact)).toEqual(EXPECTED[name]);
  });
});

describe('the CLI on a hostile node', () => {
  it('scan-local shows the escape-laden node as plain text: no escape or control character reaches the terminal', () => {
    // Arrange
    const root = freshRoot();
    writeNodeTree(root, hostileNodes.escapes!.spec);
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'kubelet-audit.js');

    // Act
    const run = spawnSync(process.execPath, [bin, 'scan-local'], {
      encoding: 'utf8',
      env: { ...process.env, HOST_ROOT: root, FORCE_COLOR: '0' },
      timeout: 30_000,
    });

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('PASSED');
    expect(run.stdout).toContain('ip-10-0-12-34');
    expect(hasControlCharacter(run.stdout.replaceAll('\n', ''))).toBe(false);
    expect(hasControlCharacter(run.stderr.replaceAll('\n', ''))).toBe(false);
  });
});

describe('what each hostile node shows instead of its secrets', () => {
  it('--config-dir: non-.conf files and links are listed with metadata, redacted, never opened', () => {
    const { evidence } = runBoth(hostileNodes.configdir!.spec);
    const dir = '/etc/kubernetes/kubelet/config.json.d';

    const byPath = new Map(evidence.files.map((f) => [f.path, f]));
    expect(byPath.get(`${dir}/credentials`)).toMatchObject({
      ok: true,
      redacted: true,
      type: 'file',
      mode: '0644',
    });
    expect(byPath.get(`${dir}/id_ed25519`)).toMatchObject({
      redacted: true,
      type: 'file',
      target: '/root/.ssh/id_ed25519',
    });
    expect(byPath.get(`${dir}/shadow`)).toMatchObject({ redacted: true, target: '../../../shadow' });
    expect(byPath.get(`${dir}/big.log`)).toMatchObject({ redacted: true, size: 3_000_000 + 31 });
    for (const f of evidence.files.filter((x) => x.redacted)) {
      expect(f.content).toBeUndefined();
      expect(f.encoding).toBeUndefined();
    }
    expect(byPath.get(`${dir}/10-max-pods.conf`)).toMatchObject({ ok: true, encoding: 'text' });
  });

  it('a FIFO drop-in, a /dev/zero drop-in and a FIFO --config are reported, not opened', () => {
    const traps = runBoth(hostileNodes.traps!.spec).evidence;
    const dir = '/etc/kubernetes/kubelet/config.json.d';
    expect(traps.files.find((f) => f.path === `${dir}/20-fifo.conf`)).toMatchObject({
      ok: false,
      error: 'not a regular file (fifo)',
      type: 'fifo',
    });
    expect(traps.files.find((f) => f.path === `${dir}/40-link.conf`)).toMatchObject({
      ok: false,
      error: 'not a regular file (fifo)',
      type: 'fifo',
      target: '/run/kubelet/pipe',
    });
    expect(traps.files.find((f) => f.path === `${dir}/30-zero.conf`)).toMatchObject({
      ok: false,
      error: 'refused: on /proc, /sys or /dev, not read',
    });

    const fifo = runBoth(hostileNodes.fifoconfig!.spec).evidence;
    expect(fifo.files.find((f) => f.roles.includes('config'))).toMatchObject({
      ok: false,
      error: 'not a regular file (fifo)',
    });
  });

  it('unit drop-ins and environment files keep only what ExecStart references', () => {
    const { evidence } = runBoth(hostileNodes.unit!.spec);
    const content = (path: string) => evidence.files.find((f) => f.path === path)?.content;

    expect(content('/etc/systemd/system/kubelet.service.d/http-proxy.conf')).toBe('[Service]\n');
    expect(content('/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf')).toMatch(
      /^\[Service\]\nEnvironment='KUBELET_ARGS=--node-ip=10\.0\.12\.34 [^\n]*'\n$/,
    );
    expect(content('/etc/environment')).toBe('');
    expect(content('/etc/kubelet-secrets.env')).toBe('');
    expect(evidence.files.find((f) => f.path === '/etc/environment')).toMatchObject({
      reduced: true,
      size: String(hostileNodes.unit!.spec.files['/etc/environment']).length,
    });
  });

  it('a non-root process named kubelet is rejected and the collector does not read its --config', () => {
    const { evidence } = runBoth(hostileNodes.userkubelet!.spec);

    expect(evidence.kubelets).toEqual([]);
    expect(evidence.rejected).toEqual([
      { pid: 7001, argv0: '/home/ec2-user/kubelet', why: "not root (real uid 1000): not the node's kubelet" },
    ]);
    expect(evidence.files.some((f) => f.path.includes('shadow'))).toBe(false);
  });

  it('the host name and os-release keep their escape bytes as JSON escapes, os-release only its identifying keys', () => {
    const run = runBoth(hostileNodes.escapes!.spec);

    expect(run.plain).toContain('\\u001b]0;owned\\u0007');
    expect(run.evidence.host.hostname).toContain('\x1b[2J');
    const os = run.evidence.files.find((f) => f.roles.includes('os-release'));
    expect(os?.content?.split('\n').map((l) => l.split('=')[0])).toEqual([
      'NAME',
      'VERSION',
      'ID',
      'VERSION_ID',
      'PRETTY_NAME',
      '',
    ]);
  });
});

describe('bounds', () => {
  it('the total cap covers metadata: hundreds of rejected processes and long config-dir names stay under 24,000', () => {
    const dir = '/etc/kubernetes/kubelet/config.json.d';
    const names = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`${String(i).padStart(3, '0')}-${'n'.repeat(200)}`, 'x: 1\n']),
    );
    const impostors: SimProcess[] = Array.from({ length: 150 }, (_, i) => ({
      pid: 20_000 + i,
      ppid: 1,
      uid: 1000,
      argv: [`/tmp/${'k'.repeat(240)}/kubelet`, '--v=2'],
    }));
    const spec = nodePresets.al2023({
      dropIns: { '10-max-pods.conf': '{"kind": "KubeletConfiguration", "maxPods": 58}\n' },
      extraProcesses: impostors,
      extraFiles: Object.fromEntries(Object.entries(names).map(([n, c]) => [`${dir}/${n}`, c])),
    });

    const run = runBoth(spec);

    expect(run.plain.length).toBeLessThan(24_000);
    expect(run.evidence.cut).toBe(true);
    expect(run.evidence.kubelets.map((k) => k.pid)).toEqual([3187]);
  });

  it('a run out of time stops collecting, says why and still prints a valid document', () => {
    const run = runBoth(nodePresets.al2(), { KUBELET_AUDIT_TIME_BUDGET: '0' });

    expect(run.evidence.cut).toBe(true);
    expect(run.evidence.errors).toContain('time budget of 0s spent: collection stopped early');
    expect(run.evidence.files).toEqual([]);
  });

  it('the script reads files only through a bounded, timed child and checks the type first', () => {
    const code = readFileSync(COLLECT_SH, 'utf8')
      .split('\n')
      .filter((l) => !/^\s*#/.test(l));
    // Every head that reads a host file runs under $TIMEOUT with a byte count; the one that reads a
    // program's output (run_bounded) too, with its own timeout.
    const heads = code.filter((l) => /\bhead -c\b/.test(l));
    expect(heads.length).toBeGreaterThan(0);
    for (const line of heads) {
      expect(line).toMatch(/\$TIMEOUT (\$\{TIMEOUT:\+\$READ_TIMEOUT\}|\$\(\(t \+ 2\)\)) head -c "\$/);
    }
    // No other reader of whole files: cat, or bash's $(<file).
    expect(code.join('\n')).not.toMatch(/(^|[\s|;&(])cat\s|\$\(</m);
  });
});

describe('a file swapped between the type check and the read', () => {
  /**
   * A `stat` first on PATH that behaves like coreutils' stat, but right after the collector's first
   * stat of the --config file replaces that file: the race a hostile node would try to win.
   */
  function swappingStat(target: string, swap: string): string {
    const dir = freshRoot();
    const realStat = spawnSync('bash', ['-c', 'command -v stat'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      join(dir, 'stat'),
      `#!/bin/bash\n"${realStat}" "$@"\nrc=$?\nif [[ "\${@: -1}" == '${target}' && ! -e '${dir}/done' ]]; then : >'${dir}/done'; ${swap}; fi\nexit $rc\n`,
      { mode: 0o755 },
    );
    return dir;
  }

  it.each([
    ['another file renamed over it', (t: string, secret: string) => `mv -f '${secret}' '${t}'`],
    ['a FIFO put in its place', (t: string) => `rm -f '${t}'; mkfifo '${t}'`],
  ])('%s: the content is discarded and the run still ends quickly', (_name, swap) => {
    // Prepare
    const root = freshRoot();
    const canary = 'KA-CANARY-swap-7f3a9c';
    writeNodeTree(root, {
      ...nodePresets.al2(),
      files: { ...nodePresets.al2().files, '/etc/shadow': `root:${canary}:19700::::::\n` },
    });
    const config = join(root, 'etc/kubernetes/kubelet/kubelet-config.json');
    const bin = swappingStat(config, swap(config, join(root, 'etc/shadow')));

    // Act
    const started = Date.now();
    const run = runCollectorAt(root, {
      env: { KUBELET_AUDIT_ENCODING: 'plain', PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    });
    const seconds = (Date.now() - started) / 1000;

    // Assess
    expect(existsSync(join(bin, 'done'))).toBe(true);
    expect(run.stdout).not.toContain(canary);
    expect(seconds).toBeLessThan(10);
    const file = evidenceOf(run).files.find((f) => f.roles.includes('config'));
    expect(file).toMatchObject({
      ok: false,
      error: 'read failed, timed out or the file changed while read: content discarded',
    });
    expect(file?.content).toBeUndefined();
  });
});
