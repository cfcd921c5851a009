/**
 * The --config file layer of an effective setting: which file the kubelet loaded, and what it says
 * about the setting. A file the kubelet could not load would have stopped it, so such a file leaves
 * the value open unless a flag decides it.
 */
import type { FileEvidence } from '../collector/evidence-schema.ts';
import type { ConfigFormat } from './config-file.ts';
import { lookupPath } from './config-path.ts';
import { decodedFile } from './decoded-file.ts';
import { type FileLayerInput, fileProblem, pickFile, resolvePath } from './file-layer.ts';
import { resolveStringFlag } from './flags.ts';
import { KubeletSettings } from './kubelet-settings.ts';
import {
  type LayerReading,
  pathSegments,
  type SettingProblem,
  SettingProblemCode,
  type SettingSpec,
  show,
} from './setting.ts';
import { fromConfigValue, isZeroValue, type SettingValue, showValue } from './setting-types.ts';

/** What the --config file contributes: nothing, its decoded object, or a problem that hides it. */
export type ConfigLayer =
  | { readonly kind: 'absent' }
  | {
      readonly kind: 'object';
      readonly path: string;
      /** The setting's value in the file after load-time defaulting, when the file sets it. */
      readonly setting?: { readonly value: SettingValue; readonly text: string };
      /** The file's zero value that SetDefaults replaced at load (zeroIsDefaulted settings). */
      readonly zeroed?: string;
    }
  | { readonly kind: 'problem' };

export interface ConfigFileReading extends LayerReading {
  readonly layer: ConfigLayer;
  /** Host path of the --config file, when resolvable. */
  readonly configPath?: string;
  readonly configFormat?: ConfigFormat;
}

const NOTHING = { problems: [], chain: [], notes: [] } as const;

export function readConfigFile(input: FileLayerInput): ConfigFileReading {
  const configFlag = resolveStringFlag(input.parsed, 'config');
  if (configFlag === undefined || configFlag.value === '') return { ...NOTHING, layer: { kind: 'absent' } };
  const { path, file } = locateConfigFile(input, configFlag.value);
  if (path === undefined) {
    const message = `--config ${configFlag.value} is relative and the kubelet's working directory is unknown`;
    return {
      ...NOTHING,
      layer: { kind: 'problem' },
      problems: [fileProblem(input, SettingProblemCode.configUnresolvable, message)],
    };
  }
  if (file === undefined) {
    const message = `the config file ${path} is not in the evidence`;
    return {
      ...NOTHING,
      layer: { kind: 'problem' },
      configPath: path,
      problems: [fileProblem(input, SettingProblemCode.configMissing, message, path)],
    };
  }
  return { configPath: path, ...decodeConfigFile(input, file, path) };
}

/**
 * A known setting other than the one asked for that the file gives a type the kubelet refuses: the
 * whole file is then unloadable (the kubelet decodes it into one typed struct), whatever it says about
 * the setting asked for. Only the settings kubelet-settings.ts knows are checked.
 */
function otherRefusedSetting(
  object: Readonly<Record<string, unknown>>,
  asked: SettingSpec,
): string | undefined {
  for (const spec of Object.values(KubeletSettings) as SettingSpec[]) {
    if (spec.path === asked.path) continue;
    const found = lookupPath(object, pathSegments(spec));
    if (found.kind === 'not-object') return `${found.at} is ${show(found.raw)}, not an object`;
    if (found.kind !== 'value') continue;
    const typed = fromConfigValue(spec.type, found.raw);
    if (!typed.ok) return `${spec.path} is ${show(found.raw)}, ${typed.reason}`;
  }
  return undefined;
}

/**
 * The host path of the --config file and its collected copy. With a relative path and no known
 * working directory, the collector's only config file for this kubelet is taken (it resolved the path
 * itself).
 */
export function locateConfigFile(
  input: Pick<FileLayerInput, 'evidence' | 'pid' | 'cwd'>,
  raw: string,
): { path: string | undefined; file: FileEvidence | undefined } {
  const path = resolvePath(raw, input.cwd);
  if (path !== undefined) return { path, file: pickFile(input.evidence.files, 'config', path, input.pid) };
  const candidates = input.evidence.files.filter((f) => f.roles.includes('config') && f.pid === input.pid);
  if (candidates.length !== 1) return { path: undefined, file: undefined };
  const file = candidates[0];
  return { path: file?.path, file };
}

function decodeConfigFile(
  input: FileLayerInput,
  file: FileEvidence,
  path: string,
): Omit<ConfigFileReading, 'configPath'> {
  const problem = (code: SettingProblemCode, message: string) => ({
    ...NOTHING,
    layer: { kind: 'problem' } as const,
    problems: [fileProblem(input, code, message, path)],
  });
  const { content, decoded } = decodedFile(file);
  if (!content.ok) {
    const missing = /not found|no such file/i.test(content.reason);
    return missing
      ? problem(
          SettingProblemCode.configMissing,
          `the config file ${path} does not exist, yet the kubelet cannot start without it`,
        )
      : problem(
          SettingProblemCode.configUnreadable,
          `the config file ${path} could not be read: ${content.reason}`,
        );
  }
  if (content.cut || decoded === undefined)
    return problem(SettingProblemCode.configCut, `the collector cut the config file ${path}`);
  const format = decoded.format === undefined ? {} : { configFormat: decoded.format };
  if (!decoded.ok) {
    const message = `the kubelet could not have loaded the config file ${path}: ${decoded.reason}`;
    return { ...problem(SettingProblemCode.configUnloadable, message), ...format };
  }
  const { spec } = input;
  const refused = otherRefusedSetting(decoded.object, spec);
  if (refused !== undefined) {
    return {
      ...problem(
        SettingProblemCode.wrongType,
        `the kubelet could not have loaded the config file ${path}: ${refused}`,
      ),
      ...format,
    };
  }
  const found = lookupPath(decoded.object, pathSegments(spec));
  const top = pathSegments(spec)[0]!;
  const notes = decoded.duplicateKeys.includes(top)
    ? [`${top} appears more than once in ${path}; the last one counts`]
    : [];
  // json null into a field leaves it unset, so SetDefaults gives it its default.
  if (found.kind === 'absent' || found.kind === 'null') {
    return { layer: { kind: 'object', path }, ...format, problems: [], chain: [], notes };
  }
  const typed =
    found.kind === 'value'
      ? fromConfigValue(spec.type, found.raw)
      : { ok: false as const, reason: `${found.at} is ${show(found.raw)}, not an object` };
  if (!typed.ok) {
    // Strict and lenient typed decoding both fail on a type error: the kubelet would not start.
    const what =
      found.kind === 'value' ? `${spec.path} is ${show(found.raw)}, ${typed.reason}` : typed.reason;
    return {
      ...problem(
        SettingProblemCode.wrongType,
        `the kubelet could not have loaded the config file ${path}: ${what}`,
      ),
      ...format,
    };
  }
  const text = `${spec.path}: ${showValue(typed.value)} in ${path}`;
  const source = { provenance: { kind: 'config-file' as const, path }, value: typed.value, text };
  if (spec.zeroIsDefaulted && isZeroValue(typed.value)) {
    return { layer: { kind: 'object', path, zeroed: text }, ...format, problems: [], chain: [source], notes };
  }
  return {
    layer: { kind: 'object', path, setting: { value: typed.value, text } },
    ...format,
    problems: [] as SettingProblem[],
    chain: [source],
    notes,
  };
}
