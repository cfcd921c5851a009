import { describe, expect, it } from 'vitest';
import { SettingProblemCode } from '../../functions/kubelet/effective-config.ts';
import { AL2_CONFIG, effective, K } from './effective-fixtures.ts';
import { KC, kcJson, textFile } from './evidence-builder.ts';

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
