/**
 * decodeZ85 against the RFC 32 test vector, an independent encoder (compact-encoder.ts; round trip over
 * arbitrary bytes), and every way untrusted text can be wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeZ85 } from '../../functions/collector/z85.ts';
import { Z85_TEST_ALPHABET as ALPHABET, encodeZ85 as encode } from './compact-encoder.ts';

function decodeOk(text: string): Buffer {
  const result = decodeZ85(text);
  if (!result.ok) throw new Error(result.reason);
  return result.bytes;
}

describe('decodeZ85', () => {
  it('decodes the RFC 32 test vector', () => {
    expect([...decodeOk('HelloWorld')]).toEqual([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
  });

  it('decodes the empty string and the extremes of a group', () => {
    expect(decodeOk('')).toHaveLength(0);
    expect([...decodeOk('00000')]).toEqual([0, 0, 0, 0]);
    expect(encode(Uint8Array.of(255, 255, 255, 255))).toBe('%nSc0');
    expect([...decodeOk('%nSc0')]).toEqual([255, 255, 255, 255]);
  });

  it('round-trips arbitrary bytes with the independent encoder', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }).map((b) => b.subarray(0, b.length - (b.length % 4))),
        (bytes) => {
          expect(decodeOk(encode(bytes))).toEqual(Buffer.from(bytes));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('produces only JSON-safe characters, so the text needs no escaping', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), (raw) => {
        const text = encode(raw.subarray(0, raw.length - (raw.length % 4)));
        expect(JSON.stringify(text)).toBe(`"${text}"`);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['a length that is not a multiple of 5', 'Hell', 'HelloWorl', /not a multiple of 5/],
    ['a quote', 'Hel"oWorld', undefined, /"\\"" at 3 is not in the Z85 alphabet/],
    ['a backslash', 'HelloWorl\\', undefined, /at 9 is not in the Z85 alphabet/],
    ['a space', 'Hello orld', undefined, /at 5/],
    ['a tilde', 'Hello~orld', undefined, /not in the Z85 alphabet/],
    ['a comma', 'He,loWorld', undefined, /not in the Z85 alphabet/],
    ['a non-ASCII letter', 'HélloWorld'.slice(0, 10), undefined, /not in the Z85 alphabet/],
    ['a group above 32 bits', '%nSc1', undefined, /exceeds 32 bits/],
    ['the largest group "#####"', '00000#####', undefined, /group at 5 exceeds 32 bits/],
  ])('rejects %s', (_name, text, alsoBad, reason) => {
    for (const t of [text, alsoBad].filter((x): x is string => x !== undefined)) {
      const result = decodeZ85(t);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
  });

  it('never throws and accepts only exact Z85 on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const result = decodeZ85(text);
        const valid =
          text.length % 5 === 0 &&
          [...text].every((c) => ALPHABET.includes(c)) &&
          Array.from({ length: text.length / 5 }, (_, g) =>
            [...text.slice(g * 5, g * 5 + 5)].reduce((v, c) => v * 85 + ALPHABET.indexOf(c), 0),
          ).every((v) => v <= 0xffffffff);
        expect(result.ok).toBe(valid);
        if (result.ok) expect(encode(result.bytes)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
