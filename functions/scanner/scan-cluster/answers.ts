/**
 * A node's answer: its control results from the collector's output (or why it was not assessed),
 * and the findings planned from it.
 */

import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { NodeInfo } from '../../aws/discovery.ts';
import { parseEvidence } from '../../collector/evidence.ts';
import type { EvidenceDocument } from '../../collector/evidence-schema.ts';
import type { Control, ControlResult, NotApplicableCase } from '../../controls/control.ts';
import {
  controls,
  evaluateEvidence,
  evaluateRaw,
  notAssessed,
  notAssessedCase,
} from '../../controls/index.ts';
import { buildFinding, findingId } from '../../findings/asff.ts';
import { verdictOf } from './node-answer.ts';
import type { NodeAnswer, ScanState } from './state.ts';

export function notAssessedAnswer(
  code: string,
  reason: string,
  evidence: Record<string, string> = {},
): NodeAnswer {
  return { results: notAssessed('NOT_AVAILABLE', reason, { code, ...evidence }), reasonCode: code };
}

/** A node the scan could not reach: not assessed now, and it may keep its last verdict (staleness.ts). */
export function unreachedAnswer(
  code: string,
  reason: string,
  evidence: Record<string, string> = {},
): NodeAnswer {
  return { ...notAssessedAnswer(code, reason, evidence), unreached: true };
}

/** A node no command goes to: each control answers in its own words (not applicable, or not assessed). */
export function caseAnswer(code: string, kind: NotApplicableCase): NodeAnswer {
  return { results: notAssessedCase(kind, { code }), reasonCode: code };
}

/** Evaluates one node's collector output; the output itself is not kept. */
export function answerFromOutput(output: string, node: NodeInfo): NodeAnswer {
  const parsed = parseEvidence(output);
  if (!parsed.ok)
    return { results: evaluateRaw(output, { platform: node.platform }), reasonCode: parsed.code };
  const evidence = parsed.evidence;
  const nodeOs = osOf(evidence);
  return {
    results: evaluateEvidence(evidence, { platform: node.platform }),
    collectorVersion: evidence.collector,
    filesRead: evidence.files.filter((f) => f.ok).map((f) => f.path),
    ...(nodeOs ? { nodeOs } : {}),
  };
}

function osOf(evidence: EvidenceDocument): string | undefined {
  const file = evidence.files.find((f) => f.roles.includes('os-release') && f.ok && f.encoding !== 'base64');
  const line = file?.content?.split('\n').find((l) => l.startsWith('PRETTY_NAME='));
  return line
    ?.slice('PRETTY_NAME='.length)
    .replace(/^["']|["']$/g, '')
    .slice(0, 128);
}

/** The finding of one control of a node's answer, built now (CreatedAt = UpdatedAt = now). */
export function findingFor(options: {
  readonly scan: Pick<ScanState, 'input' | 'cluster' | 'deps'>;
  readonly node: NodeInfo;
  readonly control: Control;
  readonly result: ControlResult;
  readonly answer: NodeAnswer;
}): AwsSecurityFinding {
  const { scan, node, control, result, answer } = options;
  const { input, cluster, deps } = scan;
  const at = deps.now().toISOString();
  return buildFinding({
    scope: input.scope,
    cluster,
    node,
    control,
    result,
    scanId: input.scanId,
    createdAt: at,
    updatedAt: at,
    ...(answer.reasonCode ? { reasonCode: answer.reasonCode } : {}),
    ...(answer.collectorVersion ? { collectorVersion: answer.collectorVersion } : {}),
    ...(answer.filesRead ? { filesRead: answer.filesRead } : {}),
    ...(answer.nodeOs ? { nodeOs: answer.nodeOs } : {}),
  });
}

/**
 * Plans a node's findings. Change-only (the cluster's state records are built): compared with the
 * node's record at once, and the answer reported is the plan's (an unreachable node may keep its last
 * verdict). Otherwise one finding per control goes to the streaming plan, each built when the plan
 * takes it (so UpdatedAt is the time it goes to the importer, newer than stored, and a finding
 * waiting for its stored record is held as its answer, not as ASFF).
 */
export function planFindings(scan: ScanState, node: NodeInfo, answer: NodeAnswer): void {
  const { input, cluster } = scan;
  scan.answers.delete(node.instanceId);
  if (scan.changes) {
    scan.verdicts.set(node.instanceId, verdictOf(scan.changes.planNode(node, answer)));
    return;
  }
  scan.verdicts.set(node.instanceId, verdictOf(answer));
  scan.recorder?.answer(node, answer);
  for (const result of answer.results) {
    const control = controls.find((c) => c.id === result.controlId);
    if (!control) continue;
    scan.plan.addFresh(findingId(input.scope, cluster.name, node.instanceId, control.id), () =>
      findingFor({ scan, node, control, result, answer }),
    );
  }
}

/**
 * Plans the findings of every answer not planned as its output arrived (nodes answered without a
 * command or without an output); answers of nodes outside the scope have no findings, only their
 * verdict. No answer is kept after this.
 */
export function planRemainingFindings(scan: ScanState, inScope: readonly NodeInfo[]): void {
  const byNode = new Map(inScope.map((n) => [n.instanceId, n]));
  for (const [instanceId, answer] of scan.answers) {
    const node = byNode.get(instanceId);
    if (node) planFindings(scan, node, answer);
    else scan.verdicts.set(instanceId, verdictOf(answer));
  }
  scan.answers.clear();
}
