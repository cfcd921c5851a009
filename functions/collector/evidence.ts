/**
 * Turns what a node printed into a validated evidence document, or into a clear reason why it cannot
 * be used. Node output is untrusted: everything here is bounded, nothing throws, and a bad answer only
 * ever affects that node's verdict (WARNING or NOT_AVAILABLE, never PASSED).
 */
import { gunzipSync } from 'node:zlib';
import type { core } from 'zod/mini';
import { measureNesting, NODE_TEXT_MAX_DEPTH, tooDeepReason } from '../text/nesting-depth.ts';
import {
  compactEnvelopeSchema,
  EVIDENCE_FORMAT,
  EVIDENCE_LIMITS,
  EVIDENCE_VERSION,
  type EvidenceDocument,
  evidenceDocumentSchema,
  type FileEvidence,
} from './evidence-schema.ts';
import { decodeZ85 } from './z85.ts';

export type EvidenceEncoding = 'plain' | 'gzip+z85';

export type EvidenceParseResult =
  | { ok: true; evidence: EvidenceDocument; encoding: EvidenceEncoding }
  | { ok: false; status: 'WARNING' | 'NOT_AVAILABLE'; code: EvidenceErrorCode; reason: string };

/** Why output was not usable. Stable strings: they end up in findings and metrics. */
export const EvidenceErrorCode = {
  NO_OUTPUT: 'NO_OUTPUT',
  TRUNCATED: 'TRUNCATED',
  OVERSIZED: 'OVERSIZED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  NOT_EVIDENCE: 'NOT_EVIDENCE',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  BAD_ENVELOPE: 'BAD_ENVELOPE',
  INVALID_UTF8: 'INVALID_UTF8',
  INCOMPLETE: 'INCOMPLETE',
  SCHEMA_VIOLATION: 'SCHEMA_VIOLATION',
} as const;
export type EvidenceErrorCode = (typeof EvidenceErrorCode)[keyof typeof EvidenceErrorCode];

/**
 * Suffixes the SSM agent appends when it cut stdout (aws/amazon-ssm-agent
 * agent/framework/processor/executer/iohandler/iohandler.go and pluginutil.StringPrefix):
 * "\n---Output truncated---" ends the 2,500-character `Output` of ListCommandInvocations,
 * "--output truncated--" ends the 24,000-character StandardOutputContent of GetCommandInvocation.
 */
export const SSM_TRUNCATION_MARKERS = ['\n---Output truncated---', '--output truncated--'] as const;

/** In the combined `Output`, stderr follows stdout after this line (iohandler.go). */
const SSM_STDERR_SEPARATOR = '\n----------ERROR-------\n';

/** stdout of the command: the part before the stderr section of a combined `Output`. */
function stdoutPart(raw: string): string {
  const at = raw.indexOf(SSM_STDERR_SEPARATOR);
  return at < 0 ? raw : raw.slice(0, at);
}

/** True when SSM cut the command's stdout (either limit). */
export function isOutputTruncated(raw: string): boolean {
  const out = stdoutPart(raw).trimEnd();
  return SSM_TRUNCATION_MARKERS.some((m) => out.endsWith(m.trimStart()));
}

function fail(
  status: 'WARNING' | 'NOT_AVAILABLE',
  code: EvidenceErrorCode,
  reason: string,
): EvidenceParseResult {
  return { ok: false, status, code, reason };
}

/** A short, printable excerpt of untrusted text for a reason string. */
function excerpt(text: string, max = 80): string {
  const flat = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** "kubelets[0].argv[3]" from a zod issue path. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(document)';
}

function describeIssues(error: core.$ZodError): string {
  const [first] = error.issues;
  if (!first) return 'invalid document';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return `field ${fieldPath(first.path)}: ${first.message}${more}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  // The evidence schema nests a handful of levels; anything deeper is refused before parsing, so no
  // later step (validation, stringify, merging) can be driven into deep recursion.
  if (measureNesting(text, NODE_TEXT_MAX_DEPTH) > NODE_TEXT_MAX_DEPTH) {
    return { ok: false, reason: tooDeepReason(NODE_TEXT_MAX_DEPTH) };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    // SyntaxError for bad JSON; RangeError when nesting is deep enough to exhaust the stack.
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The 10-byte gzip header that `gzip -n` writes and the collector leaves out of the compact envelope
 * (RFC 1952: ID1 ID2, CM deflate, FLG 0, MTIME 0, XFL 2 = best compression, OS 3 = Unix). zlib
 * checks ID1 ID2 CM FLG; the trailer's CRC-32 and length, which the collector keeps, check the data.
 */
const GZIP_N_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0x03]);

export type InflateResult =
  | { ok: true; text: string }
  | { ok: false; code: EvidenceErrorCode; reason: string };

/**
 * The plain document text inside a compact envelope `{"eka":1,"gz85":"...","pad":N}`, inflated at
 * most to maxDocumentBytes (a gzip bomb stops there). Never throws.
 */
export function inflateCompactEnvelope(value: unknown): InflateResult {
  const bad = (reason: string): InflateResult => ({
    ok: false,
    code: EvidenceErrorCode.BAD_ENVELOPE,
    reason,
  });
  const envelope = compactEnvelopeSchema.safeParse(value);
  if (!envelope.success) return bad(`invalid compact envelope: ${describeIssues(envelope.error)}`);
  const { gz85, pad } = envelope.data;
  const decoded = decodeZ85(gz85);
  if (!decoded.ok) return bad(`envelope data is not valid Z85: ${decoded.reason}`);
  const padded = decoded.bytes;
  // 8 bytes of gzip trailer at least, and padding that is zero bytes as the collector writes them.
  if (padded.length - pad < 8 || padded.subarray(padded.length - pad).some((b) => b !== 0)) {
    return bad(`envelope padding of ${pad} bytes does not match its data`);
  }
  const member = padded.subarray(0, padded.length - pad);
  let inflated: Buffer;
  try {
    inflated = gunzipSync(Buffer.concat([GZIP_N_HEADER, member]), {
      maxOutputLength: EVIDENCE_LIMITS.maxDocumentBytes,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      return {
        ok: false,
        code: EvidenceErrorCode.OVERSIZED,
        reason: `envelope inflates beyond ${EVIDENCE_LIMITS.maxDocumentBytes} bytes`,
      };
    }
    return bad(`envelope data is not valid gzip: ${e instanceof Error ? e.message : String(e)}`);
  }
  // zlib ignores zero bytes after the member, so a pad that is too small would pass unnoticed; the
  // trailer's ISIZE (length mod 2^32) must be the member's last 4 bytes.
  if (member.readUInt32LE(member.length - 4) !== inflated.length % 2 ** 32) {
    return bad(`envelope data does not end with the gzip trailer (pad ${pad} does not match its data)`);
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(inflated) };
  } catch {
    return {
      ok: false,
      code: EvidenceErrorCode.INVALID_UTF8,
      reason: 'the inflated document is not valid UTF-8',
    };
  }
}

/** True for a value that is some kind of envelope rather than a plain document. */
function isEnvelope(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && ('eka' in value || 'encoding' in value);
}

/** Validates a parsed plain document. */
function validateDocument(value: unknown, encoding: EvidenceEncoding): EvidenceParseResult {
  if (!isRecord(value) || value.format !== EVIDENCE_FORMAT) {
    return fail('WARNING', EvidenceErrorCode.NOT_EVIDENCE, `not an ${EVIDENCE_FORMAT} document`);
  }
  if (value.version !== EVIDENCE_VERSION) {
    return fail(
      'WARNING',
      EvidenceErrorCode.UNSUPPORTED_VERSION,
      `evidence version ${excerpt(JSON.stringify(value.version) ?? 'undefined', 20)} (this scanner reads ${EVIDENCE_VERSION}): update the scanner or the collector`,
    );
  }
  if (value.end !== true) {
    return fail(
      'WARNING',
      EvidenceErrorCode.INCOMPLETE,
      'the document lacks its closing "end": true, so the collector stopped before finishing',
    );
  }
  const parsed = evidenceDocumentSchema.safeParse(value);
  if (!parsed.success) {
    return fail(
      'WARNING',
      EvidenceErrorCode.SCHEMA_VIOLATION,
      `invalid evidence: ${describeIssues(parsed.error)}`,
    );
  }
  return { ok: true, evidence: parsed.data, encoding };
}

/**
 * Parses collector output as SSM returned it (stdout, or the combined Output with a stderr section).
 * Never throws.
 */
export function parseEvidence(raw: string): EvidenceParseResult {
  try {
    return parseUnsafe(raw);
  } catch (e) {
    // Defensive: every known failure is handled above; an unknown one must still not break a scan.
    return fail(
      'WARNING',
      EvidenceErrorCode.MALFORMED_JSON,
      `unreadable collector output: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function parseUnsafe(raw: string): EvidenceParseResult {
  if (typeof raw !== 'string')
    return fail('NOT_AVAILABLE', EvidenceErrorCode.NO_OUTPUT, 'no collector output');
  if (Buffer.byteLength(raw, 'utf8') > EVIDENCE_LIMITS.maxDocumentBytes) {
    return fail(
      'WARNING',
      EvidenceErrorCode.OVERSIZED,
      `collector output is larger than ${EVIDENCE_LIMITS.maxDocumentBytes} bytes`,
    );
  }
  if (isOutputTruncated(raw)) {
    return fail('WARNING', EvidenceErrorCode.TRUNCATED, 'SSM truncated the collector output');
  }
  const text = stdoutPart(raw).trim();
  if (text === '') return fail('NOT_AVAILABLE', EvidenceErrorCode.NO_OUTPUT, 'no collector output');
  if (!text.startsWith('{')) {
    // e.g. a Windows node: the Linux-only step is skipped and SSM reports success with a note.
    return fail(
      'NOT_AVAILABLE',
      EvidenceErrorCode.NO_OUTPUT,
      `no collector output (got: "${excerpt(text)}")`,
    );
  }
  const json = parseJson(text);
  if (!json.ok) {
    return fail(
      'WARNING',
      EvidenceErrorCode.MALFORMED_JSON,
      `collector output is not valid JSON: ${json.reason}`,
    );
  }
  if (isEnvelope(json.value)) {
    if (!('eka' in json.value)) {
      // The plain document has no top-level "encoding"; the retired gzip+base64 envelope had one.
      return fail(
        'WARNING',
        EvidenceErrorCode.BAD_ENVELOPE,
        `unsupported envelope (encoding ${excerpt(JSON.stringify(json.value.encoding) ?? 'undefined', 30)}): this scanner reads the compact {"eka":1,"gz85":...} envelope; update the collector`,
      );
    }
    const inflated = inflateCompactEnvelope(json.value);
    if (!inflated.ok) return fail('WARNING', inflated.code, inflated.reason);
    const inner = parseJson(inflated.text);
    if (!inner.ok) {
      return fail(
        'WARNING',
        EvidenceErrorCode.MALFORMED_JSON,
        `the inflated document is not valid JSON: ${inner.reason}`,
      );
    }
    if (isEnvelope(inner.value)) {
      return fail('WARNING', EvidenceErrorCode.BAD_ENVELOPE, 'an envelope inside an envelope');
    }
    return validateDocument(inner.value, 'gzip+z85');
  }
  return validateDocument(json.value, 'plain');
}

export type DecodedContent = { ok: true; text: string; cut: boolean } | { ok: false; reason: string };

/**
 * The content of a collected file as text: "text" as is, "base64" decoded and required to be UTF-8
 * (the kubelet's JSON and YAML decoders need UTF-8). `cut` says the text is only a prefix.
 */
export function decodeFileContent(file: FileEvidence): DecodedContent {
  if (file.redacted === true) {
    return { ok: false, reason: 'redacted: the collector lists this file but never sends its content' };
  }
  if (!file.ok || file.content === undefined) {
    return {
      ok: false,
      reason: file.error ?? (file.cut ? 'content left out by the size cap' : 'no content'),
    };
  }
  const cut = file.cut === true;
  if (file.encoding !== 'base64') return { ok: true, text: file.content, cut };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file.content) || file.content.length % 4 !== 0) {
    return { ok: false, reason: 'content is not valid base64' };
  }
  const bytes = Buffer.from(file.content, 'base64');
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), cut };
  } catch {
    // A cut can split a multi-byte character at the end; that alone does not make the file invalid.
    if (cut) {
      for (let drop = 1; drop <= 3 && drop <= bytes.length; drop++) {
        try {
          const text = new TextDecoder('utf-8', { fatal: true }).decode(
            bytes.subarray(0, bytes.length - drop),
          );
          return { ok: true, text, cut };
        } catch {
          // try one byte shorter
        }
      }
    }
    return { ok: false, reason: 'content is not valid UTF-8 (binary data)' };
  }
}
