/**
 * The EFFECTIVE value of one kubelet setting for one running kubelet, with provenance.
 *
 * Precedence, lowest to highest (k8s cmd/kubelet/app/server.go NewKubeletCommand):
 *   default (or, without --config, the legacy flag defaults) → the --config file (loadConfigFile)
 *   → --config-dir drop-ins (mergeKubeletConfigurations, whose rules changed in 1.32)
 *   → command-line flags (kubeletConfigFlagPrecedence re-parses the command line on top).
 *
 * Each layer is read on its own (command-line.ts, config-file-layer.ts, config-dir-layer.ts) and
 * decide-setting.ts applies them in that order. Relative --config / --config-dir paths are resolved
 * against the kubelet's working directory (filepath.Abs in loadConfigFile /
 * loadDropinConfigFileIntoJSON). When the kubelet's version is unknown and the two drop-in merges
 * read differently, both readings are returned (EffectiveSetting.byVersion).
 */
import type { EvidenceDocument, KubeletProcess } from '../collector/evidence-schema.ts';
import { flagSources, readCommandLine } from './command-line.ts';
import { readConfigDir } from './config-dir-layer.ts';
import { readConfigFile } from './config-file-layer.ts';
import { decideSetting, type Undecided } from './decide-setting.ts';
import type { DropInMerge, EffectiveOptions, EffectiveSetting, SettingSpec } from './setting.ts';

export {
  type DropInMerge,
  type EffectiveOptions,
  type EffectiveSetting,
  type SettingProblem,
  SettingProblemCode,
  type SettingSource,
  type SettingSpec,
} from './setting.ts';

/** How a kubelet of this version merges drop-ins; undefined when the version is unknown. */
export function dropInMergeOf(version: string | undefined): DropInMerge | undefined {
  const match = version === undefined ? null : /\bv?(\d+)\.(\d+)/.exec(version);
  if (match === null) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major !== 1) return major > 1 ? 'from-1.32' : 'up-to-1.31';
  return minor >= 32 ? 'from-1.32' : 'up-to-1.31';
}

/** Compute the effective value of a setting for one kubelet. Never throws. */
export function effectiveSetting(
  kubelet: KubeletProcess,
  evidence: EvidenceDocument,
  spec: SettingSpec,
  options: EffectiveOptions = {},
): EffectiveSetting {
  const argv = options.argv ?? kubelet.argv;
  const commandLine = readCommandLine({
    argv,
    argvCut: kubelet.argvCut === true && !options.ignoreArgvCut,
    spec,
  });
  const { parsed, flag } = commandLine;
  const layerInput = {
    evidence,
    pid: kubelet.pid,
    cwd: options.cwd ?? kubelet.cwd,
    parsed,
    spec,
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
  const merge = dropInMergeOf(kubelet.version);
  if (merge !== undefined) return decideSetting({ base, flag, config, dropIns, merge });
  const upTo131 = decideSetting({ base, flag, config, dropIns, merge: 'up-to-1.31' });
  const from132 = decideSetting({ base, flag, config, dropIns, merge: 'from-1.32' });
  if (sameReading(upTo131, from132)) return upTo131;
  return { ...base, determined: false, byVersion: { upTo131, from132 } };
}

function sameReading(a: EffectiveSetting, b: EffectiveSetting): boolean {
  return (
    a.determined === b.determined &&
    a.value === b.value &&
    JSON.stringify(a.decidedBy) === JSON.stringify(b.decidedBy) &&
    a.problems.length === b.problems.length
  );
}
