/**
 * parseEvidence against good and adversarial collector output: every bad input gives a clear
 * non-ok result with a reason, never a throw, never a usable document.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFileContent,
  EvidenceErrorCode,
  inflateCompactEnvelope,
  isOutputTruncated,
  parseEvidence,
} from '../../functions/collector/evidence.ts';
import { EVIDENCE_LIMITS, type FileEvidence } from '../../functions/collector/evidence-schema.ts';
import { compactEnvelope, encodeZ85, headerlessGzip, z85Padded } from './compact-encoder.ts';

/** A small valid document, as collect.sh prints it (key order included). */
function validDoc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'eks-kubelet-audit/evidence',
    version: 1,
    collector: 'eks-kubelet-audit collect.sh 1',
    collectedAt: '2026-11-28T00:00:00Z',
    host: { visible: true, uptimeSeconds: 100.5, nowEpochSeconds: 1795824000, hostname: 'n1' },
    kubelets: [
      {
        pid: 3187,
        argv: ['/usr/bin/kubelet', '--config', '/etc/kubernetes/kubelet/config.json'],
        ppid: 1,
        uid: 0,
        cgroup: '0::/runtime.slice/kubelet.service',
        cwd: '/',
        startSecondsSinceBoot: 24,
        cpuSeconds: 10,
        selectedBy: 'kubelet.service cgroup',
      },
    ],
    rejected: [],
    configDirs: [],
    files: [
      {
        path: '/etc/kubernetes/kubelet/config.json',
        roles: ['config'],
        pid: 3187,
        ok: true,
        size: 2,
        mode: '0644',
        uid: 0,
        gid: 0,
        encoding: 'text',
        content: '{}',
      },
    ],
    errors: [],
    cut: false,
    end: true,
    ...overrides,
  };
}

/** A compact envelope with the given fields, as JSON text. */
function envelope(fields: Record<string, unknown>): string {
  return JSON.stringify({ eka: 1, ...fields });
}

function expectFailure(raw: string, status: 'WARNING' | 'NOT_AVAILABLE', code: string, reason?: RegExp) {
  const result = parseEvidence(raw);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect({ status: result.status, code: result.code }).toEqual({ status, code });
  expect(result.reason.length).toBeGreaterThan(5);
  if (reason) expect(result.reason).toMatch(reason);
}

describe('parseEvidence: good output', () => {
  it('accepts a plain document', () => {
    const result = parseEvidence(`${JSON.stringify(validDoc())}\n`);

    expect(result.ok && result.encoding).toBe('plain');
    expect(result.ok && result.evidence.kubelets[0]?.pid).toBe(3187);
  });

  it('accepts the gzip+z85 compact envelope', () => {
    const result = parseEvidence(`${compactEnvelope(JSON.stringify(validDoc()))}\n`);

    expect(result.ok && result.encoding).toBe('gzip+z85');
    expect(result.ok && result.evidence.files[0]?.content).toBe('{}');
  });

  it('inflates the compact envelope to exactly the document text, for every pad count', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (tail) => {
        const text = JSON.stringify(validDoc({ errors: [tail] }));
        const { gz85, pad } = z85Padded(headerlessGzip(text));

        const inflated = inflateCompactEnvelope({ eka: 1, gz85, pad });

        expect(inflated).toEqual({ ok: true, text });
      }),
      { numRuns: 200 },
    );
  });

  it('ignores the stderr section that SSM appends to the combined Output', () => {
    const raw = `${JSON.stringify(validDoc())}\n\n----------ERROR-------\nbash: warning: something\n`;

    expect(parseEvidence(raw).ok).toBe(true);
  });
});

describe('parseEvidence: redacted and reduced files', () => {
  it('accepts a redacted entry (metadata only) and a reduced unit file, and decodes neither as more', () => {
    // Prepare
    const files = [
      {
        path: '/etc/kubernetes/kubelet/config.json.d/key',
        roles: ['config-dir-entry'],
        pid: 3187,
        ok: true,
        size: 411,
        mode: '0600',
        uid: 0,
        gid: 0,
        type: 'file',
        target: '/root/.ssh/id_ed25519',
        redacted: true,
      },
      {
        path: '/etc/systemd/system/kubelet.service',
        roles: ['unit'],
        ok: true,
        size: 479,
        mode: '0644',
        uid: 0,
        gid: 0,
        type: 'file',
        encoding: 'text',
        reduced: true,
        content: '[Service]\nExecStart=/usr/bin/kubelet $ARGS\n',
      },
    ];

    // Act
    const result = parseEvidence(JSON.stringify(validDoc({ files })));

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [redacted, unit] = result.evidence.files;
    expect(redacted).toMatchObject({ redacted: true, type: 'file', target: '/root/.ssh/id_ed25519' });
    expect(decodeFileContent(redacted!)).toEqual({
      ok: false,
      reason: 'redacted: the collector lists this file but never sends its content',
    });
    expect(decodeFileContent(unit!)).toEqual({
      ok: true,
      text: '[Service]\nExecStart=/usr/bin/kubelet $ARGS\n',
      cut: false,
    });
  });
});

describe('parseEvidence: file-control metadata, kubelet version, Bottlerocket API', () => {
  const kubeconfig = {
    path: '/var/lib/kubelet/kubeconfig',
    roles: ['kubeconfig'],
    pid: 3187,
    ok: true,
    size: 71,
    mode: '2640',
    uid: 0,
    gid: 0,
    type: 'file',
    target: '/etc/eks/kubeconfig.real',
    link: { mode: '0777', uid: 0, gid: 0 },
    redacted: true,
  };
  const bottlerocket = {
    cisReport: {
      level: 1,
      status: 'FAIL',
      benchmarkVersion: 'v1.8.0',
      checks: [
        { id: '4.1.9', status: 'FAIL', title: 'If the kubelet config.yaml ...' },
        { id: '4.2.10', status: 'SKIP', title: 'Ensure that ...', manual: true },
      ],
    },
    settings: { 'standalone-mode': false, 'authentication-mode': 'aws', 'event-qps': 0 },
    settingsPresent: ['server-certificate'],
    errors: [],
  };
  const kubelet = (extra: Record<string, unknown>) => [{ ...(validDoc().kubelets as object[])[0], ...extra }];

  it('accepts kubeconfig and client-ca entries with a link block, a version and the Bottlerocket block', () => {
    const doc = validDoc({
      kubelets: kubelet({ version: 'Kubernetes v1.32.3-eks-7636447' }),
      files: [kubeconfig, { ...kubeconfig, path: '/etc/kubernetes/pki/ca.crt', roles: ['client-ca'] }],
      bottlerocket,
    });
    const result = parseEvidence(JSON.stringify(doc));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.evidence.files[0]?.link).toEqual({ mode: '0777', uid: 0, gid: 0 });
    expect(result.evidence.kubelets[0]?.version).toBe('Kubernetes v1.32.3-eks-7636447');
    expect(result.evidence.bottlerocket).toEqual(bottlerocket);
  });

  it('rejects a version of another shape, a kubeconfig with content, an unknown check status', () => {
    expectFailure(
      JSON.stringify(validDoc({ kubelets: kubelet({ version: 'v1.32.3' }) })),
      'WARNING',
      'SCHEMA_VIOLATION',
      /kubelets\[0\]\.version/,
    );
    expectFailure(
      JSON.stringify(validDoc({ files: [{ ...kubeconfig, encoding: 'text', content: 'token: x' }] })),
      'WARNING',
      'SCHEMA_VIOLATION',
      /redacted file carries no content/,
    );
    const badCheck = { ...bottlerocket.cisReport, checks: [{ id: '4.1.9', status: 'MAYBE', title: 't' }] };
    expectFailure(
      JSON.stringify(validDoc({ bottlerocket: { ...bottlerocket, cisReport: badCheck } })),
      'WARNING',
      'SCHEMA_VIOLATION',
      /bottlerocket\.cisReport\.checks\[0\]\.status/,
    );
    expectFailure(
      JSON.stringify(
        validDoc({ bottlerocket: { ...bottlerocket, settingsPresent: ['cluster-certificate'] } }),
      ),
      'WARNING',
      'SCHEMA_VIOLATION',
      /bottlerocket\.settingsPresent/,
    );
  });
});

describe('parseEvidence: no usable output', () => {
  it.each([
    ['empty', ''],
    ['whitespace', ' \n\t\n'],
    [
      'a Windows node (step skipped)',
      'Step execution skipped due to unsatisfied preconditions: \'"StringEquals": [platformType, Linux]\'. Step name: collect',
    ],
    ['only stderr', '\n----------ERROR-------\nbash: collect.sh: No such file'],
  ])('%s → NOT_AVAILABLE "no collector output"', (_name, raw) => {
    expectFailure(raw, 'NOT_AVAILABLE', EvidenceErrorCode.NO_OUTPUT, /^no collector output/);
  });

  it('survives a non-string input', () => {
    expect(parseEvidence(undefined as unknown as string)).toMatchObject({
      ok: false,
      status: 'NOT_AVAILABLE',
    });
  });
});

describe('parseEvidence: truncation, size, encoding attacks', () => {
  const doc = JSON.stringify(validDoc());

  it.each([
    ['the 2,500-character Output', `${doc.slice(0, 2478)}\n---Output truncated---`],
    [
      'the Output with stderr after it',
      `${doc.slice(0, 100)}\n---Output truncated---\n----------ERROR-------\nerr`,
    ],
    ['the 24,000-character StandardOutputContent', `${doc.slice(0, 500)}--output truncated--`],
  ])('detects SSM truncation of %s', (_name, raw) => {
    expect(isOutputTruncated(raw)).toBe(true);
    expectFailure(raw, 'WARNING', EvidenceErrorCode.TRUNCATED);
  });

  it('does not call a document truncated because a file inside it mentions the marker', () => {
    const raw = JSON.stringify(validDoc({ errors: ['--output truncated--'] }));

    expect(isOutputTruncated(raw)).toBe(false);
    expect(parseEvidence(raw).ok).toBe(true);
  });

  it('rejects output larger than the document limit before parsing it', () => {
    const raw = JSON.stringify(validDoc({ errors: ['x'.repeat(EVIDENCE_LIMITS.maxDocumentBytes)] }));

    expectFailure(raw, 'WARNING', EvidenceErrorCode.OVERSIZED);
  });

  it('stops a gzip bomb at the document limit', () => {
    const bomb = z85Padded(headerlessGzip(Buffer.alloc(8 * 1024 * 1024, 0x20)));

    const started = Date.now();
    expectFailure(envelope(bomb), 'WARNING', EvidenceErrorCode.OVERSIZED, /inflates beyond 262144 bytes/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  /** The small document as a valid {gz85, pad}, and its headerless gzip member. */
  const good = z85Padded(headerlessGzip(doc));
  const body = headerlessGzip(doc);
  /** A member of a whole number of 4-byte groups (JSON allows trailing spaces): no padding at all. */
  const aligned =
    Array.from({ length: 16 }, (_, n) => headerlessGzip(doc + ' '.repeat(n))).find(
      (b) => b.length % 4 === 0,
    ) ?? Buffer.alloc(0);
  const flipped = Buffer.from(body);
  flipped[Math.floor(body.length / 2)]! ^= 0x01;
  it.each([
    ['a quote in the data', envelope({ ...good, gz85: `"${good.gz85.slice(1)}` }), /not in the Z85 alphabet/],
    ['base64 characters outside Z85', envelope({ ...good, gz85: 'H4sI,AAAA,' }), /not in the Z85 alphabet/],
    [
      'a length that is not a multiple of 5',
      envelope({ ...good, gz85: good.gz85.slice(0, -1) }),
      /multiple of 5/,
    ],
    ['a group above 32 bits', envelope({ ...good, gz85: `#####${good.gz85.slice(5)}` }), /exceeds 32 bits/],
    ['pad 4', envelope({ ...good, pad: 4 }), /field pad/],
    ['pad -1', envelope({ ...good, pad: -1 }), /field pad/],
    ['pad as a string', envelope({ ...good, pad: '1' }), /field pad/],
    ['no pad', envelope({ gz85: good.gz85 }), /field pad/],
    [
      'a pad that claims the last data byte',
      envelope({ gz85: encodeZ85(aligned), pad: 1 }),
      /not valid gzip|gzip trailer/,
    ],
    [
      'a pad one byte too small',
      envelope({
        gz85: encodeZ85(Buffer.concat([body, Buffer.alloc(4 - (body.length % 4))])),
        pad: 3 - (body.length % 4),
      }),
      /gzip trailer \(pad \d does not match/,
    ],
    [
      'padding bytes that are not zero',
      envelope({
        gz85: encodeZ85(Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4 || 4, 0xff)])),
        pad: (4 - (body.length % 4)) % 4 || 3,
      }),
      /padding/,
    ],
    [
      'less data than a gzip trailer',
      envelope({ gz85: encodeZ85(Buffer.alloc(4)), pad: 0 }),
      /padding of 0 bytes/,
    ],
    ['an unknown envelope version', envelope({ ...good, eka: 2 }), /field eka/],
    ['an extra key', envelope({ ...good, data: 'x' }), /compact envelope/],
    ['data that is not gzip', envelope(z85Padded(Buffer.from('plain text, not gzip'))), /not valid gzip/],
    ['a truncated gzip stream', envelope(z85Padded(body.subarray(0, 40))), /not valid gzip/],
    ['a flipped bit (CRC-32 mismatch or broken deflate)', envelope(z85Padded(flipped)), /not valid gzip/],
    ['an envelope inside an envelope', compactEnvelope(compactEnvelope(doc)), /inside an envelope/],
    [
      'the retired gzip+base64 envelope',
      JSON.stringify({
        format: 'eks-kubelet-audit/evidence',
        version: 1,
        encoding: 'gzip+base64',
        data: gzipSync(doc).toString('base64'),
      }),
      /unsupported envelope \(encoding "gzip\+base64"\)/,
    ],
  ])('rejects an envelope with %s', (_name, raw, reason) => {
    expect(aligned.length).toBeGreaterThan(0);
    expectFailure(raw, 'WARNING', EvidenceErrorCode.BAD_ENVELOPE, reason);
  });

  it('rejects an envelope whose document is not UTF-8', () => {
    expectFailure(
      compactEnvelope(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
      'WARNING',
      EvidenceErrorCode.INVALID_UTF8,
    );
  });

  it('rejects an envelope whose document is not JSON', () => {
    expectFailure(
      compactEnvelope('{"format":'),
      'WARNING',
      EvidenceErrorCode.MALFORMED_JSON,
      /inflated document/,
    );
  });

  it('rejects an envelope whose document lacks "end": true', () => {
    const { end: _end, ...rest } = validDoc();

    expectFailure(compactEnvelope(JSON.stringify(rest)), 'WARNING', EvidenceErrorCode.INCOMPLETE);
  });

  it('never accepts an envelope whose data SSM cut short', () => {
    const raw = compactEnvelope(doc);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: raw.length - 1 }), (cut) => {
        expect(parseEvidence(raw.slice(0, cut)).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseEvidence: malformed documents', () => {
  it('rejects broken JSON', () => {
    expectFailure('{"format":"eks-kubelet-audit/evidence",', 'WARNING', EvidenceErrorCode.MALFORMED_JSON);
  });

  it('rejects deeply nested JSON without a stack overflow escaping', () => {
    const depth = 120_000;
    const raw = `{"format":"eks-kubelet-audit/evidence","version":1,"end":true,"kubelets":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    const result = parseEvidence(raw);

    expect(result.ok).toBe(false);
  });

  it('rejects JSON that is not evidence', () => {
    expectFailure('{"hello":"world"}', 'WARNING', EvidenceErrorCode.NOT_EVIDENCE);
    expectFailure('[1,2,3]', 'NOT_AVAILABLE', EvidenceErrorCode.NO_OUTPUT);
  });

  it('rejects another evidence version with a hint', () => {
    expectFailure(
      JSON.stringify(validDoc({ version: 2 })),
      'WARNING',
      EvidenceErrorCode.UNSUPPORTED_VERSION,
      /version 2/,
    );
  });

  it('rejects a document without its closing "end": true', () => {
    const { end: _end, ...rest } = validDoc();

    expectFailure(JSON.stringify(rest), 'WARNING', EvidenceErrorCode.INCOMPLETE, /"end": true/);
  });

  it.each([
    [
      'a pid as a string',
      { kubelets: [{ ...(validDoc().kubelets as object[])[0], pid: '3187' }] },
      /kubelets\[0\]\.pid/,
    ],
    ['an empty argv', { kubelets: [{ pid: 1, argv: [] }] }, /kubelets\[0\]\.argv/],
    ['too many arguments', { kubelets: [{ pid: 1, argv: Array(600).fill('x') }] }, /kubelets\[0\]\.argv/],
    [
      'an unknown file role',
      { files: [{ path: '/x', roles: ['secret'], ok: false }] },
      /files\[0\]\.roles\[0\]/,
    ],
    [
      'a mode that is not octal',
      { files: [{ path: '/x', roles: ['config'], ok: true, mode: '0999' }] },
      /files\[0\]\.mode/,
    ],
    [
      'a redacted file that carries content',
      {
        files: [
          {
            path: '/d/key',
            roles: ['config-dir-entry'],
            ok: true,
            redacted: true,
            encoding: 'text',
            content: 'k',
          },
        ],
      },
      /files\[0\]\.content: a redacted file carries no content/,
    ],
    [
      'an unknown file type',
      { files: [{ path: '/d/x', roles: ['config-dir-entry'], ok: true, redacted: true, type: 'door' }] },
      /files\[0\]\.type/,
    ],
    ['host not an object', { host: 'visible' }, /field host/],
    ['a negative uptime', { host: { visible: true, uptimeSeconds: -1 } }, /host\.uptimeSeconds/],
    ['too many kubelets', { kubelets: Array(9).fill({ pid: 1, argv: ['kubelet'] }) }, /field kubelets/],
    ['end written as a string', { end: 'true' }, /"end": true/],
  ])('rejects %s with a reason naming the field', (_name, overrides, reason) => {
    const code =
      (overrides as { end?: unknown }).end !== undefined
        ? EvidenceErrorCode.INCOMPLETE
        : EvidenceErrorCode.SCHEMA_VIOLATION;

    expectFailure(JSON.stringify(validDoc(overrides as Record<string, unknown>)), 'WARNING', code, reason);
  });

  it('never accepts any strict prefix of a valid document', () => {
    const full = JSON.stringify(validDoc());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length - 1 }), (cut) => {
        expect(parseEvidence(full.slice(0, cut)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (raw) => {
          const result = parseEvidence(raw);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.reason).toBeTruthy();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('decodeFileContent', () => {
  const base: FileEvidence = { path: '/x', roles: ['config'], ok: true };

  it('returns text content as is', () => {
    expect(decodeFileContent({ ...base, encoding: 'text', content: 'a: 1\r\n' })).toEqual({
      ok: true,
      text: 'a: 1\r\n',
      cut: false,
    });
  });

  it('decodes base64 UTF-8', () => {
    const content = Buffer.from('zone: münchen\n').toString('base64');

    expect(decodeFileContent({ ...base, encoding: 'base64', content, cut: true })).toEqual({
      ok: true,
      text: 'zone: münchen\n',
      cut: true,
    });
  });

  it('accepts a cut that split the last multi-byte character', () => {
    const bytes = Buffer.from('abc é');
    const content = bytes.subarray(0, bytes.length - 1).toString('base64');

    expect(decodeFileContent({ ...base, encoding: 'base64', content, cut: true })).toEqual({
      ok: true,
      text: 'abc ',
      cut: true,
    });
  });

  it('reports invalid UTF-8, invalid base64 and missing content', () => {
    expect(
      decodeFileContent({
        ...base,
        encoding: 'base64',
        content: Buffer.from([0xff, 0x00]).toString('base64'),
      }),
    ).toEqual({
      ok: false,
      reason: 'content is not valid UTF-8 (binary data)',
    });
    expect(decodeFileContent({ ...base, encoding: 'base64', content: 'a*b=' })).toEqual({
      ok: false,
      reason: 'content is not valid base64',
    });
    expect(decodeFileContent({ ...base, ok: false, error: 'not found' })).toEqual({
      ok: false,
      reason: 'not found',
    });
  });
});
