/**
 * How deeply a JSON or YAML text nests, measured before any parser sees it. Node files are hostile
 * input: the `yaml` package composes flow collections recursively (60,000 `[` exhaust the stack, and
 * Node 20 can abort outright instead of throwing), and RFC 7386 merging of drop-ins recurses as well.
 * The kubelet's own configuration nests fewer than 10 levels, so refusing anything deeper than
 * NODE_TEXT_MAX_DEPTH costs nothing real and keeps every later step shallow.
 *
 * A cheap linear pre-scan, not a parser. It counts
 * - flow collections `[` `{` (JSON and YAML) that open at a token start, outside quoted scalars
 *   ("..." with backslash escapes, '...' with '' escapes) and comments (`#` after a space or at the
 *   start of a line);
 * - block nesting by indentation (a stack of the columns in use), plus the compact forms `- - x` and
 *   `? x`, whose entries nest on one line;
 * and skips the lines of block scalars (`|`, `>`). Where the scan and a real parser could disagree it
 * counts more, never less: a line holding a flow collection also counts as one block level, and a
 * bracket a parser would read as part of a plain scalar may be counted. Closing brackets outside a
 * flow collection are ignored, so `]]]` cannot hide later nesting.
 */

/** Nesting limit for node files and evidence documents. */
export const NODE_TEXT_MAX_DEPTH = 64;

/** Characters after which a quote or bracket starts a new token inside a flow collection... */
const FLOW_TOKEN_START = new Set([' ', '\t', '[', '{', ',', ':', '\r']);
/** ...and outside one, where `a[b` or `x[[` is a plain scalar. */
const BLOCK_TOKEN_START = new Set([' ', '\t', '\r']);
const BLOCK_SCALAR_HEADER = /^[|>][-+0-9]*[ \t]*(?:#.*)?\r?$/;

interface ScanState {
  flow: number;
  quote: '"' | "'" | undefined;
  /** Columns of the block levels in use. */
  readonly columns: number[];
  /** Indentation of the line that opened a block scalar, while its content lines are skipped. */
  blockScalarOf: number | undefined;
  max: number;
}

function leadingSpaces(line: string): number {
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === 0x20) n += 1;
  return n;
}

/** Block structure of a line outside flow collections; returns where its content starts. */
function enterBlockLine(state: ScanState, line: string, indent: number): number {
  const { columns } = state;
  while (columns.length > 0 && columns[columns.length - 1]! > indent) columns.pop();
  if (columns.length === 0 || columns[columns.length - 1]! < indent) columns.push(indent);
  let pos = indent;
  // `- - x` and `? x`: each indicator followed by a space opens one more level on this line.
  while (
    (line[pos] === '-' || line[pos] === '?') &&
    (line[pos + 1] === ' ' || line[pos + 1] === '\r' || line[pos + 1] === undefined)
  ) {
    pos += 1;
    while (line[pos] === ' ') pos += 1;
    columns.push(pos);
  }
  return pos;
}

/** Scans one line's characters from `from`; false once the limit is passed. */
function scanCharacters(
  state: ScanState,
  line: string,
  from: number,
  indent: number,
  limit: number,
): boolean {
  for (let i = from; i < line.length; i += 1) {
    const c = line[i]!;
    if (state.quote === '"') {
      if (c === '\\') i += 1;
      else if (c === '"') state.quote = undefined;
      continue;
    }
    if (state.quote === "'") {
      if (c === "'" && line[i + 1] === "'") i += 1;
      else if (c === "'") state.quote = undefined;
      continue;
    }
    const starts = state.flow > 0 ? FLOW_TOKEN_START : BLOCK_TOKEN_START;
    const atTokenStart = i === from || starts.has(line[i - 1]!);
    if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return true;
    if ((c === '"' || c === "'") && atTokenStart) state.quote = c;
    else if ((c === '[' || c === '{') && atTokenStart) {
      state.flow += 1;
      state.max = Math.max(state.max, state.columns.length + state.flow);
      if (state.max > limit) return false;
    } else if ((c === ']' || c === '}') && state.flow > 0) state.flow -= 1;
    else if ((c === '|' || c === '>') && state.flow === 0 && atTokenStart) {
      if (BLOCK_SCALAR_HEADER.test(line.slice(i))) {
        state.blockScalarOf = indent;
        return true;
      }
    }
  }
  return true;
}

/**
 * The nesting depth of `text`, counted up to `limit + 1` (the scan stops there). A result above
 * `limit` means the text must not be parsed.
 */
export function measureNesting(text: string, limit: number = NODE_TEXT_MAX_DEPTH): number {
  const state: ScanState = { flow: 0, quote: undefined, columns: [], blockScalarOf: undefined, max: 0 };
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length + 1 : end + 1;
    const indent = leadingSpaces(line);
    const blank = indent === line.length || line.trim() === '';
    if (state.blockScalarOf !== undefined) {
      if (blank || indent > state.blockScalarOf) continue;
      state.blockScalarOf = undefined;
    }
    let from = 0;
    if (state.flow === 0 && state.quote === undefined) {
      if (blank || line[indent] === '#') continue;
      if (indent === 0 && (line.startsWith('---') || line.startsWith('...'))) {
        state.columns.length = 0;
        from = 3;
      } else {
        from = enterBlockLine(state, line, indent);
        state.max = Math.max(state.max, state.columns.length);
        if (state.max > limit) return limit + 1;
      }
    }
    if (!scanCharacters(state, line, from, indent, limit)) return limit + 1;
  }
  return Math.min(state.max, limit + 1);
}

/** A reason naming the limit, for a WARNING or an unusable-input error. */
export function tooDeepReason(limit: number = NODE_TEXT_MAX_DEPTH): string {
  return `nested deeper than ${limit} levels (the limit for node files; a kubelet configuration nests fewer than 10)`;
}
