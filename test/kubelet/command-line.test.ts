import { describe, expect, it } from 'vitest';
import { SettingProblemCode } from '../../functions/kubelet/effective-config.ts';
import { AL2_CONFIG, effective, K } from './effective-fixtures.ts';
import { kcJson, textFile } from './evidence-builder.ts';

describe('command-line problems', () => {
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
