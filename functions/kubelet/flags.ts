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

/** Parse argv (argv[0] is the program and is skipped). Never throws. */
export function parseKubeletArgv(
  argv: readonly string[],
  table: FlagTable = KUBELET_FLAGS,
  mode: ParseMode = 'initial',
): ParsedArgv {
  const kindOf = (name: string): FlagKind | undefined => {
    if (mode === 'precedence') {
      if (name === 'help') return undefined;
      if (table.global.has(name)) return FlagKind.value;
    }
    return table.long.get(name);
  };
  const occurrences: FlagOccurrence[] = [];
  const unknownFlags: UnknownFlag[] = [];
  const positionals: { index: number; arg: string }[] = [];
  const problems: ArgvProblem[] = [];
  let pendingUnknown: number | undefined;

  const set = (occ: FlagOccurrence): void => {
    const kind = kindOf(occ.name);
    occurrences.push(occ);
    if (occ.name === 'version' && mode === 'initial' && (occ.value === 'true' || occ.value === 'raw')) {
      problems.push({
        code: ArgvProblemCode.version,
        index: occ.index,
        arg: occ.arg,
        message: `${occ.arg} makes the kubelet print its version and exit`,
      });
    }
    if (kind === FlagKind.bool) {
      const parsed = parseGoBool(occ.value);
      if (parsed === undefined) {
        problems.push({
          code: ArgvProblemCode.invalidBool,
          index: occ.index,
          arg: occ.arg,
          message: `invalid argument "${occ.value}" for --${occ.name}: strconv.ParseBool: parsing "${occ.value}": invalid syntax`,
        });
      } else if (occ.name === 'help' && parsed && mode === 'initial') {
        problems.push({
          code: ArgvProblemCode.help,
          index: occ.index,
          arg: occ.arg,
          message: '--help makes the kubelet print usage and exit',
        });
      }
    }
  };

  let i = 1;
  while (i < argv.length) {
    const s = argv[i]!;
    const index = i;
    const follows = pendingUnknown;
    pendingUnknown = undefined;
    i += 1;
    if (s.length === 0 || s[0] !== '-' || s.length === 1) {
      positionals.push({ index, arg: s });
      continue;
    }
    if (s[1] === '-') {
      if (s.length === 2) {
        for (; i < argv.length; i += 1) positionals.push({ index: i, arg: argv[i]! });
        break;
      }
      const body = s.slice(2);
      if (body[0] === '-' || body[0] === '=') {
        problems.push({ code: ArgvProblemCode.badSyntax, index, arg: s, message: `bad flag syntax: ${s}` });
        continue;
      }
      const eq = body.indexOf('=');
      const name = normalizeFlagName(eq === -1 ? body : body.slice(0, eq));
      const kind = kindOf(name);
      const extra = follows === undefined ? {} : { followsUnknownFlag: follows };
      if (kind === undefined && mode === 'precedence' && name === 'help') {
        // pflag parseLongArg: an unregistered --help returns ErrHelp, which fails the re-parse.
        problems.push({
          code: ArgvProblemCode.help,
          index,
          arg: s,
          message: `${s} is not a flag of the re-parse and stops it (pflag ErrHelp)`,
        });
        continue;
      }
      if (kind === undefined) {
        const nextIsValue = eq === -1 && i < argv.length && !argv[i]!.startsWith('-');
        unknownFlags.push({ name, index, arg: s, tookNextArg: nextIsValue });
        if (nextIsValue) i += 1;
        else if (eq === -1 && i < argv.length) pendingUnknown = index;
        continue;
      }
      if (eq !== -1) {
        set({ name, index, arg: s, value: body.slice(eq + 1), form: 'equals', ...extra });
      } else if (kind === FlagKind.bool || kind === FlagKind.optionalValue) {
        set({ name, index, arg: s, value: 'true', form: 'bare', ...extra });
      } else if (i < argv.length) {
        set({ name, index, arg: s, value: argv[i]!, form: 'next-arg', valueIndex: i, ...extra });
        i += 1;
      } else {
        problems.push({
          code: ArgvProblemCode.missingValue,
          index,
          arg: s,
          message: `flag needs an argument: ${s}`,
        });
      }
      continue;
    }
    // Shorthand run: "-abc", "-v=2", "-v2", "-v 2".
    let shorts = s.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0]!;
      const name = mode === 'precedence' && c === 'h' ? undefined : table.short.get(c);
      if (name === undefined) {
        problems.push({
          code: ArgvProblemCode.unknownShorthand,
          index,
          arg: s,
          message: `unknown shorthand flag: '${c}' in -${shorts}`,
        });
        break;
      }
      const kind = kindOf(name);
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
      } else if (i < argv.length) {
        value = argv[i]!;
        valueIndex = i;
        i += 1;
        shorts = '';
      } else {
        problems.push({
          code: ArgvProblemCode.missingValue,
          index,
          arg: s,
          message: `flag needs an argument: '${c}' in ${s}`,
        });
        break;
      }
      set({
        name,
        index,
        arg: s,
        value,
        form: 'shorthand',
        ...(valueIndex === undefined ? {} : { valueIndex }),
      });
    }
  }

  // server.go: "check if there are non-flag arguments in the command line".
  for (const p of positionals) {
    const before = occurrences.find((o) => o.index === p.index - 1 && o.form === 'bare');
    const why = before
      ? `the boolean flag ${before.arg} does not take the next word as its value, so ${JSON.stringify(p.arg)} is a stray argument`
      : 'the kubelet accepts no positional arguments';
    problems.push({
      code: ArgvProblemCode.strayPositional,
      index: p.index,
      arg: p.arg,
      message: `unknown command ${JSON.stringify(p.arg)}: ${why}`,
    });
  }
  problems.sort((a, b) => a.index - b.index);
  return { occurrences, unknownFlags, positionals, problems };
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
