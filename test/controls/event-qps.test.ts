/**
 * kubelet-event-qps: the rate each layer gives, what the reason says it means (0 is client-go's
 * default of 5 per second, not unlimited), and what makes the control choose WARNING.
 */
import { describe, expect, it } from 'vitest';
import type { ControlContext } from '../../functions/controls/control.ts';
import { eventQps } from '../../functions/controls/event-qps.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import { dropIn, kcJson } from '../kubelet/evidence-builder.ts';
import { CONFIG, config, DIR, runOn, type SettingNode, V131, V132 } from './setting-node.ts';

const run = (node: SettingNode) => runOn(eventQps, node);

describe('kubelet-event-qps: metadata', () => {
  it('carries its CIS ids in every numbering', () => {
    expect(eventQps.id).toBe('kubelet-event-qps');
    expect(eventQps.cisIds).toEqual({ eks: '3.2.7', eksLegacy: '3.2.9', kubernetes: '4.2.8' });
    expect(eventQps.cis.map((r) => `${r.version}:${r.id}`)).toEqual([
      'v1.0.1:3.2.9',
      'v1.1.0:3.2.9',
      'v1.2.0:3.2.9',
      'v1.5.0:3.2.7',
      'v1.7.0:3.2.7',
      'v1.8.0:3.2.7',
    ]);
    expect(eventQps.severity).toBe('LOW');
    expect(eventQps.settings.eventRecordQPS).toBe(KubeletSettings.eventRecordQPS);
  });
});

describe('kubelet-event-qps: which layer decides, and what the value means', () => {
  it('PASSED by the v1beta1 default (50) when the --config file does not set it', () => {
    const r = run({ config: config({}) });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 50, decidedBy: { kind: 'default' } });
    expect(r.reason).toBe(
      'The kubelet records events: eventRecordQPS is 50: the kubelet sends up to 50 events per second to the API server ' +
        '(bursts up to eventBurst): the kubelet default (50), as no --event-qps flag is given and eventRecordQPS is not set in ' +
        `${CONFIG}.`,
    );
    expect(r.evidence).toMatchObject({ eventsPerSecond: '50', effectiveValue: '50' });
  });

  it('0 in the --config file passes, and the reason says client-go limits it to 5 per second', () => {
    const r = run({ config: config({ eventRecordQPS: 0 }) });
    expect(r).toMatchObject({
      status: 'PASSED',
      effectiveValue: 0,
      decidedBy: { kind: 'config-file', path: CONFIG },
    });
    expect(r.reason).toContain('documented as "no limit"');
    expect(r.reason).toContain('events are limited to 5 per second');
    expect(r.reason).toContain(`eventRecordQPS: 0 in ${CONFIG}`);
    expect(r.evidence.eventsPerSecond).toBe('5');
  });

  it('without --config the flag default is the same 50 (applyLegacyDefaults does not touch it)', () => {
    const r = run({});
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 50, decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('eventRecordQPS is not set in a --config file');
  });

  it('without --config, a --config-dir drop-in sets it', () => {
    const r = run({ dropIns: [dropIn(`${DIR}/10.conf`, kcJson({ eventRecordQPS: 1 }))] });
    expect(r).toMatchObject({
      status: 'PASSED',
      effectiveValue: 1,
      decidedBy: { kind: 'drop-in', path: `${DIR}/10.conf` },
    });
    expect(r.reason).toContain('up to 1 event per second');
  });

  it('a drop-in overrides the file; a drop-in that sets another key leaves the file value', () => {
    const over = run({
      config: config({ eventRecordQPS: 0 }),
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ eventRecordQPS: 20 }))],
    });
    expect(over).toMatchObject({
      effectiveValue: 20,
      decidedBy: { kind: 'drop-in', path: `${DIR}/40.conf` },
    });
    expect(over.reason).toContain(`overrides eventRecordQPS: 0 in ${CONFIG}`);
    const other = run({
      config: config({ eventRecordQPS: 0 }),
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ maxPods: 20 }))],
    });
    expect(other).toMatchObject({ effectiveValue: 0, decidedBy: { kind: 'config-file', path: CONFIG } });
  });

  it('the last --event-qps flag wins over the files and an earlier flag (space-separated value too)', () => {
    const r = run({ config: config({ eventRecordQPS: 0 }), argv: ['--event-qps=0', '--event-qps', '7'] });
    expect(r).toMatchObject({
      status: 'PASSED',
      effectiveValue: 7,
      decidedBy: { kind: 'flag', arg: '--event-qps' },
    });
    expect(r.reason).toContain('overrides the earlier');
  });

  it('a drop-in null reads differently by version: the file value up to 1.31, the default from 1.32', () => {
    const node = {
      config: config({ eventRecordQPS: 0 }),
      dropIns: [dropIn(`${DIR}/50.conf`, kcJson({ eventRecordQPS: null }))],
    };
    expect(run({ ...node, version: V131 })).toMatchObject({
      status: 'PASSED',
      effectiveValue: 0,
      decidedBy: { kind: 'config-file' },
    });
    expect(run({ ...node, version: V132 })).toMatchObject({
      status: 'PASSED',
      effectiveValue: 50,
      decidedBy: { kind: 'default' },
    });
    // Unknown version: both pass, but the rate the reason states differs, so neither is claimed.
    const unknown = run(node);
    expect(unknown.status).toBe('WARNING');
    expect(unknown.evidence.problem).toBe('version-dependent');
    expect(unknown.reason).toContain('up to 1.31 eventRecordQPS is 0');
    expect(unknown.reason).toContain('from 1.32 eventRecordQPS is 50');
  });
});

describe('kubelet-event-qps: values the kubelet refuses are WARNING', () => {
  it('a negative value in the --config file (validation.go)', () => {
    const r = run({ config: config({ eventRecordQPS: -1 }) });
    expect(r.status).toBe('WARNING');
    expect(r.evidence.problem).toBe('invalid-value');
    expect(r.reason).toContain('eventRecordQPS (--event-qps) -1 must not be a negative number');
    expect(r.reason).toContain(`eventRecordQPS: -1 in ${CONFIG}`);
  });

  it('a negative --event-qps flag, even over a valid file', () => {
    const r = run({ config: config({ eventRecordQPS: 5 }), argv: ['--event-qps=-3'] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('-3 must not be a negative number');
  });

  it('a value that is not an int32 (a string, a fraction, out of range)', () => {
    for (const bad of ['"50"', '1.5', '2147483648']) {
      const r = run({
        config: config({}),
        argv: [],
        dropIns: [dropIn(`${DIR}/9.conf`, `{"eventRecordQPS": ${bad}}`)],
      });
      expect(r.status, bad).toBe('WARNING');
    }
    expect(run({ argv: ['--event-qps=fast'] }).status).toBe('WARNING');
  });

  it('evaluate itself never passes a negative value it is handed', () => {
    const setting = {
      value: -2,
    } as unknown as ControlContext<'eventRecordQPS'>['settings']['eventRecordQPS'];
    expect(eventQps.evaluate({ settings: { eventRecordQPS: setting } })).toMatchObject({
      status: 'WARNING',
      decidedBy: 'eventRecordQPS',
    });
  });
});
