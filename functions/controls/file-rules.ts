/**
 * The two rules of the CIS EKS file controls (3.1.1–3.1.4) and how their verdicts read. Permissions:
 * no permission bit outside 0644 and no setuid, setgid or sticky bit (kube-bench's `%a` includes the
 * special bits, and a setgid kubeconfig is not "644 or more restrictive"). Ownership: uid 0 and gid 0,
 * compared as numbers (names differ between images, ids do not).
 */
import { ComplianceStatus, type FileVerdict, type KubeletFile, type KubeletFileSource } from './control.ts';

const NOUN: Readonly<Record<KubeletFileSource, string>> = {
  kubeconfig: 'kubeconfig',
  config: 'config file',
  'drop-in': 'drop-in',
};

/** Each bit outside 0644 by name, the special bits first. */
const EXCESS_BITS: readonly (readonly [number, string])[] = [
  [0o4000, 'setuid'],
  [0o2000, 'setgid'],
  [0o1000, 'sticky'],
  [0o100, 'owner execute'],
  [0o020, 'group write'],
  [0o010, 'group execute'],
  [0o002, 'others write'],
  [0o001, 'others execute'],
];

/** The names of the mode's bits outside 0644 (empty: the mode passes). */
export function modeExcess(mode: string): string[] {
  const bits = Number.parseInt(mode, 8);
  return EXCESS_BITS.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
}

export function ownedByRoot(file: KubeletFile): boolean {
  return file.uid === 0 && file.gid === 0;
}

/** "the drop-in /x.conf (a symbolic link to /y.conf, judged by its target)". */
export function fileText(file: KubeletFile): string {
  const link =
    file.linkTarget === undefined
      ? ''
      : ` (a symbolic link to ${file.linkTarget}; its target, which the kubelet opens, is judged)`;
  return `the ${NOUN[file.source]} ${file.path}${link}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface Rule {
  readonly passes: (file: KubeletFile) => boolean;
  /** How a file reads, passing or not: "has mode 0664 (group write beyond 0644)". */
  readonly state: (file: KubeletFile) => string;
  /** What every passing file has in common, for a PASSED reason about several files. */
  readonly passing: string;
}

function judge(files: readonly KubeletFile[], rule: Rule): FileVerdict {
  const failing = files.filter((f) => !rule.passes(f));
  const passing = files.filter((f) => rule.passes(f));
  const each = (list: readonly KubeletFile[]) =>
    list.map((f) => `${fileText(f)} ${rule.state(f)}`).join('; ');
  if (failing.length === 0) {
    const reason =
      files.length === 1
        ? capitalised(each(files))
        : `All ${files.length} files ${rule.passing}: ${each(files)}`;
    return { status: ComplianceStatus.PASSED, reason };
  }
  const rest =
    passing.length === 0
      ? ''
      : `. ${passing.length === 1 ? 'It passes otherwise' : 'The others pass'}: ${each(passing)}`;
  return { status: ComplianceStatus.FAILED, reason: `${capitalised(each(failing))}${rest}` };
}

const PERMISSIONS: Rule = {
  passes: (f) => modeExcess(f.mode).length === 0,
  state: (f) => {
    const excess = modeExcess(f.mode);
    return excess.length === 0
      ? `has mode ${f.mode} (nothing beyond 0644, no special bit)`
      : `has mode ${f.mode} (${excess.join(', ')} beyond 0644)`;
  },
  passing: 'have mode 0644 or stricter and no setuid, setgid or sticky bit',
};

const OWNERSHIP: Rule = {
  passes: ownedByRoot,
  state: (f) =>
    ownedByRoot(f)
      ? 'is owned by root (uid 0, gid 0)'
      : `is owned by uid ${f.uid}, gid ${f.gid}, not root:root`,
  passing: 'are owned by root (uid 0, gid 0)',
};

/** PASSED when no file has a bit outside 0644; the reason names each offending file and its mode. */
export function judgePermissions(files: readonly KubeletFile[]): FileVerdict {
  return judge(files, PERMISSIONS);
}

/** PASSED when every file is uid 0 and gid 0; the reason names each offending file and its owner. */
export function judgeOwnership(files: readonly KubeletFile[]): FileVerdict {
  return judge(files, OWNERSHIP);
}
