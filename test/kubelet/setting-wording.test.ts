/**
 * The words and small decisions a verdict's reason is built from: how a raw value is quoted, what
 * decided a value, which kubelet version merges drop-ins which way, how a file's type meta is
 * refused, and the text of each default. A reason that names the wrong source misleads the fix.
 */
import { describe, expect, it } from 'vitest';
import { controls } from '../../functions/controls/index.ts';
import { runControl } from '../../functions/controls/run-control.ts';
import { decodeKubeletConfig, formatName } from '../../functions/kubelet/config-file.ts';
import { lookupPath } from '../../functions/kubelet/config-path.ts';
import { dropInMergeOf, effectiveSetting } from '../../functions/kubelet/effective-config.ts';
import { fileProblem, resolvePath } from '../../functions/kubelet/file-layer.ts';
import { parseKubeletArgv } from '../../functions/kubelet/flags.ts';
import { KubeletSettings } from '../../functions/kubelet/kubelet-settings.ts';
import { describeProvenance } from '../../functions/kubelet/provenance.ts';
import { pathSegments, show } from '../../functions/kubelet/setting.ts';
import { buildEvidence, dropIn, type EvidenceSpec, KC, kcJson, PID, textFile } from './evidence-builder.ts';

const K = '/usr/bin/kubelet';
const CONFIG = '/etc/kubernetes/kubelet/config.json';
const DIR = '/etc/kubernetes/kubelet/config.json.d';
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function effective(spec: EvidenceSpec, key: keyof typeof KubeletSettings) {
  // Prepare
  const evidence = buildEvidence(spec);
  // Act
  return effectiveSetting(evidence.kubelets[0]!, evidence, KubeletSettings[key]);
}

describe('show (a raw value in a reason)', () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  it.each([
    ['x', '"x"'],
    [null, 'null'],
    [new Date('2025-01-02T03:04:05Z'), '"2025-01-02T03:04:05.000Z"'],
    [undefined, 'undefined'],
    [12, '12'],
    [{ a: 'x'.repeat(52) }, `{"a":"${'x'.repeat(52)}"}`],
    [{ a: 'x'.repeat(53) }, `{"a":"${'x'.repeat(51)}...`],
    [circular, '[object Object]'],
    [10n, '10'],
  ])('%s reads %s', (value, text) => {
    expect(show(value)).toBe(text);
  });
});

describe('describeProvenance', () => {
  it.each([
    [undefined, undefined],
    [{ kind: 'default' }, 'kubelet default'],
    [{ kind: 'config-file', path: '/c' }, 'config file /c'],
    [{ kind: 'drop-in', path: '/d/1.conf' }, 'drop-in /d/1.conf'],
    [{ kind: 'flag', arg: '--x=1', index: 3 }, 'command-line flag --x=1 (argument 3)'],
  ] as const)('%j', (p, text) => {
    expect(describeProvenance(p)).toBe(text);
  });
});

describe('paths', () => {
  it('a feature gate is one key under featureGates, whatever dots its name has', () => {
    expect(pathSegments(KubeletSettings.rotateKubeletServerCertificateGate)).toEqual([
      'featureGates',
      'RotateKubeletServerCertificate',
    ]);
    expect(pathSegments({ ...KubeletSettings.anonymousAuth })).toEqual([
      'authentication',
      'anonymous',
      'enabled',
    ]);
  });

  it('lookupPath: an array is not an object on the way; no segment is absent at depth 0', () => {
    expect(lookupPath({ a: [1] }, ['a', 'b'])).toEqual({ kind: 'not-object', at: 'a', depth: 0, raw: [1] });
    expect(lookupPath({}, [])).toEqual({ kind: 'absent', depth: 0 });
  });

  it('resolvePath normalises an absolute path even without a working directory', () => {
    expect(resolvePath('/etc/../etc/x.json', undefined)).toBe('/etc/x.json');
    expect(resolvePath('x.json', 'relative/dir')).toBeUndefined();
  });

  it('fileProblem names the path only when given one', () => {
    const input = { blocking: false } as Parameters<typeof fileProblem>[0];
    expect(fileProblem(input, 'config-missing', 'm')).toStrictEqual({
      code: 'config-missing',
      message: 'm',
      blocking: false,
    });
    expect(fileProblem(input, 'config-missing', 'm', '/p')).toStrictEqual({
      code: 'config-missing',
      message: 'm',
      blocking: false,
      path: '/p',
    });
  });
});

describe('dropInMergeOf', () => {
  it.each([
    ['Kubernetes v1.31.14-eks-1', 'up-to-1.31'],
    ['Kubernetes v1.32.0', 'from-1.32'],
    ['Kubernetes 1.31.0', 'up-to-1.31'],
    ['Kubernetes v10.1.0', 'from-1.32'],
    ['Kubernetes v2.0.0', 'from-1.32'],
    ['Kubernetes v0.99.0', 'up-to-1.31'],
    ['Kubernetes', undefined],
    [undefined, undefined],
  ])('%s → %s', (version, merge) => {
    expect(dropInMergeOf(version)).toBe(merge);
  });
});

describe('validation of values the kubelet refuses', () => {
  it.each([
    [-1, 'readOnlyPort (--read-only-port) -1 must be between 0 and 65535, inclusive'],
    [65536, 'readOnlyPort (--read-only-port) 65536 must be between 0 and 65535, inclusive'],
    [0, undefined],
    [65535, undefined],
  ])('readOnlyPort %s', (value, refusal) => {
    expect(KubeletSettings.readOnlyPort.validate(value)).toBe(refusal);
  });

  it.each([
    [-1, 'eventRecordQPS (--event-qps) -1 must not be a negative number'],
    [0, undefined],
    [5, undefined],
  ])('eventRecordQPS %s', (value, refusal) => {
    expect(KubeletSettings.eventRecordQPS.validate(value)).toBe(refusal);
  });

  it('a refused file value is a blocking problem and leaves the value open', () => {
    const s = effective(
      { argv: [K, '--config', CONFIG], files: [textFile(CONFIG, kcJson({ readOnlyPort: 70000 }))] },
      'readOnlyPort',
    );
    expect(s.determined).toBe(false);
    expect(s.problems).toStrictEqual([
      {
        code: 'invalid-value',
        message: `the kubelet would refuse its configuration: readOnlyPort (--read-only-port) 70000 must be between 0 and 65535, inclusive (readOnlyPort: 70000 in ${CONFIG})`,
        blocking: true,
      },
    ]);
  });
});

describe('what decided a value, in words', () => {
  it('a gate nobody sets: the default, naming --feature-gates', () => {
    const s = effective(
      { argv: [K, '--config', CONFIG], files: [textFile(CONFIG, kcJson({}))] },
      'rotateKubeletServerCertificateGate',
    );
    expect(s.decidedByText).toBe(
      `the kubelet default (true), as no --feature-gates flag sets RotateKubeletServerCertificate and featureGates.RotateKubeletServerCertificate is not set in ${CONFIG}`,
    );
  });

  it('with drop-ins that do not set it, the default text says so', () => {
    const s = effective(
      {
        argv: [K, '--config', CONFIG, '--config-dir', DIR],
        files: [textFile(CONFIG, kcJson({})), dropIn(`${DIR}/10.conf`, kcJson({ maxPods: 3 }))],
        configDirs: [{ path: DIR, pid: PID, entries: [`${DIR}/10.conf`] }],
      },
      'makeIPTablesUtilChains',
    );
    expect(s.decidedByText).toBe(
      `the kubelet default (true), as no --make-iptables-util-chains flag is given and makeIPTablesUtilChains is not set in ${CONFIG} nor in any drop-in`,
    );
    expect(s).toMatchObject({ configPath: CONFIG, configDir: DIR, configFormat: 'json' });
  });

  it('without --config: the legacy flag default, with and without drop-ins', () => {
    expect(effective({ argv: [K] }, 'anonymousAuth').decidedByText).toBe(
      "the kubelet's flag default (true), as it runs without --config (applyLegacyDefaults), no --anonymous-auth flag is given and authentication.anonymous.enabled is not set",
    );
    const withDir = effective(
      { argv: [K, '--config-dir', DIR], configDirs: [{ path: DIR, pid: PID, entries: [] }] },
      'anonymousAuth',
    );
    expect(withDir.decidedByText).toBe(
      "the kubelet's flag default (true), as it runs without --config (applyLegacyDefaults), no --anonymous-auth flag is given and authentication.anonymous.enabled is not set in any drop-in",
    );
  });

  it('without --config and without a legacy default: not set in a --config file', () => {
    expect(effective({ argv: [K] }, 'makeIPTablesUtilChains').decidedByText).toBe(
      'the kubelet default (true), as no --make-iptables-util-chains flag is given and makeIPTablesUtilChains is not set in a --config file',
    );
  });

  it('a zero the kubelet re-defaults at load names the zero', () => {
    const s = effective(
      { argv: [K, '--config', CONFIG], files: [textFile(CONFIG, kcJson({ authorization: { mode: '' } }))] },
      'authorizationMode',
    );
    expect(s).toMatchObject({ value: 'Webhook', decidedBy: { kind: 'default' } });
    expect(s.decidedByText).toBe(
      `the kubelet default ("Webhook"), as authorization.mode: "" in ${CONFIG} is zero, which the kubelet re-defaults when it loads the file, and no --authorization-mode flag is given`,
    );
    expect(s.chain).toHaveLength(1);
  });

  it('from 1.32 a drop-in null restores the default, decided by the default', () => {
    const s = effective(
      {
        argv: [K, '--config', CONFIG, '--config-dir', DIR],
        kubelet: { version: 'Kubernetes v1.33.0' },
        files: [
          textFile(CONFIG, kcJson({ makeIPTablesUtilChains: false })),
          dropIn(`${DIR}/10.conf`, kcJson({ makeIPTablesUtilChains: null })),
        ],
        configDirs: [{ path: DIR, pid: PID, entries: [`${DIR}/10.conf`] }],
      },
      'makeIPTablesUtilChains',
    );
    expect(s.decidedBy).toStrictEqual({ kind: 'default' });
    expect(s.value).toBe(true);
  });
});

describe('readings that differ only by what decided them', () => {
  const spec: EvidenceSpec = {
    argv: [K, '--kubeconfig', '/k', '--config', CONFIG, '--config-dir', DIR],
    files: [
      textFile(CONFIG, kcJson({ authentication: { anonymous: { enabled: false } } })),
      dropIn(`${DIR}/10.conf`, kcJson({ authentication: { anonymous: null } })),
    ],
    configDirs: [{ path: DIR, pid: PID, entries: [`${DIR}/10.conf`] }],
  };

  it('are two readings of the setting', () => {
    const s = effective(spec, 'anonymousAuth');
    expect(s.determined).toBe(false);
    expect(s.byVersion?.upTo131).toMatchObject({ value: false, decidedBy: { kind: 'config-file' } });
    expect(s.byVersion?.from132).toMatchObject({ value: false, decidedBy: { kind: 'default' } });
  });

  it('but one verdict, which the control gives with the version noted', () => {
    const anonymous = controls.find((c) => c.id === 'kubelet-anonymous-auth')!;
    const r = runControl(anonymous, { evidence: buildEvidence(spec) });
    expect(r.status).toBe('PASSED');
    expect(r.evidence.kubeletVersion).toBe('unknown (same verdict up to 1.31 and from 1.32)');
  });
});

describe('a command line the kubelet refuses leaves every value open', () => {
  it('a stray word: undetermined although the files decide', () => {
    const s = effective({ argv: [K, 'stray'] }, 'makeIPTablesUtilChains');
    expect(s.determined).toBe(false);
    expect(s.value).toBeUndefined();
  });

  it('an invalid value of the flag itself', () => {
    const s = effective({ argv: [K, '--read-only-port=x'] }, 'readOnlyPort');
    expect(s).toMatchObject({ determined: false });
    expect(s.problems.map((p) => p.code)).toEqual(['argv-rejected']);
  });
});

describe('decodeKubeletConfig refusals', () => {
  it.each([
    ['{"apiVersion":"kubelet.config.k8s.io/v1beta1"}', 'no kind'],
    ['{"kind":"","apiVersion":"kubelet.config.k8s.io/v1beta1"}', 'no kind'],
    ['{"kind":null,"apiVersion":"kubelet.config.k8s.io/v1beta1"}', 'no kind'],
    ['{"kind":"KubeletConfiguration"}', 'no apiVersion'],
    ['{"kind":"KubeletConfiguration","apiVersion":null}', 'no apiVersion'],
  ])('%s: %s', (text, start) => {
    const r = decodeKubeletConfig(bytes(text));
    expect(r).toMatchObject({ ok: false, code: 'missing-type-meta', format: 'json' });
    expect(!r.ok && r.reason).toBe(
      `${start} (a KubeletConfiguration file needs kind: KubeletConfiguration and apiVersion: kubelet.config.k8s.io/v1beta1)`,
    );
  });

  it.each([
    ['null', 'empty (null)'],
    ['[1]', 'a list'],
    ['5', 'number'],
    ['"x"', 'string'],
  ])('JSON %s is %s, not a mapping', (text, what) => {
    expect(decodeKubeletConfig(bytes(` ${text}`))).toMatchObject({ ok: false });
    const asJson = decodeKubeletConfig(bytes(text.startsWith('{') ? text : `${text}`));
    expect(asJson).toMatchObject({ ok: false, code: 'not-a-mapping' });
    expect(!asJson.ok && asJson.reason).toBe(`the document is ${what}, not a mapping`);
  });

  it('an empty file has no format', () => {
    expect(decodeKubeletConfig(new Uint8Array())).toStrictEqual({
      ok: false,
      code: 'empty',
      reason: 'the file is empty',
    });
  });

  it('a parse error is one short line', () => {
    const r = decodeKubeletConfig(bytes(`${KC}a: [\n  b: {\n`));
    expect(r).toMatchObject({ ok: false, code: 'parse-error', format: 'yaml' });
    expect(!r.ok && r.reason).not.toContain('\n');
    expect(!r.ok && r.reason.length).toBeLessThanOrEqual(216);
  });

  it('a BOM before JSON sends it to the YAML parser, which reads it', () => {
    const r = decodeKubeletConfig(
      bytes(
        `\ufeff${JSON.stringify({ kind: 'KubeletConfiguration', apiVersion: 'kubelet.config.k8s.io/v1beta1', readOnlyPort: 0 })}`,
      ),
    );
    expect(r).toMatchObject({ ok: true, format: 'yaml', object: { readOnlyPort: 0 } });
  });

  it('YAML merge keys are resolved', () => {
    const r = decodeKubeletConfig(bytes(`${KC}base: &base {makeIPTablesUtilChains: false}\n<<: *base\n`));
    expect(r).toMatchObject({ ok: true, object: { makeIPTablesUtilChains: false } });
  });

  it('JSON has no duplicate-key list', () => {
    expect(
      decodeKubeletConfig(
        bytes(`{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1"}`),
      ),
    ).toStrictEqual({
      ok: true,
      format: 'json',
      object: { kind: 'KubeletConfiguration', apiVersion: 'kubelet.config.k8s.io/v1beta1' },
      duplicateKeys: [],
    });
  });

  it('formats are named for reasons', () => {
    expect([formatName('json'), formatName('yaml')]).toEqual(['JSON', 'YAML']);
  });
});

describe('the first parse decides which files are read', () => {
  it('parseKubeletArgv sees --config and --config-dir', () => {
    expect(
      parseKubeletArgv([K, '--config', CONFIG, '--config-dir=', '--v=1']).occurrences.map((o) => o.name),
    ).toEqual(['config', 'config-dir', 'v']);
  });
});
