/**
 * The decision of one setting's effective value from its layers, for one way of merging drop-ins.
 *
 * Base (what the drop-ins merge onto): the --config file as loaded (v1beta1 decode + SetDefaults, so
 * an absent or null field has its default and a zero duration is re-defaulted), or, with no --config,
 * the flag defaults of NewKubeletConfiguration: v1beta1 defaults plus applyLegacyDefaults (anonymous
 * auth on, webhook authn off, AlwaysAllow, read-only port 10255). server.go NewKubeletCommand merges
 * --config-dir drop-ins onto that same object whether or not --config was given.
 *
 * Drop-ins (server.go mergeKubeletConfigurations):
 * - up to 1.31 the internal struct is marshalled (Go field names, so the drop-ins' v1beta1 keys never
 *   meet its keys in the merge patch), patched, and json.Unmarshal'ed back INTO the same struct: a
 *   `null` only cancels what earlier drop-ins set, the base shows through, and nothing is re-defaulted.
 * - from 1.32 the base is converted to v1beta1, patched, unmarshalled into a fresh v1beta1 object and
 *   defaulted (SetDefaults_KubeletConfiguration) before conversion back: a `null` deletes the base's
 *   value too and the v1beta1 default applies (even over a legacy flag default), and a zero the
 *   defaulting treats as unset (a duration, the authorization mode) is re-defaulted.
 *
 * Flags (kubeletConfigFlagPrecedence) apply on top of everything, with no defaulting after them.
 */

import { flagText } from './command-line.ts';
import type { ConfigDirReading } from './config-dir-layer.ts';
import type { ConfigFileReading } from './config-file-layer.ts';
import type { Provenance } from './provenance.ts';
import {
  type DropInMerge,
  type EffectiveSetting,
  type SettingProblem,
  SettingProblemCode,
  type SettingSpec,
  show,
} from './setting.ts';
import type { SettingFlagResult } from './setting-flag.ts';
import { fromConfigValue, isZeroValue, type SettingValue, showValue } from './setting-types.ts';

/** An effective setting before the decision: every source and problem, no value yet. */
export type Undecided = Omit<EffectiveSetting, 'determined' | 'value' | 'decidedBy' | 'decidedByText'>;

interface Decided {
  readonly value: SettingValue;
  readonly decidedBy: Provenance;
  readonly decidedByText: string;
  readonly notes?: readonly string[];
}

export interface DecideInput {
  readonly base: Undecided;
  readonly flag: SettingFlagResult;
  readonly config: ConfigFileReading;
  readonly dropIns: ConfigDirReading;
  readonly merge: DropInMerge;
}

const MERGE_LABEL: Readonly<Record<DropInMerge, string>> = {
  'up-to-1.31': 'up to 1.31',
  'from-1.32': 'from 1.32',
};

export function decideSetting(input: DecideInput): EffectiveSetting {
  const { base, flag, config, dropIns } = input;
  const open = (problem?: SettingProblem): EffectiveSetting => ({
    ...base,
    ...(problem ? { problems: [...base.problems, problem] } : {}),
    determined: false,
  });
  let decided: Decided | SettingProblem;
  if (flag.state === 'set') {
    decided = {
      value: flag.value,
      decidedBy: { kind: 'flag', arg: flag.occurrence.arg, index: flag.occurrence.index },
      decidedByText: flagText(flag.occurrence, base.argv),
    };
  } else if (flag.state === 'invalid') {
    // Already reported as argv-rejected; the command line would not even parse.
    return open();
  } else if (
    dropIns.state.kind === 'unknown' ||
    config.layer.kind === 'problem' ||
    base.problems.some((p) => p.blocking)
  ) {
    // Without a deciding flag, any file the kubelet needed but we could not judge leaves the value open.
    return open();
  } else {
    decided = fromFiles(input);
  }
  if ('code' in decided) return open(decided);
  const refused = base.spec.validate?.(decided.value);
  if (refused !== undefined) {
    return open({
      code: SettingProblemCode.invalidValue,
      message: `the kubelet would refuse its configuration: ${refused} (${decided.decidedByText})`,
      blocking: true,
    });
  }
  return {
    ...base,
    notes: [...base.notes, ...(decided.notes ?? [])],
    determined: true,
    value: decided.value,
    decidedBy: decided.decidedBy,
    decidedByText: decided.decidedByText,
  };
}

/** The drop-ins' merged word on the path, else the base. */
function fromFiles(input: DecideInput): Decided | SettingProblem {
  const { base, dropIns, merge } = input;
  const { spec } = base;
  const state = dropIns.state;
  const wrong = (path: string, what: string): SettingProblem => ({
    code: SettingProblemCode.wrongType,
    message: `the kubelet could not have loaded its drop-ins: ${what} in ${path}`,
    blocking: true,
    path,
  });
  if (state.kind === 'not-object')
    return wrong(state.path, `${state.at} is ${show(state.raw)}, not an object`);
  if (state.kind === 'value') {
    const typed = fromConfigValue(spec.type, state.value);
    if (!typed.ok) return wrong(state.path, `${spec.path} is ${show(state.value)}, ${typed.reason}`);
    const text = `${spec.path}: ${showValue(typed.value)} in drop-in ${state.path}`;
    if (merge === 'from-1.32' && spec.zeroIsDefaulted && isZeroValue(typed.value)) {
      return {
        value: spec.default,
        decidedBy: { kind: 'default' },
        decidedByText: `the kubelet default (${showValue(spec.default)}), as ${text} is zero and the kubelet (${MERGE_LABEL[merge]}) re-defaults the merged drop-ins`,
      };
    }
    return { value: typed.value, decidedBy: { kind: 'drop-in', path: state.path }, decidedByText: text };
  }
  if (state.kind === 'deleted' && merge === 'from-1.32') {
    return {
      value: spec.default,
      decidedBy: { kind: 'default' },
      decidedByText: `the kubelet default (${showValue(spec.default)}), as ${state.at}: null in drop-in ${state.path} deletes it and the kubelet (${MERGE_LABEL[merge]}) re-defaults the merged drop-ins`,
    };
  }
  const baseValue = fromBase(input);
  if (state.kind !== 'deleted') return baseValue;
  return {
    ...baseValue,
    notes: [
      `the kubelet (${MERGE_LABEL[merge]}) merges drop-ins onto the loaded configuration without re-defaulting, so ${state.at}: null in drop-in ${state.path} lets the earlier value show through`,
    ],
  };
}

function flagAbsent(spec: SettingSpec): string {
  return spec.gate === undefined
    ? `no --${spec.flag} flag is given`
    : `no --feature-gates flag sets ${spec.gate}`;
}

/** What the drop-ins merge onto: the --config file as loaded, or the flag defaults without one. */
function fromBase(input: DecideInput): Decided {
  const { base, config, dropIns } = input;
  const { spec } = base;
  const { layer } = config;
  const nor = dropIns.configDir === undefined ? '' : ' nor in any drop-in';
  if (layer.kind === 'object' && layer.setting !== undefined) {
    return {
      value: layer.setting.value,
      decidedBy: { kind: 'config-file', path: layer.path },
      decidedByText: layer.setting.text,
    };
  }
  if (layer.kind === 'object' && layer.zeroed !== undefined) {
    return {
      value: spec.default,
      decidedBy: { kind: 'default' },
      decidedByText: `the kubelet default (${showValue(spec.default)}), as ${layer.zeroed} is zero, which the kubelet re-defaults when it loads the file, and ${flagAbsent(spec)}`,
    };
  }
  if (layer.kind !== 'object' && spec.legacyDefault !== undefined) {
    return {
      value: spec.legacyDefault,
      decidedBy: { kind: 'default' },
      decidedByText: `the kubelet's flag default (${showValue(spec.legacyDefault)}), as it runs without --config (applyLegacyDefaults), ${flagAbsent(spec)} and ${spec.path} is not set${dropIns.configDir === undefined ? '' : ' in any drop-in'}`,
    };
  }
  const where =
    layer.kind === 'object'
      ? `${spec.path} is not set in ${layer.path}`
      : `${spec.path} is not set in a --config file`;
  return {
    value: spec.default,
    decidedBy: { kind: 'default' },
    decidedByText: `the kubelet default (${showValue(spec.default)}), as ${flagAbsent(spec)} and ${where}${nor}`,
  };
}
