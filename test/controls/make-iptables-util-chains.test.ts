import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import type { ControlResult } from '../../functions/controls/control.ts';
import { evaluateEvidence } from '../../functions/controls/index.ts';
import {
  MAKE_IPTABLES_UTIL_CHAINS_ID,
  makeIptablesUtilChains,
} from '../../functions/controls/make-iptables-util-chains.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import {
  buildEvidence,
  bytesFile,
  dropIn,
  type EvidenceSpec,
  KC,
  kcJson,
  kubeletProcess,
  missingFile,
  textFile,
} from '../kubelet/evidence-builder.ts';
import { AL2_ARGS, AL2_UNIT } from '../kubelet/unit-fixtures.ts';

/** This control's result among the catalog's (the catalog is in CIS order, so not first). */
const ofThisControl = (results: readonly ControlResult[]) =>
  results.find((r) => r.controlId === MAKE_IPTABLES_UTIL_CHAINS_ID);

const K = '/usr/bin/kubelet';
const AL2_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
const AL2023_CONFIG = '/etc/kubernetes/kubelet/config.json';
const DIR = '/etc/kubernetes/kubelet/config.json.d';
const BR_CONFIG = '/etc/kubernetes/kubelet/config';
const osRelease = (id: string, version: string, pretty: string): FileEvidence =>
  textFile('/etc/os-release', `NAME="x"\nID="${id}"\nVERSION_ID="${version}"\nPRETTY_NAME="${pretty}"\n`, [
    'os-release',
  ]);
const AL2_OS = osRelease('amzn', '2', 'Amazon Linux 2');
const AL2023_OS = osRelease('amzn', '2023', 'Amazon Linux 2023.6.20250115');

function run(spec: EvidenceSpec, node?: { platform?: string }) {
  // Prepare
  const evidence = buildEvidence(spec);
  // Act
  return runControl(makeIptablesUtilChains, node ? { evidence, node } : { evidence });
}

const al2Argv = (...extra: string[]) => [
  K,
  '--config',
  AL2_CONFIG,
  '--kubeconfig',
  '/var/lib/kubelet/kubeconfig',
  '--container-runtime-endpoint',
  'unix:///run/containerd/containerd.sock',
  '--node-ip=10.0.0.1',
  '--v=2',
  ...extra,
];
const al2Config = (extra: Record<string, unknown> = {}) =>
  textFile(AL2_CONFIG, kcJson({ readOnlyPort: 0, ...extra }));

describe('control metadata', () => {
  it('carries the CIS references, severity and a valid remediation', () => {
    const c = makeIptablesUtilChains;
    expect(c.id).toBe('kubelet-make-iptables-util-chains');
    expect(c.severity).toBe('MEDIUM');
    expect(c.profile).toBe('Level 1');
    expect(c.cis.map((r) => `${r.version}:${r.id}`)).toEqual([
      'v1.0.1:3.2.7',
      'v1.1.0:3.2.7',
      'v1.2.0:3.2.7',
      'v1.5.0:3.2.6',
      'v1.7.0:3.2.6',
      'v1.8.0:3.2.6',
    ]);
    expect(c.title.length).toBeLessThanOrEqual(200);
    expect(c.remediation.short.length).toBeLessThanOrEqual(512);
    expect(c.remediation.url).toMatch(/^https:\/\//);
    const all = [c.remediation.short, ...Object.values(c.remediation.byNodeType)].join('\n');
    expect(all).toContain('--make-iptables-util-chains=true');
    expect(all).not.toMatch(/make-iptables-util-chains:\s*true/);
    expect(Object.keys(c.remediation.byNodeType).sort()).toEqual([
      'al2',
      'al2023',
      'bottlerocket',
      'kubeadm',
      'unknown',
    ]);
  });
});

describe('PASSED', () => {
  it('AL2 default: no flag, the config file does not set it', () => {
    const r = run({ argv: al2Argv(), files: [al2Config(), AL2_OS] });
    // Assess
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: true, decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('default (true)');
    expect(r.evidence).toMatchObject({ nodeType: 'al2', configFile: AL2_CONFIG, effectiveValue: 'true' });
    expect(r.evidence.kubeletCommand).toContain('/usr/bin/kubelet --config');
  });

  it('explicit true in the config file', () => {
    const r = run({ argv: al2Argv(), files: [al2Config({ makeIPTablesUtilChains: true })] });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'config-file', path: AL2_CONFIG } });
  });

  it('a later flag=true overrides an earlier flag=false', () => {
    const r = run({
      argv: al2Argv('--make-iptables-util-chains=false', '--make_iptables_util_chains=T'),
      files: [al2Config()],
    });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'flag', index: 10 } });
    expect(r.reason).toContain(
      'overrides the earlier --make-iptables-util-chains=false on the command line (argument 9)',
    );
  });
});

describe('FAILED', () => {
  it('a flag overriding the config file names both', () => {
    const r = run({
      argv: al2Argv('--make-iptables-util-chains=false'),
      files: [al2Config({ makeIPTablesUtilChains: true }), AL2_OS],
    });
    expect(r.status).toBe('FAILED');
    expect(r.effectiveValue).toBe(false);
    expect(r.decidedBy).toEqual({ kind: 'flag', arg: '--make-iptables-util-chains=false', index: 9 });
    expect(r.reason).toContain(
      `--make-iptables-util-chains=false on the command line (argument 9) overrides makeIPTablesUtilChains: true in ${AL2_CONFIG}`,
    );
    expect(r.evidence.flagArguments).toBe('argument 9: --make-iptables-util-chains=false');
  });

  it('AL2023: a nodeadm drop-in sets false', () => {
    const r = run({
      argv: [
        K,
        '--config=/etc/kubernetes/kubelet/config.json',
        '--config-dir=/etc/kubernetes/kubelet/config.json.d',
        '--node-ip=10.0.0.2',
      ],
      files: [
        AL2023_OS,
        textFile(AL2023_CONFIG, kcJson({ maxPods: 29 })),
        dropIn(`${DIR}/40-nodeadm.conf`, kcJson({ makeIPTablesUtilChains: false })),
      ],
      configDirs: [{ path: DIR, pid: 4242, entries: [`${DIR}/40-nodeadm.conf`] }],
    });
    expect(r).toMatchObject({
      status: 'FAILED',
      decidedBy: { kind: 'drop-in', path: `${DIR}/40-nodeadm.conf` },
    });
    expect(r.evidence.nodeType).toBe('al2023');
  });

  it('Bottlerocket-style YAML with a YAML 1.1 "off"', () => {
    const r = run({
      argv: [K, '--config', BR_CONFIG],
      files: [textFile(BR_CONFIG, `${KC}makeIPTablesUtilChains: off\n`)],
    });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: false });
    expect(r.evidence.nodeType).toBe('bottlerocket');
  });

  it('the last duplicate key in a config file decides', () => {
    const r = run({
      argv: [K, '--config', '/var/lib/kubelet/config.yaml'],
      files: [
        textFile(
          '/var/lib/kubelet/config.yaml',
          `${KC}makeIPTablesUtilChains: true\nmakeIPTablesUtilChains: false\n`,
        ),
      ],
    });
    expect(r.status).toBe('FAILED');
    expect(r.evidence.nodeType).toBe('kubeadm');
  });
});

describe('WARNING', () => {
  it('--make-iptables-util-chains false (space) is true plus an argument the kubelet refuses', () => {
    const r = run({ argv: al2Argv('--make-iptables-util-chains', 'false'), files: [al2Config()] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('unknown command "false"');
    expect(r.reason).toContain('argument 10');
    expect(r.effectiveValue).toBe(true);
  });

  it.each(['yes', 'on', 'tRUE'])('--make-iptables-util-chains=%s would stop the kubelet', (v) => {
    const r = run({ argv: al2Argv(`--make-iptables-util-chains=${v}`), files: [al2Config()] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('strconv.ParseBool');
    expect(r.effectiveValue).toBeUndefined();
  });

  it('the config file is missing and no flag decides', () => {
    const r = run({ argv: al2Argv(), files: [missingFile(AL2_CONFIG)] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(`${AL2_CONFIG} does not exist`);
    expect(r.evidence.problem).toBe('config-missing');
  });

  it('the config file is missing but a flag decides: FAILED with a note', () => {
    const r = run({ argv: al2Argv('--make-iptables-util-chains=false'), files: [missingFile(AL2_CONFIG)] });
    expect(r.status).toBe('FAILED');
    expect(r.reason).toContain('Note:');
  });

  it('the config file has the string "false"', () => {
    const r = run({ argv: al2Argv(), files: [al2Config({ makeIPTablesUtilChains: 'false' })] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('not a boolean');
  });

  it('the collector cut the argv', () => {
    const r = run({ argv: al2Argv(), kubelet: { argvCut: true }, files: [al2Config()] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('cut the command line');
  });

  it('the collector cut the deciding config file', () => {
    const r = run({
      argv: al2Argv(),
      files: [textFile(AL2_CONFIG, '{"kind":"KubeletConfiguration"', ['config'], { cut: true })],
    });
    expect(r.status).toBe('WARNING');
  });

  it('two host kubelets that disagree', () => {
    const r = run({
      kubelets: [
        kubeletProcess([K, '--make-iptables-util-chains=false'], { pid: 10 }),
        kubeletProcess([K], { pid: 11 }),
      ],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('disagree');
    expect(r.evidence.perKubelet).toBe(
      'PID 10: FAILED (makeIPTablesUtilChains=false); PID 11: PASSED (makeIPTablesUtilChains=true)',
    );
  });

  it('two host kubelets that agree give the common verdict', () => {
    const r = run({
      kubelets: [
        kubeletProcess([K], { pid: 10 }),
        kubeletProcess([K, '--make-iptables-util-chains'], { pid: 11 }),
      ],
    });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toMatch(/^All 2 host kubelets agree/);
  });
});

describe('NOT_AVAILABLE', () => {
  it('a Windows node is not applicable', () => {
    const r = run({ argv: al2Argv('--make-iptables-util-chains=false') }, { platform: 'Windows' });
    expect(r.status).toBe('NOT_AVAILABLE');
    expect(r.reason).toContain('Windows');
  });

  it('no kubelet is running (a containerised "kubelet" was ignored)', () => {
    const r = run({ kubelets: [], rejected: [{ pid: 77, argv0: 'kubelet', why: 'cgroup under kubepods' }] });
    expect(r.status).toBe('NOT_AVAILABLE');
    expect(r.reason).toContain('No host kubelet');
    expect(r.reason).toContain('PID 77');
  });

  it('the host is not visible (Bottlerocket control container)', () => {
    const r = run({
      kubelets: [],
      host: { visible: false, note: 'running in the Bottlerocket control container' },
    });
    expect(r.status).toBe('NOT_AVAILABLE');
    expect(r.reason).toContain('control container');
  });
});

describe('drift between the running process and the unit files on disk', () => {
  const unit = textFile('/etc/systemd/system/kubelet.service', AL2_UNIT, ['unit']);
  const args = textFile('/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf', AL2_ARGS, [
    'unit-dropin',
  ]);
  const runningArgv = al2Argv()
    .slice(0, 7)
    .concat([
      '--node-ip=10.0.0.1',
      '--pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5',
      '--v=2',
    ]);

  it('no drift when the unit files would start the same value', () => {
    const r = run({ argv: runningArgv, files: [al2Config(), unit, args] });
    expect(r.status).toBe('PASSED');
    expect(r.drift).toBeUndefined();
  });

  it('an edited 30-kubelet-extra-args.conf not yet applied: the running process decides, drift is reported', () => {
    const extra = textFile(
      '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
      "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--make-iptables-util-chains=false'\n",
      ['unit-dropin'],
    );
    const r = run({ argv: runningArgv, files: [al2Config(), unit, args, extra] });
    expect(r.status).toBe('PASSED');
    expect(r.drift).toContain('makeIPTablesUtilChains=false');
    expect(r.drift).toContain('30-kubelet-extra-args.conf');
    expect(r.reason).toContain('Drift:');
  });

  it('unit files that would give a refused command line are reported as drift', () => {
    const extra = textFile(
      '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
      "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--make-iptables-util-chains false'\n",
      ['unit-dropin'],
    );
    const r = run({ argv: runningArgv, files: [al2Config(), unit, args, extra] });
    expect(r.status).toBe('PASSED');
    expect(r.drift).toContain('refuses');
  });
});

describe('adversarial evidence: never a crash, never PASSED', () => {
  it.each([
    [
      'an alias bomb',
      textFile(
        AL2_CONFIG,
        `${KC}a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
      ),
    ],
    ['deep nesting', textFile(AL2_CONFIG, `${KC}x: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`)],
    [
      'invalid UTF-8',
      bytesFile(AL2_CONFIG, new Uint8Array([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a])),
    ],
    [
      'binary junk',
      bytesFile(
        AL2_CONFIG,
        new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256),
      ),
    ],
    ['a huge garbage file', textFile(AL2_CONFIG, 'x'.repeat(60_000))],
  ])('%s in the config file gives WARNING', (_name, file) => {
    const r = ofThisControl(evaluateEvidence(buildEvidence({ argv: al2Argv(), files: [file] })));
    expect(r!.status).toBe('WARNING');
  });

  it('random argv and config content never throw; PASSED/FAILED always match the effective value', () => {
    const word = fc.oneof(
      fc.constantFrom(
        '--make-iptables-util-chains',
        '--make-iptables-util-chains=false',
        '--make_iptables_util_chains=1',
        'false',
        '--',
        '-m',
        '--config',
      ),
      fc.string({ maxLength: 12 }),
    );
    const content = fc.oneof(
      fc.constantFrom(
        `${KC}makeIPTablesUtilChains: no\n`,
        kcJson({ makeIPTablesUtilChains: true }),
        '',
        '{',
        `${KC}makeIPTablesUtilChains: "false"\n`,
      ),
      fc.string({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), content, (args, text) => {
        const evidence = buildEvidence({
          argv: [K, '--config', AL2_CONFIG, ...args],
          files: [textFile(AL2_CONFIG, text)],
        });
        const r = ofThisControl(evaluateEvidence(evidence));
        expect(['PASSED', 'FAILED', 'WARNING', 'NOT_AVAILABLE']).toContain(r!.status);
        if (r!.status === 'PASSED') {
          expect(r!.effectiveValue).toBe(true);
          expect(r!.decidedBy).toBeDefined();
        }
        if (r!.status === 'FAILED') expect(r!.effectiveValue).toBe(false);
        expect(r!.reason.length).toBeLessThanOrEqual(1000);
        for (const v of Object.values(r!.evidence)) expect(v.length).toBeLessThanOrEqual(512);
      }),
      { numRuns: 400 },
    );
  });

  it('an unloadable config file with no deciding flag is never PASSED or FAILED', () => {
    const unloadable = fc.constantFrom(
      '',
      '{',
      '[]',
      'kind: KubeletConfiguration\n',
      `${KC}makeIPTablesUtilChains: "false"\n`,
      `${KC}a: [`,
    );
    const word = fc.constantFrom(
      '--v=2',
      '--node-ip=10.0.0.1',
      '--max-pods',
      '17',
      '--cgroup-driver=systemd',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), unloadable, (args, text) => {
        const evidence = buildEvidence({
          argv: [K, '--config', AL2_CONFIG, ...args],
          files: [textFile(AL2_CONFIG, text)],
        });
        const r = ofThisControl(evaluateEvidence(evidence));
        expect(r!.status).toBe('WARNING');
      }),
      { numRuns: 200 },
    );
  });
});
