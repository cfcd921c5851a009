/** True when `text` holds a C0/C1 control, DEL or a bidi embedding/override/isolate character. */
export function hasControlCharacter(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true;
  }
  return false;
}

/** True when every ESC in `text` starts an SGR colour sequence (ESC [ digits ; m), as the table paints. */
export function onlySgrEscapes(text: string): boolean {
  return text
    .split('\u001b')
    .slice(1)
    .every((part) => /^\[[0-9;]*m/.test(part));
}
