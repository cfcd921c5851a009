/**
 * kubelet-client-ca-file: the effective authentication.x509.clientCAFile, the host path the kubelet
 * opens for it (relative to the --config file's directory, or to the working directory for a flag or a
 * drop-in), and what the collector's metadata says of that file.
 */
import { describe, expect, it } from 'vitest';
import type { FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { clientCaFile } from '../../functions/controls/client-ca-file.ts';
import { dropIn, kcJson, missingFile, PID, textFile } from '../kubelet/evidence-builder.ts';
import { CONFIG, DIR, type Node, runOn } from './node-fixture.ts';

const CA = '/etc/kubernetes/pki/ca.crt';
const x509 = (clientCAFile: unknown) => ({ authentication: { x509: { clientCAFile } } });
const config = (extra: Record<string, unknown>) => textFile(CONFIG, kcJson(extra));
const run = (node: Node) => runOn(clientCaFile, node);

/** The collector's metadata-only entry for a client CA file that exists. */
function caFile(path: string, extra: Partial<FileEvidence> = {}): FileEvidence {
  return {
    path,
    roles: ['client-ca'],
    pid: PID,
    ok: true,
    size: 1066,
    mode: '0644',
    uid: 0,
    gid: 0,
    type: 'file',
    redacted: true,
    ...extra,
  };
}

describe('kubelet-client-ca-file: set and present', () => {
  it('PASSED when the --config file names an existing CA file', () => {
    const r = run({ config: config(x509(CA)), files: [caFile(CA)] });
    expect(r).toMatchObject({
      status: 'PASSED',
      effectiveValue: CA,
      decidedBy: { kind: 'config-file', path: CONFIG },
    });
    expect(r.reason).toBe(
      `The kubelet verifies client certificates against ${CA}, which exists (mode 0644, owner 0:0): authentication.x509.clientCAFile: "${CA}" in ${CONFIG}.`,
    );
    expect(r.evidence).toMatchObject({ clientCAFilePath: CA, clientCAFileState: 'exists' });
  });

  it('a relative clientCAFile in the --config file is relative to the file, not to the working directory', () => {
    const r = run({
      config: config(x509('../../pki/ca.crt')),
      cwd: '/var/lib/kubelet',
      files: [caFile('/etc/pki/ca.crt')],
    });
    expect(r).toMatchObject({ status: 'PASSED', evidence: { clientCAFilePath: '/etc/pki/ca.crt' } });
    expect(r.reason).toContain('(relative, resolved against /etc/kubernetes/kubelet)');
  });

  it('a relative --client-ca-file is opened against the working directory', () => {
    const r = run({
      config: config(x509(CA)),
      argv: ['--client-ca-file=pki/ca.crt'],
      cwd: '/var/lib/kubelet',
      files: [caFile(CA), caFile('/var/lib/kubelet/pki/ca.crt')],
    });
    expect(r).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'flag', arg: '--client-ca-file=pki/ca.crt' },
      evidence: { clientCAFilePath: '/var/lib/kubelet/pki/ca.crt' },
    });
    expect(r.reason).toContain('(relative, resolved against /var/lib/kubelet)');
  });

  it('a relative value from a drop-in is not resolved by the kubelet: the working directory applies', () => {
    const r = run({
      config: config(x509(CA)),
      dropIns: [dropIn(`${DIR}/50-ca.conf`, kcJson(x509('pki/other.crt')))],
      cwd: '/',
      files: [caFile(CA), caFile('/pki/other.crt'), caFile(`${DIR}/pki/other.crt`)],
    });
    expect(r).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'drop-in' },
      evidence: { clientCAFilePath: '/pki/other.crt' },
    });
  });

  it('a drop-in replaces the file value, and the last --client-ca-file flag wins over both', () => {
    const node: Node = {
      config: config(x509('/old/ca.crt')),
      dropIns: [dropIn(`${DIR}/50-ca.conf`, kcJson(x509(CA)))],
      files: [caFile(CA), caFile('/flag/ca.crt'), missingFile('/old/ca.crt', ['client-ca'])],
    };
    expect(run(node)).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'drop-in', path: `${DIR}/50-ca.conf` },
    });
    const flagged = run({
      ...node,
      argv: ['--client-ca-file=/old/ca.crt', '--client-ca-file', '/flag/ca.crt'],
    });
    expect(flagged).toMatchObject({
      status: 'PASSED',
      effectiveValue: '/flag/ca.crt',
      decidedBy: { kind: 'flag' },
    });
  });

  it('a symlinked CA is judged by its target, as the kubelet opens it', () => {
    const r = run({
      config: config(x509(CA)),
      files: [caFile(CA, { target: 'ca-2026.crt', link: { mode: '0777', uid: 0, gid: 0 } })],
    });
    expect(r.status).toBe('PASSED');
  });
});

describe('kubelet-client-ca-file: unset', () => {
  it('FAILED when the --config file does not set it (no default)', () => {
    const r = run({ config: config({}), files: [caFile(CA)] });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: '', decidedBy: { kind: 'default' } });
    expect(r.reason).toMatch(
      /^The kubelet has NO client CA file, so it authenticates no client certificate: the kubelet default \(""\)/,
    );
    expect(r.evidence.clientCAFileState).toBe('unset');
  });

  it('FAILED without --config, also under drop-ins that do not set it', () => {
    expect(run({})).toMatchObject({ status: 'FAILED', effectiveValue: '' });
    const r = run({ dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ readOnlyPort: 0 }))] });
    expect(r).toMatchObject({ status: 'FAILED' });
    expect(r.reason).toContain('nor in any drop-in');
  });

  it('FAILED when a drop-in empties it, and when an empty flag overrides the file', () => {
    const emptied = run({
      config: config(x509(CA)),
      dropIns: [dropIn(`${DIR}/50.conf`, kcJson(x509('')))],
      files: [caFile(CA)],
    });
    expect(emptied).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'drop-in' } });
    const flag = run({ config: config(x509(CA)), argv: ['--client-ca-file='], files: [caFile(CA)] });
    expect(flag).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'flag', arg: '--client-ca-file=' } });
  });
});

describe('kubelet-client-ca-file: set, but the file cannot be confirmed', () => {
  it('WARNING when the file is gone: the kubelet would fail to start', () => {
    const r = run({ config: config(x509(CA)), files: [missingFile(CA, ['client-ca'])] });
    expect(r).toMatchObject({
      status: 'WARNING',
      effectiveValue: CA,
      evidence: { clientCAFileState: 'missing' },
    });
    expect(r.reason).toContain(`The kubelet's client CA file ${CA} does NOT exist`);
    expect(r.reason).toContain('the kubelet will fail at its next restart');
  });

  it('WARNING when it is not a regular file, or empty', () => {
    const fifo = run({
      config: config(x509(CA)),
      files: [{ ...missingFile(CA, ['client-ca'], 'not a regular file (fifo)'), type: 'fifo', mode: '0644' }],
    });
    expect(fifo).toMatchObject({ status: 'WARNING', evidence: { clientCAFileState: 'unusable' } });
    expect(fifo.reason).toContain('is a fifo, not a regular file');
    const dir = run({ config: config(x509(CA)), files: [caFile(CA, { type: 'directory' })] });
    expect(dir).toMatchObject({ status: 'WARNING', evidence: { clientCAFileState: 'unusable' } });
    const empty = run({ config: config(x509(CA)), files: [caFile(CA, { size: 0 })] });
    expect(empty.status).toBe('WARNING');
    expect(empty.reason).toContain('is empty, which the kubelet refuses as a CA bundle');
  });

  it('WARNING when the collector could not check it or did not report it', () => {
    const denied = run({
      config: config(x509(CA)),
      files: [missingFile(CA, ['client-ca'], 'permission denied')],
    });
    expect(denied).toMatchObject({ status: 'WARNING', evidence: { clientCAFileState: 'unknown' } });
    expect(denied.reason).toContain('could not be checked (permission denied)');
    const absent = run({ config: config(x509(CA)) });
    expect(absent).toMatchObject({ status: 'WARNING', evidence: { clientCAFileState: 'unknown' } });
    expect(absent.reason).toContain('the collector did not report it');
  });

  it('WARNING when a relative flag value meets an unknown working directory', () => {
    const r = run({ config: config({}), argv: ['--client-ca-file=ca.crt'], cwd: 'unknown' });
    expect(r).toMatchObject({ status: 'WARNING', evidence: { clientCAFileState: 'unlocated' } });
    expect(r.reason).toContain(`it is relative ("ca.crt") and the kubelet's working directory is unknown`);
  });

  it('a wrong-typed clientCAFile stops the kubelet: WARNING from the setting, not from the file', () => {
    const r = run({ config: config(x509(42)), files: [caFile(CA)] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('authentication.x509.clientCAFile is 42, not a string');
  });

  it("prefers this kubelet's copy of the file's facts over another kubelet's", () => {
    const r = run({
      config: config(x509(CA)),
      files: [missingFile(CA, ['client-ca']), caFile(CA, { pid: 9999 })].reverse(),
    });
    expect(r.evidence.clientCAFileState).toBe('missing');
  });
});
