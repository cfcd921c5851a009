/**
 * A control is data plus one pure `evaluate`. Verdicts are Security Hub compliance statuses so a
 * result maps onto an ASFF finding without translation.
 */
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import type { Provenance } from '../kubelet/provenance.ts';

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
  /** Longer per-node-type guidance for the README and the CLI. */
  readonly byNodeType: Readonly<Record<string, string>>;
}

export interface Control {
  readonly id: string;
  /** Says what a passing node looks like. ≤ 200 characters. */
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly profile: 'Level 1' | 'Level 2';
  readonly cis: readonly CisReference[];
  readonly remediation: Remediation;
  /** Pure: the node's evidence (already validated) in, one verdict out. */
  evaluate(input: NodeEvaluationInput): ControlResult;
}

/** What a control's evaluate receives. */
export interface NodeEvaluationInput {
  readonly evidence: EvidenceDocument;
  /** Node facts known outside the evidence (from EC2/SSM), e.g. platform "linux" | "windows". */
  readonly node?: { readonly platform?: string };
}
