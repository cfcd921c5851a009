/**
 * kubelet-streaming-connection-idle-timeout: a zero in the --config file is re-defaulted to 4h, a zero
 * flag sticks, a drop-in zero depends on the kubelet's merge (up to 1.31 it stays, from 1.32 it is
 * re-defaulted), and from kubelet 1.34 the reason says the setting no longer has an effect.
 */
import { describe, expect, it } from 'vitest';
import { streamingConnectionIdleTimeout } from '../../functions/controls/streaming-connection-idle-timeout.ts';
import { dropIn, kcJson, textFile } from '../kubelet/evidence-builder.ts';
import { CONFIG, DIR, type Node, runOn, V131, V132, V134 } from './node-fixture.ts';

const config = (extra: Record<string, unknown>) => textFile(CONFIG, kcJson(extra));
const timeout = (value: unknown) => ({ streamingConnectionIdleTimeout: value });
const run = (node: Node) => runOn(streamingConnectionIdleTimeout, node);

describe('kubelet-streaming-connection-idle-timeout: which layer decides', () => {
  it('PASSED by the default 4h when nothing sets it', () => {
    const r = run({ config: config({}), version: V132 });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: '4h0m0s', decidedBy: { kind: 'default' } });
    expect(r.reason).toBe(
      `The kubelet closes streaming connections idle for 4h0m0s: the kubelet default (4h0m0s), as no --streaming-connection-idle-timeout flag is given and streamingConnectionIdleTimeout is not set in ${CONFIG}.`,
    );
    expect(r.evidence.settingEffect).toBeUndefined();
  });

  it('a zero in the --config file is re-defaulted to 4h when it is loaded: PASSED', () => {
    for (const zero of ['0s', '0', '0h0m0s']) {
      const r = run({ config: config(timeout(zero)), version: V131 });
      expect(r).toMatchObject({ status: 'PASSED', effectiveValue: '4h0m0s', decidedBy: { kind: 'default' } });
      expect(r.reason).toContain('is zero, which the kubelet re-defaults when it loads the file');
    }
  });

  it('a non-zero value in the --config file decides, as Go writes it', () => {
    const r = run({ config: config(timeout('90m')), version: V132 });
    expect(r).toMatchObject({
      status: 'PASSED',
      effectiveValue: '1h30m0s',
      decidedBy: { kind: 'config-file' },
    });
    expect(r.reason).toContain('idle for 1h30m0s');
  });

  it('--streaming-connection-idle-timeout=0 sticks (flags are not re-defaulted): FAILED', () => {
    const r = run({
      config: config(timeout('5m')),
      argv: ['--streaming-connection-idle-timeout=0'],
      version: V132,
    });
    expect(r).toMatchObject({
      status: 'FAILED',
      effectiveValue: '0s',
      decidedBy: { kind: 'flag', arg: '--streaming-connection-idle-timeout=0' },
    });
    expect(r.reason).toMatch(
      /^The kubelet NEVER closes idle streaming connections \(timeout 0\): --streaming/,
    );
  });

  it('the last flag wins: a later 5m undoes an earlier 0', () => {
    const r = run({
      config: config({}),
      argv: ['--streaming-connection-idle-timeout=0', '--streaming_connection_idle_timeout', '5m'],
      version: V132,
    });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: '5m0s', decidedBy: { kind: 'flag' } });
  });
});

describe('kubelet-streaming-connection-idle-timeout: a drop-in zero depends on the merge', () => {
  const zeroDropIn: Node = {
    config: config(timeout('30m')),
    dropIns: [dropIn(`${DIR}/50-zero.conf`, kcJson(timeout('0s')))],
  };

  it('up to 1.31 the drop-in zero stays zero: FAILED by the drop-in', () => {
    const r = run({ ...zeroDropIn, version: V131 });
    expect(r).toMatchObject({
      status: 'FAILED',
      effectiveValue: '0s',
      decidedBy: { kind: 'drop-in', path: `${DIR}/50-zero.conf` },
    });
    expect(r.reason).toContain('overrides streamingConnectionIdleTimeout: 30m0s');
  });

  it('from 1.32 the drop-in zero is re-defaulted to 4h: PASSED by the default', () => {
    const r = run({ ...zeroDropIn, version: V132 });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: '4h0m0s', decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('re-defaults the merged drop-ins');
  });

  it('with the version unknown: WARNING naming both readings', () => {
    const r = run(zeroDropIn);
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('up to 1.31 streamingConnectionIdleTimeout is 0s');
    expect(r.reason).toContain('from 1.32 streamingConnectionIdleTimeout is 4h0m0s');
    expect(r.evidence).toMatchObject({ problem: 'version-dependent', kubeletVersion: 'unknown' });
  });

  it('legacy defaults without --config: a drop-in zero is the same merge question', () => {
    const node: Node = { dropIns: [dropIn(`${DIR}/40.conf`, kcJson(timeout('0s')))] };
    expect(run({ ...node, version: V131 }).status).toBe('FAILED');
    expect(run({ ...node, version: V132 }).status).toBe('PASSED');
    expect(run({}).status).toBe('PASSED');
  });
});

describe('kubelet-streaming-connection-idle-timeout: kubelet 1.34 and later', () => {
  it('the verdict follows the value, and the reason says the setting has no effect', () => {
    const zero = run({ config: config({}), argv: ['--streaming-connection-idle-timeout=0'], version: V134 });
    expect(zero.status).toBe('FAILED');
    expect(zero.reason).toContain('though on kubelet 1.34 this setting no longer has any effect');
    expect(zero.evidence.settingEffect).toBe('none: kubelet 1.34');
    const fine = run({ config: config({}), version: 'Kubernetes v1.35.0' });
    expect(fine.status).toBe('PASSED');
    expect(fine.reason).toContain('on kubelet 1.35 this setting no longer has any effect');
  });

  it('below 1.34 the reason makes no such remark', () => {
    const r = run({
      config: config({}),
      argv: ['--streaming-connection-idle-timeout=0'],
      version: 'Kubernetes v1.33.9',
    });
    expect(r.status).toBe('FAILED');
    expect(r.reason).not.toContain('no longer has any effect');
  });

  it('with the version unknown the reason says the setting is ignored from 1.34', () => {
    const r = run({ config: config({}) });
    expect(r.status).toBe('PASSED');
    expect(r.reason).toContain(
      'the kubelet version is unknown; from 1.34 this setting no longer has any effect',
    );
    expect(r.evidence.settingEffect).toBe('unknown: kubelet version unknown');
  });
});

describe('kubelet-streaming-connection-idle-timeout: WARNING instead of a verdict', () => {
  it('a duration Go cannot parse stops the kubelet', () => {
    const r = run({ config: config(timeout('4 hours')), version: V132 });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('time: unknown unit');
  });

  it('a number instead of a duration string cannot be loaded', () => {
    const r = run({ config: config(timeout(0)), version: V132 });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('not a duration string');
  });

  it('a malformed flag value is refused on the command line', () => {
    const r = run({
      config: config({}),
      argv: ['--streaming-connection-idle-timeout=forever'],
      version: V132,
    });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('time: invalid duration "forever"');
  });
});
