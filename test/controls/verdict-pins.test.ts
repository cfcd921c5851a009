/**
 * Verdicts on realistic nodes that hang on one condition each: the shapes EKS nodes really have (a
 * nodeadm drop-in that sets other keys, a relative --config, two kubelets, an optional environment
 * file) and what makes the runner choose WARNING over PASSED/FAILED (a blocking problem's code, an
 * undetermined setting), asserted together with the status.
 */
import { describe, expect, it } from 'vitest';
import type { FileEvidence, KubeletProcess } from '../../functions/collector/evidence-schema.ts';
import { anonymousAuth } from '../../functions/controls/anonymous-auth.ts';
import type { Control } from '../../functions/controls/control.ts';
import { makeIptablesUtilChains } from '../../functions/controls/make-iptables-util-chains.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { effectiveSetting } from '../../functions/kubelet/effective-config.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import {
  buildEvidence,
  bytesFile,
  dropIn,
  type EvidenceSpec,
  KC,
  kcJson,
  kubeletProcess,
  PID,
  textFile,
} from '../kubelet/evidence-builder.ts';
import { AL2_ARGS, AL2_UNIT, AL2023_UNIT } from '../kubelet/unit-fixtures.ts';

const K = '/usr/bin/kubelet';
const AL2_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
const AL2023_CONFIG = '/etc/kubernetes/kubelet/config.json';
const DIR = '/etc/kubernetes/kubelet/config.json.d';
const NODEADM = `${DIR}/40-nodeadm.conf`;
const KUBECONFIG = ['--kubeconfig', '/var/lib/kubelet/kubeconfig'];
const V131 = 'Kubernetes v1.31.4-eks-2d5f260';
const V133 = 'Kubernetes v1.33.1-eks-b9b4e44';

function run(control: Control, spec: EvidenceSpec) {
  // Prepare
  const evidence = buildEvidence(spec);
  // Act
  return runControl(control, { evidence });
}

/** The effective setting the runner judged, for asserting what made it choose its status. */
function setting(spec: EvidenceSpec, key: keyof typeof KubeletSettings) {
  const evidence = buildEvidence(spec);
  return effectiveSetting(evidence.kubelets[0]!, evidence, KubeletSettings[key]);
}

/** An AL2023 (nodeadm) node: config.json, and 40-nodeadm.conf with the NodeConfig's kubelet keys. */
function al2023(config: Record<string, unknown>, nodeadm: Record<string, unknown>, version?: string) {
  return {
    argv: [K, ...KUBECONFIG, '--config', AL2023_CONFIG, '--config-dir', DIR, '--node-ip=10.0.0.2'],
    ...(version === undefined ? {} : { kubelet: { version } }),
    files: [textFile(AL2023_CONFIG, kcJson(config)), dropIn(NODEADM, kcJson(nodeadm))],
    configDirs: [{ path: DIR, pid: PID, entries: [NODEADM] }],
  } satisfies EvidenceSpec;
}

// What nodeadm writes to 40-nodeadm.conf on an ordinary node: the NodeConfig's kubelet.config keys,
// none of which is a key the controls judge.
const NODEADM_KEYS = { maxPods: 58, clusterDNS: ['172.20.0.10'], providerID: 'aws:///us-east-1a/i-0abc' };

describe('a drop-in that does not set the key leaves the verdict to the layers below', () => {
  it.each([
    ['unknown', undefined],
    ['up to 1.31', V131],
    ['from 1.32', V133],
  ])('config.json decides, 40-nodeadm.conf sets other keys (version %s): PASSED', (_, version) => {
    const spec = al2023({ authentication: { anonymous: { enabled: false } } }, NODEADM_KEYS, version);

    const r = run(anonymousAuth, spec);
    const s = setting(spec, 'anonymousAuth');

    expect(r.status).toBe('PASSED');
    expect(r.decidedBy).toEqual({ kind: 'config-file', path: AL2023_CONFIG });
    expect(r.evidence.problem).toBeUndefined();
    expect(r.evidence.kubeletVersion).toBeUndefined();
    // What the runner reads to choose PASSED over WARNING: determined, no blocking problem, one reading.
    expect(s).toMatchObject({ determined: true, value: false, problems: [] });
    expect(s.byVersion).toBeUndefined();
    expect(s.chain.map((c) => c.provenance.kind)).toEqual(['config-file']);
  });

  it('config.json sets makeIPTablesUtilChains false, 40-nodeadm.conf other keys, version unknown: FAILED, not WARNING', () => {
    const spec = al2023({ makeIPTablesUtilChains: false }, NODEADM_KEYS);

    const r = run(makeIptablesUtilChains, spec);
    const s = setting(spec, 'makeIPTablesUtilChains');

    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: false });
    expect(r.decidedBy).toEqual({ kind: 'config-file', path: AL2023_CONFIG });
    expect(s.byVersion).toBeUndefined();
    expect(s).toMatchObject({ determined: true, problems: [] });
  });

  it('a drop-in that sets a sibling of the nested key leaves the file value: FAILED from config.json', () => {
    const spec = al2023(
      { authentication: { anonymous: { enabled: true } } },
      { authentication: { webhook: { enabled: true } } },
    );

    const r = run(anonymousAuth, spec);

    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: true });
    expect(r.decidedBy).toEqual({ kind: 'config-file', path: AL2023_CONFIG });
    expect(setting(spec, 'anonymousAuth').byVersion).toBeUndefined();
  });
});

describe('a command line the precedence re-parse fails on is never PASSED', () => {
  // --add-dir-header is a global (klog) bool: the first parse takes it bare, the re-parse over the
  // config gives global flags a value, so at the end of argv it has none (kubeletConfigFlagPrecedence).
  const argv = [
    K,
    ...KUBECONFIG,
    '--config',
    AL2_CONFIG,
    '--make-iptables-util-chains=true',
    '--add-dir-header',
  ];
  const spec = { argv, files: [textFile(AL2_CONFIG, kcJson({}))] } satisfies EvidenceSpec;

  it('WARNING with the re-parse failure as the blocking problem', () => {
    const r = run(makeIptablesUtilChains, spec);
    const s = setting(spec, 'makeIPTablesUtilChains');

    expect(r.status).toBe('WARNING');
    expect(r.evidence.problem).toBe('argv-rejected');
    expect(r.reason).toContain('re-parses its flags over the config');
    expect(r.reason).toContain('flag needs an argument: --add-dir-header');
    // The re-parse's problem is reported once, blocking, at the flag's index.
    expect(s.problems).toEqual([
      expect.objectContaining({ code: 'argv-rejected', blocking: true, index: 6 }),
    ]);
  });

  it('the same command line without --config has no re-parse and PASSES', () => {
    const r = run(makeIptablesUtilChains, { argv: [K, ...KUBECONFIG, '--add-dir-header'] });

    expect(r.status).toBe('PASSED');
    expect(r.evidence.problem).toBeUndefined();
  });

  it('a problem both parses find is reported once', () => {
    const s = setting(
      { argv: [K, '--config', AL2_CONFIG, 'stray'], files: [textFile(AL2_CONFIG, kcJson({}))] },
      'makeIPTablesUtilChains',
    );

    expect(s.problems.map((p) => `${p.code}@${p.index}`)).toEqual(['argv-rejected@3']);
    expect(s.problems[0]!.message).toContain('unknown command "stray"');
  });
});

describe('a wrong-typed final drop-in', () => {
  it.each([
    ['up to 1.31', V131],
    ['from 1.32', V133],
    ['unknown', undefined],
  ])('gives WARNING with no value (version %s), not FAILED', (_, version) => {
    const spec = al2023({}, { makeIPTablesUtilChains: 'false' }, version);

    const r = run(makeIptablesUtilChains, spec);
    const s = setting(spec, 'makeIPTablesUtilChains');

    expect(r.status).toBe('WARNING');
    expect(r.effectiveValue).toBeUndefined();
    expect(r.evidence.problem).toBe('wrong-type');
    expect(r.reason).toContain(`makeIPTablesUtilChains is "false", not a boolean in ${NODEADM}`);
    expect(s.determined).toBe(false);
    expect(s.value).toBeUndefined();
    expect(s.problems).toEqual([
      expect.objectContaining({ code: 'wrong-type', blocking: true, path: NODEADM }),
    ]);
  });

  it('a scalar where the nested key needs an object: WARNING naming the drop-in', () => {
    const spec = al2023({}, { authentication: { anonymous: 'no' } }, V133);

    const r = run(anonymousAuth, spec);

    expect(r.status).toBe('WARNING');
    expect(r.evidence.problem).toBe('wrong-type');
    expect(r.reason).toContain(`authentication.anonymous is "no", not an object in ${NODEADM}`);
  });
});

describe('several host kubelets', () => {
  it('one PASSED and one WARNING with the same value disagree: WARNING', () => {
    const r = run(makeIptablesUtilChains, {
      kubelets: [
        kubeletProcess([K, '--make-iptables-util-chains=true'], { pid: 10 }),
        // The flag follows an unrecognised flag that may have taken it: value true, but WARNING.
        kubeletProcess([K, '--brand-new-flag', '--make-iptables-util-chains=true'], { pid: 11 }),
      ],
    });

    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('disagree');
    expect(r.evidence.perKubelet).toBe(
      'PID 10: PASSED (makeIPTablesUtilChains=true); PID 11: WARNING (makeIPTablesUtilChains=true)',
    );
    expect(r.evidence.kubelets).toBe('2');
  });

  it('two FAILED kubelets with different values disagree too', () => {
    const r = run(anonymousAuth, {
      kubelets: [
        kubeletProcess([K, ...KUBECONFIG, '--anonymous-auth=true'], { pid: 10 }),
        kubeletProcess([K, ...KUBECONFIG], { pid: 11 }),
      ],
    });

    expect(r.status).toBe('FAILED');
    expect(r.reason).toMatch(/^All 2 host kubelets agree/);
    expect(r.evidence.kubelets).toBe('2');
  });
});

describe('an unknown flag next to --config', () => {
  const config = textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false }));

  it.each([
    ['--brand-new-flag=x', ['--brand-new-flag=x']],
    ['--brand-new-flag value', ['--brand-new-flag', 'value']],
    ['--brand-new-flag (bare)', ['--brand-new-flag']],
  ])('%s before --config is not fatal: the config file decides', (_, unknown) => {
    const spec = { argv: [K, ...KUBECONFIG, ...unknown, '--config', AL2_CONFIG], files: [config] };

    const r = run(makeIptablesUtilChains, spec);
    const s = setting(spec, 'makeIPTablesUtilChains');

    expect(r.status).toBe('FAILED');
    expect(r.decidedBy).toEqual({ kind: 'config-file', path: AL2_CONFIG });
    expect(r.evidence.problem).toBeUndefined();
    expect(s).toMatchObject({ determined: true, configPath: AL2_CONFIG, problems: [] });
    expect(s.parsed.unknownFlags.map((f) => f.name)).toEqual(['brand-new-flag']);
  });

  it('--brand-new-flag=x right after --config <path> is not fatal either', () => {
    const r = run(makeIptablesUtilChains, {
      argv: [K, ...KUBECONFIG, '--config', AL2_CONFIG, '--brand-new-flag=x'],
      files: [config],
    });

    expect(r.status).toBe('FAILED');
    expect(r.evidence.problem).toBeUndefined();
  });
});

describe('a config file with non-ASCII bytes (base64 in the evidence)', () => {
  it('is judged by its decoded bytes', () => {
    const yaml = `# Konfiguration für den Knoten — géré par nodeadm\n${KC}makeIPTablesUtilChains: false\n`;
    const spec = {
      argv: [K, ...KUBECONFIG, '--config', AL2_CONFIG],
      files: [bytesFile(AL2_CONFIG, new Uint8Array(Buffer.from(yaml, 'utf8')))],
    };

    const r = run(makeIptablesUtilChains, spec);

    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: false });
    expect(r.decidedBy).toEqual({ kind: 'config-file', path: AL2_CONFIG });
    expect(setting(spec, 'makeIPTablesUtilChains')).toMatchObject({ configFormat: 'yaml', problems: [] });
  });

  it('a non-ASCII drop-in too', () => {
    const spec = al2023({}, {});
    const json = `{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","labels":"é","makeIPTablesUtilChains":false}`;
    const files = [
      textFile(AL2023_CONFIG, kcJson({})),
      bytesFile(NODEADM, new Uint8Array(Buffer.from(json, 'utf8')), ['config-dir-entry']),
    ];

    const r = run(makeIptablesUtilChains, { ...spec, files });

    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'drop-in', path: NODEADM } });
  });
});

describe('drift when the config file decides the running value', () => {
  const unit = textFile('/etc/systemd/system/kubelet.service', AL2_UNIT, ['unit']);
  const args = textFile('/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf', AL2_ARGS, [
    'unit-dropin',
  ]);
  const running = [
    K,
    '--config',
    AL2_CONFIG,
    ...KUBECONFIG,
    '--container-runtime-endpoint',
    'unix:///run/containerd/containerd.sock',
    '--node-ip=10.0.0.1',
    '--pod-infra-container-image=602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5',
    '--v=2',
  ];

  it('a flag added to the unit files would override the config file: drift is reported', () => {
    const extra = textFile(
      '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
      "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--make-iptables-util-chains=true'\n",
      ['unit-dropin'],
    );

    const r = run(makeIptablesUtilChains, {
      argv: running,
      files: [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false })), unit, args, extra],
    });

    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: AL2_CONFIG } });
    expect(r.drift).toBe(
      'the unit files on disk (/etc/systemd/system/kubelet.service, /etc/systemd/system/kubelet.service.d/10-kubelet-args.conf, /etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf) would start the kubelet with makeIPTablesUtilChains=true (--make-iptables-util-chains=true on the command line (argument 10)), but the running process has false: it has not been restarted since they changed',
    );
    expect(r.evidence.drift).toBe(r.drift);
    expect(r.reason).toContain(`Drift: ${r.drift}`);
  });

  it('unit files that would give a refused command line: the refusal, without its prefix', () => {
    const extra = textFile(
      '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
      "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--make-iptables-util-chains false'\n",
      ['unit-dropin'],
    );

    const r = run(makeIptablesUtilChains, {
      argv: running,
      files: [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false })), unit, args, extra],
    });

    expect(r.drift).toMatch(
      /would give the kubelet a command line it refuses \(unknown command "false": the boolean flag --make-iptables-util-chains does not take the next word as its value, so "false" is a stray argument \(argument 11\)\): it will not start again as configured$/,
    );
  });

  it('a running value that cannot be judged has no drift, whatever the unit files say', () => {
    const extra = textFile(
      '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
      "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--make-iptables-util-chains=true'\n",
      ['unit-dropin'],
    );

    const r = run(makeIptablesUtilChains, { argv: running, files: [unit, args, extra] });

    expect(r.status).toBe('WARNING');
    expect(r.evidence.problem).toBe('config-missing');
    expect(r.drift).toBeUndefined();
  });

  it('unit files whose config file is missing but whose flag decides: drift, not a refusal', () => {
    const extra = textFile(
      '/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf',
      "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--make-iptables-util-chains=false --config /etc/new.json'\n",
      ['unit-dropin'],
    );

    const r = run(makeIptablesUtilChains, {
      argv: running,
      files: [textFile(AL2_CONFIG, kcJson({})), unit, args, extra],
    });

    expect(r.status).toBe('PASSED');
    expect(r.drift).toContain('would start the kubelet with makeIPTablesUtilChains=false');
  });

  it('a drop-in null that lets the config file decide overrides nothing', () => {
    const spec = {
      ...al2023({ makeIPTablesUtilChains: false }, { makeIPTablesUtilChains: null }, V131),
    };

    const r = run(makeIptablesUtilChains, spec);

    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: AL2023_CONFIG } });
    expect(r.reason).not.toContain('overrides');
    expect(r.reason).toContain('Note: the drop-in');
  });

  it('the same unit files and the config file deciding both: no drift', () => {
    const r = run(makeIptablesUtilChains, {
      argv: running,
      files: [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false })), unit, args],
    });

    expect(r.status).toBe('FAILED');
    expect(r.drift).toBeUndefined();
    expect(r.evidence.drift).toBeUndefined();
  });
});

describe('a relative --config', () => {
  const wanted = textFile(
    '/etc/kubernetes/kubelet/kubelet-config.json',
    kcJson({ makeIPTablesUtilChains: false }),
  );
  // Another config file recorded for the same kubelet (as when the collector resolved a second path):
  // with it, no "only config file" fallback can stand in for resolving the path.
  const other = textFile('/var/lib/kubelet/kubelet-config.json', kcJson({ makeIPTablesUtilChains: true }));

  it('is resolved against the kubelet working directory', () => {
    const spec = {
      argv: [K, ...KUBECONFIG, '--config', 'kubelet-config.json'],
      cwd: '/etc/kubernetes/kubelet',
      files: [other, wanted],
    };

    const r = run(makeIptablesUtilChains, spec);

    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: wanted.path } });
    expect(r.evidence.configFile).toBe(wanted.path);
    expect(setting(spec, 'makeIPTablesUtilChains').configPath).toBe(wanted.path);
  });

  it('another working directory picks the other file', () => {
    const r = run(makeIptablesUtilChains, {
      argv: [K, ...KUBECONFIG, '--config', './kubelet-config.json'],
      cwd: '/var/lib/kubelet',
      files: [wanted, other],
    });

    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'config-file', path: other.path } });
  });

  it('a relative --config-dir is resolved against it too', () => {
    const entry = `${DIR}/40-nodeadm.conf`;
    const r = run(makeIptablesUtilChains, {
      argv: [K, ...KUBECONFIG, '--config-dir', 'config.json.d'],
      cwd: '/etc/kubernetes/kubelet',
      files: [dropIn(entry, kcJson({ makeIPTablesUtilChains: false }))],
      configDirs: [
        { path: '/var/lib/kubelet/config.json.d', pid: PID, entries: [] },
        { path: DIR, pid: PID, entries: [entry] },
      ],
    });

    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'drop-in', path: entry } });
    expect(r.evidence.configDir).toBe(DIR);
  });
});

describe("the kubelet's own copy of a path", () => {
  const OTHER = 7777;
  const argv = [K, ...KUBECONFIG, '--config', AL2_CONFIG];
  const kubelets: KubeletProcess[] = [kubeletProcess(argv)];

  it('is preferred to another process copy of the same path listed before it', () => {
    const files: FileEvidence[] = [
      textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: true }), ['config'], { pid: OTHER }),
      textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false })),
    ];

    const r = run(makeIptablesUtilChains, { kubelets, files });

    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: false });
  });

  it('is preferred to a copy recorded without a pid', () => {
    const { pid: _, ...unowned } = textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: true }));
    const files: FileEvidence[] = [unowned, textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false }))];

    const r = run(makeIptablesUtilChains, { kubelets, files });

    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: false });
  });

  it('a copy without a pid is preferred to another process copy', () => {
    const { pid: _, ...unowned } = textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false }));
    const files: FileEvidence[] = [
      textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: true }), ['config'], { pid: OTHER }),
      unowned,
    ];

    const r = run(makeIptablesUtilChains, { kubelets, files });

    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: false });
  });

  it('of a drop-in directory listing and of a drop-in is preferred too', () => {
    const entry = `${DIR}/40-nodeadm.conf`;
    const spec: EvidenceSpec = {
      argv: [K, ...KUBECONFIG, '--config-dir', DIR],
      files: [
        textFile(entry, kcJson({ makeIPTablesUtilChains: true }), ['config-dir-entry'], { pid: OTHER }),
        dropIn(entry, kcJson({ makeIPTablesUtilChains: false })),
      ],
      configDirs: [
        { path: DIR, pid: OTHER, entries: [] },
        { path: DIR, pid: PID, entries: [entry] },
      ],
    };

    const r = run(makeIptablesUtilChains, spec);

    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'drop-in', path: entry } });
  });
});

describe('a present optional EnvironmentFile=-', () => {
  const ENV = '/etc/eks/kubelet/environment';
  const optionalUnit = AL2023_UNIT.replace(`EnvironmentFile=${ENV}`, `EnvironmentFile=-${ENV}`);
  const running = [K, '--config', AL2023_CONFIG, ...KUBECONFIG];

  it('is read: its arguments reach the argv systemd would start (drift)', () => {
    const r = run(makeIptablesUtilChains, {
      argv: running,
      files: [
        textFile(AL2023_CONFIG, kcJson({})),
        textFile('/etc/systemd/system/kubelet.service', optionalUnit, ['unit']),
        textFile(
          ENV,
          `NODEADM_KUBELET_ARGS="--config ${AL2023_CONFIG} --kubeconfig /var/lib/kubelet/kubeconfig --make-iptables-util-chains=false"\n`,
          ['environment'],
        ),
      ],
    });

    expect(r.status).toBe('PASSED');
    expect(r.drift).toContain('would start the kubelet with makeIPTablesUtilChains=false');
    expect(r.drift).toContain(ENV);
  });
});
