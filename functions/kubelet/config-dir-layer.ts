/**
 * The --config-dir layer of an effective setting: the drop-ins the kubelet merges over its --config
 * file, in its order (drop-ins.ts), and what they say about the setting.
 *
 * A `null` in a drop-in: the merge patch deletes the key from the merged JSON, and the merged JSON is
 * then json.Unmarshal'ed INTO the struct already loaded from the --config file, which keeps fields
 * absent from the JSON. So `null` cancels what earlier drop-ins set and the value falls back to the
 * --config file's (or, when the file does not set it / there is no file, the default). Only the
 * final merged value is decoded into the typed struct, so a wrong-typed value in a drop-in that a
 * later drop-in overrides does no harm, while a wrong-typed final value stops the kubelet.
 */
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import { decodeKubeletConfig } from './config-file.ts';
import { selectDropIns } from './drop-ins.ts';
import { fileBytes } from './file-content.ts';
import { type FileLayerInput, fileProblem, pickFile, resolvePath } from './file-layer.ts';
import { resolveStringFlag } from './flags.ts';
import {
  type LayerReading,
  type SettingProblem,
  SettingProblemCode,
  type SettingSource,
  show,
} from './setting.ts';

/** What the drop-ins leave for the setting after the merge: nothing, a value, or unknown. */
export type DropInState =
  | { readonly kind: 'none' }
  | { readonly kind: 'value'; readonly value: unknown; readonly path: string }
  | { readonly kind: 'unknown' };

export interface ConfigDirReading extends LayerReading {
  readonly state: DropInState;
  readonly configDir?: string;
}

type ConfigDirListing = EvidenceDocument['configDirs'][number];

export function readConfigDir(input: FileLayerInput): ConfigDirReading {
  const dirFlag = resolveStringFlag(input.parsed, 'config-dir');
  if (dirFlag === undefined || dirFlag.value === '') {
    return { state: { kind: 'none' }, problems: [], chain: [], notes: [] };
  }
  const { configDir, dir } = locateConfigDir(input, dirFlag.value);
  const unknown = (problem: SettingProblem): ConfigDirReading => ({
    state: { kind: 'unknown' },
    ...(configDir === undefined ? {} : { configDir }),
    problems: [problem],
    chain: [],
    notes: [],
  });
  if (configDir === undefined) {
    const message = `--config-dir ${dirFlag.value} is relative and the kubelet's working directory is unknown`;
    return unknown(fileProblem(input, SettingProblemCode.configUnresolvable, message));
  }
  if (dir === undefined) {
    const message = `the drop-in directory ${configDir} is not in the evidence`;
    return unknown(fileProblem(input, SettingProblemCode.configDirMissing, message));
  }
  if (dir.error !== undefined) {
    const message = `the drop-in directory ${configDir} could not be listed (${dir.error}), yet the kubelet cannot start without it`;
    return unknown(fileProblem(input, SettingProblemCode.configDirMissing, message, configDir));
  }
  return { configDir, ...mergeDropIns(input, dir, configDir) };
}

/**
 * The host path of the drop-in directory and the collector's listing of it. With a relative path and
 * no known working directory, the collector's only listing for this kubelet is taken (it resolved the
 * path itself).
 */
function locateConfigDir(
  input: FileLayerInput,
  raw: string,
): { configDir: string | undefined; dir: ConfigDirListing | undefined } {
  const { configDirs } = input.evidence;
  let configDir = resolvePath(raw, input.cwd);
  if (configDir === undefined) {
    const own = configDirs.filter((d) => d.pid === input.pid);
    if (own.length === 1) configDir = own[0]!.path;
  }
  const dirs = configDirs.filter((d) => d.path === (configDir ?? raw));
  const dir = dirs.find((d) => d.pid === input.pid) ?? dirs.find((d) => d.pid === undefined) ?? dirs[0];
  return { configDir, dir };
}

/** The drop-ins of a listed directory, merged in the kubelet's order. */
function mergeDropIns(
  input: FileLayerInput,
  dir: ConfigDirListing,
  configDir: string,
): Omit<ConfigDirReading, 'configDir'> {
  let state: DropInState = { kind: 'none' };
  const problems: SettingProblem[] = [];
  const chain: SettingSource[] = [];
  const notes: string[] = [];
  if (dir.cut) {
    state = { kind: 'unknown' };
    const message = `the collector cut the listing of ${configDir}`;
    problems.push(fileProblem(input, SettingProblemCode.configDirCut, message, configDir));
  }
  for (const path of selectDropIns(dir.entries, configDir)) {
    const step = readDropIn(input, path);
    problems.push(...step.problems);
    chain.push(...step.chain);
    notes.push(...step.notes);
    if (step.state !== undefined) state = step.state;
  }
  return { state, problems, chain, notes };
}

/** One drop-in's effect on the merge; `state` is undefined when the drop-in does not name the key. */
interface DropInStep extends LayerReading {
  readonly state?: DropInState;
}

function readDropIn(input: FileLayerInput, path: string): DropInStep {
  const unknown = (code: SettingProblemCode, message: string): DropInStep => ({
    state: { kind: 'unknown' },
    problems: [fileProblem(input, code, message, path)],
    chain: [],
    notes: [],
  });
  const file = pickFile(input.evidence.files, 'config-dir-entry', path, input.pid);
  if (file === undefined)
    return unknown(SettingProblemCode.dropInMissing, `the drop-in ${path} is not in the evidence`);
  const content = fileBytes(file);
  if (!content.ok) {
    const message = `the drop-in ${path} could not be read: ${content.reason}`;
    return unknown(SettingProblemCode.dropInUnreadable, message);
  }
  if (content.cut) return unknown(SettingProblemCode.dropInCut, `the collector cut the drop-in ${path}`);
  const decoded = decodeKubeletConfig(content.bytes);
  if (!decoded.ok) {
    const message = `the kubelet could not have loaded the drop-in ${path}: ${decoded.reason}`;
    return unknown(SettingProblemCode.dropInUnloadable, message);
  }
  const { key } = input;
  if (!Object.hasOwn(decoded.object, key)) return { problems: [], chain: [], notes: [] };
  const value = decoded.object[key];
  const duplicate = decoded.duplicateKeys.includes(key)
    ? [`${key} appears more than once in ${path}; the last one counts`]
    : [];
  if (value === null) {
    // RFC 7386: null deletes what earlier drop-ins merged; the --config file's value shows through.
    return {
      state: { kind: 'none' },
      problems: [],
      chain: [
        { provenance: { kind: 'drop-in', path }, value: null, text: `${key}: null in drop-in ${path}` },
      ],
      notes: [...duplicate, `the drop-in ${path} resets ${key} (null), cancelling earlier drop-ins`],
    };
  }
  return {
    state: { kind: 'value', value, path },
    problems: [],
    chain: [
      { provenance: { kind: 'drop-in', path }, value, text: `${key}: ${show(value)} in drop-in ${path}` },
    ],
    notes: duplicate,
  };
}
