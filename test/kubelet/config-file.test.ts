import { describe, expect, it } from 'vitest';
import { ConfigDecodeFailure, decodeKubeletConfig } from '../../functions/kubelet/config-file.ts';
import { KC, kcJson } from './evidence-builder.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function decode(text: string) {
  return decodeKubeletConfig(enc(text));
}

describe('decodeKubeletConfig: format by content', () => {
  it('decodes JSON when the first non-space character is {', () => {
    // Prepare
    const text = ` \n\t${kcJson({ makeIPTablesUtilChains: false })}`;
    // Act
    const result = decode(text);
    // Assess
    expect(result).toMatchObject({ ok: true, format: 'json', object: { makeIPTablesUtilChains: false } });
  });

  it('decodes YAML even in a file that would be named .json', () => {
    const result = decode(`${KC}makeIPTablesUtilChains: false\n`);
    expect(result).toMatchObject({ ok: true, format: 'yaml', object: { makeIPTablesUtilChains: false } });
  });

  it('a JSON-looking file with YAML-only syntax fails (the JSON serializer gets it)', () => {
    const result = decode('{kind: KubeletConfiguration, apiVersion: kubelet.config.k8s.io/v1beta1}');
    expect(result).toMatchObject({ ok: false, format: 'json', code: ConfigDecodeFailure.parseError });
  });

  it('a YAML flow mapping not starting with { (e.g. after a comment) is YAML', () => {
    const result = decode(
      '# c\n{kind: KubeletConfiguration, apiVersion: kubelet.config.k8s.io/v1beta1, makeIPTablesUtilChains: no}',
    );
    expect(result).toMatchObject({ ok: true, format: 'yaml', object: { makeIPTablesUtilChains: false } });
  });

  it('JSON with invalid UTF-8 inside a string still loads (Go replaces it)', () => {
    const head = enc('{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","x":"');
    const tail = enc('","makeIPTablesUtilChains":false}');
    const bytes = new Uint8Array([...head, 0xff, 0xfe, ...tail]);
    expect(decodeKubeletConfig(bytes)).toMatchObject({ ok: true, object: { makeIPTablesUtilChains: false } });
  });

  it('YAML with invalid UTF-8 is unloadable', () => {
    const bytes = new Uint8Array([...enc(KC), ...enc('x: '), 0xc3, 0x28, 0x0a]);
    expect(decodeKubeletConfig(bytes)).toMatchObject({ ok: false, code: ConfigDecodeFailure.invalidUtf8 });
  });

  it('YAML with a control character is unloadable', () => {
    expect(decode(`${KC}x: a\u0001b\n`)).toMatchObject({ ok: false, code: ConfigDecodeFailure.parseError });
  });
});

describe('decodeKubeletConfig: YAML 1.1 booleans (go-yaml v2)', () => {
  it.each(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])('%s is true', (word) => {
    expect(decode(`${KC}makeIPTablesUtilChains: ${word}\n`)).toMatchObject({
      ok: true,
      object: { makeIPTablesUtilChains: true },
    });
  });

  it.each([
    'n',
    'N',
    'no',
    'No',
    'NO',
    'false',
    'False',
    'FALSE',
    'off',
    'Off',
    'OFF',
  ])('%s is false', (word) => {
    expect(decode(`${KC}makeIPTablesUtilChains: ${word}\n`)).toMatchObject({
      ok: true,
      object: { makeIPTablesUtilChains: false },
    });
  });

  it.each(['yEs', 'tRUE', 'oN', '"false"', "'no'", '0', '1'])('%s is not a boolean', (word) => {
    const result = decode(`${KC}makeIPTablesUtilChains: ${word}\n`);
    expect(result.ok).toBe(true);
    if (result.ok) expect(typeof result.object.makeIPTablesUtilChains).not.toBe('boolean');
  });
});

describe('decodeKubeletConfig: keys and structure', () => {
  it('field names are case-sensitive', () => {
    const result = decode(`${KC}MakeIPTablesUtilChains: false\n`);
    expect(result.ok && Object.hasOwn(result.object, 'makeIPTablesUtilChains')).toBe(false);
  });

  it('the last duplicate key wins (YAML) and is reported', () => {
    const result = decode(`${KC}makeIPTablesUtilChains: false\nmakeIPTablesUtilChains: true\n`);
    expect(result).toMatchObject({
      ok: true,
      object: { makeIPTablesUtilChains: true },
      duplicateKeys: ['makeIPTablesUtilChains'],
    });
  });

  it('the last duplicate key wins (JSON)', () => {
    const text =
      '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","makeIPTablesUtilChains":true,"makeIPTablesUtilChains":false}';
    expect(decode(text)).toMatchObject({ ok: true, object: { makeIPTablesUtilChains: false } });
  });

  it('only the first YAML document counts', () => {
    expect(
      decode(`${KC}makeIPTablesUtilChains: true\n---\n${KC}makeIPTablesUtilChains: false\n`),
    ).toMatchObject({
      ok: true,
      object: { makeIPTablesUtilChains: true },
    });
  });

  it('YAML merge keys and a few aliases load', () => {
    const text = `${KC}base: &b {a: 1}\nother:\n  <<: *b\n  c: 2\nmakeIPTablesUtilChains: off\n`;
    expect(decode(text)).toMatchObject({
      ok: true,
      object: { other: { a: 1, c: 2 }, makeIPTablesUtilChains: false },
    });
  });

  it.each([
    ['empty', '', ConfigDecodeFailure.empty],
    ['whitespace only', '  \n', ConfigDecodeFailure.notAMapping],
    ['a list', '- a\n- b\n', ConfigDecodeFailure.notAMapping],
    ['a scalar', 'hello\n', ConfigDecodeFailure.notAMapping],
    ['a JSON list', '[1]', ConfigDecodeFailure.notAMapping],
    [
      'no kind',
      'apiVersion: kubelet.config.k8s.io/v1beta1\nmakeIPTablesUtilChains: false\n',
      ConfigDecodeFailure.missingTypeMeta,
    ],
    ['no apiVersion', 'kind: KubeletConfiguration\n', ConfigDecodeFailure.missingTypeMeta],
    [
      'wrong kind',
      'kind: KubeProxyConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\n',
      ConfigDecodeFailure.wrongTypeMeta,
    ],
    [
      'wrong version',
      'kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1\n',
      ConfigDecodeFailure.wrongTypeMeta,
    ],
    [
      'capitalised Kind',
      'Kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\n',
      ConfigDecodeFailure.missingTypeMeta,
    ],
    ['broken YAML', `${KC}a: [1, 2\n`, ConfigDecodeFailure.parseError],
    ['broken JSON', '{"kind": "KubeletConfiguration",', ConfigDecodeFailure.parseError],
  ])('%s is unloadable', (_name, text, code) => {
    expect(decode(text)).toMatchObject({ ok: false, code });
  });
});

describe('decodeKubeletConfig: adversarial input never hangs or throws', () => {
  it('an alias bomb is refused', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(
        `${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`,
      );
    }
    const started = Date.now();
    const result = decode(`${KC}${lines.join('\n')}\n`);
    expect(result).toMatchObject({ ok: false, code: ConfigDecodeFailure.excessiveAliasing });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('deeply nested YAML flow collections are refused or parsed, never thrown', () => {
    const depth = 30_000;
    const result = decode(`${KC}x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(result.ok).toBe(false);
  });

  it('deeply nested JSON beyond Go’s limit is refused', () => {
    const depth = 12_000;
    const text = `{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(decode(text)).toMatchObject({ ok: false, code: ConfigDecodeFailure.tooDeep });
  });

  it('a huge valid file decodes', () => {
    const pad = Array.from({ length: 3000 }, (_, i) => `k${i}: v${i}`).join('\n');
    expect(decode(`${KC}${pad}\nmakeIPTablesUtilChains: false\n`)).toMatchObject({
      ok: true,
      object: { makeIPTablesUtilChains: false },
    });
  });

  it('binary junk is unloadable', () => {
    const bytes = new Uint8Array(2048).map((_, i) => (i * 37) % 256);
    expect(decodeKubeletConfig(bytes).ok).toBe(false);
  });
});

describe('hostile nesting and size (pre-scan before any parser)', () => {
  it.each([
    ['60,000 "[" (YAML flow)', '['.repeat(60_000)],
    ['deep "{" (JSON)', `{"kind":"KubeletConfiguration","x":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`],
    ['deep block YAML', `${KC}${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')}`],
  ])('%s is too-deep with a reason naming the limit', (_name, text) => {
    const result = decode(text);
    expect(result).toMatchObject({ ok: false, code: ConfigDecodeFailure.tooDeep });
    expect(!result.ok && result.reason).toMatch(/nested deeper than 64 levels/);
  });

  it('aliases that build depth the text does not show are refused after decoding', () => {
    // Each line nests 30 levels in its text; through two aliases the value nests 90.
    const nest = (inner: string) => `${'['.repeat(30)}${inner}${']'.repeat(30)}`;
    const text = `${KC}a: &a ${nest('x')}\nb: &b ${nest('*a')}\nc: ${nest('*b')}\n`;
    expect(decode(text)).toMatchObject({ ok: false, code: ConfigDecodeFailure.tooDeep });
  });

  it('thousands of repeated keys stay fast (duplicates are tracked in a set)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i % 10_000}: v`).join('\n');
    const started = performance.now();
    const result = decode(`${KC}${keys}\n`);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.ok && result.duplicateKeys).toHaveLength(10_000);
  });
});
