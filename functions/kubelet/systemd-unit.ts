/**
 * The argv systemd WOULD start the kubelet with, from the unit files and environment files on disk.
 * Compared with the running process it reveals drift: e.g. someone edited 30-kubelet-extra-args.conf
 * (AL2) or /etc/eks/kubelet/environment (AL2023) and did not restart the kubelet.
 *
 * systemd semantics modelled (systemd.unit(5), systemd.service(5), systemd.exec(5)):
 * - drop-ins in kubelet.service.d/*.conf are applied after the unit, sorted by file name; a name in
 *   /etc masks the same name in /run and /usr/lib.
 * - a trailing backslash continues a line (the backslash becomes a space); `#`/`;` lines are comments.
 * - `ExecStart=` (empty) resets the list; a simple service must end up with exactly one command.
 * - `Environment=` takes quoted `VAR=value` words (later assignments win); `EnvironmentFile=` files
 *   (a leading `-` tolerates a missing file) override Environment=; an empty assignment resets either.
 * - ExecStart words are split with quotes and C escapes at load; at exec time a word that is exactly
 *   `$VAR` expands to the value split at whitespace (quotes honoured, zero words if empty/unset), and
 *   `${VAR}` anywhere expands to the exact value inside its word; `$$` is a literal `$`.
 * - prefixes `-@:+!` are stripped; with `@`, the second word is argv[0].
 *
 * The collector sends these files reduced (evidence `reduced: true`, see the disclosure rule in
 * functions/collector/collect.sh): unit files keep their section headers, ExecStart= and
 * EnvironmentFile= lines and the Environment= assignments of variables an ExecStart= references;
 * environment files keep only those assignments. That is everything this model reads, so the argv
 * from reduced files is the argv from the full ones (test/kubelet/systemd-unit.test.ts checks it on
 * every simulated node). A reduction cut short (a file beyond the collector's read cap) is `cut` and
 * is refused below like any cut file.
 */
import type { EvidenceDocument, FileEvidence } from '../collector/evidence-schema.ts';
import { fileBytes } from './file-content.ts';

export type UnitArgv =
  | {
      readonly ok: true;
      readonly argv: readonly string[];
      readonly unitPath: string;
      /** Unit, drop-in and environment files that contributed, in order. */
      readonly sources: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

const C_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  s: ' ',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** systemd extract_first_word with EXTRACT_UNQUOTE (and C escapes when cunescape). Relaxed on unbalanced quotes. */
export function splitWords(text: string, cunescape = true): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
    if (i >= text.length) break;
    let word = '';
    let quote: '"' | "'" | undefined;
    for (; i < text.length; i += 1) {
      const ch = text[i]!;
      if (quote === undefined && /\s/.test(ch)) break;
      if (ch === '\\' && i + 1 < text.length) {
        const next = text[i + 1]!;
        if (cunescape && next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
          word += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
          i += 3;
        } else {
          word += cunescape ? (C_ESCAPES[next] ?? next) : next;
          i += 1;
        }
        continue;
      }
      if (quote !== undefined && ch === quote) {
        quote = undefined;
        continue;
      }
      if (quote === undefined && (ch === '"' || ch === "'")) {
        quote = ch;
        continue;
      }
      word += ch;
    }
    words.push(word);
  }
  return words;
}

interface UnitSettings {
  execStart: string[];
  environment: string[];
  environmentFiles: string[];
}

function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending !== undefined && (line.startsWith('#') || line.startsWith(';'))) continue;
    const joined = pending === undefined ? line : `${pending} ${line}`;
    if (joined.endsWith('\\')) {
      pending = joined.slice(0, -1);
      continue;
    }
    pending = undefined;
    out.push(joined);
  }
  if (pending !== undefined) out.push(pending);
  return out;
}

function applyUnitText(text: string, into: UnitSettings): void {
  let section = '';
  for (const line of logicalLines(text)) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      section = line.slice(1, -1);
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    const value = line
      .slice(eq + 1)
      .trim()
      .replaceAll('%%', '%');
    const list =
      key === 'ExecStart'
        ? into.execStart
        : key === 'Environment'
          ? into.environment
          : key === 'EnvironmentFile'
            ? into.environmentFiles
            : undefined;
    if (list === undefined) continue;
    if (value === '') list.length = 0;
    else list.push(value);
  }
}

/** systemd load_env_file: KEY=VALUE lines, comments, quotes and backslash escapes. */
export function parseEnvironmentFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n += 1) {
    let line = lines[n]!;
    while (line.endsWith('\\') && !line.endsWith('\\\\') && n + 1 < lines.length) {
      n += 1;
      line = line.slice(0, -1) + lines[n]!;
    }
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const eq = trimmed.indexOf('=');
    if (eq === -1) continue;
    const key = trimmed.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const raw = trimmed.slice(eq + 1).trimStart();
    let value = '';
    let unquotedTail = 0;
    for (let i = 0; i < raw.length; i += 1) {
      const ch = raw[i]!;
      if (ch === "'") {
        const end = raw.indexOf("'", i + 1);
        value += end === -1 ? raw.slice(i + 1) : raw.slice(i + 1, end);
        i = end === -1 ? raw.length : end;
        unquotedTail = value.length;
      } else if (ch === '"') {
        let j = i + 1;
        for (; j < raw.length && raw[j] !== '"'; j += 1) {
          if (raw[j] === '\\' && j + 1 < raw.length && '"\\`$'.includes(raw[j + 1]!)) j += 1;
          value += raw[j]!;
        }
        i = j;
        unquotedTail = value.length;
      } else if (ch === '\\' && i + 1 < raw.length) {
        value += raw[i + 1]!;
        i += 1;
        unquotedTail = value.length;
      } else {
        value += ch;
        if (!/\s/.test(ch)) unquotedTail = value.length;
      }
    }
    env.set(key, value.slice(0, unquotedTail));
  }
  return env;
}

function expandWord(word: string, env: ReadonlyMap<string, string>): string[] {
  if (word.startsWith('$') && word[1] !== '{' && word[1] !== '$' && word.length > 1) {
    const value = env.get(word.slice(1));
    return value === undefined || value === '' ? [] : splitWords(value, false);
  }
  let out = '';
  for (let i = 0; i < word.length; i += 1) {
    const ch = word[i]!;
    if (ch === '$' && word[i + 1] === '$') {
      out += '$';
      i += 1;
    } else if (ch === '$' && word[i + 1] === '{') {
      const end = word.indexOf('}', i + 2);
      if (end === -1) {
        out += word.slice(i);
        break;
      }
      out += env.get(word.slice(i + 2, end)) ?? '';
      i = end;
    } else {
      out += ch;
    }
  }
  return [out];
}

function text(file: FileEvidence): string | undefined {
  const content = fileBytes(file);
  if (!content.ok || content.cut) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(content.bytes);
}

const DIR_PRIORITY = [
  '/etc/systemd/system/',
  '/run/systemd/system/',
  '/usr/lib/systemd/system/',
  '/lib/systemd/system/',
];
function priority(path: string): number {
  const i = DIR_PRIORITY.findIndex((d) => path.startsWith(d));
  return i === -1 ? DIR_PRIORITY.length : i;
}
const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * Worked out once per node's evidence: the drift reading of every setting control starts from the
 * same unit files.
 */
const unitArgvOf = new WeakMap<EvidenceDocument, { readonly argv: UnitArgv | undefined }>();

/** The argv systemd would start now, or undefined when the evidence holds no unit file. */
export function argvFromUnitFiles(evidence: EvidenceDocument): UnitArgv | undefined {
  const known = unitArgvOf.get(evidence);
  if (known !== undefined) return known.argv;
  const argv = unitArgv(evidence);
  unitArgvOf.set(evidence, { argv });
  return argv;
}

function unitArgv(evidence: EvidenceDocument): UnitArgv | undefined {
  const units = evidence.files
    .filter((f) => f.roles.includes('unit'))
    .sort((a, b) => priority(a.path) - priority(b.path));
  const unit = units[0];
  if (unit === undefined) return undefined;
  const unitText = text(unit);
  if (unitText === undefined)
    return { ok: false, reason: `the unit file ${unit.path} could not be read whole` };

  const byName = new Map<string, FileEvidence>();
  for (const f of evidence.files.filter((f) => f.roles.includes('unit-dropin') && f.path.endsWith('.conf'))) {
    const seen = byName.get(basename(f.path));
    if (seen === undefined || priority(f.path) < priority(seen.path)) byName.set(basename(f.path), f);
  }
  const dropIns = [...byName.values()].sort((a, b) =>
    Buffer.compare(Buffer.from(basename(a.path)), Buffer.from(basename(b.path))),
  );

  const settings: UnitSettings = { execStart: [], environment: [], environmentFiles: [] };
  const sources = [unit.path];
  applyUnitText(unitText, settings);
  for (const d of dropIns) {
    const t = text(d);
    if (t === undefined) return { ok: false, reason: `the unit drop-in ${d.path} could not be read whole` };
    applyUnitText(t, settings);
    sources.push(d.path);
  }
  if (settings.execStart.length !== 1) {
    return {
      ok: false,
      reason:
        settings.execStart.length === 0
          ? 'the unit files define no ExecStart='
          : `the unit files define ${settings.execStart.length} ExecStart= lines, which systemd refuses for a simple service`,
    };
  }

  const env = new Map<string, string>();
  for (const line of settings.environment) {
    for (const word of splitWords(line)) {
      const eq = word.indexOf('=');
      if (eq > 0) env.set(word.slice(0, eq), word.slice(eq + 1));
    }
  }
  for (const entry of settings.environmentFiles) {
    const optional = entry.startsWith('-');
    const path = optional ? entry.slice(1) : entry;
    const file = evidence.files.find((f) => f.path === path && f.roles.includes('environment'));
    const t = file === undefined ? undefined : text(file);
    if (t === undefined) {
      if (
        file !== undefined &&
        file.ok === false &&
        /not found|no such file/i.test(file.error ?? '') &&
        optional
      ) {
        continue;
      }
      if (file === undefined && optional) continue;
      return { ok: false, reason: `the environment file ${path} is not in the evidence whole` };
    }
    for (const [k, v] of parseEnvironmentFile(t)) env.set(k, v);
    sources.push(path);
  }

  let exec = settings.execStart[0]!;
  let argv0FromNext = false;
  while (exec.length > 0 && '-@:+!'.includes(exec[0]!)) {
    if (exec[0] === '@') argv0FromNext = true;
    exec = exec.slice(1);
  }
  const words = splitWords(exec);
  if (argv0FromNext && words.length >= 2) words.splice(0, 1);
  const argv = words.flatMap((w, i) => (i === 0 ? [w] : expandWord(w, env)));
  if (argv.length === 0) return { ok: false, reason: 'ExecStart= is empty' };
  return { ok: true, argv, unitPath: unit.path, sources };
}
