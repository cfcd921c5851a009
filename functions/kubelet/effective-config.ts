/**
 * The EFFECTIVE value of one kubelet setting for one running kubelet, with provenance.
 *
 * Precedence, lowest to highest (k8s cmd/kubelet/app/server.go NewKubeletCommand):
 *   default → the --config file (loadConfigFile) → --config-dir drop-ins (mergeKubeletConfigurations)
 *   → command-line flags (kubeletConfigFlagPrecedence re-parses the command line on top).
 *
 * A `null` in a drop-in: the merge patch deletes the key from the merged JSON, and the merged JSON is
 * then json.Unmarshal'ed INTO the struct already loaded from the --config file, which keeps fields
 * absent from the JSON. So `null` cancels what earlier drop-ins set and the value falls back to the
 * --config file's (or, when the file does not set it / there is no file, the default). Only the
 * final merged value is decoded into the typed struct, so a wrong-typed value in a drop-in that a
 * later drop-in overrides does no harm, while a wrong-typed final value stops the kubelet.
 *
 * Relative --config / --config-dir paths are resolved against the kubelet's working directory
 * (filepath.Abs in loadConfigFile / loadDropinConfigFileIntoJSON).
 */
import { posix } from 'node:path';
import type { EvidenceDocument, FileEvidence, KubeletProcess } from '../collector/evidence-schema.ts';
import { decodeKubeletConfig } from './config-file.ts';
import { selectDropIns } from './drop-ins.ts';
import { fileBytes } from './file-content.ts';
import {
  describeOccurrence,
  type FlagOccurrence,
  type ParsedArgv,
  parseKubeletArgv,
  resolveBoolFlag,
  resolveStringFlag,
} from './flags.ts';
import { KUBELET_FLAGS } from './kubelet-flag-table.ts';
import type { Provenance } from './provenance.ts';

export interface BoolSettingSpec {
  /** Long flag name without dashes, e.g. "make-iptables-util-chains". */
  readonly flag: string;
  /** Top-level KubeletConfiguration key, case-sensitive, e.g. "makeIPTablesUtilChains". */
  readonly configKey: string;
  readonly type: 'bool';
  readonly default: boolean;
}

/** One place that set the setting (or reset it with null). */
export interface SettingSource {
  readonly provenance: Provenance;
  /** The raw value (null = reset by a drop-in). */
  readonly value: unknown;
  /** "makeIPTablesUtilChains: true in /etc/kubernetes/kubelet/config.json". */
  readonly text: string;
}

export const SettingProblemCode = {
  argvRejected: 'argv-rejected',
  argvCut: 'argv-cut',
  ambiguousFlag: 'ambiguous-flag',
  configUnresolvable: 'config-unresolvable',
  configMissing: 'config-missing',
  configUnreadable: 'config-unreadable',
  configCut: 'config-cut',
  configUnloadable: 'config-unloadable',
  configDirMissing: 'config-dir-missing',
  configDirCut: 'config-dir-cut',
  dropInMissing: 'drop-in-missing',
  dropInUnreadable: 'drop-in-unreadable',
  dropInCut: 'drop-in-cut',
  dropInUnloadable: 'drop-in-unloadable',
  wrongType: 'wrong-type',
} as const;
export type SettingProblemCode = (typeof SettingProblemCode)[keyof typeof SettingProblemCode];

export interface SettingProblem {
  readonly code: SettingProblemCode;
  readonly message: string;
  /**
   * True when this problem alone leaves the verdict in doubt: argv problems always do (a running
   * kubelet cannot have an argv it rejects; a cut argv may hide a later flag); file problems only
   * when no command-line flag decides the value.
   */
  readonly blocking: boolean;
  readonly path?: string;
  readonly index?: number;
}

export interface EffectiveSetting {
  readonly spec: BoolSettingSpec;
  /** True when the value is known. */
  readonly determined: boolean;
  readonly value?: boolean;
  readonly decidedBy?: Provenance;
  /** How the deciding source reads in a sentence. */
  readonly decidedByText?: string;
  /** Every source that set the value, in the order the kubelet applies them (the decider last, if any). */
  readonly chain: readonly SettingSource[];
  readonly problems: readonly SettingProblem[];
  /** Side remarks (duplicate keys, resets), not problems. */
  readonly notes: readonly string[];
  readonly argv: readonly string[];
  readonly parsed: ParsedArgv;
  /** Host path of the --config file, when resolvable. */
  readonly configPath?: string;
  readonly configDir?: string;
  readonly configFormat?: 'json' | 'yaml';
}

export interface EffectiveOptions {
  /** Evaluate this argv instead of the process's (used for "what would systemd start"). */
  readonly argv?: readonly string[];
  /** Working directory for relative paths instead of the process's. */
  readonly cwd?: string;
  /** Treat the argv as complete even if the process's was cut. */
  readonly ignoreArgvCut?: boolean;
}

function resolvePath(raw: string, cwd: string | undefined): string | undefined {
  if (raw.startsWith('/')) return posix.normalize(raw);
  if (cwd === undefined || !cwd.startsWith('/')) return undefined;
  return posix.resolve(cwd, raw);
}

function pickFile(
  files: readonly FileEvidence[],
  role: FileEvidence['roles'][number],
  path: string,
  pid: number,
): FileEvidence | undefined {
  const byPath = files.filter((f) => f.roles.includes(role) && f.path === path);
  return byPath.find((f) => f.pid === pid) ?? byPath.find((f) => f.pid === undefined) ?? byPath[0];
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

function flagText(o: FlagOccurrence, argv: readonly string[]): string {
  return `${describeOccurrence(o, argv)} on the command line (argument ${o.index})`;
}

type Layer =
  | { readonly kind: 'absent' }
  | { readonly kind: 'object'; readonly path: string; readonly object: Readonly<Record<string, unknown>> }
  | { readonly kind: 'problem' };

/** Compute the effective value of a boolean setting for one kubelet. Never throws. */
export function effectiveBoolSetting(
  kubelet: KubeletProcess,
  evidence: EvidenceDocument,
  spec: BoolSettingSpec,
  options: EffectiveOptions = {},
): EffectiveSetting {
  const argv = options.argv ?? kubelet.argv;
  const cwd = options.cwd ?? kubelet.cwd;
  const parsed = parseKubeletArgv(argv);
  const problems: SettingProblem[] = [];
  const notes: string[] = [];
  const chain: SettingSource[] = [];
  const key = spec.configKey;

  // ---- command line: fatal problems first
  for (const p of parsed.problems) {
    problems.push({
      code: SettingProblemCode.argvRejected,
      message: `the kubelet would refuse this command line: ${p.message} (argument ${p.index})`,
      blocking: true,
      index: p.index,
    });
  }
  if (kubelet.argvCut && !options.ignoreArgvCut) {
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
  if (deciding !== parsed) {
    const seen = new Set(parsed.problems.map((p) => `${p.index}:${p.code}`));
    for (const p of deciding.problems) {
      if (seen.has(`${p.index}:${p.code}`)) continue;
      problems.push({
        code: SettingProblemCode.argvRejected,
        message: `the kubelet would fail when it re-parses its flags over the config (kubeletConfigFlagPrecedence): ${p.message} (argument ${p.index})`,
        blocking: true,
        index: p.index,
      });
    }
  }
  const first = resolveBoolFlag(parsed, spec.flag);
  const flag = resolveBoolFlag(deciding, spec.flag);
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
  const flagDecides = flag.state === 'set';

  // ---- --config file
  const configFlag = resolveStringFlag(parsed, 'config');
  let configPath: string | undefined;
  let configFormat: 'json' | 'yaml' | undefined;
  let configLayer: Layer = { kind: 'absent' };
  const fileProblem = (code: SettingProblemCode, message: string, path?: string): void => {
    problems.push({ code, message, blocking: !flagDecides, ...(path === undefined ? {} : { path }) });
  };
  if (configFlag !== undefined && configFlag.value !== '') {
    configPath = resolvePath(configFlag.value, cwd);
    let file: FileEvidence | undefined;
    if (configPath !== undefined) {
      file = pickFile(evidence.files, 'config', configPath, kubelet.pid);
    } else {
      const candidates = evidence.files.filter((f) => f.roles.includes('config') && f.pid === kubelet.pid);
      if (candidates.length === 1) {
        file = candidates[0];
        configPath = file?.path;
      }
    }
    configLayer = { kind: 'problem' };
    if (configPath === undefined) {
      fileProblem(
        SettingProblemCode.configUnresolvable,
        `--config ${configFlag.value} is relative and the kubelet's working directory is unknown`,
      );
    } else if (file === undefined) {
      fileProblem(
        SettingProblemCode.configMissing,
        `the config file ${configPath} is not in the evidence`,
        configPath,
      );
    } else {
      const content = fileBytes(file);
      if (!content.ok) {
        const missing = /not found|no such file/i.test(content.reason);
        fileProblem(
          missing ? SettingProblemCode.configMissing : SettingProblemCode.configUnreadable,
          missing
            ? `the config file ${configPath} does not exist, yet the kubelet cannot start without it`
            : `the config file ${configPath} could not be read: ${content.reason}`,
          configPath,
        );
      } else if (content.cut) {
        fileProblem(
          SettingProblemCode.configCut,
          `the collector cut the config file ${configPath}`,
          configPath,
        );
      } else {
        const decoded = decodeKubeletConfig(content.bytes);
        if (!decoded.ok) {
          configFormat = decoded.format;
          fileProblem(
            SettingProblemCode.configUnloadable,
            `the kubelet could not have loaded the config file ${configPath}: ${decoded.reason}`,
            configPath,
          );
        } else {
          configFormat = decoded.format;
          const value = Object.hasOwn(decoded.object, key) ? decoded.object[key] : undefined;
          if (value !== undefined && value !== null && typeof value !== 'boolean') {
            // Strict and lenient typed decoding both fail on a type error: the kubelet would not start.
            fileProblem(
              SettingProblemCode.wrongType,
              `the kubelet could not have loaded the config file ${configPath}: ${key} is ${show(value)}, not a boolean`,
              configPath,
            );
          } else {
            configLayer = { kind: 'object', path: configPath, object: decoded.object };
            if (typeof value === 'boolean') {
              chain.push({
                provenance: { kind: 'config-file', path: configPath },
                value,
                text: `${key}: ${value} in ${configPath}`,
              });
            }
            if (decoded.duplicateKeys.includes(key)) {
              notes.push(`${key} appears more than once in ${configPath}; the last one counts`);
            }
          }
        }
      }
    }
  }

  // ---- --config-dir drop-ins
  const dirFlag = resolveStringFlag(parsed, 'config-dir');
  let configDir: string | undefined;
  let dropInState: { kind: 'none' } | { kind: 'value'; value: unknown; path: string } | { kind: 'unknown' } =
    {
      kind: 'none',
    };
  if (dirFlag !== undefined && dirFlag.value !== '') {
    configDir = resolvePath(dirFlag.value, cwd);
    if (configDir === undefined) {
      // Unknown working directory: the collector resolved the path itself; take its only listing.
      const own = evidence.configDirs.filter((d) => d.pid === kubelet.pid);
      if (own.length === 1) configDir = own[0]!.path;
    }
    const dirs = evidence.configDirs.filter((d) => d.path === (configDir ?? dirFlag.value));
    const dir = dirs.find((d) => d.pid === kubelet.pid) ?? dirs.find((d) => d.pid === undefined) ?? dirs[0];
    if (configDir === undefined) {
      dropInState = { kind: 'unknown' };
      fileProblem(
        SettingProblemCode.configUnresolvable,
        `--config-dir ${dirFlag.value} is relative and the kubelet's working directory is unknown`,
      );
    } else if (dir === undefined) {
      dropInState = { kind: 'unknown' };
      fileProblem(
        SettingProblemCode.configDirMissing,
        `the drop-in directory ${configDir} is not in the evidence`,
      );
    } else if (dir.error !== undefined) {
      dropInState = { kind: 'unknown' };
      fileProblem(
        SettingProblemCode.configDirMissing,
        `the drop-in directory ${configDir} could not be listed (${dir.error}), yet the kubelet cannot start without it`,
        configDir,
      );
    } else {
      if (dir.cut) {
        dropInState = { kind: 'unknown' };
        fileProblem(
          SettingProblemCode.configDirCut,
          `the collector cut the listing of ${configDir}`,
          configDir,
        );
      }
      for (const path of selectDropIns(dir.entries, configDir)) {
        const file = pickFile(evidence.files, 'config-dir-entry', path, kubelet.pid);
        if (file === undefined) {
          dropInState = { kind: 'unknown' };
          fileProblem(SettingProblemCode.dropInMissing, `the drop-in ${path} is not in the evidence`, path);
          continue;
        }
        const content = fileBytes(file);
        if (!content.ok) {
          dropInState = { kind: 'unknown' };
          fileProblem(
            SettingProblemCode.dropInUnreadable,
            `the drop-in ${path} could not be read: ${content.reason}`,
            path,
          );
          continue;
        }
        if (content.cut) {
          dropInState = { kind: 'unknown' };
          fileProblem(SettingProblemCode.dropInCut, `the collector cut the drop-in ${path}`, path);
          continue;
        }
        const decoded = decodeKubeletConfig(content.bytes);
        if (!decoded.ok) {
          dropInState = { kind: 'unknown' };
          fileProblem(
            SettingProblemCode.dropInUnloadable,
            `the kubelet could not have loaded the drop-in ${path}: ${decoded.reason}`,
            path,
          );
          continue;
        }
        if (!Object.hasOwn(decoded.object, key)) continue;
        const value = decoded.object[key];
        if (decoded.duplicateKeys.includes(key)) {
          notes.push(`${key} appears more than once in ${path}; the last one counts`);
        }
        if (value === null) {
          // RFC 7386: null deletes what earlier drop-ins merged; the --config file's value shows through.
          chain.push({
            provenance: { kind: 'drop-in', path },
            value: null,
            text: `${key}: null in drop-in ${path}`,
          });
          notes.push(`the drop-in ${path} resets ${key} (null), cancelling earlier drop-ins`);
          dropInState = { kind: 'none' };
          continue;
        }
        chain.push({
          provenance: { kind: 'drop-in', path },
          value,
          text: `${key}: ${show(value)} in drop-in ${path}`,
        });
        dropInState = { kind: 'value', value, path };
      }
    }
  }

  // ---- flags on top
  // `chain` is filled in below; the object shares the array.
  const base = {
    spec,
    chain,
    problems,
    notes,
    argv,
    parsed,
    ...(configPath === undefined ? {} : { configPath }),
    ...(configDir === undefined ? {} : { configDir }),
    ...(configFormat === undefined ? {} : { configFormat }),
  };
  if (flag.state === 'set') {
    for (const o of [...flag.overridden, flag.occurrence]) {
      chain.push({
        provenance: { kind: 'flag', arg: o.arg, index: o.index },
        value: o === flag.occurrence ? flag.value : o.value,
        text: flagText(o, argv),
      });
    }
    const decidedBy: Provenance = { kind: 'flag', arg: flag.occurrence.arg, index: flag.occurrence.index };
    return {
      ...base,
      determined: true,
      value: flag.value,
      decidedBy,
      decidedByText: flagText(flag.occurrence, argv),
    };
  }
  if (flag.state === 'invalid') {
    // Already reported as argv-rejected; the command line would not even parse.
    return { ...base, determined: false };
  }

  // Without a deciding flag, any file the kubelet needed but we could not judge leaves the value open.
  if (dropInState.kind === 'unknown' || configLayer.kind === 'problem' || problems.some((p) => p.blocking)) {
    return { ...base, determined: false };
  }
  if (dropInState.kind === 'value') {
    if (typeof dropInState.value !== 'boolean') {
      problems.push({
        code: SettingProblemCode.wrongType,
        message: `the kubelet could not have loaded its drop-ins: ${key} is ${show(dropInState.value)} in ${dropInState.path}, not a boolean`,
        blocking: true,
        path: dropInState.path,
      });
      return { ...base, determined: false };
    }
    return {
      ...base,
      determined: true,
      value: dropInState.value,
      decidedBy: { kind: 'drop-in', path: dropInState.path },
      decidedByText: `${key}: ${dropInState.value} in drop-in ${dropInState.path}`,
    };
  }
  if (configLayer.kind === 'object') {
    const value = configLayer.object[key];
    if (typeof value === 'boolean') {
      return {
        ...base,
        determined: true,
        value,
        decidedBy: { kind: 'config-file', path: configLayer.path },
        decidedByText: `${key}: ${value} in ${configLayer.path}`,
      };
    }
  }
  const where =
    configLayer.kind === 'object'
      ? `${key} is not set in ${configLayer.path}`
      : `${key} is not set in a --config file`;
  return {
    ...base,
    determined: true,
    value: spec.default,
    decidedBy: { kind: 'default' },
    decidedByText: `the kubelet default (${spec.default}), as no --${spec.flag} flag is given and ${where}${configDir === undefined ? '' : ' nor in any drop-in'}`,
  };
}
