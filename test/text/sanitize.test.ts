import { describe, expect, it } from 'vitest';
import { safeText, sanitizeText, truncate } from '../../functions/text/sanitize.ts';
import { hasControlCharacter } from './controls.ts';

describe('sanitizeText', () => {
  it('returns printable ASCII as it is, every character of it', () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

    expect(sanitizeText(printable)).toBe(printable);
    expect(sanitizeText(`--flag=[x]\\y ~`)).toBe('--flag=[x]\\y ~');
  });

  it('cleans a text that is printable but for one control at its very end or start', () => {
    expect(sanitizeText('plain text\x1b[2J')).toBe('plain text');
    expect(sanitizeText('\x7fplain')).toBe('plain');
  });

  it.each([
    ['OSC window title ended by BEL', 'ip-10\x1b]0;pwned\x07-0-1', 'ip-10-0-1'],
    ['OSC ended by ST (ESC \\)', 'a\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\b', 'alinkb'],
    ['CSI clear screen', 'before\x1b[2Jafter', 'beforeafter'],
    ['CSI cursor home and SGR colour', '\x1b[H\x1b[1;31mred\x1b[0m', 'red'],
    ['CSI with private parameters', 'x\x1b[?1049hy', 'xy'],
    ['8-bit CSI (U+009B)', 'a\u009b2Jb', 'ab'],
    ['8-bit OSC (U+009D) ended by U+009C', 'a\u009d0;t\u009cb', 'ab'],
    ['DCS string', 'a\x1bPq#0;2;0;0;0\x1b\\b', 'ab'],
    ['two-byte ESC (RIS reset)', 'a\x1bcb', 'ab'],
    ['character set designation ESC ( B', 'a\x1b(Bb', 'ab'],
    ['unterminated OSC swallows the rest', 'safe\x1b]0;never ends', 'safe'],
    ['bare ESC at the end', 'x\x1b', 'x'],
    ['bidi override (Trojan Source)', 'conf\u202egpj.exe', 'confgpj.exe'],
    ['bidi isolates and embeddings', '\u2066a\u2067b\u2068c\u2069\u202a\u202b\u202c\u202d', 'abc'],
    ['DEL and C0 controls', 'a\x7fb\x00c\x08d\x07e', 'abcde'],
    ['C1 controls', 'a\u0085b\u0080c\u008fd', 'a bcd'],
    ['8-bit DCS (U+0090) swallows its string', 'a\u0090payload\u009cb', 'ab'],
    ['line breaks and tabs become spaces', 'one\ntwo\r\nthree\tfour', 'one two  three four'],
  ])('removes %s', (_name, input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });

  it('keeps ordinary text, including non-ASCII letters and emoji', () => {
    const text = 'ip-10-0-0-1.ec2.internal · Bottlerocket OS 1.20 · Größe ✓ 🙂 /etc/kubernetes/kubelet.conf';
    expect(sanitizeText(text)).toBe(text);
  });

  it('leaves no ESC, control or bidi character in any output', () => {
    const hostile = Array.from({ length: 0x200 }, (_, i) => String.fromCharCode(i)).join('') + '\u202e\u2066';
    const out = sanitizeText(`\x1b[${hostile}\x1b]${hostile}`);
    expect(hasControlCharacter(out)).toBe(false);
    expect(hasControlCharacter(hostile)).toBe(true);
  });

  it('is linear on many unterminated introducers', () => {
    const started = performance.now();
    sanitizeText('\x1b]'.repeat(200_000));
    sanitizeText('\x1b['.repeat(200_000));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('safeText', () => {
  it('sanitizes before cutting so the limit applies to what is shown', () => {
    expect(safeText(`${'\x1b[2J'.repeat(10)}abcdef`, 4)).toBe('abc…');
  });

  it('keeps the text behind a huge run of controls (padding cannot push it out of the field)', () => {
    const out = safeText(`${'\x1b[2J\x07'.repeat(1_000_000)}tail`, 100);
    expect(out).toBe('tail');
    expect(safeText('x'.repeat(10_000), 256)).toHaveLength(256);
  });

  it('truncate never splits a surrogate pair', () => {
    expect(truncate('ab🙂cd', 4)).toBe('ab…');
  });
});
