/**
 * kubelet-rotate-certificates: "not present or set to true" needs the provenance of the effective
 * value, not only the value: false by default passes, false where a layer sets it fails.
 */
import { describe, expect, it } from 'vitest';
import { rotateCertificates } from '../../functions/controls/rotate-certificates.ts';
import { dropIn, kcJson } from '../kubelet/evidence-builder.ts';
import { CONFIG, config, DIR, runOn, type SettingNode, V131, V132 } from './setting-node.ts';

const run = (node: SettingNode) => runOn(rotateCertificates, node);

describe('kubelet-rotate-certificates: metadata', () => {
  it('carries its CIS ids in every numbering', () => {
    expect(rotateCertificates.id).toBe('kubelet-rotate-certificates');
    expect(rotateCertificates.cisIds).toEqual({ eks: '3.2.8', eksLegacy: '3.2.10', kubernetes: '4.2.10' });
    expect(rotateCertificates.severity).toBe('LOW');
  });
});

describe('kubelet-rotate-certificates: set nowhere passes, as CIS says', () => {
  it('the --config file does not set it: PASSED by the default, and the reason says it is not set', () => {
    const r = run({ config: config({}) });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: false, decidedBy: { kind: 'default' } });
    expect(r.reason).toMatch(
      /^rotateCertificates is not set, which CIS accepts \("not present or set to true"\)/,
    );
    expect(r.reason).toContain('the kubelet default (false), as no --rotate-certificates flag is given');
    expect(r.evidence).toMatchObject({ rotateCertificatesSet: 'no', effectiveValue: 'false' });
  });

  it('no --config at all (flag defaults): also not set, also PASSED', () => {
    const r = run({});
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'default' } });
    expect(r.evidence.rotateCertificatesSet).toBe('no');
    expect(r.reason).toContain('is not set in a --config file');
  });

  it('no --config, with --config-dir drop-ins that do not set it: PASSED', () => {
    const r = run({ dropIns: [dropIn(`${DIR}/10.conf`, kcJson({ maxPods: 29 }))] });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('nor in any drop-in');
  });
});

describe('kubelet-rotate-certificates: set where it decides', () => {
  it('true in the --config file: PASSED by the file', () => {
    const r = run({ config: config({ rotateCertificates: true }) });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'config-file', path: CONFIG } });
    expect(r.reason).toBe(
      `The kubelet rotates its client certificate (rotateCertificates is true): rotateCertificates: true in ${CONFIG}.`,
    );
    expect(r.evidence.rotateCertificatesSet).toBe('true');
  });

  it('false in the --config file: FAILED, although the value equals the default', () => {
    const r = run({ config: config({ rotateCertificates: false }) });
    expect(r).toMatchObject({
      status: 'FAILED',
      effectiveValue: false,
      decidedBy: { kind: 'config-file', path: CONFIG },
    });
    expect(r.reason).toBe(
      `Client certificate rotation is turned OFF (rotateCertificates is false): rotateCertificates: false in ${CONFIG}.`,
    );
    expect(r.evidence.rotateCertificatesSet).toBe('false');
  });

  it('no --config, a drop-in sets false: FAILED by the drop-in', () => {
    const r = run({ dropIns: [dropIn(`${DIR}/10.conf`, kcJson({ rotateCertificates: false }))] });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'drop-in', path: `${DIR}/10.conf` } });
  });

  it('a drop-in false overrides the file true; a drop-in that sets another key leaves the file false', () => {
    const over = run({
      config: config({ rotateCertificates: true }),
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ rotateCertificates: false }))],
    });
    expect(over).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'drop-in' } });
    expect(over.reason).toContain(`overrides rotateCertificates: true in ${CONFIG}`);
    const other = run({
      config: config({ rotateCertificates: false }),
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ serverTLSBootstrap: true }))],
    });
    expect(other).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: CONFIG } });
  });

  it('the last flag wins: a bare --rotate-certificates after =false passes, =false over the file fails', () => {
    const last = run({ config: config({}), argv: ['--rotate-certificates=false', '--rotate-certificates'] });
    expect(last).toMatchObject({
      status: 'PASSED',
      effectiveValue: true,
      decidedBy: { kind: 'flag', index: 6 },
    });
    const flag = run({ config: config({ rotateCertificates: true }), argv: ['--rotate_certificates=false'] });
    expect(flag).toMatchObject({
      status: 'FAILED',
      decidedBy: { kind: 'flag', arg: '--rotate_certificates=false' },
    });
    expect(flag.reason).toContain(`overrides rotateCertificates: true in ${CONFIG}`);
  });

  it('a drop-in null over a file false: FAILED up to 1.31, not set from 1.32, WARNING with both when unknown', () => {
    const node = {
      config: config({ rotateCertificates: false }),
      dropIns: [dropIn(`${DIR}/50.conf`, kcJson({ rotateCertificates: null }))],
    };
    expect(run({ ...node, version: V131 })).toMatchObject({
      status: 'FAILED',
      decidedBy: { kind: 'config-file' },
    });
    const from132 = run({ ...node, version: V132 });
    expect(from132).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'default' } });
    expect(from132.reason).toContain('deletes it');
    const unknown = run(node);
    expect(unknown).toMatchObject({ status: 'WARNING', evidence: { problem: 'version-dependent' } });
    expect(unknown.reason).toContain('FAILED');
    expect(unknown.reason).toContain('PASSED');
  });
});

describe('kubelet-rotate-certificates: values the kubelet refuses are WARNING', () => {
  it('a string "true" in the --config file (a bool field)', () => {
    const r = run({ config: config({ rotateCertificates: 'true' }) });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('cannot be judged');
  });

  it('a bool flag given its value as a separate word', () => {
    const r = run({ config: config({}), argv: ['--rotate-certificates', 'false'] });
    expect(r.status).toBe('WARNING');
    expect(r.evidence.problem).toBe('argv-rejected');
  });
});
