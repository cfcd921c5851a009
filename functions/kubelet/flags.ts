/**
 * Parse a kubelet argv exactly as spf13/pflag does for the kubelet.
 *
 * k8s cmd/kubelet/app/server.go NewKubeletCommand: `DisableFlagParsing: true`, then
 * `cleanFlagSet.Parse(args)` on a flag set with `cliflag.WordSepNormalizeFunc`; any non-flag
 * argument left over is fatal (`unknown command %s`); `--help` prints usage and exits. The flags are
 * re-parsed on top of the config file and drop-ins (kubeletConfigFlagPrecedence), so for every
 * setting the last command-line occurrence wins over all files.
 *
 * pflag flag.go parseArgs / parseLongArg / parseSingleShortArg:
 * - `--` ends flag parsing; everything after it is a positional argument.
 * - a word that is empty, is `-`, or does not start with `-` is a positional argument (interspersed).
 * - `--name=value` sets name to value; `--name` alone uses NoOptDefVal when the flag has one (bool
 *   flags: "true", bool.go), otherwise it takes the NEXT word as its value, whatever it looks like.
 *   So a bool flag never consumes the next word: `--make-iptables-util-chains false` is true plus a
 *   stray positional `false`, which the kubelet rejects.
 * - `---x`, `--=x` are "bad flag syntax".
 * - `-abc` is a run of shorthand letters; `-make-iptables-util-chains` is therefore `-m` … and
 *   fails with "unknown shorthand flag" (the kubelet's only shorthands are -h and -v).
 * - each occurrence calls Value.Set, so the last occurrence wins.
 *
 * Unknown long flags: pflag would fail with "unknown flag", so a running kubelet cannot have one.
 * Our table covers the kubelet's flags across releases but a newer kubelet may add flags, and the
 * process IS running, so an unknown flag is recorded, not treated as a rejection. Whether it took the
 * next word is unknowable; we assume it did when that word is not flag-shaped (most kubelet flags take
 * a value) and note when it is flag-shaped, because a value flag would have swallowed it.
 */
import { parseGoBool } from './go-parse-bool.ts';
import { FlagKind, type FlagTable, KUBELET_FLAGS } from './kubelet-flag-table.ts';

/** cliflag.WordSepNormalizeFunc: "_" and "-" are the same in flag names. */
export function normalizeFlagName(name: string): string {
  return name.replaceAll('_', '-');
}

export interface FlagOccurrence {
  /** Normalised long name. */
  readonly name: string;
  /** Index in argv (argv[0] is the program). */
  readonly index: number;
  /** The argument as written (for `--flag value`, the flag word). */
  readonly arg: string;
  /** The value pflag passes to Set. */
  readonly value: string;
  /** bare = NoOptDefVal, equals = `--flag=v`, next-arg = `--flag v`, shorthand = `-v=2`/`-v 2`. */
  readonly form: 'bare' | 'equals' | 'next-arg' | 'shorthand';
  /** Index of the value word for next-arg forms. */
  readonly valueIndex?: number;
  /** Set when the word right before this flag is an unknown flag without `=`, which might have taken it. */
  readonly followsUnknownFlag?: number;
}

export interface UnknownFlag {
  readonly name: string;
  readonly index: number;
  readonly arg: string;
  /** Our assumption: it took the next word as its value. */
  readonly tookNextArg: boolean;
}

export const ArgvProblemCode = {
  invalidBool: 'invalid-bool',
  strayPositional: 'stray-positional',
  badSyntax: 'bad-syntax',
  missingValue: 'missing-value',
  unknownShorthand: 'unknown-shorthand',
  help: 'help',
  version: 'version',
} as const;
export type ArgvProblemCode = (typeof ArgvProblemCode)[keyof typeof ArgvProblemCode];

/** Something that makes the kubelet refuse this argv (it would exit instead of running). */
export interface ArgvProblem {
  readonly code: ArgvProblemCode;
  readonly index: number;
  readonly arg: string;
  readonly message: string;
}

export interface ParsedArgv {
  readonly occurrences: readonly FlagOccurrence[];
  readonly unknownFlags: readonly UnknownFlag[];
  readonly positionals: readonly { readonly index: number; readonly arg: string }[];
  readonly problems: readonly ArgvProblem[];
}

/**
 * Which of the kubelet's two parses: `initial` is cleanFlagSet.Parse (decides whether the kubelet
 * starts at all); `precedence` is kubeletConfigFlagPrecedence, the re-parse that puts flags over the
 * config file and drop-ins (only done when --config or --config-dir is given). They differ only in
 * the global flags (see FlagTable.global) and `help`.
 */
export type ParseMode = 'initial' | 'precedence';

/**
 * Parses of the kubelet's own flag table, once per argv and mode: every control of a node reads the
 * same command line (the result is shared and only read).
 */
const parsedArgv = new WeakMap<readonly string[], Partial<Record<ParseMode, ParsedArgv>>>();

/** Parse argv (argv[0] is the program and is skipped). Never throws. */
export function parseKubeletArgv(
  argv: readonly string[],
  table: FlagTable = KUBELET_FLAGS,
  mode: ParseMode = 'initial',
): ParsedArgv {
  if (table !== KUBELET_FLAGS) return parseArgv(argv, table, mode);
  const byMode = parsedArgv.get(argv) ?? {};
  const parsed = byMode[mode] ?? parseArgv(argv, table, mode);
  byMode[mode] = parsed;
  parsedArgv.set(argv, byMode);
  return parsed;
}

function parseArgv(argv: readonly string[], table: FlagTable, mode: ParseMode): ParsedArgv {
  const parse = new ArgvParse(argv, table, mode);
  while (parse.next < argv.length) parse.word();
  parse.rejectPositionals();
  parse.problems.sort((a, b) => a.index - b.index);
  const { occurrences, unknownFlags, positionals, problems } = parse;
  return { occurrences, unknownFlags, positionals, problems };
}

/** One parse of one argv: pflag parseArgs's loop, one word (or flag and value) per step. */
class ArgvParse {
  readonly occurrences: FlagOccurrence[] = [];
  readonly unknownFlags: UnknownFlag[] = [];
  readonly positionals: { index: number; arg: string }[] = [];
  readonly problems: ArgvProblem[] = [];
  /** Index of the next word to read. */
  next = 1;
  /** Index of an unknown flag without `=` right before the next word, which might have taken it. */
  private pendingUnknown: number | undefined;

  constructor(
    private readonly argv: readonly string[],
    private readonly table: FlagTable,
    private readonly mode: ParseMode,
  ) {}

  /** The flag's kind in this parse; undefined = not registered. */
  private kindOf(name: string): FlagKind | undefined {
    if (this.mode === 'precedence') {
      if (name === 'help') return undefined;
      if (this.table.global.has(name)) return FlagKind.value;
    }
    return this.table.long.get(name);
  }

  /** Reads the next word (and the value word it takes, if any). */
  word(): void {
    const s = this.argv[this.next]!;
    const index = this.next;
    const follows = this.pendingUnknown;
    this.pendingUnknown = undefined;
    this.next += 1;
    if (s.length === 0 || s[0] !== '-' || s.length === 1) {
      this.positionals.push({ index, arg: s });
    } else if (s === '--') {
      for (; this.next < this.argv.length; this.next += 1) {
        this.positionals.push({ index: this.next, arg: this.argv[this.next]! });
      }
    } else if (s[1] === '-') {
      this.longArg(s, index, follows);
    } else {
      this.shorthandRun(s, index);
    }
  }

  /** pflag parseLongArg: `--name=value`, `--name` (bool: NoOptDefVal), `--name value`. */
  private longArg(s: string, index: number, follows: number | undefined): void {
    const body = s.slice(2);
    if (body[0] === '-' || body[0] === '=') {
      this.problems.push({
        code: ArgvProblemCode.badSyntax,
        index,
        arg: s,
        message: `bad flag syntax: ${s}`,
      });
      return;
    }
    const eq = body.indexOf('=');
    const name = normalizeFlagName(eq === -1 ? body : body.slice(0, eq));
    const kind = this.kindOf(name);
    const extra = follows === undefined ? {} : { followsUnknownFlag: follows };
    if (kind === undefined && this.mode === 'precedence' && name === 'help') {
      // pflag parseLongArg: an unregistered --help returns ErrHelp, which fails the re-parse.
      this.problems.push({
        code: ArgvProblemCode.help,
        index,
        arg: s,
        message: `${s} is not a flag of the re-parse and stops it (pflag ErrHelp)`,
      });
    } else if (kind === undefined) {
      this.unknownLongArg({ name, index, arg: s, hasEquals: eq !== -1 });
    } else if (eq !== -1) {
      this.set({ name, index, arg: s, value: body.slice(eq + 1), form: 'equals', ...extra });
    } else if (kind === FlagKind.bool || kind === FlagKind.optionalValue) {
      this.set({ name, index, arg: s, value: 'true', form: 'bare', ...extra });
    } else if (this.next < this.argv.length) {
      this.set({
        name,
        index,
        arg: s,
        value: this.argv[this.next]!,
        form: 'next-arg',
        valueIndex: this.next,
        ...extra,
      });
      this.next += 1;
    } else {
      this.problems.push({
        code: ArgvProblemCode.missingValue,
        index,
        arg: s,
        message: `flag needs an argument: ${s}`,
      });
    }
  }

  /** A flag our table does not know: recorded, assumed to take the next word unless it is flag-shaped. */
  private unknownLongArg(flag: { name: string; index: number; arg: string; hasEquals: boolean }): void {
    const { name, index, arg, hasEquals } = flag;
    const nextIsValue = !hasEquals && this.next < this.argv.length && !this.argv[this.next]!.startsWith('-');
    this.unknownFlags.push({ name, index, arg, tookNextArg: nextIsValue });
    if (nextIsValue) this.next += 1;
    else if (!hasEquals && this.next < this.argv.length) this.pendingUnknown = index;
  }

  /** pflag parseShortArg / parseSingleShortArg: "-abc", "-v=2", "-v2", "-v 2". */
  private shorthandRun(s: string, index: number): void {
    let shorts = s.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0]!;
      const name = this.mode === 'precedence' && c === 'h' ? undefined : this.table.short.get(c);
      if (name === undefined) {
        this.problems.push({
          code: ArgvProblemCode.unknownShorthand,
          index,
          arg: s,
          message: `unknown shorthand flag: '${c}' in -${shorts}`,
        });
        return;
      }
      const kind = this.kindOf(name);
      let value: string;
      let valueIndex: number | undefined;
      if (shorts.length > 2 && shorts[1] === '=') {
        value = shorts.slice(2);
        shorts = '';
      } else if (kind === FlagKind.bool || kind === FlagKind.optionalValue) {
        value = 'true';
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        value = shorts.slice(1);
        shorts = '';
      } else if (this.next < this.argv.length) {
        value = this.argv[this.next]!;
        valueIndex = this.next;
        this.next += 1;
        shorts = '';
      } else {
        this.problems.push({
          code: ArgvProblemCode.missingValue,
          index,
          arg: s,
          message: `flag needs an argument: '${c}' in ${s}`,
        });
        return;
      }
      this.set({
        name,
        index,
        arg: s,
        value,
        form: 'shorthand',
        ...(valueIndex === undefined ? {} : { valueIndex }),
      });
    }
  }

  /** Value.Set: records the occurrence, and what makes the kubelet refuse or exit on it. */
  private set(occ: FlagOccurrence): void {
    const kind = this.kindOf(occ.name);
    this.occurrences.push(occ);
    const initial = this.mode === 'initial';
    if (occ.name === 'version' && initial && (occ.value === 'true' || occ.value === 'raw')) {
      this.problems.push({
        code: ArgvProblemCode.version,
        index: occ.index,
        arg: occ.arg,
        message: `${occ.arg} makes the kubelet print its version and exit`,
      });
    }
    if (kind !== FlagKind.bool) return;
    const parsed = parseGoBool(occ.value);
    if (parsed === undefined) {
      this.problems.push({
        code: ArgvProblemCode.invalidBool,
        index: occ.index,
        arg: occ.arg,
        message: `invalid argument "${occ.value}" for --${occ.name}: strconv.ParseBool: parsing "${occ.value}": invalid syntax`,
      });
    } else if (occ.name === 'help' && parsed && initial) {
      this.problems.push({
        code: ArgvProblemCode.help,
        index: occ.index,
        arg: occ.arg,
        message: '--help makes the kubelet print usage and exit',
      });
    }
  }

  /** server.go: "check if there are non-flag arguments in the command line". */
  rejectPositionals(): void {
    for (const p of this.positionals) {
      const before = this.occurrences.find((o) => o.index === p.index - 1 && o.form === 'bare');
      const why = before
        ? `the boolean flag ${before.arg} does not take the next word as its value, so ${JSON.stringify(p.arg)} is a stray argument`
        : 'the kubelet accepts no positional arguments';
      this.problems.push({
        code: ArgvProblemCode.strayPositional,
        index: p.index,
        arg: p.arg,
        message: `unknown command ${JSON.stringify(p.arg)}: ${why}`,
      });
    }
  }
}

export type BoolFlagResult =
  | { readonly state: 'absent' }
  | {
      readonly state: 'set';
      readonly value: boolean;
      readonly occurrence: FlagOccurrence;
      /** Earlier occurrences that the deciding one overrides. */
      readonly overridden: readonly FlagOccurrence[];
    }
  | { readonly state: 'invalid'; readonly occurrence: FlagOccurrence };

/** The value of a bool flag after parsing: last occurrence wins; an invalid one is fatal to the kubelet. */
export function resolveBoolFlag(parsed: ParsedArgv, flagName: string): BoolFlagResult {
  const name = normalizeFlagName(flagName);
  const all = parsed.occurrences.filter((o) => o.name === name);
  if (all.length === 0) return { state: 'absent' };
  // pflag stops at the first Set error, so any invalid occurrence means the kubelet never started.
  const invalid = all.find((o) => parseGoBool(o.value) === undefined);
  if (invalid) return { state: 'invalid', occurrence: invalid };
  const occurrence = all[all.length - 1]!;
  return { state: 'set', value: parseGoBool(occurrence.value)!, occurrence, overridden: all.slice(0, -1) };
}

/** The value of a string flag (last occurrence wins), e.g. --config / --config-dir. */
export function resolveStringFlag(parsed: ParsedArgv, flagName: string): FlagOccurrence | undefined {
  const name = normalizeFlagName(flagName);
  let last: FlagOccurrence | undefined;
  for (const o of parsed.occurrences) if (o.name === name) last = o;
  return last;
}

/** How an occurrence reads in a reason: `--make-iptables-util-chains=false`, `--x (bare flag = true)`. */
export function describeOccurrence(o: FlagOccurrence, argv?: readonly string[]): string {
  if (o.form === 'bare') return `${o.arg} (bare flag = true)`;
  if (o.form === 'next-arg') return `${o.arg} ${argv?.[o.valueIndex ?? -1] ?? o.value}`;
  return o.arg;
}
