/**
 * kubelet-authorization-mode: which layer decides authorization.mode, the legacy AlwaysAllow of a
 * kubelet without --config, the re-defaulting of an empty mode, and the modes the kubelet refuses.
 */
import { describe, expect, it } from 'vitest';
import { authorizationMode } from '../../functions/controls/authorization-mode.ts';
import { dropIn, kcJson, textFile } from '../kubelet/evidence-builder.ts';
import { CONFIG, DIR, type Node, runOn, V131, V132 } from './node-fixture.ts';

const mode = (value: unknown) => ({ authorization: { mode: value } });
const config = (extra: Record<string, unknown>) => textFile(CONFIG, kcJson(extra));
const run = (node: Node) => runOn(authorizationMode, node);

describe('kubelet-authorization-mode: which layer decides', () => {
  it('PASSED by the v1beta1 default (Webhook) when the --config file does not set it', () => {
    const r = run({ config: config({}) });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 'Webhook', decidedBy: { kind: 'default' } });
    expect(r.reason).toMatch(/^The kubelet authorizes requests through the API server \(Webhook\): /);
    expect(r.reason).toContain(`the kubelet default ("Webhook"), as no --authorization-mode flag is given`);
  });

  it('PASSED when the --config file sets Webhook', () => {
    const r = run({ config: config(mode('Webhook')) });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'config-file', path: CONFIG } });
    expect(r.evidence).toMatchObject({ effectiveValue: 'Webhook', configFile: CONFIG });
  });

  it('FAILED when the --config file sets AlwaysAllow, naming the file', () => {
    const r = run({ config: config(mode('AlwaysAllow')) });
    expect(r).toMatchObject({ status: 'FAILED', effectiveValue: 'AlwaysAllow' });
    expect(r.reason).toBe(
      `The kubelet AUTHORIZES EVERY authenticated request (AlwaysAllow): authorization.mode: "AlwaysAllow" in ${CONFIG}.`,
    );
  });

  it('an empty mode in the --config file is re-defaulted to Webhook when it is loaded', () => {
    const r = run({ config: config(mode('')) });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 'Webhook', decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('is zero, which the kubelet re-defaults when it loads the file');
  });

  it('a drop-in that sets AlwaysAllow overrides the file, merged key by key', () => {
    const r = run({
      config: config(mode('Webhook')),
      dropIns: [
        dropIn(`${DIR}/50-open.conf`, kcJson({ authorization: { mode: 'AlwaysAllow', webhook: {} } })),
      ],
    });
    expect(r).toMatchObject({
      status: 'FAILED',
      decidedBy: { kind: 'drop-in', path: `${DIR}/50-open.conf` },
    });
    expect(r.reason).toContain(`overrides authorization.mode: "Webhook" in ${CONFIG}`);
  });

  it('a drop-in that sets only authorization.webhook leaves the file mode', () => {
    const r = run({
      config: config(mode('AlwaysAllow')),
      dropIns: [
        dropIn(`${DIR}/40.conf`, kcJson({ authorization: { webhook: { cacheAuthorizedTTL: '1m' } } })),
      ],
    });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'config-file', path: CONFIG } });
  });

  it('the last --authorization-mode flag wins over every file', () => {
    const r = run({
      config: config(mode('Webhook')),
      argv: ['--authorization-mode=Webhook', '--authorization_mode', 'AlwaysAllow'],
    });
    expect(r).toMatchObject({ status: 'FAILED', decidedBy: { kind: 'flag', arg: '--authorization_mode' } });
    expect(r.reason).toContain('overrides the earlier --authorization-mode=Webhook');
    const back = run({ config: config(mode('AlwaysAllow')), argv: ['--authorization-mode=Webhook'] });
    expect(back).toMatchObject({
      status: 'PASSED',
      decidedBy: { kind: 'flag', arg: '--authorization-mode=Webhook' },
    });
  });
});

describe('kubelet-authorization-mode: no --config (legacy flag defaults)', () => {
  it('without --config the flag default is AlwaysAllow: FAILED', () => {
    const r = run({});
    expect(r).toMatchObject({
      status: 'FAILED',
      effectiveValue: 'AlwaysAllow',
      decidedBy: { kind: 'default' },
    });
    expect(r.reason).toContain(
      `the kubelet's flag default ("AlwaysAllow"), as it runs without --config (applyLegacyDefaults)`,
    );
  });

  it('--config-dir drop-ins without --config merge onto AlwaysAllow when they do not set the mode', () => {
    const r = run({
      dropIns: [dropIn(`${DIR}/40.conf`, kcJson({ authentication: { webhook: { enabled: true } } }))],
    });
    expect(r).toMatchObject({
      status: 'FAILED',
      effectiveValue: 'AlwaysAllow',
      decidedBy: { kind: 'default' },
    });
    expect(r.reason).toContain('is not set in any drop-in');
  });

  it('a drop-in that sets Webhook without --config: PASSED by the drop-in', () => {
    const r = run({ dropIns: [dropIn(`${DIR}/40.conf`, kcJson(mode('Webhook')))] });
    expect(r).toMatchObject({ status: 'PASSED', decidedBy: { kind: 'drop-in', path: `${DIR}/40.conf` } });
  });
});

describe('kubelet-authorization-mode: WARNING instead of a verdict', () => {
  it('a mode the kubelet does not know stops it (BuildAuthz): WARNING with the reason', () => {
    const r = run({ config: config(mode('RBAC')) });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain(
      '"RBAC" is an unknown authorization mode (only AlwaysAllow and Webhook exist)',
    );
    expect(r.evidence.problem).toBe('invalid-value');
  });

  it('the mode is case-sensitive: "webhook" is refused too', () => {
    expect(run({ argv: ['--authorization-mode=webhook'], config: config({}) }).status).toBe('WARNING');
  });

  it('an empty --authorization-mode flag sticks (flags are not re-defaulted): WARNING', () => {
    const r = run({ config: config(mode('Webhook')), argv: ['--authorization-mode='] });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('no authorization mode specified');
  });

  const emptyDropIn: Node = {
    config: config(mode('AlwaysAllow')),
    dropIns: [dropIn(`${DIR}/40.conf`, kcJson(mode('')))],
  };

  it('an empty mode in a drop-in up to 1.31 stays empty: the kubelet would refuse it', () => {
    const r = run({ ...emptyDropIn, version: V131 });
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('no authorization mode specified');
  });

  it('an empty mode in a drop-in from 1.32 is re-defaulted to Webhook: PASSED', () => {
    const r = run({ ...emptyDropIn, version: V132 });
    expect(r).toMatchObject({ status: 'PASSED', effectiveValue: 'Webhook', decidedBy: { kind: 'default' } });
    expect(r.reason).toContain('re-defaults the merged drop-ins');
  });

  it('with the version unknown, the empty drop-in mode reads differently: WARNING naming both', () => {
    const r = run(emptyDropIn);
    expect(r.status).toBe('WARNING');
    expect(r.reason).toContain('version is unknown');
    expect(r.reason).toContain('up to 1.31 WARNING');
    expect(r.reason).toContain('from 1.32 authorization.mode is Webhook');
    expect(r.evidence.problem).toBe('version-dependent');
  });
});
