/**
 * Fitting text into a terminal of TABLE_WIDTH columns. Widths count code points: node text reaches
 * here through sanitizeText (no controls or escapes left), and the catalog's own text is ASCII.
 */
/** The width every table line stays within (a 120-column terminal, the common wide default). */
export const TABLE_WIDTH = 120;

export function displayWidth(text: string): number {
  return [...text].length;
}

/** `text` cut to `width` columns, the cut marked with an ellipsis. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

export function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Splits a word wider than `width` (a long path or flag value) into pieces that fit. */
function pieces(word: string, width: number): string[] {
  const chars = [...word];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(''));
  return out;
}

/**
 * `text` wrapped on spaces into lines of at most `width` columns; no line is ever wider. Runs of
 * spaces inside a line are kept, so a ps line stays aligned under its header.
 */
export function wrapLines(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    for (const piece of displayWidth(word) > width ? pieces(word, width) : [word]) {
      if (line === '' && piece === '') continue;
      if (line !== '' && displayWidth(line) + 1 + displayWidth(piece) > width) {
        lines.push(line.trimEnd());
        line = piece;
      } else line = line === '' ? piece : `${line} ${piece}`;
    }
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

/** `text` wrapped to TABLE_WIDTH: the first line after `first`, the others after `indent` spaces. */
export function wrapBlock(first: string, text: string, indent: number): string[] {
  const lines = wrapLines(text, TABLE_WIDTH - Math.max(displayWidth(first), indent));
  if (lines.length === 0) return [first.trimEnd()];
  return lines.map((l, i) => (i === 0 ? pad(first, indent) + l : ' '.repeat(indent) + l));
}
