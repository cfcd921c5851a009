/**
 * Test-side encoders for the compact envelope, written independently of the collector (bash) and of
 * the decoder (functions/collector/z85.ts), so that a round trip checks one against the other.
 */
import { gzipSync } from 'node:zlib';

/** RFC 32's alphabet, spelled out again here so that a typo in z85.ts cannot hide in both places. */
export const Z85_TEST_ALPHABET =
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/** Z85: big-endian 32-bit words, most significant base-85 digit first. */
export function encodeZ85(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new Error('length must be a multiple of 4');
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let word = ((bytes[i]! * 256 + bytes[i + 1]!) * 256 + bytes[i + 2]!) * 256 + bytes[i + 3]!;
    const digits: string[] = [];
    for (let d = 0; d < 5; d++) {
      digits.unshift(Z85_TEST_ALPHABET[word % 85]!);
      word = Math.floor(word / 85);
    }
    out += digits.join('');
  }
  return out;
}

/** The gzip member of `data` without its 10-byte header, as the collector sends it. */
export function headerlessGzip(data: string | Buffer): Buffer {
  return gzipSync(data).subarray(10);
}

/** {gz85, pad} for arbitrary bytes: zero-padded to a multiple of 4, then Z85. */
export function z85Padded(bytes: Buffer): { gz85: string; pad: number } {
  const pad = (4 - (bytes.length % 4)) % 4;
  return { gz85: encodeZ85(Buffer.concat([bytes, Buffer.alloc(pad)])), pad };
}

/** The compact envelope line for a document text, as collect.sh prints it. */
export function compactEnvelope(doc: string | Buffer): string {
  const { gz85, pad } = z85Padded(headerlessGzip(doc));
  return `{"eka":1,"gz85":"${gz85}","pad":${pad}}`;
}
