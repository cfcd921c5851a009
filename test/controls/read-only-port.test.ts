/**
 * kubelet-read-only-port: 0 closes the port (the v1beta1 default), the legacy 10255 of a kubelet
 * without --config (also under drop-ins), a drop-in or flag that opens it, and ports the kubelet refuses.
 */
import { describe, expect, it } from 'vitest';
import { readOnlyPort } from '../../functions/controls/read-only-port.ts';
import { dropIn, kcJson, textFile } from '../kubelet/evidence-builder.ts';
import { CONFIG, DIR, type Node, runOn } from './node-fixture.ts';

const config = (extra: Record<string, unknown>) => textFile(CONFIG, kcJson(extra));
const run = (node: Node) => runOn(readOnlyPort, node);

describe('kubelet-read-only-port: which layer decides', () => {
  it('PASSED by the v1beta1 default (0) when the --config file does not set it', () => {
    const r = run({ config: config({}) });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 0, decidedBy: { kind: 'default' } });
    expect(r.reason).toBe(
      `The kubelet read-only port is closed (0): the kubelet default (0), as no --read-only-port flag is given and readOnlyPort is not set in ${CONFIG}.`,
    );
  });

  it('PASSED when the --config file writes 0, as the EKS AMIs do', () => {
    expect(run({ config: config({ readOnlyPort: 0 }) })).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'config-file', path: CONFIG },
    });
  });

  it('FAILED, stating the port, when the --config file opens it', () => {
    const r = run({ config: config({ readOnlyPort: 10255 }) });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: 10255 });
    expect(r.reason).toBe(
      `The kubelet serves its unauthenticated read-only API on port 10255: readOnlyPort: 10255 in ${CONFIG}.`,
    );
  });

  it('a nodeadm-style extra drop-in opens the port over config.json', () => {
    const r = run({
      config: config({ readOnlyPort: 0 }),
      dropIns: [
        dropIn(`${DIR}/40-nodeadm.conf`, kcJson({ maxPods: 58 })),
        dropIn(`${DIR}/50-read-only.conf`, kcJson({ readOnlyPort: 10255 })),
      ],
    });
    expect(r).toMatchObject({
      status: 'FAILED',
      decidedBy: { kind: 'drop-in', path: `${DIR}/50-read-only.conf` },
    });
    expect(r.reason).toContain(`overrides readOnlyPort: 0 in ${CONFIG}`);
  });

  it('a later drop-in closes what an earlier one opened', () => {
    const r = run({
      config: config({}),
      dropIns: [
        dropIn(`${DIR}/10.conf`, kcJson({ readOnlyPort: 10255 })),
        dropIn(`${DIR}/20.conf`, kcJson({ readOnlyPort: 0 })),
      ],
    });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'drop-in', path: `${DIR}/20.conf` } });
  });

  it('the last --read-only-port flag wins (a separate word is its value)', () => {
    const r = run({
      config: config({ readOnlyPort: 0 }),
      argv: ['--read-only-port=0', '--read-only-port', '8080'],
    });
    expect(r).toMatchObject({
      status: 'FAILED',
      effectiveValue: 8080,
      decidedBy: { kind: 'flag', arg: '--read-only-port' },
    });
    expect(r.reason).toContain('port 8080');
    const closed = run({ config: config({ readOnlyPort: 10255 }), argv: ['--read_only_port=0'] });
    expect(closed).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'flag', arg: '--read_only_port=0' },
    });
  });
});

describe('kubelet-read-only-port: no --config (legacy flag defaults)', () => {
  it('without --config the kubelet listens on 10255: FAILED', () => {
    const r = run({});
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: 10255, decidedBy: { kind: 'default' } });
    expect(r.reason).toContain(`port 10255: the kubelet's flag default (10255), as it runs without --config`);
  });

  it('drop-ins without --config that do not set it leave 10255', () => {
    const r = run({ dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ authorization: { mode: 'Webhook' } }))] });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: 10255 });
    expect(r.reason).toContain('readOnlyPort is not set in any drop-in');
  });

  it('a drop-in 0 without --config closes it', () => {
    const r = run({ dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ readOnlyPort: 0 }))] });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'drop-in' } });
  });
});

describe('kubelet-read-only-port: WARNING instead of a verdict', () => {
  it('a port above 65535 fails the kubelet validation', () => {
    const r = run({ config: config({ readOnlyPort: 70000 }) });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(
      'readOnlyPort (--read-only-port) 70000 must be between 0 and 65535, inclusive',
    );
    expect(r.evidence.problem).toBe('invalid-value');
  });

  it('a negative flag value fails it too', () => {
    expect(run({ config: config({}), argv: ['--read-only-port=-1'] }).status).toBe('WARNING');
  });

  it('a port written as a string is a type error in the config file: the kubelet could not load it', () => {
    const r = run({ config: config({ readOnlyPort: '0' }) });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('readOnlyPort is "0", not an int32 integer');
  });

  it('a null readOnlyPort in a drop-in: up to 1.31 the file value shows through, from 1.32 the default 0', () => {
    const node: Node = {
      config: config({ readOnlyPort: 10255 }),
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ readOnlyPort: null }))],
    };
    expect(run({ ...node, version: 'Kubernetes v1.31.0' })).toMatchObject({
      status: 'FAILED',
      effectiveValue: 10255,
    });
    expect(run({ ...node, version: 'Kubernetes v1.32.0' })).toMatchObject({
      status: 'PASSED',
      effectiveValue: 0,
    });
    const unknown = run(node);
    expect(unknown).toMatchObject({ status: 'WARNING', evidence: { problem: 'version-dependent' } });
  });
});
