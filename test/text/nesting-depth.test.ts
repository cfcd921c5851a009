import { describe, expect, it } from 'vitest';
import { measureNesting, NODE_TEXT_MAX_DEPTH } from '../../functions/text/nesting-depth.ts';

const KUBELET_CONFIG = `kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 2m0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
evictionHard:
  memory.available: 100Mi
featureGates:
  RotateKubeletServerCertificate: true
clusterDNS:
- 10.100.0.10
tlsCipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
`;

describe('measureNesting', () => {
  it('measures a real kubelet config well under the limit', () => {
    expect(measureNesting(KUBELET_CONFIG)).toBe(3);
    expect(measureNesting(JSON.stringify({ authentication: { webhook: { enabled: true } } }, null, 2))).toBe(
      4,
    );
  });

  it.each([
    ['flow sequences', '['.repeat(60_000)],
    ['flow mappings (JSON)', '{"a":'.repeat(60_000)],
    ['flow mappings (YAML, spaced)', '{ a: '.repeat(10_000)],
    ['block mappings', Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
    ['compact block sequences', `${'- '.repeat(500)}x`],
    ['explicit keys', `${'? '.repeat(500)}x`],
    ['flow across lines', '[\n'.repeat(1_000)],
  ])('stops past the limit on deep %s', (_name, text) => {
    expect(measureNesting(text)).toBe(NODE_TEXT_MAX_DEPTH + 1);
  });

  it.each([
    ['double-quoted strings', `a: "${'['.repeat(1_000)}"`],
    ['double-quoted with escaped quotes', `a: "\\"${'['.repeat(1_000)}"`],
    ['single-quoted strings', `a: '${'['.repeat(1_000)}'`],
    ['single-quoted with doubled quotes', `a: 'it''s ${'['.repeat(1_000)}'`],
    ['JSON strings', `{"a":"${'{'.repeat(1_000)}"}`],
    ['comments', `a: 1 # ${'['.repeat(1_000)}`],
    ['block scalars', `a: |\n  ${'['.repeat(1_000)}\n    ${'{'.repeat(1_000)}\nb: 2`],
    ['folded block scalars with indicators', `a: >-\n  ${'['.repeat(1_000)}\nb: 2`],
    ['brackets inside plain scalars', `a: x${'['.repeat(1_000)}`],
  ])('does not count brackets inside %s', (_name, text) => {
    expect(measureNesting(text)).toBeLessThanOrEqual(3);
  });

  it('a stray closing bracket cannot hide later nesting', () => {
    expect(measureNesting(`a: ${']'.repeat(1_000)}\nb: ${'['.repeat(100)}`)).toBe(NODE_TEXT_MAX_DEPTH + 1);
  });

  it('a quote inside a plain word does not open a string that hides nesting', () => {
    expect(measureNesting(`a: don't\nb: ${'['.repeat(100)}`)).toBe(NODE_TEXT_MAX_DEPTH + 1);
  });

  it('multi-line quoted scalars are skipped as one string', () => {
    expect(measureNesting(`a: "line one\n  ${'['.repeat(100)}\n  end"\nb: 1`)).toBe(1);
  });

  it('is linear: a megabyte of brackets and quotes is measured quickly', () => {
    const started = performance.now();
    measureNesting(`a: "${'x'.repeat(1_000_000)}`);
    measureNesting(`${'[1],'.repeat(250_000)}`);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
