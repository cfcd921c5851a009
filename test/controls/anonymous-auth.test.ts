/**
 * kubelet-anonymous-auth: what makes the control choose WARNING over PASSED/FAILED, and which layer
 * decides the nested authentication.anonymous.enabled.
 */
import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { anonymousAuth } from '../../functions/controls/anonymous-auth.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { buildEvidence, dropIn, kcJson, textFile } from '../kubelet/evidence-builder.ts';

const K = '/usr/bin/kubelet';
const CONFIG = '/etc/kubernetes/kubelet/config.json';
const DIR = '/etc/kubernetes/kubelet/config.json.d';
const KUBECONFIG = ['--kubeconfig', '/var/lib/kubelet/kubeconfig'];
const V131 = 'Kubernetes v1.31.4-eks-2d5f260';
const V132 = 'Kubernetes v1.32.3-eks-473151a';

const anonymous = (enabled: unknown) => ({ authentication: { anonymous: { enabled } } });
const config = (extra: Record<string, unknown>) => textFile(CONFIG, kcJson(extra));

interface Node {
  readonly argv?: readonly string[];
  readonly config?: FileEvidence;
  readonly dropIns?: readonly FileEvidence[];
  readonly version?: string;
}

function run(node: Node) {
  // Prepare
  const dropIns = node.dropIns ?? [];
  const evidence = buildEvidence({
    argv: [
      K,
      ...KUBECONFIG,
      ...(node.config ? ['--config', node.config.path] : []),
      ...(node.dropIns ? ['--config-dir', DIR] : []),
      ...(node.argv ?? []),
    ],
    files: [...(node.config ? [node.config] : []), ...dropIns],
    ...(node.dropIns ? { configDirs: [{ path: DIR, pid: 4242, entries: dropIns.map((f) => f.path) }] } : {}),
    ...(node.version ? { kubelet: { version: node.version } } : {}),
  });
  // Act
  return runControl(anonymousAuth, { evidence });
}

describe('kubelet-anonymous-auth: which layer decides', () => {
  it('PASSED when the --config file sets it false', () => {
    const r = run({ config: config(anonymous(false)) });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: false, decidedBy: { kind: 'config-file' } });
    expect(r.reason).toBe(
      `The kubelet refuses anonymous requests: authentication.anonymous.enabled: false in ${CONFIG}.`,
    );
  });

  it('PASSED by the v1beta1 default when the --config file does not set it', () => {
    const r = run({ config: config({}) });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('the kubelet default (false)');
  });

  it('FAILED when the --config file turns it on', () => {
    expect(run({ config: config(anonymous(true)) })).toMatchObject({
      status: 'FAILED',
      effectiveValue: true,
    });
  });

  it('a drop-in that sets authentication.webhook leaves the file value of authentication.anonymous', () => {
    const r = run({
      config: config(anonymous(true)),
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ authentication: { webhook: { enabled: true } } }))],
    });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: CONFIG } });
  });

  it('a drop-in that sets it overrides the file, merged key by key', () => {
    const r = run({
      config: config(anonymous(true)),
      dropIns: [
        dropIn(`${DIR}/40.conf`, kcJson({ authentication: { anonymous: { enabled: false }, webhook: {} } })),
      ],
    });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'drop-in', path: `${DIR}/40.conf` } });
    expect(r.reason).toContain(`overrides authentication.anonymous.enabled: true in ${CONFIG}`);
  });

  it('flags win over every file: --anonymous-auth=false', () => {
    const r = run({ config: config(anonymous(true)), argv: ['--anonymous-auth=false'] });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'flag', arg: '--anonymous-auth=false' } });
  });

  it('flags win over every file: the last --anonymous_auth counts', () => {
    const r = run({ config: config(anonymous(false)), argv: ['--anonymous-auth=false', '--anonymous_auth'] });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: true });
  });
});

describe('kubelet-anonymous-auth: no --config (legacy flag defaults)', () => {
  it('without --config the flag default is true: FAILED', () => {
    const r = run({});
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: true, decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('applyLegacyDefaults');
  });

  it('drop-ins without --config merge onto the legacy defaults: still true when they do not set it', () => {
    const r = run({
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ authentication: { webhook: { enabled: true } } }))],
    });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: true });
    expect(r.reason).toContain('runs without --config');
  });

  it('a drop-in null without --config: up to 1.31 the legacy true shows through, from 1.32 the v1beta1 default', () => {
    const dropIns = [dropIn(`${DIR}/40.conf`, kcJson(anonymous(null)))];
    expect(run({ dropIns, version: V131 })).toMatchObject({ status: 'FAILED', effectiveValue: true });
    expect(run({ dropIns, version: V132 })).toMatchObject({ status: 'PASSED', effectiveValue: false });
  });
});

describe('kubelet-anonymous-auth: WARNING instead of a verdict', () => {
  it('a wrong-typed final drop-in stops the kubelet', () => {
    const r = run({
      config: config(anonymous(false)),
      dropIns: [
        dropIn(`${DIR}/10.conf`, kcJson(anonymous(false))),
        dropIn(`${DIR}/20.conf`, kcJson(anonymous('false'))),
      ],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('authentication.anonymous.enabled is "false", not a boolean');
  });

  it('a scalar where the authentication object belongs stops the kubelet', () => {
    const r = run({
      config: config({}),
      dropIns: [dropIn(`${DIR}/10.conf`, kcJson({ authentication: 'off' }))],
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('authentication is "off", not an object');
  });

  it('--anonymous-auth false (separate word) is a stray positional argument: the kubelet refuses it', () => {
    const r = run({ config: config(anonymous(true)), argv: ['--anonymous-auth', 'false'] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('unknown command "false"');
    expect(r.reason).toContain('does not take the next word');
  });

  it('a value ParseBool refuses is a flag error', () => {
    const r = run({ config: config({}), argv: ['--anonymous-auth=no'] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('strconv.ParseBool');
  });

  const nullOverFile: Node = {
    config: config(anonymous(true)),
    dropIns: [
      dropIn(`${DIR}/10.conf`, kcJson(anonymous(false))),
      dropIn(`${DIR}/20.conf`, kcJson(anonymous(null))),
    ],
  };

  it('a drop-in null up to 1.31 lets the --config file value show through: FAILED', () => {
    const r = run({ ...nullOverFile, version: V131 });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: CONFIG } });
    expect(r.reason).toContain('without re-defaulting');
  });

  it('a drop-in null from 1.32 restores the v1beta1 default: PASSED', () => {
    const r = run({ ...nullOverFile, version: V132 });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: false, decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('re-defaults the merged drop-ins');
  });

  it('a drop-in null with the version unknown: WARNING naming both readings', () => {
    const r = run(nullOverFile);
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('version is unknown');
    expect(r.reason).toContain(
      `up to 1.31 authentication.anonymous.enabled is true (authentication.anonymous.enabled: true in ${CONFIG}): FAILED`,
    );
    expect(r.reason).toContain(
      'from 1.32 authentication.anonymous.enabled is false (the kubelet default (false)',
    );
    expect(r.reason).toMatch(/re-defaults the merged drop-ins\): PASSED\.$/);
    expect(r.evidence.problem).toBe('version-dependent');
  });

  it('with the version unknown but the same verdict both ways, the verdict stands', () => {
    const r = run({
      config: config(anonymous(false)),
      dropIns: [
        dropIn(`${DIR}/10.conf`, kcJson(anonymous(true))),
        dropIn(`${DIR}/20.conf`, kcJson({ authentication: null })),
      ],
    });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: false });
  });
});
