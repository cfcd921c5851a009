import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import {
  type BoolSettingSpec,
  effectiveBoolSetting,
  SettingProblemCode,
} from '../../functions/kubelet/effective-config.ts';
import {
  buildEvidence,
  bytesFile,
  dropIn,
  type EvidenceSpec,
  KC,
  kcJson,
  missingFile,
  textFile,
} from './evidence-builder.ts';

const SPEC: BoolSettingSpec = {
  flag: 'make-iptables-util-chains',
  configKey: 'makeIPTablesUtilChains',
  type: 'bool',
  default: true,
};
const K = '/usr/bin/kubelet';
const AL2_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
const DIR = '/etc/kubernetes/kubelet/config.json.d';
const AL2023_CONFIG = '/etc/kubernetes/kubelet/config.json';

function effective(spec: EvidenceSpec) {
  // Prepare
  const evidence = buildEvidence(spec);
  // Act
  return effectiveBoolSetting(evidence.kubelets[0]!, evidence, SPEC);
}

function withDropIns(files: FileEvidence[], config: FileEvidence | undefined, args: string[] = []) {
  const entries = files.map((f) => f.path);
  return effective({
    argv: [K, ...(config ? ['--config', config.path] : []), '--config-dir', DIR, ...args],
    files: config ? [config, ...files] : files,
    configDirs: [{ path: DIR, pid: 4242, entries }],
  });
}

describe('effective value: precedence default → config → drop-ins → flags', () => {
  it('is the default (true) with no flag and no config file', () => {
    const r = effective({ argv: [K, '--v=2'] });
    // Assess
    expect(r).toMatchObject({ determined: true, value: true, decidedBy: { kind: 'default' } });
    expect(r.decidedByText).toContain('not set in a --config file');
  });

  it('is the default when the config file does not set it', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG],
      files: [textFile(AL2_CONFIG, kcJson({ maxPods: 17 }))],
    });
    expect(r).toMatchObject({
      value: true,
      decidedBy: { kind: 'default' },
      configPath: AL2_CONFIG,
      configFormat: 'json',
    });
  });

  it('is the default when the config file has null', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG],
      files: [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: null }))],
    });
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'default' } });
  });

  it('takes the config file value', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG],
      files: [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: false }))],
    });
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'config-file', path: AL2_CONFIG } });
    expect(r.decidedByText).toBe(`makeIPTablesUtilChains: false in ${AL2_CONFIG}`);
  });

  it('a flag overrides the config file and records the chain', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG, '--node-ip=10.0.0.1', '--make-iptables-util-chains=false'],
      files: [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: true }))],
    });
    expect(r).toMatchObject({
      value: false,
      decidedBy: { kind: 'flag', index: 4, arg: '--make-iptables-util-chains=false' },
    });
    expect(r.chain.map((c) => c.provenance.kind)).toEqual(['config-file', 'flag']);
    expect(r.decidedByText).toBe('--make-iptables-util-chains=false on the command line (argument 4)');
  });

  it('the last --config wins', () => {
    const r = effective({
      argv: [K, '--config', '/a.yaml', '--config=/b.yaml'],
      files: [
        textFile('/a.yaml', `${KC}makeIPTablesUtilChains: true\n`),
        textFile('/b.yaml', `${KC}makeIPTablesUtilChains: no\n`),
      ],
    });
    expect(r).toMatchObject({
      value: false,
      decidedBy: { kind: 'config-file', path: '/b.yaml' },
      configFormat: 'yaml',
    });
  });

  it('an empty --config means no config file', () => {
    const r = effective({ argv: [K, '--config='] });
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'default' } });
    expect(r.problems).toEqual([]);
  });

  it('resolves a relative --config against the working directory', () => {
    const r = effective({
      argv: [K, '--config', '../kubelet/c.yaml'],
      cwd: '/etc/kubernetes/x',
      files: [textFile('/etc/kubernetes/kubelet/c.yaml', `${KC}makeIPTablesUtilChains: false\n`)],
    });
    expect(r).toMatchObject({ value: false, configPath: '/etc/kubernetes/kubelet/c.yaml' });
  });

  it('with an unknown working directory, uses the only config file collected for this kubelet', () => {
    const r = effective({
      argv: [K, '--config', 'c.yaml'],
      kubelet: { cwd: undefined, cwdError: 'permission denied' },
      files: [textFile('/var/lib/kubelet/c.yaml', `${KC}makeIPTablesUtilChains: false\n`)],
    });
    expect(r).toMatchObject({ value: false, configPath: '/var/lib/kubelet/c.yaml' });
  });

  it('with an unknown working directory and no match, it is undetermined', () => {
    const r = effective({ argv: [K, '--config', 'c.yaml'], kubelet: { cwd: undefined } });
    expect(r.determined).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.configUnresolvable, blocking: true });
  });
});

describe('config file problems', () => {
  it.each([
    ['missing from the evidence', [] as FileEvidence[], SettingProblemCode.configMissing],
    ['not found on the node', [missingFile(AL2_CONFIG)], SettingProblemCode.configMissing],
    [
      'unreadable',
      [missingFile(AL2_CONFIG, ['config'], 'permission denied')],
      SettingProblemCode.configUnreadable,
    ],
    [
      'cut by the collector',
      [textFile(AL2_CONFIG, '{"kind":', ['config'], { cut: true })],
      SettingProblemCode.configCut,
    ],
    [
      'unparseable',
      [textFile(AL2_CONFIG, '{"kind": "KubeletConfiguration",')],
      SettingProblemCode.configUnloadable,
    ],
    [
      'without kind',
      [textFile(AL2_CONFIG, '{"makeIPTablesUtilChains": true}')],
      SettingProblemCode.configUnloadable,
    ],
    ['empty', [textFile(AL2_CONFIG, '')], SettingProblemCode.configUnloadable],
    [
      'of the wrong type ("false")',
      [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: 'false' }))],
      SettingProblemCode.wrongType,
    ],
    [
      'of the wrong type (YAML quoted "no")',
      [textFile(AL2_CONFIG, `${KC}makeIPTablesUtilChains: "no"\n`)],
      SettingProblemCode.wrongType,
    ],
    [
      'of the wrong type (0)',
      [textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: 0 }))],
      SettingProblemCode.wrongType,
    ],
    [
      'invalid UTF-8 YAML',
      [bytesFile(AL2_CONFIG, new Uint8Array([0x6b, 0x3a, 0x20, 0xff, 0x0a]))],
      SettingProblemCode.configUnloadable,
    ],
  ])('a config file %s leaves the value undetermined without a flag', (_name, files, code) => {
    const r = effective({ argv: [K, '--config', AL2_CONFIG], files });
    expect(r.determined).toBe(false);
    expect(r.value).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ code, blocking: true });
  });

  it('a deciding flag makes a config file problem non-blocking', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG, '--make-iptables-util-chains=false'],
      files: [missingFile(AL2_CONFIG)],
    });
    expect(r).toMatchObject({ determined: true, value: false });
    expect(r.problems).toEqual([
      expect.objectContaining({ code: SettingProblemCode.configMissing, blocking: false }),
    ]);
  });

  it('a cut argv is a blocking problem even when a flag decides', () => {
    const r = effective({ argv: [K, '--make-iptables-util-chains=true'], kubelet: { argvCut: true } });
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.argvCut, blocking: true });
  });

  it('a rejected argv is a blocking problem', () => {
    const r = effective({ argv: [K, '--make-iptables-util-chains', 'false'] });
    expect(r).toMatchObject({ determined: true, value: true });
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.argvRejected, blocking: true, index: 2 });
  });

  it('a flag right after an unrecognised flag is ambiguous', () => {
    const r = effective({ argv: [K, '--future-flag', '--make-iptables-util-chains=false'] });
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.ambiguousFlag, blocking: true });
  });

  it('notes a duplicate key in the config file (last wins)', () => {
    const r = effective({
      argv: [K, '--config', '/c'],
      files: [textFile('/c', `${KC}makeIPTablesUtilChains: true\nmakeIPTablesUtilChains: false\n`)],
    });
    expect(r.value).toBe(false);
    expect(r.notes.join(' ')).toContain('more than once');
  });
});

describe('--config-dir drop-ins', () => {
  const config = (v: unknown) =>
    textFile(AL2023_CONFIG, kcJson(v === undefined ? {} : { makeIPTablesUtilChains: v }));

  it('a drop-in overrides the config file', () => {
    const r = withDropIns(
      [dropIn(`${DIR}/40-nodeadm.conf`, kcJson({ makeIPTablesUtilChains: false }))],
      config(true),
    );
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'drop-in', path: `${DIR}/40-nodeadm.conf` } });
  });

  it('the lexically last drop-in wins', () => {
    const r = withDropIns(
      [
        dropIn(`${DIR}/20-b.conf`, `${KC}makeIPTablesUtilChains: on\n`),
        dropIn(`${DIR}/10-a.conf`, kcJson({ makeIPTablesUtilChains: false })),
      ],
      config(undefined),
    );
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'drop-in', path: `${DIR}/20-b.conf` } });
    expect(r.chain.map((c) => c.value)).toEqual([false, true]);
  });

  it('drop-ins in a subdirectory are walked where the directory sorts', () => {
    const r = withDropIns(
      [
        dropIn(`${DIR}/b.conf`, kcJson({ makeIPTablesUtilChains: true })),
        dropIn(`${DIR}/b/x.conf`, kcJson({ makeIPTablesUtilChains: false })),
      ],
      config(undefined),
    );
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'drop-in', path: `${DIR}/b.conf` } });
  });

  it('non-.conf files are ignored', () => {
    const r = withDropIns(
      [
        dropIn(`${DIR}/99-x.json`, kcJson({ makeIPTablesUtilChains: false })),
        dropIn(`${DIR}/99.conf.bak`, 'junk'),
      ],
      config(true),
    );
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'config-file' } });
    expect(r.problems).toEqual([]);
  });

  it('works without --config (flag defaults as the base)', () => {
    const r = withDropIns([dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: false }))], undefined);
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'drop-in' } });
  });

  it('null cancels earlier drop-ins and the default shows through when the config file does not set it', () => {
    const r = withDropIns(
      [
        dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: false })),
        dropIn(`${DIR}/20.conf`, `${KC}makeIPTablesUtilChains: null\n`),
      ],
      config(undefined),
    );
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'default' } });
    expect(r.notes.join(' ')).toContain('resets');
  });

  it('null falls back to the --config file value, which the kubelet already loaded into the struct', () => {
    const r = withDropIns(
      [
        dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: true })),
        dropIn(`${DIR}/20.conf`, kcJson({ makeIPTablesUtilChains: null })),
      ],
      config(false),
    );
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'config-file', path: AL2023_CONFIG } });
  });

  it('a wrong-typed drop-in value that a later drop-in replaces does no harm', () => {
    const r = withDropIns(
      [
        dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: 'false' })),
        dropIn(`${DIR}/20.conf`, kcJson({ makeIPTablesUtilChains: false })),
      ],
      config(true),
    );
    expect(r).toMatchObject({ determined: true, value: false });
  });

  it('a wrong-typed final drop-in value stops the kubelet: undetermined', () => {
    const r = withDropIns(
      [dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: 'false' }))],
      config(true),
    );
    expect(r.determined).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.wrongType });
  });

  it.each([
    [
      'without kind/apiVersion',
      dropIn(`${DIR}/10.conf`, '{"makeIPTablesUtilChains": false}'),
      SettingProblemCode.dropInUnloadable,
    ],
    [
      'unreadable',
      missingFile(`${DIR}/10.conf`, ['config-dir-entry'], 'permission denied'),
      SettingProblemCode.dropInUnreadable,
    ],
    [
      'cut',
      textFile(`${DIR}/10.conf`, KC, ['config-dir-entry'], { cut: true }),
      SettingProblemCode.dropInCut,
    ],
  ])('a drop-in %s leaves the value undetermined', (_name, file, code) => {
    const r = withDropIns([file], config(true));
    expect(r.determined).toBe(false);
    expect(r.problems[0]).toMatchObject({ code, blocking: true });
  });

  it('a drop-in listed but not collected leaves the value undetermined', () => {
    const r = effective({
      argv: [K, '--config-dir', DIR],
      configDirs: [{ path: DIR, entries: [`${DIR}/10.conf`] }],
    });
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.dropInMissing });
  });

  it.each([
    ['not collected', undefined],
    ['not listable', { path: DIR, entries: [], error: 'not found' }],
    ['cut', { path: DIR, entries: [], cut: true }],
  ])('a drop-in directory %s leaves the value undetermined', (_name, dir) => {
    const r = effective({ argv: [K, '--config-dir', DIR], configDirs: dir ? [dir] : [] });
    expect(r.determined).toBe(false);
  });

  it('a flag overrides every drop-in', () => {
    const r = withDropIns(
      [dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: false }))],
      config(false),
      ['--make_iptables_util_chains=true'],
    );
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'flag' } });
    expect(r.chain.map((c) => c.provenance.kind)).toEqual(['config-file', 'drop-in', 'flag']);
  });

  it('a flag decides even when a drop-in is broken (non-blocking)', () => {
    const r = withDropIns([dropIn(`${DIR}/10.conf`, 'garbage: [')], config(true), [
      '--make-iptables-util-chains=false',
    ]);
    expect(r).toMatchObject({ determined: true, value: false });
    expect(r.problems.every((p) => !p.blocking)).toBe(true);
  });

  it('an empty --config-dir means no drop-ins', () => {
    const r = effective({ argv: [K, '--config-dir='] });
    expect(r).toMatchObject({ determined: true, value: true });
  });
});

describe('the re-parse over the config (kubeletConfigFlagPrecedence)', () => {
  const config = textFile(AL2_CONFIG, kcJson({ makeIPTablesUtilChains: true }));

  it('without --config there is no re-parse: a bare global bool flag does not take the next word', () => {
    const r = effective({ argv: [K, '--logtostderr', '--make-iptables-util-chains=false'] });
    expect(r).toMatchObject({ determined: true, value: false });
    expect(r.problems).toEqual([]);
  });

  it('with --config, a bare global bool flag swallows the next word in the re-parse: flagged, not trusted', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG, '--logtostderr', '--make-iptables-util-chains=false'],
      files: [config],
    });
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.ambiguousFlag, blocking: true, index: 4 });
    expect(r.problems[0]!.message).toContain('--logtostderr (argument 3) takes it as its value');
  });

  it('with --config, a trailing bare global bool flag makes the re-parse fail', () => {
    const r = effective({ argv: [K, '--config', AL2_CONFIG, '--alsologtostderr'], files: [config] });
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.argvRejected });
    expect(r.problems[0]!.message).toContain('kubeletConfigFlagPrecedence');
  });

  it('with --config, --help=false stops the re-parse (help is not registered there)', () => {
    const r = effective({ argv: [K, '--config', AL2_CONFIG, '--help=false'], files: [config] });
    expect(r.problems[0]).toMatchObject({ code: SettingProblemCode.argvRejected });
  });

  it('global flags with a value are harmless', () => {
    const r = effective({
      argv: [K, '--config', AL2_CONFIG, '--v=2', '--logtostderr=true', '--make-iptables-util-chains=false'],
      files: [config],
    });
    expect(r).toMatchObject({ determined: true, value: false });
    expect(r.problems).toEqual([]);
  });

  it.each([
    [['--version'], 1],
    [['--version=raw'], 1],
    [['--version=false'], 0],
  ])('%j: the kubelet prints its version and exits unless false', (args, problems) => {
    const r = effective({ argv: [K, ...args] });
    expect(r.problems).toHaveLength(problems);
  });
});

describe('relative --config-dir', () => {
  it('resolves against the working directory', () => {
    const r = effective({
      argv: [K, '--config-dir', 'config.json.d'],
      cwd: '/etc/kubernetes/kubelet',
      files: [dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: false }))],
      configDirs: [{ path: DIR, pid: 4242, entries: [`${DIR}/10.conf`] }],
    });
    expect(r).toMatchObject({ value: false, configDir: DIR });
  });

  it('with an unknown working directory, uses the only listing collected for this kubelet', () => {
    const r = effective({
      argv: [K, '--config-dir', 'config.json.d'],
      kubelet: { cwd: undefined },
      files: [dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: false }))],
      configDirs: [{ path: DIR, pid: 4242, entries: [`${DIR}/10.conf`] }],
    });
    expect(r).toMatchObject({ value: false, configDir: DIR });
  });
});
