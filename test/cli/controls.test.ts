/**
 * The CLI and the control catalog: `controls` lists the catalog's data, `--control` narrows a run,
 * the help names no single control, and the table fits 120 columns for the whole catalog.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../../functions/cli/cli-args.ts';
import { controls } from '../../functions/controls/index.ts';
import { buildEvidence, kcJson, kubeletProcess, textFile } from '../kubelet/evidence-builder.ts';
import { runMain } from './run-main.ts';

const C = '/etc/kubernetes/kubelet/kubelet-config.json';
const failing = JSON.stringify(
  buildEvidence({
    argv: [
      '/usr/bin/kubelet',
      '--config',
      C,
      '--make-iptables-util-chains=false',
      '--anonymous-auth=true',
      '--rotate-certificates=false',
      '--feature-gates=RotateKubeletServerCertificate=false',
      // kubelet-client-ca-file fails too: the config file sets no clientCAFile.
      '--authorization-mode=AlwaysAllow',
      '--read-only-port=10255',
      '--streaming-connection-idle-timeout=0',
      '--kubeconfig=/var/lib/kubelet/kubeconfig',
    ],
    files: [
      // The file controls: a config file and a kubeconfig that a user owns and anyone may write.
      textFile(C, kcJson(), ['config'], { mode: '0666', uid: 1000 }),
      {
        ...textFile('/var/lib/kubelet/kubeconfig', '', ['kubeconfig'], { mode: '0666', uid: 1000 }),
        encoding: undefined,
        content: undefined,
      },
    ],
  }),
);
const ids = controls.map((c) => c.id);
const [first, second] = ids as [string, string];

describe('kubelet-audit controls', () => {
  it('--format json lists every control from the catalog data, in catalog order', async () => {
    const r = await runMain(['controls', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      controls.map((c) => ({
        id: c.id,
        cisEks: c.cisIds.eks,
        cisEksLegacy: c.cisIds.eksLegacy ?? null,
        cisKubernetes: c.cisIds.kubernetes,
        title: c.title,
        severity: c.severity,
        profile: c.profile,
        references: c.cis,
      })),
    );
  });

  it('the table shows each control with its CIS EKS, legacy EKS and Kubernetes ids and severity', async () => {
    const r = await runMain(['controls']);
    expect(r.code).toBe(0);
    for (const c of controls) {
      const row = r.stdout.split('\n').find((l) => l.startsWith(`${c.id} `));
      expect(row, c.id).toBeDefined();
      const cells = row!.split(/\s{2,}/);
      expect(cells.slice(0, 5)).toEqual([
        c.id,
        c.cisIds.eks,
        c.cisIds.eksLegacy ?? '-',
        c.cisIds.kubernetes,
        c.severity,
      ]);
      // The title is wrapped in its column: every word is there.
      for (const word of c.title.split(' ')) expect(r.stdout).toContain(word);
    }
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(120);
    expect(r.stdout).toContain(`${controls.length} controls`);
  });

  it('--control narrows the listing too', async () => {
    const r = await runMain(['controls', '-f', 'json', '--control', second]);
    expect(JSON.parse(r.stdout).map((e: { id: string }) => e.id)).toEqual([second]);
  });
});

describe('--control', () => {
  const evaluate = (args: string[]) => runMain(['evaluate', '-', '-f', 'json', ...args], { input: failing });
  const idsOf = (stdout: string) => JSON.parse(stdout).map((e: { controlId: string }) => e.controlId);

  it('without it, evaluate answers for every control in the catalog', async () => {
    expect(idsOf((await evaluate([])).stdout)).toEqual(ids);
  });

  it('with one id, evaluate answers for that control only (JSON keeps its shape)', async () => {
    const r = await evaluate(['--control', second]);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout);
    expect(entries.map((e: { controlId: string }) => e.controlId)).toEqual([second]);
    expect(Object.keys(entries[0]).sort()).toEqual([
      'controlId',
      'decidedBy',
      'effectiveValue',
      'evidence',
      'reason',
      'status',
    ]);
  });

  it('with two ids (in any order), evaluate answers for both in catalog order', async () => {
    const r = await evaluate(['--control', second, '--control', first]);
    expect(idsOf(r.stdout)).toEqual([first, second]);
  });

  it('narrows the table and what --fail-on trips on', async () => {
    const passingOnly = JSON.stringify(
      buildEvidence({
        argv: ['/usr/bin/kubelet', '--config', C, '--make-iptables-util-chains=false'],
        files: [textFile(C, kcJson())],
      }),
    );
    const all = await runMain(['evaluate', '-', '--fail-on', 'failed'], { input: passingOnly });
    expect(all.code).toBe(1);
    const narrowed = await runMain(
      ['evaluate', '-', '--fail-on', 'failed', '--control', 'kubelet-anonymous-auth'],
      {
        input: passingOnly,
      },
    );
    expect(narrowed.code).toBe(0);
    expect(narrowed.stdout).toContain('kubelet-anonymous-auth');
    expect(narrowed.stdout).not.toContain('kubelet-make-iptables-util-chains');
  });

  it('an unknown id is a usage error (exit 2) naming it and every accepted id', async () => {
    const r = await evaluate(['--control', first, '--control', 'kubelet-no-such-thing']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('"kubelet-no-such-thing"');
    for (const id of ids) expect(r.stderr).toContain(id);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown id is refused by scan-local before anything runs', async () => {
    const r = await runMain(['scan-local', '--control', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown --control "nope"/);
  });
});

describe('the help', () => {
  it('names no single control and says how to list them', () => {
    for (const id of ids) expect(USAGE).not.toContain(id);
    expect(USAGE).toContain('kubelet-audit controls');
    expect(USAGE).toContain('--control <id>');
  });
});

// The longest reasons the controls produce: several host kubelets that disagree (each reason quotes
// every process and the first one's full reason, up to the 1,000-character cap) over long paths, a
// host name at the DNS limit, an argv token wider than the terminal, an invisible host with a note.
const longDir = `/etc/${'kubernetes-configuration-directory/'.repeat(6)}`;
const longConfig = `${longDir}kubelet-config.json`;
const disagreeing = buildEvidence({
  kubelets: [
    kubeletProcess(
      [
        '/usr/bin/kubelet',
        '--config',
        longConfig,
        '--make-iptables-util-chains=false',
        `--kubeconfig=${longDir}kubeconfig`,
      ],
      { pid: 10 },
    ),
    kubeletProcess(
      [
        '/usr/bin/kubelet',
        '--config',
        longConfig,
        '--anonymous-auth=true',
        `--node-labels=${'x'.repeat(400)}`,
      ],
      { pid: 11 },
    ),
    kubeletProcess(['/usr/bin/kubelet', '--config', longConfig], { pid: 12 }),
  ],
  files: [10, 11, 12].map((pid) => ({
    ...textFile(longConfig, kcJson()),
    pid,
    ...(pid === 11 ? { mode: '0666' } : {}),
  })),
  host: { hostname: `${'ip-10-0-0-1.'.repeat(21)}internal` },
});
const invisible = buildEvidence({ host: { visible: false, note: `hidepid=2 ${'on /proc '.repeat(40)}` } });
const hostileReason = buildEvidence({
  argv: ['/usr/bin/kubelet', '--config', `${longDir}\x1b[2J\u202econfig.json`],
  files: [],
});

describe('the evaluate table fits 120 columns for the whole catalog', () => {
  const cases = [
    ['kubelets that disagree over long paths', disagreeing, []],
    ['a host whose processes are hidden', invisible, []],
    ['an unreadable config with escapes in its path', hostileReason, []],
    ['a Windows node', disagreeing, ['--platform', 'windows']],
  ] as const;

  it.each(cases)('%s', async (_name, evidence, extra) => {
    const input = JSON.stringify(evidence);
    for (const isTTY of [false, true]) {
      const r = await runMain(['evaluate', '-', ...extra], { input, isTTY });
      expect(r.code).toBe(0);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the table's own colours are not columns
      const lines = r.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(120);
      for (const id of ids) expect(lines.some((l) => l.startsWith(`${id} `))).toBe(true);
    }
  });

  it('the cases do produce long reasons, so the width check is not vacuous', async () => {
    const r = await runMain(['evaluate', '-', '-f', 'json'], { input: JSON.stringify(disagreeing) });
    const reasons: string[] = JSON.parse(r.stdout).map((e: { reason: string }) => e.reason);
    expect(reasons).toHaveLength(controls.length);
    expect(Math.min(...reasons.map((x) => x.length))).toBeGreaterThan(300);
    // The summary cuts them; the details below carry every word, wrapped.
    const table = (await runMain(['evaluate', '-'], { input: JSON.stringify(disagreeing) })).stdout;
    expect(table).toContain('…');
    const flat = table.replace(/\s+/g, ' ');
    for (const word of reasons[0]!.split(/\s+/).filter((w) => w.length < 100)) expect(flat).toContain(word);
  });

  it("summary rows carry each control's CIS EKS id and status", async () => {
    const r = await runMain(['evaluate', '-'], { input: failing });
    for (const c of controls) {
      // Every eventRecordQPS the kubelet accepts passes 3.2.7; no value can make it FAILED.
      const status = c.id === 'kubelet-event-qps' ? 'PASSED' : 'FAILED';
      expect(r.stdout).toMatch(
        new RegExp(`^${c.id}\\s+${c.cisIds.eks.replace(/\./g, '\\.')}\\s+${status}\\s+\\S`, 'm'),
      );
    }
  });
});

describe('kubelet-audit controls --format markdown', () => {
  it('is docs/controls.md exactly: the reference page is generated from the catalog', async () => {
    const r = await runMain(['controls', '--format', 'markdown']);
    expect(r.code).toBe(0);
    const page = readFileSync(join(import.meta.dirname, '../../docs/controls.md'), 'utf8');
    expect(r.stdout, 'regenerate: npx kubelet-audit controls --format markdown > docs/controls.md').toBe(
      page,
    );
  });

  it('has a section per control with its ids, severity and a fix for every node type it describes', async () => {
    const { stdout } = await runMain(['controls', '--format', 'markdown']);
    for (const c of controls) {
      const at = stdout.indexOf(`\n## ${c.id}\n`);
      expect(at, c.id).toBeGreaterThan(0);
      const next = stdout.indexOf('\n## ', at + 1);
      const body = stdout.slice(at, next < 0 ? undefined : next);
      expect(body).toContain(`CIS Kubernetes Benchmark ${c.cisIds.kubernetes}`);
      expect(body).toContain(`v1.8.0 ${c.cisIds.eks}`);
      expect(body).toContain(`Severity **${c.severity}**`);
      for (const fix of Object.values(c.remediation.byNodeType)) expect(body).toContain(fix);
    }
  });

  it('is refused for the other commands', async () => {
    const r = await runMain(['evaluate', '-', '--format', 'markdown']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format markdown is only for the controls command');
  });
});
