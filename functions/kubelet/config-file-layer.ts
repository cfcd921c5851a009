/**
 * The --config file layer of an effective setting: which file the kubelet loaded, and what it says
 * about the setting. A file the kubelet could not load would have stopped it, so such a file leaves
 * the value open unless a flag decides it.
 */
import type { FileEvidence } from '../collector/evidence-schema.ts';
import { type ConfigFormat, decodeKubeletConfig } from './config-file.ts';
import { fileBytes } from './file-content.ts';
import { type FileLayerInput, fileProblem, pickFile, resolvePath } from './file-layer.ts';
import { resolveStringFlag } from './flags.ts';
import { type LayerReading, SettingProblemCode, show } from './setting.ts';

/** What the --config file contributes: nothing, its decoded object, or a problem that hides it. */
export type ConfigLayer =
  | { readonly kind: 'absent' }
  | { readonly kind: 'object'; readonly path: string; readonly object: Readonly<Record<string, unknown>> }
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
 * The host path of the --config file and its collected copy. With a relative path and no known
 * working directory, the collector's only config file for this kubelet is taken (it resolved the path
 * itself).
 */
function locateConfigFile(
  input: FileLayerInput,
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
  const content = fileBytes(file);
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
  if (content.cut) return problem(SettingProblemCode.configCut, `the collector cut the config file ${path}`);
  const decoded = decodeKubeletConfig(content.bytes);
  const format = decoded.format === undefined ? {} : { configFormat: decoded.format };
  if (!decoded.ok) {
    const message = `the kubelet could not have loaded the config file ${path}: ${decoded.reason}`;
    return { ...problem(SettingProblemCode.configUnloadable, message), ...format };
  }
  const { key } = input;
  const value = Object.hasOwn(decoded.object, key) ? decoded.object[key] : undefined;
  if (value !== undefined && value !== null && typeof value !== 'boolean') {
    // Strict and lenient typed decoding both fail on a type error: the kubelet would not start.
    const message = `the kubelet could not have loaded the config file ${path}: ${key} is ${show(value)}, not a boolean`;
    return { ...problem(SettingProblemCode.wrongType, message), ...format };
  }
  return {
    layer: { kind: 'object', path, object: decoded.object },
    ...format,
    problems: [],
    chain:
      typeof value === 'boolean'
        ? [{ provenance: { kind: 'config-file', path }, value, text: `${key}: ${value} in ${path}` }]
        : [],
    notes: decoded.duplicateKeys.includes(key)
      ? [`${key} appears more than once in ${path}; the last one counts`]
      : [],
  };
}
