/**
 * A control is data plus one pure `evaluate`, of one of two kinds: a setting control judges the
 * effective values of the kubelet settings it declares; a file control (CIS EKS 3.1.x) judges the
 * metadata of the files the kubelet opens for one role. run-control.ts (and run-file-control.ts for
 * file controls) finds what evaluate needs and answers every case in which it cannot be judged.
 * Verdicts are Security Hub compliance statuses so a result maps onto an ASFF finding without
 * translation.
 */
import type { EvidenceDocument, FileEvidence } from '../collector/evidence-schema.ts';
import type { EffectiveSetting, SettingSpec } from '../kubelet/effective-config.ts';
import type { KubeletVersion } from '../kubelet/kubelet-version.ts';
import type { Provenance } from '../kubelet/provenance.ts';
import type { SettingValue } from '../kubelet/setting-types.ts';
import type { BottlerocketRule } from './bottlerocket-rule.ts';

/** How every remediation ends on a node that runs the kubelet under systemd. */
export const RESTART_KUBELET =
  'systemctl daemon-reload && systemctl restart kubelet.service && systemctl status kubelet -l';

export const ComplianceStatus = {
  PASSED: 'PASSED',
  FAILED: 'FAILED',
  WARNING: 'WARNING',
  NOT_AVAILABLE: 'NOT_AVAILABLE',
} as const;
export type ComplianceStatus = (typeof ComplianceStatus)[keyof typeof ComplianceStatus];

export const Severity = {
  INFORMATIONAL: 'INFORMATIONAL',
  LOW: 'LOW',
  MEDIUM: 'MEDIUM',
  HIGH: 'HIGH',
  CRITICAL: 'CRITICAL',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** A CIS benchmark reference, e.g. { benchmark: 'CIS Amazon EKS Benchmark', version: 'v1.8.0', id: '3.2.6' }. */
export interface CisReference {
  readonly benchmark: string;
  readonly version: string;
  readonly id: string;
}

/** The outcome of one control on one node. */
export interface ControlResult {
  readonly controlId: string;
  readonly status: ComplianceStatus;
  /** One or two sentences a person can act on; ≤ 1,000 characters. */
  readonly reason: string;
  /** The effective value the kubelet runs with, when known. */
  readonly effectiveValue?: unknown;
  /** What decided the effective value, when known. */
  readonly decidedBy?: Provenance;
  /** Drift between the running process and what unit/environment files would start, when seen. */
  readonly drift?: string;
  /** Short machine-readable facts behind the verdict (source paths, raw values), string to string. */
  readonly evidence: Readonly<Record<string, string>>;
}

export interface Remediation {
  /** ≤ 512 characters (Security Hub Remediation.Recommendation.Text). */
  readonly short: string;
  readonly url: string;
  /** Longer per-node-type guidance for the README and the CLI (keys: node-type.ts NodeType). */
  readonly byNodeType: Readonly<Record<string, string>>;
}

/** The control's number in each benchmark that has it. */
export interface CisIds {
  /** CIS Amazon EKS Benchmark v1.5.0–v1.8.0 (the same in v1.5.0, v1.7.0, v1.8.0). */
  readonly eks: string;
  /** CIS Amazon EKS Benchmark v1.0.1–v1.2.0 numbering; absent when the control was not there. */
  readonly eksLegacy?: string;
  /** CIS Kubernetes Benchmark v1.8.0 worker-node id (the numbering of Bottlerocket's cis-k8s report). */
  readonly kubernetes: string;
}

/** The cases in which a control may not apply to a node. */
export const NotApplicableCase = {
  windows: 'windows',
  bottlerocket: 'bottlerocket',
  /** A kubelet without --kubeconfig (no API server: standalone mode). */
  standalone: 'standalone',
  autoMode: 'autoMode',
} as const;
export type NotApplicableCase = (typeof NotApplicableCase)[keyof typeof NotApplicableCase];

export interface Applicability {
  /** Why the control does not apply, per case ("Windows nodes have no iptables..."); absent = it applies. */
  readonly notApplicable: Readonly<Partial<Record<NotApplicableCase, string>>>;
}

/** What a control's evaluate receives: each declared setting, resolved (value, provenance, problems). */
export interface ControlContext<K extends string = string> {
  readonly settings: Readonly<Record<K, EffectiveSetting & { readonly value: SettingValue }>>;
  /** The judged kubelet's version (its binary's `--version`), when the collector could read it. */
  readonly kubeletVersion?: KubeletVersion;
  /** The judged kubelet's working directory (host path), against which it opens relative paths. */
  readonly kubeletCwd?: string;
  /** The collected facts of a host path (metadata only for most files), preferring this kubelet's copy. */
  readonly files?: (hostPath: string) => FileEvidence | undefined;
}

/** A control's judgement: the status, a lead sentence said of the node, and which setting decided. */
export interface Verdict<K extends string = string> {
  readonly status:
    | typeof ComplianceStatus.PASSED
    | typeof ComplianceStatus.FAILED
    | typeof ComplianceStatus.WARNING;
  /** "The kubelet manages iptables utility chains"; the runner adds what decided the value. */
  readonly reason: string;
  readonly decidedBy: K;
  /** Facts behind the verdict beyond the deciding setting (e.g. the client CA file's path), for evidence. */
  readonly evidence?: Readonly<Record<string, string>>;
}

/** What every control is besides its judgement: identity, benchmark references, text, applicability. */
export interface ControlData {
  readonly id: string;
  readonly cisIds: CisIds;
  /** The CIS EKS references in every benchmark version, as Security Hub's RelatedRequirements list them. */
  readonly cis: readonly CisReference[];
  /** Says what a passing node looks like. ≤ 200 characters. */
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  /** Why this severity, in one line. */
  readonly severityWhy: string;
  readonly profile: 'Level 1' | 'Level 2';
  readonly applicability: Applicability;
  readonly remediation: Remediation;
  /**
   * How Bottlerocket's own CIS Kubernetes report judges this control, when not by its check
   * cisIds.kubernetes read as ours (bottlerocket-rule.ts, bottlerocket-verdict.ts).
   */
  readonly bottlerocket?: BottlerocketRule;
}

/** A control as data plus one pure judgement over the kubelet settings it declares. */
export interface SettingControl<K extends string = string> extends ControlData {
  /** The kubelet settings evaluate receives, by name; the first is the one a reason names by default. */
  readonly settings: Readonly<Record<K, SettingSpec>>;
  readonly files?: never;
  /** Pure: every declared setting has a known value here (the runner answers the other cases). */
  evaluate(context: ControlContext<K>): Verdict<K>;
}

/**
 * Which files a file control judges, as the running kubelet names them: `kubeconfig` is the file of
 * the last --kubeconfig; `kubelet-config` is the file of the last --config and every *.conf drop-in
 * the kubelet reads from the last --config-dir (they carry the same settings).
 */
export const ControlFiles = {
  kubeconfig: 'kubeconfig',
  kubeletConfig: 'kubelet-config',
} as const;
export type ControlFiles = (typeof ControlFiles)[keyof typeof ControlFiles];

/** How the kubelet came to open a file. */
export type KubeletFileSource = 'kubeconfig' | 'config' | 'drop-in';

/** One regular file the kubelet opens, with the metadata of what it opens (a link's target). */
export interface KubeletFile {
  /** Host path as the kubelet names it (relative flags resolved against its working directory). */
  readonly path: string;
  readonly source: KubeletFileSource;
  /** Octal mode with the setuid/setgid/sticky digit, e.g. "0644", "2640". */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  /** readlink of `path` when it is a symbolic link; mode/uid/gid are then the target's. */
  readonly linkTarget?: string;
}

/** What a file control's evaluate receives: every file of its role, each a regular file (at least one). */
export interface FileControlContext {
  readonly files: readonly KubeletFile[];
}

/** A file control's judgement: the status and one or two sentences naming the files that decided it. */
export interface FileVerdict {
  readonly status: typeof ComplianceStatus.PASSED | typeof ComplianceStatus.FAILED;
  readonly reason: string;
}

/** A control as data plus one pure judgement over the metadata of the files it declares. */
export interface FileControl extends ControlData {
  readonly files: ControlFiles;
  readonly settings?: never;
  /** Pure: every file is a regular file with known metadata here (run-file-control.ts answers the rest). */
  evaluate(context: FileControlContext): FileVerdict;
}

/** Any control of the catalog. */
export type Control<K extends string = string> = SettingControl<K> | FileControl;

export function isFileControl(control: Control): control is FileControl {
  return control.files !== undefined;
}

/** What running a control on a node receives. */
export interface NodeEvaluationInput {
  readonly evidence: EvidenceDocument;
  /** Node facts known outside the evidence (from EC2/SSM), e.g. platform "linux" | "windows". */
  readonly node?: { readonly platform?: string };
}

const EKS_LEGACY_VERSIONS = ['v1.0.1', 'v1.1.0', 'v1.2.0'] as const;
const EKS_VERSIONS = ['v1.5.0', 'v1.7.0', 'v1.8.0'] as const;
const EKS = 'CIS Amazon EKS Benchmark';

/** The EKS references of a control's ids, oldest benchmark first. */
export function eksReferences(ids: CisIds): CisReference[] {
  const legacy = ids.eksLegacy;
  return [
    ...(legacy === undefined
      ? []
      : EKS_LEGACY_VERSIONS.map((version) => ({ benchmark: EKS, version, id: legacy }))),
    ...EKS_VERSIONS.map((version) => ({ benchmark: EKS, version, id: ids.eks })),
  ];
}

/** A setting control from its data: the references follow from its ids. */
export function defineControl<K extends string>(
  definition: Omit<SettingControl<K>, 'cis'>,
): SettingControl<K> {
  return { ...definition, cis: eksReferences(definition.cisIds) };
}

/** A file control from its data: the references follow from its ids. */
export function defineFileControl(definition: Omit<FileControl, 'cis'>): FileControl {
  return { ...definition, cis: eksReferences(definition.cisIds) };
}
