/**
 * kubelet-rotate-server-certificates: the feature gate through every layer (command-line pairs merge
 * per gate over the config's featureGates; drop-ins are JSON merge patches), serverTLSBootstrap in
 * every reason, and the combinations the kubelet refuses.
 */
import { describe, expect, it } from 'vitest';
import { rotateServerCertificates } from '../../functions/controls/rotate-server-certificates.ts';
import { dropIn, kcJson } from '../kubelet/evidence-builder.ts';
import { CONFIG, config, DIR, runOn, type SettingNode, V131, V132 } from './setting-node.ts';

const run = (node: SettingNode) => runOn(rotateServerCertificates, node);
const gates = (featureGates: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  config({ featureGates, ...extra });
/** The AMIs' shape: the gate on and serverTLSBootstrap true. */
const ami = (gate: unknown, extra: Record<string, unknown> = {}) =>
  gates({ RotateKubeletServerCertificate: gate, NodeSwap: false }, { serverTLSBootstrap: true, ...extra });

describe('kubelet-rotate-server-certificates: metadata', () => {
  it('carries its CIS ids and declares the gate first, serverTLSBootstrap second', () => {
    expect(rotateServerCertificates.cisIds).toEqual({
      eks: '3.2.9',
      eksLegacy: '3.2.11',
      kubernetes: '4.2.11',
    });
    expect(Object.values(rotateServerCertificates.settings).map((s) => s.path)).toEqual([
      'featureGates.RotateKubeletServerCertificate',
      'serverTLSBootstrap',
    ]);
  });
});

describe('kubelet-rotate-server-certificates: PASSED', () => {
  it('the AMI config: gate true and serverTLSBootstrap true, both from the file', () => {
    const r = run({ config: ami(true) });
    expect(r).toMatchObject({
      status: 'PASSED',
      effectiveValue: true,
      decidedBy: { kind: 'config-file', path: CONFIG },
    });
    expect(r.reason).toBe(
      'The kubelet requests its serving certificate from the API server and rotates it: the RotateKubeletServerCertificate ' +
        `feature gate is on and serverTLSBootstrap is true (serverTLSBootstrap: true in ${CONFIG}): ` +
        `featureGates.RotateKubeletServerCertificate: true in ${CONFIG}.`,
    );
    expect(r.evidence).toMatchObject({ serverTLSBootstrap: 'true', effectiveValue: 'true' });
  });

  it('set nowhere: the gate default (true), and the reason says serverTLSBootstrap is false so nothing rotates', () => {
    const r = run({ config: config({}) });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('serverTLSBootstrap is false (the kubelet default (false)');
    expect(r.reason).toContain('rotates nothing');
    expect(r.reason).toContain(
      'the kubelet default (true), as no --feature-gates flag sets RotateKubeletServerCertificate',
    );
    expect(r.evidence.serverTLSBootstrap).toBe('false');
  });

  it('no --config: the flag defaults give the gate true as well', () => {
    expect(run({})).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'default' } });
  });

  it('serverTLSBootstrap from --rotate-server-certificates is named in the reason', () => {
    const r = run({ config: config({}), argv: ['--rotate-server-certificates'] });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toContain(
      'serverTLSBootstrap is true (--rotate-server-certificates (bare flag = true) on the command line (argument 5))',
    );
  });
});

describe('kubelet-rotate-server-certificates: --feature-gates merges per gate over the config', () => {
  it('a flag that sets another gate only does not hide the config file gate', () => {
    const r = run({
      config: gates({ RotateKubeletServerCertificate: false }),
      argv: ['--feature-gates=NodeSwap=true'],
    });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: CONFIG } });
    expect(r.reason).toContain(`featureGates.RotateKubeletServerCertificate: false in ${CONFIG}`);
  });

  it('a flag that sets this gate decides over the file (serverTLSBootstrap off too): FAILED by the flag', () => {
    const r = run({
      config: gates({ RotateKubeletServerCertificate: true }),
      argv: ['--feature-gates=NodeSwap=true,RotateKubeletServerCertificate=false'],
    });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: false, decidedBy: { kind: 'flag' } });
    expect(r.reason).toMatch(/^The kubelet CANNOT rotate its serving certificate/);
    expect(r.reason).toContain('serverTLSBootstrap is false');
  });

  it('the last pair that names the gate wins, across --feature-gates flags', () => {
    const r = run({
      config: config({}),
      argv: [
        '--feature-gates=RotateKubeletServerCertificate=false',
        '--feature-gates=RotateKubeletServerCertificate=true',
        '--feature-gates=NodeSwap=false',
      ],
    });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'flag', index: 6 } });
  });

  it('gate off by flag while the file keeps serverTLSBootstrap true: the kubelet refuses it, WARNING', () => {
    const r = run({ config: ami(true), argv: ['--feature-gates=RotateKubeletServerCertificate=false'] });
    expect(r).toMatchObject({ status: 'WARNING', effectiveValue: false, decidedBy: { kind: 'flag' } });
    expect(r.evidence.problem).toBe('refused-combination');
    expect(r.reason).toContain('the kubelet refuses that configuration');
    expect(r.reason).toContain(`serverTLSBootstrap is true (serverTLSBootstrap: true in ${CONFIG})`);
  });
});

describe('kubelet-rotate-server-certificates: drop-ins are JSON merge patches', () => {
  it('a drop-in that sets featureGates.Other does not hide the file gate', () => {
    const r = run({
      config: gates({ RotateKubeletServerCertificate: false }),
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ featureGates: { DynamicResourceAllocation: true } }))],
    });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: CONFIG } });
  });

  it('a drop-in that sets the gate overrides the file', () => {
    const r = run({
      config: ami(true, { serverTLSBootstrap: false }),
      dropIns: [
        dropIn(`${DIR}/40.conf`, kcJson({ featureGates: { RotateKubeletServerCertificate: false } })),
      ],
    });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'drop-in', path: `${DIR}/40.conf` } });
    expect(r.reason).toContain(`overrides featureGates.RotateKubeletServerCertificate: true in ${CONFIG}`);
  });

  it('a drop-in null over a file false: FAILED up to 1.31, the default from 1.32, WARNING when unknown', () => {
    const node = {
      config: gates({ RotateKubeletServerCertificate: false }),
      dropIns: [dropIn(`${DIR}/50.conf`, kcJson({ featureGates: { RotateKubeletServerCertificate: null } }))],
    };
    expect(run({ ...node, version: V131 }).status).toBe('FAILED');
    expect(run({ ...node, version: V132 })).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'default' },
    });
    expect(run(node)).toMatchObject({ status: 'WARNING', evidence: { problem: 'version-dependent' } });
  });
});

describe('kubelet-rotate-server-certificates: values the kubelet refuses are WARNING', () => {
  it('a gate value that is not a bool on the command line', () => {
    const r = run({ config: ami(true), argv: ['--feature-gates=RotateKubeletServerCertificate=maybe'] });
    expect(r).toMatchObject({ status: 'WARNING', evidence: { problem: 'argv-rejected' } });
    expect(r.reason).toContain('strconv.ParseBool');
  });

  it('a gate value that is not a bool in the --config file', () => {
    const r = run({ config: gates({ RotateKubeletServerCertificate: 'true' }) });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('cannot be judged');
  });

  it('a serverTLSBootstrap the kubelet could not load leaves the verdict open, even with the gate on', () => {
    const r = run({ config: ami(true, { serverTLSBootstrap: 'yes' }) });
    expect(r.status).toBe('WARNING');
    // The kubelet could not load a file with a non-bool serverTLSBootstrap, so the gate it holds is open too.
    expect(r.reason).toContain(
      `the kubelet could not have loaded the config file ${CONFIG}: serverTLSBootstrap is "yes"`,
    );
  });
});
