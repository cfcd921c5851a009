/**
 * The vocabulary of an effective kubelet setting: which setting is asked for, every source that set
 * it, and what kept its value from being known (effective-config.ts computes it, layer by layer).
 */
import type { ParsedArgv } from './flags.ts';
import type { Provenance } from './provenance.ts';
import type { SettingType, SettingValue } from './setting-types.ts';

/**
 * One kubelet setting as the evaluator reads it (kubelet-settings.ts lists the ones the controls use).
 * Defaults are those of v1beta1 SetDefaults_KubeletConfiguration (pkg/kubelet/apis/config/v1beta1/
 * defaults.go) unless `legacyDefault` says what applyLegacyDefaults (cmd/kubelet/app/options/
 * options.go) puts there when the kubelet runs without --config.
 */
export interface SettingSpec {
  /** Dotted KubeletConfiguration v1beta1 path, case-sensitive: "authentication.anonymous.enabled". */
  readonly path: string;
  /** Long flag name without dashes ("anonymous-auth"; "feature-gates" for a gate). */
  readonly flag: string;
  readonly type: SettingType;
  /** The v1beta1 default (for a feature gate: the gate's default in kube_features.go). */
  readonly default: SettingValue;
  /** applyLegacyDefaults's value, used when the kubelet has no --config file. */
  readonly legacyDefault?: SettingValue;
  /** SetDefaults replaces a zero value too (non-pointer fields such as durations and strings). */
  readonly zeroIsDefaulted?: boolean;
  /** The feature gate's name when the setting is featureGates.<gate> (flag --feature-gates=<gate>=bool). */
  readonly gate?: string;
  /** ValidateKubeletConfiguration's refusal of a value, if any (the kubelet exits). */
  readonly validate?: (value: SettingValue) => string | undefined;
}

/** The path's segments ("featureGates.X" has two: the gate name is one key). */
export function pathSegments(spec: SettingSpec): readonly string[] {
  return spec.gate === undefined ? spec.path.split('.') : ['featureGates', spec.gate];
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
  invalidValue: 'invalid-value',
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
  readonly spec: SettingSpec;
  /** True when the value is known. */
  readonly determined: boolean;
  readonly value?: SettingValue;
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
  /**
   * When the kubelet's version is unknown and the drop-ins read differently up to 1.31 and from 1.32
   * (drop-in-merge.ts), both readings; the fields above are then undetermined.
   */
  readonly byVersion?: VersionReadings;
}

export interface VersionReadings {
  readonly upTo131: EffectiveSetting;
  readonly from132: EffectiveSetting;
}

export interface EffectiveOptions {
  /** Evaluate this argv instead of the process's (used for "what would systemd start"). */
  readonly argv?: readonly string[];
  /** Working directory for relative paths instead of the process's. */
  readonly cwd?: string;
  /** Treat the argv as complete even if the process's was cut. */
  readonly ignoreArgvCut?: boolean;
}

/** How the kubelet merges its drop-ins (server.go mergeKubeletConfigurations changed in 1.32). */
export type DropInMerge = 'up-to-1.31' | 'from-1.32';

/** What one file layer (the --config file, the --config-dir drop-ins) adds, in the kubelet's order. */
export interface LayerReading {
  readonly problems: readonly SettingProblem[];
  readonly chain: readonly SettingSource[];
  readonly notes: readonly string[];
}

/** A raw config value as a reason quotes it: JSON, cut at 60 characters. */
export function show(value: unknown): string {
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
