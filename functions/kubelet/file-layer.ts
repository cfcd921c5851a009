/**
 * What the --config file and --config-dir layers share: where a path the kubelet was given is on the
 * host, which collected file it is, and how a problem with a file weighs.
 */
import { posix } from 'node:path';
import type { EvidenceDocument, FileEvidence } from '../collector/evidence-schema.ts';
import type { ParsedArgv } from './flags.ts';
import type { SettingProblem, SettingProblemCode, SettingSpec } from './setting.ts';

/** What reading one file layer of one kubelet needs. */
export interface FileLayerInput {
  readonly evidence: EvidenceDocument;
  /** The kubelet's pid: the collector records each file for the kubelet that named it. */
  readonly pid: number;
  /** The kubelet's working directory, for relative --config / --config-dir paths. */
  readonly cwd: string | undefined;
  readonly parsed: ParsedArgv;
  /** The setting asked for. */
  readonly spec: SettingSpec;
  /**
   * Whether a problem with a file leaves the value open: only when no command-line flag decides it,
   * since the flags apply on top of every file.
   */
  readonly blocking: boolean;
}

/** Relative paths resolve against the kubelet's working directory (filepath.Abs in loadConfigFile). */
export function resolvePath(raw: string, cwd: string | undefined): string | undefined {
  if (raw.startsWith('/')) return posix.normalize(raw);
  if (cwd === undefined || !cwd.startsWith('/')) return undefined;
  return posix.resolve(cwd, raw);
}

/** The collected file at `path` in `role`, preferring the copy recorded for this kubelet. */
export function pickFile(
  files: readonly FileEvidence[],
  role: FileEvidence['roles'][number],
  path: string,
  pid: number,
): FileEvidence | undefined {
  const byPath = files.filter((f) => f.roles.includes(role) && f.path === path);
  return byPath.find((f) => f.pid === pid) ?? byPath.find((f) => f.pid === undefined) ?? byPath[0];
}

export function fileProblem(
  input: FileLayerInput,
  code: SettingProblemCode,
  message: string,
  path?: string,
): SettingProblem {
  return { code, message, blocking: input.blocking, ...(path === undefined ? {} : { path }) };
}
