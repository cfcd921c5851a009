/**
 * The files one running kubelet opens for a file control's role (ControlFiles), found the way the
 * kubelet finds them: the last --kubeconfig / --config / --config-dir on its command line (pflag,
 * flags.ts), relative paths resolved against its working directory (file-layer.ts), and the *.conf
 * drop-ins in filepath.WalkDir order (drop-ins.ts). Each file is either judgeable (a regular file
 * with mode, uid and gid) or a problem that says why not; a symbolic link is judged by its target,
 * which is what the kubelet opens, and keeps its own path and target for the reason.
 */
import type { EvidenceDocument, FileEvidence, KubeletProcess } from '../collector/evidence-schema.ts';
import { locateConfigDir } from '../kubelet/config-dir-layer.ts';
import { locateConfigFile } from '../kubelet/config-file-layer.ts';
import { selectDropIns } from '../kubelet/drop-ins.ts';
import { pickFile, resolvePath } from '../kubelet/file-layer.ts';
import {
  describeOccurrence,
  type FlagOccurrence,
  type ParsedArgv,
  parseKubeletArgv,
  resolveStringFlag,
} from '../kubelet/flags.ts';
import { ControlFiles, type KubeletFile, type KubeletFileSource } from './control.ts';

export const FileProblemCode = {
  /** The kubelet would refuse the recorded command line, or it was cut: which file is open. */
  argvRejected: 'argv-rejected',
  argvCut: 'argv-cut',
  ambiguousFlag: 'ambiguous-flag',
  pathUnresolvable: 'path-unresolvable',
  notCollected: 'not-collected',
  missing: 'file-missing',
  notRegular: 'not-regular-file',
  uninspectable: 'uninspectable',
  configDirUnlisted: 'config-dir-unlisted',
  configDirCut: 'config-dir-cut',
} as const;
export type FileProblemCode = (typeof FileProblemCode)[keyof typeof FileProblemCode];

export interface FileProblem {
  readonly code: FileProblemCode;
  readonly message: string;
}

export interface KubeletFilesReading {
  /** Regular files with known metadata, in the order the kubelet reads them. */
  readonly files: readonly KubeletFile[];
  /** What keeps a file of the role from being judged. */
  readonly problems: readonly FileProblem[];
  /** The command line leaves open which files count at all. */
  readonly listUnknown: boolean;
  /** Set when the kubelet opens no file of the role (why, said of the node). */
  readonly none?: string;
  /** Evidence keys: the paths the flags name and the metadata seen. */
  readonly facts: Readonly<Record<string, string>>;
}

export interface KubeletFilesInput {
  readonly evidence: EvidenceDocument;
  readonly kubelet: KubeletProcess;
  readonly files: ControlFiles;
}

const LABEL: Readonly<Record<KubeletFileSource, string>> = {
  kubeconfig: 'the kubeconfig',
  config: 'the config file',
  'drop-in': 'the drop-in',
};

const ROLE: Readonly<Record<KubeletFileSource, FileEvidence['roles'][number]>> = {
  kubeconfig: 'kubeconfig',
  config: 'config',
  'drop-in': 'config-dir-entry',
};

/** What the command line says before any file is looked at: problems that leave the flags open. */
function commandLineProblems(kubelet: KubeletProcess, parsed: ParsedArgv, flags: readonly string[]) {
  const problems: FileProblem[] = parsed.problems.map((p) => ({
    code: FileProblemCode.argvRejected,
    message: `the kubelet would refuse this command line: ${p.message} (argument ${p.index})`,
  }));
  if (kubelet.argvCut === true) {
    problems.push({
      code: FileProblemCode.argvCut,
      message: `the collector cut the command line, so a later ${flags.map((f) => `--${f}`).join(' or ')} may be missing`,
    });
  }
  for (const flag of flags) {
    const o = resolveStringFlag(parsed, flag);
    if (o?.followsUnknownFlag === undefined) continue;
    problems.push({
      code: FileProblemCode.ambiguousFlag,
      message: `${o.arg} (argument ${o.index}) follows the unrecognised flag ${kubelet.argv[o.followsUnknownFlag] ?? ''}, which may have taken it as its value`,
    });
  }
  return problems;
}

/** One collected file as a judgeable file or the reason it is not. */
export function inspectFile(
  evidence: EvidenceDocument,
  at: { readonly path: string; readonly source: KubeletFileSource; readonly pid: number },
): { readonly file: KubeletFile } | { readonly problem: FileProblem } {
  const { path, source } = at;
  const what = `${LABEL[source]} ${path}`;
  const problem = (code: FileProblemCode, message: string) => ({ problem: { code, message } });
  const f = pickFile(evidence.files, ROLE[source], path, at.pid);
  if (f === undefined) {
    const why = evidence.cut ? ' (the collector reached its output cap)' : '';
    return problem(FileProblemCode.notCollected, `${what} is not in the evidence${why}`);
  }
  const link = f.target === undefined ? '' : ` (a symbolic link to ${f.target})`;
  if (f.error?.startsWith('not found')) {
    const dangling = f.target === undefined ? '' : `: a dangling symbolic link to ${f.target}`;
    return problem(
      FileProblemCode.missing,
      `${what} does not exist${dangling}, yet the kubelet runs with it`,
    );
  }
  // Only a regular file is ever shipped as readable (collect.sh inspect), so ok without a type is one.
  const type = f.type ?? (f.ok ? 'file' : undefined);
  if (type !== undefined && type !== 'file') {
    return problem(FileProblemCode.notRegular, `${what}${link} is not a regular file but a ${type}`);
  }
  if (type === 'file' && f.mode !== undefined && f.uid !== undefined && f.gid !== undefined) {
    const linkTarget = f.target === undefined ? {} : { linkTarget: f.target };
    return { file: { path, source, mode: f.mode.padStart(4, '0'), uid: f.uid, gid: f.gid, ...linkTarget } };
  }
  return problem(
    FileProblemCode.uninspectable,
    `${what}${link} could not be inspected: ${f.error ?? 'no mode or owner recorded'}`,
  );
}

function flagArgument(o: FlagOccurrence, argv: readonly string[]): string {
  return `argument ${o.index}: ${describeOccurrence(o, argv)}`;
}

interface Collected {
  files: KubeletFile[];
  problems: FileProblem[];
  facts: Record<string, string>;
}

function collect(
  evidence: EvidenceDocument,
  pid: number,
  found: Collected,
  at: Omit<KubeletFile, 'mode' | 'uid' | 'gid'>,
) {
  const seen = inspectFile(evidence, { path: at.path, source: at.source, pid });
  if ('file' in seen) found.files.push(seen.file);
  else found.problems.push(seen.problem);
}

function kubeconfigFiles(input: KubeletFilesInput, parsed: ParsedArgv, found: Collected): string | undefined {
  const { kubelet, evidence } = input;
  const flag = resolveStringFlag(parsed, 'kubeconfig');
  // server.go run: standaloneMode = len(s.KubeConfig) == 0.
  if (flag === undefined || flag.value === '') {
    return 'the kubelet runs without --kubeconfig (standalone mode: no API server), so there is no kubeconfig file';
  }
  found.facts.flagArguments = flagArgument(flag, kubelet.argv);
  const path = resolvePath(flag.value, kubelet.cwd);
  if (path === undefined) {
    found.problems.push({
      code: FileProblemCode.pathUnresolvable,
      message: `--kubeconfig ${flag.value} is relative and the kubelet's working directory is unknown`,
    });
    return undefined;
  }
  found.facts.kubeconfig = path;
  collect(evidence, kubelet.pid, found, { path, source: 'kubeconfig' });
  return undefined;
}

function configFiles(input: KubeletFilesInput, parsed: ParsedArgv, found: Collected): string | undefined {
  const { kubelet, evidence } = input;
  const where = { evidence, pid: kubelet.pid, cwd: kubelet.cwd };
  const config = resolveStringFlag(parsed, 'config');
  const dirFlag = resolveStringFlag(parsed, 'config-dir');
  const usesConfig = config !== undefined && config.value !== '';
  const usesDir = dirFlag !== undefined && dirFlag.value !== '';
  found.facts.flagArguments = [usesConfig ? config : undefined, usesDir ? dirFlag : undefined]
    .filter((o) => o !== undefined)
    .map((o) => flagArgument(o, kubelet.argv))
    .join('; ');
  if (usesConfig) {
    const { path } = locateConfigFile(where, config.value);
    if (path === undefined) {
      found.problems.push({
        code: FileProblemCode.pathUnresolvable,
        message: `--config ${config.value} is relative and the kubelet's working directory is unknown`,
      });
    } else {
      found.facts.configFile = path;
      collect(evidence, kubelet.pid, found, { path, source: 'config' });
    }
  }
  let dropIns = 0;
  if (usesDir) dropIns = dropInFiles({ ...where, raw: dirFlag.value }, found);
  if (!usesConfig && !usesDir) {
    return 'the kubelet runs without --config and without --config-dir: its settings come from flags and defaults only, so there is no kubelet config file';
  }
  if (!usesConfig && dropIns === 0 && found.problems.length === 0) {
    return `the kubelet runs without --config and its --config-dir ${found.facts.configDir ?? dirFlag?.value} holds no *.conf drop-in, so there is no kubelet config file`;
  }
  return undefined;
}

/** The drop-ins of --config-dir the kubelet reads; returns how many it names. */
function dropInFiles(
  where: {
    readonly evidence: EvidenceDocument;
    readonly pid: number;
    readonly cwd: string | undefined;
    readonly raw: string;
  },
  found: Collected,
): number {
  const { configDir, dir } = locateConfigDir(where, where.raw);
  const problem = (code: FileProblemCode, message: string) => found.problems.push({ code, message });
  if (configDir === undefined) {
    problem(
      FileProblemCode.pathUnresolvable,
      `--config-dir ${where.raw} is relative and the kubelet's working directory is unknown`,
    );
    return 0;
  }
  found.facts.configDir = configDir;
  if (dir === undefined) {
    problem(FileProblemCode.configDirUnlisted, `the drop-in directory ${configDir} is not in the evidence`);
    return 0;
  }
  if (dir.error !== undefined) {
    problem(
      FileProblemCode.configDirUnlisted,
      `the drop-in directory ${configDir} could not be listed (${dir.error}), yet the kubelet cannot start without it`,
    );
    return 0;
  }
  if (dir.cut)
    problem(
      FileProblemCode.configDirCut,
      `the collector cut the listing of ${configDir}, so drop-ins may be missing`,
    );
  const paths = selectDropIns(dir.entries, configDir);
  for (const path of paths) collect(where.evidence, where.pid, found, { path, source: 'drop-in' });
  return paths.length;
}

function metadataFacts(files: readonly KubeletFile[]): Record<string, string> {
  const facts: Record<string, string> = {};
  if (files.length > 0) {
    facts.files = files.map((f) => `${f.path} mode ${f.mode} uid ${f.uid} gid ${f.gid}`).join('; ');
  }
  const links = files.filter((f) => f.linkTarget !== undefined);
  if (links.length > 0) facts.symlinks = links.map((f) => `${f.path} -> ${f.linkTarget}`).join('; ');
  return facts;
}

/** The files of `input.files` that this kubelet opens, as far as the evidence tells. Never throws. */
export function kubeletFiles(input: KubeletFilesInput): KubeletFilesReading {
  const parsed = parseKubeletArgv(input.kubelet.argv);
  const flags = input.files === ControlFiles.kubeconfig ? ['kubeconfig'] : ['config', 'config-dir'];
  const argvProblems = commandLineProblems(input.kubelet, parsed, flags);
  const found: Collected = { files: [], problems: [...argvProblems], facts: {} };
  const none =
    input.files === ControlFiles.kubeconfig
      ? kubeconfigFiles(input, parsed, found)
      : configFiles(input, parsed, found);
  const facts = { ...found.facts, ...metadataFacts(found.files) };
  if (facts.flagArguments === '') delete facts.flagArguments;
  const listUnknown = argvProblems.length > 0;
  // A cut or refused command line may hide the flag that names the file: not "none", unknown.
  if (none !== undefined && !listUnknown) return { files: [], problems: [], listUnknown, none, facts };
  return { files: found.files, problems: found.problems, listUnknown, facts };
}
