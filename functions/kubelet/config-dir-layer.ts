/**
 * The --config-dir layer of an effective setting: the drop-ins the kubelet merges over its --config
 * file, in its order (drop-ins.ts), and what they leave at the setting's path.
 *
 * Each drop-in is an RFC 7386 merge patch (server.go mergeKubeletConfigurations), so objects merge
 * key by key: a drop-in that sets authentication.webhook leaves authentication.anonymous alone. What
 * this layer returns is the merged drop-ins' own word on the path: nothing, a value, a deletion (a
 * `null` at the path or above it, or an object patched over a scalar that lacks the path), or a scalar
 * where an object belongs. How a deletion reads depends on the kubelet's version (effective-config.ts).
 * Only the final merged value is decoded into the typed struct, so a wrong-typed value that a later
 * drop-in overrides does no harm, while a wrong-typed final value stops the kubelet.
 */
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import { lookupPath, type PathLookup } from './config-path.ts';
import { decodedFile } from './decoded-file.ts';
import { selectDropIns } from './drop-ins.ts';
import { type FileLayerInput, fileProblem, pickFile, resolvePath } from './file-layer.ts';
import { resolveStringFlag } from './flags.ts';
import {
  type LayerReading,
  pathSegments,
  type SettingProblem,
  SettingProblemCode,
  type SettingSource,
  show,
} from './setting.ts';

/** What the merged drop-ins leave at the setting's path (`path` is the drop-in that decided it). */
export type DropInState =
  | { readonly kind: 'none' }
  | { readonly kind: 'value'; readonly value: unknown; readonly path: string }
  | { readonly kind: 'deleted'; readonly path: string; readonly at: string }
  | {
      readonly kind: 'not-object';
      readonly path: string;
      readonly at: string;
      readonly depth: number;
      readonly raw: unknown;
    }
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
export function locateConfigDir(
  input: Pick<FileLayerInput, 'evidence' | 'pid' | 'cwd'>,
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
    if (step.lookup !== undefined) state = nextState(state, step.lookup, path, input);
    else if (step.unknown) state = { kind: 'unknown' };
  }
  return { state, problems, chain, notes };
}

/** The merged state after one more drop-in (a merge patch) at the setting's path. */
function nextState(state: DropInState, found: PathLookup, path: string, input: FileLayerInput): DropInState {
  switch (found.kind) {
    case 'value':
      return { kind: 'value', value: found.raw, path };
    case 'null':
      return { kind: 'deleted', path, at: found.at };
    case 'not-object':
      return { kind: 'not-object', path, at: found.at, depth: found.depth, raw: found.raw };
    case 'absent':
      // An object patched over an earlier scalar replaces it, without the rest of the path.
      if (state.kind === 'not-object' && found.depth > state.depth) {
        return {
          kind: 'deleted',
          path,
          at: pathSegments(input.spec)
            .slice(0, state.depth + 1)
            .join('.'),
        };
      }
      return state;
  }
}

/** One drop-in's effect on the merge: its lookup of the path, or unknown when it cannot be read. */
interface DropInStep extends LayerReading {
  readonly lookup?: PathLookup;
  readonly unknown?: boolean;
}

function readDropIn(input: FileLayerInput, path: string): DropInStep {
  const unknown = (code: SettingProblemCode, message: string): DropInStep => ({
    unknown: true,
    problems: [fileProblem(input, code, message, path)],
    chain: [],
    notes: [],
  });
  const file = pickFile(input.evidence.files, 'config-dir-entry', path, input.pid);
  if (file === undefined)
    return unknown(SettingProblemCode.dropInMissing, `the drop-in ${path} is not in the evidence`);
  const { content, decoded } = decodedFile(file);
  if (!content.ok) {
    const message = `the drop-in ${path} could not be read: ${content.reason}`;
    return unknown(SettingProblemCode.dropInUnreadable, message);
  }
  if (content.cut || decoded === undefined)
    return unknown(SettingProblemCode.dropInCut, `the collector cut the drop-in ${path}`);
  if (!decoded.ok) {
    const message = `the kubelet could not have loaded the drop-in ${path}: ${decoded.reason}`;
    return unknown(SettingProblemCode.dropInUnloadable, message);
  }
  const segments = pathSegments(input.spec);
  const found = lookupPath(decoded.object, segments);
  const top = segments[0]!;
  const notes = decoded.duplicateKeys.includes(top)
    ? [`${top} appears more than once in ${path}; the last one counts`]
    : [];
  const provenance = { kind: 'drop-in' as const, path };
  switch (found.kind) {
    case 'absent':
      return { lookup: found, problems: [], chain: [], notes };
    case 'null':
      // RFC 7386: null deletes what the merge holds there (effective-config.ts: what shows through).
      return {
        lookup: found,
        problems: [],
        chain: [{ provenance, value: null, text: `${found.at}: null in drop-in ${path}` }],
        notes: [...notes, `the drop-in ${path} resets ${found.at} (null), cancelling earlier drop-ins`],
      };
    case 'not-object':
      return {
        lookup: found,
        problems: [],
        chain: [{ provenance, value: found.raw, text: `${found.at}: ${show(found.raw)} in drop-in ${path}` }],
        notes,
      };
    case 'value':
      return {
        lookup: found,
        problems: [],
        chain: [
          { provenance, value: found.raw, text: `${input.spec.path}: ${show(found.raw)} in drop-in ${path}` },
        ],
        notes,
      };
  }
}
