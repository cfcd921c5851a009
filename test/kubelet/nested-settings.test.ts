/**
 * Settings other than top-level booleans through every layer: nested paths, durations re-defaulted
 * at load (and, from 1.32, after the drop-in merge), int32 flags taking the next word, validation the
 * kubelet refuses to start on, and feature gates merged per gate.
 */
import { describe, expect, it } from 'vitest';
import {
  dropInMergeOf,
  effectiveSetting,
  type SettingSpec,
} from '../../functions/kubelet/effective-config.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import { buildEvidence, dropIn, type EvidenceSpec, kcJson, textFile } from './evidence-builder.ts';

const K = '/usr/bin/kubelet';
const C = '/etc/kubernetes/kubelet/config.json';
const DIR = '/etc/kubernetes/kubelet/config.json.d';

function read(spec: SettingSpec, node: EvidenceSpec) {
  const evidence = buildEvidence(node);
  return effectiveSetting(evidence.kubelets[0]!, evidence, spec);
}

function withFiles(
  spec: SettingSpec,
  files: {
    config?: Record<string, unknown>;
    dropIns?: Record<string, unknown>[];
    argv?: string[];
    version?: string;
  },
) {
  const dropIns = (files.dropIns ?? []).map((d, i) => dropIn(`${DIR}/${10 + i}.conf`, kcJson(d)));
  return read(spec, {
    argv: [
      K,
      ...(files.config ? ['--config', C] : []),
      ...(files.dropIns ? ['--config-dir', DIR] : []),
      ...(files.argv ?? []),
    ],
    files: [...(files.config ? [textFile(C, kcJson(files.config))] : []), ...dropIns],
    ...(files.dropIns ? { configDirs: [{ path: DIR, pid: 4242, entries: dropIns.map((f) => f.path) }] } : {}),
    ...(files.version ? { kubelet: { version: files.version } } : {}),
  });
}

const S = KubeletSettings;

describe('durations (streamingConnectionIdleTimeout)', () => {
  it('a zero in the --config file is re-defaulted to 4h at load', () => {
    const r = withFiles(S.streamingConnectionIdleTimeout, {
      config: { streamingConnectionIdleTimeout: '0s' },
    });
    expect(r).toMatchObject({ determined: true, value: '4h0m0s', decidedBy: { kind: 'default' } });
    expect(r.decidedByText).toContain('re-defaults');
  });

  it('a flag zero sticks (no defaulting after flags)', () => {
    const r = withFiles(S.streamingConnectionIdleTimeout, {
      config: {},
      argv: ['--streaming-connection-idle-timeout=0'],
    });
    expect(r).toMatchObject({ value: '0s', decidedBy: { kind: 'flag' } });
  });

  it('a zero in a drop-in sticks up to 1.31 and is re-defaulted from 1.32', () => {
    const files = {
      config: { streamingConnectionIdleTimeout: '5m' },
      dropIns: [{ streamingConnectionIdleTimeout: '0s' }],
    };
    expect(
      withFiles(S.streamingConnectionIdleTimeout, { ...files, version: 'Kubernetes v1.31.2' }),
    ).toMatchObject({
      value: '0s',
    });
    expect(
      withFiles(S.streamingConnectionIdleTimeout, { ...files, version: 'Kubernetes v1.32.0' }),
    ).toMatchObject({
      value: '4h0m0s',
    });
    expect(withFiles(S.streamingConnectionIdleTimeout, files).byVersion).toBeDefined();
  });

  it('a value time.ParseDuration refuses in the file makes it unloadable', () => {
    const r = withFiles(S.streamingConnectionIdleTimeout, {
      config: { streamingConnectionIdleTimeout: '1d' },
    });
    expect(r.determined).toBe(false);
    expect(r.problems[0]?.message).toContain('unknown unit "d"');
  });
});

describe('int32 (readOnlyPort)', () => {
  it('a zero in the file stays 0 (no v1beta1 default)', () => {
    expect(withFiles(S.readOnlyPort, { config: { readOnlyPort: 0 } })).toMatchObject({
      value: 0,
      decidedBy: { kind: 'config-file' },
    });
  });

  it('without --config the legacy flag default 10255 applies, drop-ins or not', () => {
    expect(withFiles(S.readOnlyPort, {})).toMatchObject({ value: 10255 });
    expect(withFiles(S.readOnlyPort, { dropIns: [{ eventRecordQPS: 5 }] })).toMatchObject({ value: 10255 });
  });

  it('--read-only-port 0 takes the next word (not a bool flag)', () => {
    const r = withFiles(S.readOnlyPort, { argv: ['--read-only-port', '0'] });
    expect(r).toMatchObject({ value: 0, decidedBy: { kind: 'flag', arg: '--read-only-port' } });
    expect(r.problems).toEqual([]);
  });

  it('a value the kubelet validation refuses is a blocking problem', () => {
    const r = withFiles(S.readOnlyPort, { config: { readOnlyPort: 70000 } });
    expect(r.determined).toBe(false);
    expect(r.problems.map((p) => p.code)).toContain('invalid-value');
  });

  it('a flag value ParseInt refuses is a command line the kubelet refuses', () => {
    const r = withFiles(S.readOnlyPort, { config: {}, argv: ['--read-only-port=off'] });
    expect(r.determined).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'argv-rejected', blocking: true });
    expect(r.problems[0]?.message).toContain('strconv.ParseInt: parsing "off": invalid syntax');
  });
});

describe('strings (authorization.mode)', () => {
  it('the file value, the v1beta1 default Webhook, the legacy AlwaysAllow', () => {
    expect(
      withFiles(S.authorizationMode, { config: { authorization: { mode: 'AlwaysAllow' } } }),
    ).toMatchObject({ value: 'AlwaysAllow' });
    expect(withFiles(S.authorizationMode, { config: {} })).toMatchObject({ value: 'Webhook' });
    expect(withFiles(S.authorizationMode, {})).toMatchObject({ value: 'AlwaysAllow' });
  });

  it('a drop-in that sets authorization.webhook keeps the file mode', () => {
    const r = withFiles(S.authorizationMode, {
      config: { authorization: { mode: 'AlwaysAllow' } },
      dropIns: [{ authorization: { webhook: { cacheAuthorizedTTL: '5m' } } }],
    });
    expect(r).toMatchObject({ value: 'AlwaysAllow', decidedBy: { kind: 'config-file' } });
  });
});

describe('feature gates (featureGates.RotateKubeletServerCertificate)', () => {
  const gate = S.rotateKubeletServerCertificateGate;

  it('the gate default when nothing sets it', () => {
    expect(withFiles(gate, { config: { featureGates: { Other: true } } })).toMatchObject({
      value: true,
      decidedBy: { kind: 'default' },
    });
  });

  it('drop-ins merge gates per key', () => {
    const r = withFiles(gate, {
      config: { featureGates: { RotateKubeletServerCertificate: false } },
      dropIns: [{ featureGates: { Other: true } }],
    });
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'config-file' } });
  });

  it('--feature-gates merges per key over the config: the last pair naming the gate wins', () => {
    const r = withFiles(gate, {
      config: { featureGates: { RotateKubeletServerCertificate: true } },
      argv: [
        '--feature-gates=RotateKubeletServerCertificate=false,Other=true',
        '--feature-gates',
        'Another=true',
      ],
    });
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'flag', index: 3 } });
  });

  it('a --feature-gates flag that does not name the gate leaves the config value', () => {
    const r = withFiles(gate, {
      config: { featureGates: { RotateKubeletServerCertificate: false } },
      argv: ['--feature-gates=Other=true'],
    });
    expect(r).toMatchObject({ value: false, decidedBy: { kind: 'config-file' } });
  });

  it('a malformed --feature-gates value is a command line the kubelet refuses', () => {
    const r = withFiles(gate, { config: {}, argv: ['--feature-gates=RotateKubeletServerCertificate'] });
    expect(r.determined).toBe(false);
    expect(r.problems[0]?.message).toContain('malformed pair');
  });
});

describe('a file with another known setting of the wrong type', () => {
  it('is unloadable for every setting', () => {
    const r = withFiles(S.anonymousAuth, {
      config: { makeIPTablesUtilChains: 'false', authentication: { anonymous: { enabled: false } } },
    });
    expect(r.determined).toBe(false);
    expect(r.problems[0]?.message).toContain('makeIPTablesUtilChains is "false", not a boolean');
  });
});

describe('dropInMergeOf (the kubelet version from the evidence)', () => {
  it.each([
    ['Kubernetes v1.31.4-eks-2d5f260', 'up-to-1.31'],
    ['Kubernetes v1.28.15', 'up-to-1.31'],
    ['Kubernetes v1.32.3-eks-473151a', 'from-1.32'],
    ['v1.35.0', 'from-1.32'],
    ['Kubernetes v2.0.0', 'from-1.32'],
    [undefined, undefined],
    ['unknown', undefined],
  ])('%s merges drop-ins %s', (version, merge) => {
    expect(dropInMergeOf(version)).toBe(merge);
  });
});
