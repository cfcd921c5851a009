/**
 * The EFFECTIVE value of one kubelet setting for one running kubelet, with provenance.
 *
 * Precedence, lowest to highest (k8s cmd/kubelet/app/server.go NewKubeletCommand):
 *   default → the --config file (loadConfigFile) → --config-dir drop-ins (mergeKubeletConfigurations)
 *   → command-line flags (kubeletConfigFlagPrecedence re-parses the command line on top).
 *
 * Each layer is read on its own (command-line.ts, config-file-layer.ts, config-dir-layer.ts); this
 * module applies them in that order and decides. Relative --config / --config-dir paths are resolved
 * against the kubelet's working directory (filepath.Abs in loadConfigFile /
 * loadDropinConfigFileIntoJSON).
 */
import type { EvidenceDocument, KubeletProcess } from '../collector/evidence-schema.ts';
import { flagSources, flagText, readCommandLine } from './command-line.ts';
import { type ConfigDirReading, readConfigDir } from './config-dir-layer.ts';
import { type ConfigFileReading, readConfigFile } from './config-file-layer.ts';
import type { BoolFlagResult } from './flags.ts';
import type { Provenance } from './provenance.ts';
import {
  type BoolSettingSpec,
  type EffectiveOptions,
  type EffectiveSetting,
  SettingProblemCode,
  show,
} from './setting.ts';

export {
  type BoolSettingSpec,
  type EffectiveOptions,
  type EffectiveSetting,
  type SettingProblem,
  SettingProblemCode,
  type SettingSource,
} from './setting.ts';

/** An effective setting before the decision: every source and problem, no value yet. */
type Undecided = Omit<EffectiveSetting, 'determined' | 'value' | 'decidedBy' | 'decidedByText'>;

/** Compute the effective value of a boolean setting for one kubelet. Never throws. */
export function effectiveBoolSetting(
  kubelet: KubeletProcess,
  evidence: EvidenceDocument,
  spec: BoolSettingSpec,
  options: EffectiveOptions = {},
): EffectiveSetting {
  const argv = options.argv ?? kubelet.argv;
  const commandLine = readCommandLine({
    argv,
    argvCut: kubelet.argvCut === true && !options.ignoreArgvCut,
    flag: spec.flag,
  });
  const { parsed, flag } = commandLine;
  const layerInput = {
    evidence,
    pid: kubelet.pid,
    cwd: options.cwd ?? kubelet.cwd,
    parsed,
    key: spec.configKey,
    blocking: flag.state !== 'set',
  };
  const config = readConfigFile(layerInput);
  const dropIns = readConfigDir(layerInput);
  const base: Undecided = {
    spec,
    chain: [...config.chain, ...dropIns.chain, ...flagSources(flag, argv)],
    problems: [...commandLine.problems, ...config.problems, ...dropIns.problems],
    notes: [...config.notes, ...dropIns.notes],
    argv,
    parsed,
    ...(config.configPath === undefined ? {} : { configPath: config.configPath }),
    ...(dropIns.configDir === undefined ? {} : { configDir: dropIns.configDir }),
    ...(config.configFormat === undefined ? {} : { configFormat: config.configFormat }),
  };
  return decide(base, flag, config, dropIns);
}

/** The flags apply on top of every file; without one, the drop-ins, then the --config file, then the default. */
function decide(
  base: Undecided,
  flag: BoolFlagResult,
  config: ConfigFileReading,
  dropIns: ConfigDirReading,
): EffectiveSetting {
  if (flag.state === 'set') {
    const decidedBy: Provenance = { kind: 'flag', arg: flag.occurrence.arg, index: flag.occurrence.index };
    return {
      ...base,
      determined: true,
      value: flag.value,
      decidedBy,
      decidedByText: flagText(flag.occurrence, base.argv),
    };
  }
  if (flag.state === 'invalid') {
    // Already reported as argv-rejected; the command line would not even parse.
    return { ...base, determined: false };
  }
  // Without a deciding flag, any file the kubelet needed but we could not judge leaves the value open.
  const { state } = dropIns;
  if (state.kind === 'unknown' || config.layer.kind === 'problem' || base.problems.some((p) => p.blocking)) {
    return { ...base, determined: false };
  }
  const key = base.spec.configKey;
  if (state.kind === 'value') {
    if (typeof state.value !== 'boolean') {
      const problem = {
        code: SettingProblemCode.wrongType,
        message: `the kubelet could not have loaded its drop-ins: ${key} is ${show(state.value)} in ${state.path}, not a boolean`,
        blocking: true,
        path: state.path,
      };
      return { ...base, problems: [...base.problems, problem], determined: false };
    }
    return {
      ...base,
      determined: true,
      value: state.value,
      decidedBy: { kind: 'drop-in', path: state.path },
      decidedByText: `${key}: ${state.value} in drop-in ${state.path}`,
    };
  }
  return fromConfigOrDefault(base, config, dropIns);
}

function fromConfigOrDefault(
  base: Undecided,
  config: ConfigFileReading,
  dropIns: ConfigDirReading,
): EffectiveSetting {
  const { spec } = base;
  const key = spec.configKey;
  const { layer } = config;
  if (layer.kind === 'object') {
    const value = layer.object[key];
    if (typeof value === 'boolean') {
      return {
        ...base,
        determined: true,
        value,
        decidedBy: { kind: 'config-file', path: layer.path },
        decidedByText: `${key}: ${value} in ${layer.path}`,
      };
    }
  }
  const where =
    layer.kind === 'object' ? `${key} is not set in ${layer.path}` : `${key} is not set in a --config file`;
  return {
    ...base,
    determined: true,
    value: spec.default,
    decidedBy: { kind: 'default' },
    decidedByText: `the kubelet default (${spec.default}), as no --${spec.flag} flag is given and ${where}${dropIns.configDir === undefined ? '' : ' nor in any drop-in'}`,
  };
}
