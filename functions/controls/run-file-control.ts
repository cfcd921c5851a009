/**
 * Runs a file control on one node whose host kubelets are visible (run-control.ts answers the cases
 * before that: not applicable, host not visible, no kubelet): finds the files each kubelet opens for
 * the control's role (kubelet-files.ts), lets the control judge them, and answers the rest.
 *
 * NOT_AVAILABLE: the kubelet opens no file of the role (standalone kubelet without --kubeconfig; no
 * --config and no drop-in). WARNING: which files count is open (a command line the kubelet would
 * refuse, or one the collector cut), or a file cannot be judged (missing while the kubelet runs, not a
 * regular file, left out of the evidence) and none of the others fails, or several host kubelets
 * disagree. FAILED: a file the kubelet opens fails the rule, whatever is unknown about the others
 * (each file's metadata stands on its own). PASSED: every file passes and none is unknown.
 */
import type { KubeletProcess } from '../collector/evidence-schema.ts';
import { renderPsLine } from '../collector/ps-line.ts';
import { caseReason } from './applicability.ts';
import {
  ComplianceStatus,
  ControlFiles,
  type ControlResult,
  type FileControl,
  type NodeEvaluationInput,
  NotApplicableCase,
} from './control.ts';
import { baseEvidence, clip, clipEvidence, MAX_REASON, unassessed } from './control-result.ts';
import { type FileProblem, kubeletFiles } from './kubelet-files.ts';

const WHAT: Readonly<Record<ControlFiles, string>> = {
  kubeconfig: 'kubeconfig',
  'kubelet-config': 'config files',
};

/** A verdict's reason inside another sentence. */
function inner(reason: string): string {
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

function problemText(problems: readonly FileProblem[]): string {
  return problems.map((p) => p.message).join('; ');
}

function judgeOne(control: FileControl, input: NodeEvaluationInput, kubelet: KubeletProcess): ControlResult {
  const reading = kubeletFiles({ evidence: input.evidence, kubelet, files: control.files });
  const evidence: Record<string, string> = {
    ...baseEvidence(input),
    kubeletPid: String(kubelet.pid),
    kubeletCommand: renderPsLine(kubelet, input.evidence.host),
    ...reading.facts,
  };
  const result = (status: ComplianceStatus, reason: string, problem?: string): ControlResult => ({
    controlId: control.id,
    status,
    reason: clip(reason, MAX_REASON),
    evidence: clipEvidence(problem === undefined ? evidence : { ...evidence, problem }),
  });
  if (reading.none !== undefined) {
    const reason =
      control.files === ControlFiles.kubeconfig &&
      control.applicability.notApplicable.standalone !== undefined
        ? `${caseReason(control, NotApplicableCase.standalone).replace(/\.$/, '')} (PID ${kubelet.pid}).`
        : `Not applicable: ${reading.none} (PID ${kubelet.pid}).`;
    return result(ComplianceStatus.NOT_AVAILABLE, reason, 'no-file');
  }
  const verdict = reading.files.length > 0 ? control.evaluate({ files: reading.files }) : undefined;
  const first = reading.problems[0];
  if (first === undefined) return result(verdict!.status, `${verdict!.reason}.`);
  const problems = problemText(reading.problems);
  if (reading.listUnknown) {
    const known = verdict ? ` Read as recorded, ${inner(verdict.reason)}.` : '';
    return result(
      ComplianceStatus.WARNING,
      `A kubelet is running (PID ${kubelet.pid}) but which ${WHAT[control.files]} it opens cannot be told: ${problems}.${known}`,
      first.code,
    );
  }
  if (verdict?.status === ComplianceStatus.FAILED) {
    return result(ComplianceStatus.FAILED, `${verdict.reason}. Also: ${problems}.`, first.code);
  }
  const rest = verdict ? ` Otherwise: ${inner(verdict.reason)}.` : '';
  return result(
    ComplianceStatus.WARNING,
    `A kubelet is running (PID ${kubelet.pid}) but its ${WHAT[control.files]} cannot be judged: ${problems}.${rest}`,
    first.code,
  );
}

/** Every host kubelet's result folded into one for the node, as run-control.ts folds settings. */
function combine(control: FileControl, input: NodeEvaluationInput, results: ControlResult[]): ControlResult {
  const first = results[0]!;
  if (results.length === 1) return first;
  const n = results.length;
  const perKubelet = results
    .map(
      (r, i) =>
        `PID ${input.evidence.kubelets[i]!.pid}: ${r.status} (${r.evidence.files ?? r.evidence.problem ?? ''})`,
    )
    .join('; ');
  if (results.every((r) => r.status === first.status && r.evidence.files === first.evidence.files)) {
    return {
      ...first,
      reason: clip(`All ${n} host kubelets agree. ${first.reason}`, MAX_REASON),
      evidence: clipEvidence({ ...first.evidence, kubelets: String(n) }),
    };
  }
  if (results.every((r) => r.status === first.status)) {
    const reasons = results.map((r, i) => `PID ${input.evidence.kubelets[i]!.pid}: ${r.reason}`).join(' ');
    return {
      ...first,
      reason: clip(
        `The ${n} host kubelets open different files, each ${first.status}. ${reasons}`,
        MAX_REASON,
      ),
      evidence: clipEvidence({ ...first.evidence, kubelets: String(n), perKubelet }),
    };
  }
  return unassessed(
    control.id,
    ComplianceStatus.WARNING,
    `${n} host kubelet processes disagree, so the node cannot be judged as one: ${perKubelet}. First: ${first.reason}`,
    { ...first.evidence, kubelets: String(n), perKubelet },
  );
}

export function runFileControl(control: FileControl, input: NodeEvaluationInput): ControlResult {
  return combine(
    control,
    input,
    input.evidence.kubelets.map((k) => judgeOne(control, input, k)),
  );
}
