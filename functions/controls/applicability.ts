/**
 * Whether a control applies to a node, from the control's own data (Control.applicability): a case it
 * lists gives NOT_AVAILABLE with its reason ("Not applicable: ..."), because Security Hub has no
 * not-applicable compliance status. Cases a control does not list apply to it.
 */
import type { EvidenceDocument, KubeletProcess } from '../collector/evidence-schema.ts';
import { parseKubeletArgv, resolveStringFlag } from '../kubelet/flags.ts';
import { type Control, type NodeEvaluationInput, NotApplicableCase } from './control.ts';
import { detectNodeType, NodeType } from './node-type.ts';

/** Said of a node for which the scanner sends no command and the control does not list the case. */
const NOT_ASSESSED: Readonly<Record<NotApplicableCase, string>> = {
  windows: 'Windows node: the collector runs only on Linux nodes, so this kubelet setting was not assessed',
  bottlerocket: 'Bottlerocket node: this kubelet setting was not assessed',
  standalone: 'standalone kubelet: this kubelet setting was not assessed',
  autoMode:
    'EKS Auto Mode node (EC2 managed instance): AWS blocks SSM access to it and manages its kubelet configuration',
};

/** The reason a control gives for a node in this case: its own not-applicable reason, or not assessed. */
export function caseReason(control: Control, kind: NotApplicableCase): string {
  const own = control.applicability.notApplicable[kind];
  return own === undefined ? NOT_ASSESSED[kind] : `Not applicable: ${own}`;
}

function isStandalone(kubelet: KubeletProcess): boolean {
  // server.go run: standaloneMode = len(s.KubeConfig) == 0.
  const kubeconfig = resolveStringFlag(parseKubeletArgv(kubelet.argv), 'kubeconfig');
  return kubeconfig === undefined || kubeconfig.value === '';
}

/** The case that makes the control not apply to this node, if any. */
export function notApplicableCase(
  control: Control,
  input: NodeEvaluationInput,
): { readonly kind: NotApplicableCase; readonly reason: string } | undefined {
  const listed = control.applicability.notApplicable;
  const platform = input.node?.platform;
  const found = (kind: NotApplicableCase) => ({ kind, reason: `Not applicable: ${listed[kind]}` });
  if (listed.windows !== undefined && platform !== undefined && /windows/i.test(platform)) {
    return found(NotApplicableCase.windows);
  }
  const evidence: EvidenceDocument = input.evidence;
  if (listed.bottlerocket !== undefined && detectNodeType(evidence).type === NodeType.bottlerocket) {
    return found(NotApplicableCase.bottlerocket);
  }
  if (
    listed.standalone !== undefined &&
    evidence.kubelets.length > 0 &&
    evidence.kubelets.every((k) => !k.argvCut && isStandalone(k))
  ) {
    return found(NotApplicableCase.standalone);
  }
  return undefined;
}
