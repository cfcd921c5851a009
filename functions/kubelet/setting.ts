/**
 * The vocabulary of an effective kubelet setting: which setting is asked for, every source that set
 * it, and what kept its value from being known (effective-config.ts computes it, layer by layer).
 */
import type { ParsedArgv } from './flags.ts';
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
