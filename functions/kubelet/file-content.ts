/**
 * Bytes of a file the collector read. The collector sends printable ASCII as "text" and anything else
 * as "base64" (byte-exact), so decoding to UTF-8 is the caller's job: the kubelet's YAML parser
 * rejects invalid UTF-8 while Go's JSON decoder replaces it, and only the caller knows which applies.
 * (Kept local until the collector helper's evidence decoding is the single place for this.)
 */
import type { FileEvidence } from '../collector/evidence-schema.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type FileBytes =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly cut: boolean }
  | { readonly ok: false; readonly reason: string; readonly cut: boolean };

/** One decoding per collected file: every control and layer that reads a file asks for its bytes. */
const bytesOf = new WeakMap<FileEvidence, FileBytes>();

export function fileBytes(file: FileEvidence): FileBytes {
  const known = bytesOf.get(file);
  if (known !== undefined) return known;
  const bytes = decodeBytes(file);
  bytesOf.set(file, bytes);
  return bytes;
}

function decodeBytes(file: FileEvidence): FileBytes {
  const cut = file.cut === true;
  if (!file.ok) return { ok: false, reason: file.error ?? 'could not be read', cut };
  if (file.content === undefined) return { ok: false, reason: 'content not collected', cut };
  if (file.encoding === 'base64') {
    const compact = file.content.replace(/\s+/g, '');
    if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
      return { ok: false, reason: 'content is not valid base64', cut };
    }
    return { ok: true, bytes: new Uint8Array(Buffer.from(compact, 'base64')), cut };
  }
  return { ok: true, bytes: new Uint8Array(Buffer.from(file.content, 'utf8')), cut };
}
