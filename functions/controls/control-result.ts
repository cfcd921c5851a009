/**
 * The parts of a control result every control shares: the length limits, the node facts in its
 * evidence, and a result for a node that could not be judged at all.
 */
import type { ComplianceStatus, ControlResult, NodeEvaluationInput } from './control.ts';
import { detectNodeType } from './node-type.ts';

export const MAX_REASON = 1000;
const MAX_EVIDENCE_VALUE = 512;

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * The last long evidence value clipped, and its clipped form: every control of a node clips the
 * same kubelet command line, and sharing one copy keeps a 5,000-node scan from holding a copy per
 * control until its findings are imported.
 */
let lastClipped: { readonly text: string; readonly clipped: string } | undefined;

function clipValue(text: string): string {
  if (text.length <= MAX_EVIDENCE_VALUE) return text;
  if (lastClipped?.text !== text) lastClipped = { text, clipped: clip(text, MAX_EVIDENCE_VALUE) };
  return lastClipped.clipped;
}

export function clipEvidence(evidence: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(evidence).map(([k, v]) => [k, clipValue(v)]));
}

export function baseEvidence(input: NodeEvaluationInput): Record<string, string> {
  const nodeType = detectNodeType(input.evidence);
  const evidence: Record<string, string> = { nodeType: nodeType.type, os: nodeType.label };
  if (input.evidence.host.hostname) evidence.hostname = input.evidence.host.hostname;
  return evidence;
}

/** A result for a node that could not be judged at all. */
export function unassessed(
  controlId: string,
  status: typeof ComplianceStatus.NOT_AVAILABLE | typeof ComplianceStatus.WARNING,
  reason: string,
  evidence: Record<string, string> = {},
): ControlResult {
  return { controlId, status, reason: clip(reason, MAX_REASON), evidence: clipEvidence(evidence) };
}
