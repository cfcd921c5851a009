/** A node's answer, as every phase of a cluster scan sees it. */
import type { ComplianceStatus, ControlResult } from '../../controls/control.ts';

/** What the scan knows about one node once collection is over. */
export interface NodeAnswer {
  readonly results: readonly ControlResult[];
  readonly reasonCode?: string;
  readonly collectorVersion?: string;
  readonly filesRead?: readonly string[];
  readonly nodeOs?: string;
  /**
   * The scan could not reach the node (SSM offline or unmanaged, no answer in time): its results say
   * why, and a change-only scan may report its last verdict instead (staleness.ts).
   */
  readonly unreached?: boolean;
}

/**
 * What the scan keeps of a node's answer once its findings are planned: the summary's counts and the
 * node's record need only these, and a 5,000-node cluster's answers with their evidence (the kubelet's
 * command line, files, reasons) would otherwise stay in memory until the scan ends.
 */
export interface NodeVerdict {
  /** Each control's status, in the answer's order. */
  readonly statuses: readonly ComplianceStatus[];
  readonly reasonCode?: string;
  readonly unreached?: boolean;
}

export function verdictOf(answer: NodeAnswer): NodeVerdict {
  return {
    statuses: answer.results.map((r) => r.status),
    ...(answer.reasonCode ? { reasonCode: answer.reasonCode } : {}),
    ...(answer.unreached ? { unreached: true } : {}),
  };
}
