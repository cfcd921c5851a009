import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { SettingProblemCode } from '../../functions/kubelet/effective-config.ts';
import { AL2023_CONFIG, DIR, effective, K } from './effective-fixtures.ts';
import { dropIn, KC, kcJson, missingFile, textFile } from './evidence-builder.ts';

function withDropIns(
  files: FileEvidence[],
  config: FileEvidence | undefined,
  args: string[] = [],
  version?: string,
) {
  const entries = files.map((f) => f.path);
  return effective({
    argv: [K, ...(config ? ['--config', config.path] : []), '--config-dir', DIR, ...args],
    files: config ? [config, ...files] : files,
    configDirs: [{ path: DIR, pid: 4242, entries }],
    ...(version === undefined ? {} : { kubelet: { version } }),
  });
}

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

  const nullOverConfig = (version?: string) =>
    withDropIns(
      [
        dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: true })),
        dropIn(`${DIR}/20.conf`, kcJson({ makeIPTablesUtilChains: null })),
      ],
      config(false),
      [],
      version,
    );

  it('up to 1.31, null falls back to the --config file value, which the kubelet already loaded into the struct', () => {
    const r = nullOverConfig('Kubernetes v1.31.4-eks-2d5f260');
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'config-file', path: AL2023_CONFIG } });
  });

  it('from 1.32, null deletes the value from the merged v1beta1 object and the default applies', () => {
    const r = nullOverConfig('Kubernetes v1.32.3-eks-473151a');
    expect(r).toMatchObject({ value: true, decidedBy: { kind: 'default' } });
    expect(r.decidedByText).toContain('null in drop-in');
  });

  it('with the version unknown, a null that reads differently gives both readings and no value', () => {
    const r = nullOverConfig();
    expect(r.determined).toBe(false);
    expect(r.byVersion?.upTo131).toMatchObject({ value: false });
    expect(r.byVersion?.from132).toMatchObject({ value: true });
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
