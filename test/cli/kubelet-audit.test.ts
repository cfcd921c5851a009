import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import { buildEvidence, kcJson, missingFile, textFile } from '../kubelet/evidence-builder.ts';
import { nodePresets, writeNodeTree } from '../sim/node-tree.ts';
import { runMain } from './run-main.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kubelet-audit.js');
const work = mkdtempSync(join(tmpdir(), 'kubelet-audit-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const C = '/etc/kubernetes/kubelet/kubelet-config.json';
const failing = buildEvidence({
  argv: ['/usr/bin/kubelet', '--config', C, '--make-iptables-util-chains=false'],
  files: [textFile(C, kcJson({ makeIPTablesUtilChains: true }))],
});
const CA = '/etc/kubernetes/pki/ca.crt';
const passing = buildEvidence({
  argv: ['/usr/bin/kubelet', '--config', C],
  files: [
    textFile(C, kcJson({ authentication: { x509: { clientCAFile: CA } } })),
    {
      path: CA,
      roles: ['client-ca'],
      pid: 4242,
      ok: true,
      size: 1066,
      mode: '0644',
      uid: 0,
      gid: 0,
      type: 'file',
      redacted: true,
    },
  ],
});
const warning = buildEvidence({ argv: ['/usr/bin/kubelet', '--config', C], files: [missingFile(C)] });

function file(name: string, content: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  // Act
  const run = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, ...options.env },
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The same entry point in-process (fast), with captured output. */
const inProcess = (args: string[], input = '') => runMain(args, { input, isTTY: false });

/** The iptables control's entry, which these fixtures vary (the catalog is in CIS order, so not first). */
function ofIptables(entries: { controlId: string; status: string; reason: string }[]) {
  return entries.find((e) => e.controlId === 'kubelet-make-iptables-util-chains')!;
}

describe('kubelet-audit CLI (spawned: bin/kubelet-audit.js through tsx)', () => {
  it('--help prints usage and exits 0', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: kubelet-audit <command>');
    expect(r.stdout).toContain('scan-local');
    expect(r.stdout).toContain('controls');
  });

  it('controls lists the catalog through the real entry point', () => {
    const r = cli(['controls', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { id: string }) => e.id)).toEqual(controls.map((c) => c.id));
  });

  it('evaluate <file> --format json prints one stable entry per control', () => {
    // Prepare
    const path = file('failing.json', failing);
    const r = cli(['evaluate', path, '--format', 'json']);
    // Assess
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout);
    // One entry per control, in catalog order, each of the same shape.
    expect(entries.map((e: { controlId: string }) => e.controlId)).toEqual(controls.map((c) => c.id));
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual([
        'controlId',
        'decidedBy',
        'effectiveValue',
        'evidence',
        'reason',
        'status',
      ]);
    }
    const iptables = ofIptables(entries);
    expect(iptables).toMatchObject({
      controlId: 'kubelet-make-iptables-util-chains',
      status: 'FAILED',
      effectiveValue: false,
      decidedBy: { kind: 'flag', index: 3, arg: '--make-iptables-util-chains=false' },
    });
    expect(iptables.reason).toContain(`overrides makeIPTablesUtilChains: true in ${C}`);
  });

  it('evaluate - reads stdin; the table shows node, ps line, status and what decided; no colour off a terminal', () => {
    const r = cli(['evaluate', '-'], { input: JSON.stringify(failing) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Node     ip-10-0-0-1');
    expect(r.stdout).toContain('UID          PID    PPID  C STIME TTY          TIME CMD');
    expect(r.stdout).toContain('/usr/bin/kubelet --config');
    expect(r.stdout).toMatch(/^kubelet-make-iptables-util-chains\s+3\.2\.6\s+FAILED\s+The kubelet does NOT/m);
    expect(r.stdout).toMatch(
      /^kubelet-make-iptables-util-chains {2}FAILED\n {4}Effective false, decided by command-line flag --make-iptables-util-chains=false \(argument 3\)\./m,
    );
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('unusable input exits 2 with one line on stderr', () => {
    const r = cli(['evaluate', '-'], { input: 'hello' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kubelet-audit: unusable evidence/);
  });

  it('scan-local runs the real collector against HOST_ROOT and evaluates it', () => {
    const root = mkdtempSync(join(work, 'node-'));
    writeNodeTree(root, nodePresets['al2-flag-false']());
    const r = cli(['scan-local', '--format', 'json', '--fail-on', 'failed'], { env: { HOST_ROOT: root } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(ofIptables(JSON.parse(r.stdout))).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'flag' } });
  });

  it('collect prints the evidence document', () => {
    const root = mkdtempSync(join(work, 'node-'));
    writeNodeTree(root, nodePresets['no-kubelet']());
    const r = cli(['collect'], { env: { HOST_ROOT: root } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'eks-kubelet-audit/evidence', kubelets: [] });
  });
});

describe('kubelet-audit CLI (in-process main)', () => {
  it('an undetermined value is null in JSON', async () => {
    const r = await inProcess(['evaluate', file('warning.json', warning), '-f', 'json']);
    expect(ofIptables(JSON.parse(r.stdout))).toMatchObject({
      status: 'WARNING',
      effectiveValue: null,
      decidedBy: null,
    });
  });

  it.each([
    ['failed', failing, 1],
    ['failed', passing, 0],
    ['failed', warning, 0],
    ['warning', warning, 1],
    ['warning', passing, 0],
  ])('--fail-on %s exits as the results say', async (failOn, evidence, code) => {
    const r = await inProcess(
      ['evaluate', '-', '--fail-on', failOn, '--format', 'json'],
      JSON.stringify(evidence),
    );
    expect(r.code).toBe(code);
  });

  it.each([
    ['not JSON', 'hello', /unusable evidence/],
    ['not evidence', '{"a":1}', /unusable evidence/],
    ['empty', '', /unusable evidence/],
  ])('unusable input (%s) exits 2 with one line on stderr', async (_name, input, message) => {
    const r = await inProcess(['evaluate', '-'], input);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['evaluate', join(tmpdir(), 'does-not-exist.json')], /no such file/],
    [['frob'], /unknown command "frob"/],
    [['evaluate'], /exactly one input/],
    [['evaluate', '-', '--format', 'xml'], /unknown --format/],
    [['evaluate', '-', '--fail-on', 'passed'], /unknown --fail-on/],
    [[], /no command/],
  ])('%j exits 2 naming the problem', async (args, message) => {
    const r = await inProcess(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--platform windows gives NOT_AVAILABLE', async () => {
    const r = await inProcess(
      ['evaluate', '-', '--platform', 'windows', '-f', 'json'],
      JSON.stringify(failing),
    );
    expect(ofIptables(JSON.parse(r.stdout)).status).toBe('NOT_AVAILABLE');
  });
});
