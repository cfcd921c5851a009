/**
 * Text that came from a node (host name, OS name, paths, flag values, and reasons built from them) is
 * data. Before it reaches a terminal or a Security Hub finding it loses everything that could act on
 * the reader's screen: terminal escape sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-byte ESC
 * sequences, and their 8-bit C1 forms, ECMA-48 §5.3/§8.3), every other C0/C1 control and DEL, and the
 * bidirectional embedding/override/isolate characters (Unicode TR9: U+202A–U+202E, U+2066–U+2069)
 * that make text display in another order than it reads (CVE-2021-42574, "Trojan Source").
 *
 * `--format json` output never goes through here: JSON escapes controls itself and stays byte-exact.
 * Pure and linear in the input; never throws.
 */

/** ESC or 8-bit string introducers (OSC, DCS, SOS, PM, APC) up to BEL, ST (ESC \ or U+009C) or the end. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is this module's job
const CONTROL_STRING = /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?/g;
/** CSI (ESC [ or U+009B): parameter bytes, intermediate bytes, one final byte. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is this module's job
const CSI = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?/g;
/** Any other escape sequence: ESC, intermediate bytes, one final byte. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is this module's job
const ESCAPE = /\x1b[\x20-\x2f]*[\x30-\x7e]?/g;
/** Line breaks and tabs become a space so words on either side stay apart. */
const WHITESPACE_CONTROL = /[\t\n\v\f\r\x85\u2028\u2029]/g;
/** Remaining C0 controls, DEL, C1 controls; bidi embeddings, overrides, isolates and marks. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is this module's job
const OTHER_CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Printable ASCII only: nothing above can match (every pattern needs a control, a C1 character or a
 * Unicode mark), so the text is returned as it is. Most node text is plain, and a scan cleans a dozen
 * fields of every finding of every node.
 */
const PLAIN = /^[\x20-\x7e]*$/;

/** `text` with escape sequences and controls removed (line breaks and tabs become spaces). */
export function sanitizeText(text: string): string {
  if (PLAIN.test(text)) return text;
  return text
    .replace(CONTROL_STRING, '')
    .replace(CSI, '')
    .replace(ESCAPE, '')
    .replace(WHITESPACE_CONTROL, ' ')
    .replace(OTHER_CONTROL, '');
}

/** Cuts to `max` UTF-16 units without splitting a surrogate pair; marks the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Node text made safe for a bounded field: sanitized, then cut to `max`. Cleaning comes first and sees
 * the whole string (it is linear), so padding made of escape sequences cannot push the meaningful
 * part of a reason out of the field.
 */
export function safeText(text: string, max: number): string {
  return truncate(sanitizeText(text), max);
}
