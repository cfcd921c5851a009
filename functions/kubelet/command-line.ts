/**
 * The command-line layer of an effective setting: the flag that decides it, and whatever about the
 * command line leaves that in doubt. The flags apply on top of every file, so this layer is read first.
 */
import {
  describeOccurrence,
  type FlagOccurrence,
  type ParsedArgv,
  parseKubeletArgv,
  resolveStringFlag,
} from './flags.ts';
import { KUBELET_FLAGS } from './kubelet-flag-table.ts';
import type { SettingProblem, SettingSource, SettingSpec } from './setting.ts';
import { SettingProblemCode } from './setting.ts';
import { resolveSettingFlag, type SettingFlagResult } from './setting-flag.ts';

export interface CommandLineInput {
  readonly argv: readonly string[];
  /** The collector cut the argv (and the caller does not treat it as complete). */
  readonly argvCut: boolean;
  readonly spec: SettingSpec;
}

export interface CommandLineReading {
  /** The argv as the kubelet first parses it (which --config / --config-dir it names). */
  readonly parsed: ParsedArgv;
  /** The flag as the parse that decides config settings reads it. */
  readonly flag: SettingFlagResult;
  readonly problems: readonly SettingProblem[];
}

export function readCommandLine(input: CommandLineInput): CommandLineReading {
  const { argv } = input;
  const parsed = parseKubeletArgv(argv);
  const problems: SettingProblem[] = parsed.problems.map((p) => ({
    code: SettingProblemCode.argvRejected,
    message: `the kubelet would refuse this command line: ${p.message} (argument ${p.index})`,
    blocking: true,
    index: p.index,
  }));
  if (input.argvCut) {
    problems.push({
      code: SettingProblemCode.argvCut,
      message: 'the collector cut the command line, so a later flag may be missing',
      blocking: true,
    });
  }
  // kubeletConfigFlagPrecedence: with a config file or drop-in dir, the value that counts for a
  // config setting comes from a second parse in which global flags always take a value.
  const usesFiles = [resolveStringFlag(parsed, 'config'), resolveStringFlag(parsed, 'config-dir')].some(
    (o) => o !== undefined && o.value !== '',
  );
  const deciding = usesFiles ? parseKubeletArgv(argv, KUBELET_FLAGS, 'precedence') : parsed;
  if (deciding !== parsed) problems.push(...reparseProblems(parsed, deciding));
  const flag = resolveSettingFlag(deciding, input.spec);
  // A bool flag's bad value is already an argv problem of the parse (its kind is in the flag table).
  if (flag.state === 'invalid' && (input.spec.type !== 'bool' || input.spec.gate !== undefined)) {
    problems.push({
      code: SettingProblemCode.argvRejected,
      message: `the kubelet would refuse this command line: ${flag.reason} (argument ${flag.occurrence.index})`,
      blocking: true,
      index: flag.occurrence.index,
    });
  }
  problems.push(...ambiguities({ argv, parsed, deciding, flag, spec: input.spec }));
  return { parsed, flag, problems };
}

/** Problems only the precedence re-parse runs into (the first parse's are already reported). */
function reparseProblems(parsed: ParsedArgv, deciding: ParsedArgv): SettingProblem[] {
  const seen = new Set(parsed.problems.map((p) => `${p.index}:${p.code}`));
  return deciding.problems
    .filter((p) => !seen.has(`${p.index}:${p.code}`))
    .map((p) => ({
      code: SettingProblemCode.argvRejected,
      message: `the kubelet would fail when it re-parses its flags over the config (kubeletConfigFlagPrecedence): ${p.message} (argument ${p.index})`,
      blocking: true,
      index: p.index,
    }));
}

/** Where the two parses disagree on the flag, or an unknown flag before it may have taken it. */
function ambiguities(input: {
  readonly argv: readonly string[];
  readonly parsed: ParsedArgv;
  readonly deciding: ParsedArgv;
  readonly flag: SettingFlagResult;
  readonly spec: SettingSpec;
}): SettingProblem[] {
  const { argv, deciding, flag } = input;
  const problems: SettingProblem[] = [];
  const first = resolveSettingFlag(input.parsed, input.spec);
  if (first.state === 'set' && (flag.state !== 'set' || flag.occurrence.index !== first.occurrence.index)) {
    // A pflag quirk, derived from reading server.go/pflag rather than observed: reported as a
    // WARNING with the explanation instead of silently trusting either reading.
    const swallowedBy = deciding.occurrences.find((o) => o.valueIndex === first.occurrence.index);
    problems.push({
      code: SettingProblemCode.ambiguousFlag,
      message: `${first.occurrence.arg} (argument ${first.occurrence.index}) is ${flag.state === 'set' ? 'overridden' : 'lost'} when the kubelet re-parses its flags over the config (kubeletConfigFlagPrecedence)${swallowedBy ? `, because there the global flag ${swallowedBy.arg} (argument ${swallowedBy.index}) takes it as its value` : ''}; check the live value with the configz endpoint`,
      blocking: true,
      index: first.occurrence.index,
    });
  }
  if (flag.state === 'set' && flag.occurrence.followsUnknownFlag !== undefined) {
    const unknownArg = argv[flag.occurrence.followsUnknownFlag] ?? '';
    problems.push({
      code: SettingProblemCode.ambiguousFlag,
      message: `${flag.occurrence.arg} (argument ${flag.occurrence.index}) follows the unrecognised flag ${unknownArg}, which may have taken it as its value`,
      blocking: true,
      index: flag.occurrence.index,
    });
  }
  return problems;
}

export function flagText(o: FlagOccurrence, argv: readonly string[]): string {
  return `${describeOccurrence(o, argv)} on the command line (argument ${o.index})`;
}

/** Every occurrence of a flag that is set, the overridden ones first and the deciding one last. */
export function flagSources(flag: SettingFlagResult, argv: readonly string[]): SettingSource[] {
  if (flag.state !== 'set') return [];
  return [...flag.overridden, flag.occurrence].map((o, i) => ({
    provenance: { kind: 'flag', arg: o.arg, index: o.index },
    value: flag.values[i],
    text: flagText(o, argv),
  }));
}
