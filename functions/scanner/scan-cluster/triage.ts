/**
 * Triage: which nodes in scope get an answer without a command (EKS Auto Mode, Windows, offline in
 * SSM) and which are sent the collector, in the order they are sent.
 */
import { listOfflineInstances, type NodeInfo } from '../../aws/discovery.ts';
import { caseAnswer, notAssessedAnswer, unreachedAnswer } from './answers.ts';
import type { ScanState } from './state.ts';

export interface Triage {
  /** Nodes to send the collector to, grouped by instance role and node group. */
  readonly sendTo: readonly NodeInfo[];
  /** Nodes SSM lists as offline: answered here, not sent to. */
  readonly offlineNodes: readonly NodeInfo[];
  /** Nodes no command is meant for (Auto Mode, Windows): answered here. */
  readonly noCommand: readonly NodeInfo[];
}

function needsNoCommand(node: NodeInfo): boolean {
  return node.operatorManaged || node.platform === 'windows';
}

/** Answers the nodes no command is for, in `scan.answers`, and returns who gets one. */
export async function triage(
  scan: Pick<ScanState, 'answers' | 'input' | 'deps'>,
  inScope: readonly NodeInfo[],
): Promise<Triage> {
  const noCommand = inScope.filter(needsNoCommand);
  for (const node of noCommand) scan.answers.set(node.instanceId, noCommandAnswer(node));
  const candidates = inScope.filter((n) => !needsNoCommand(n));
  // Reachability by exception (discovery.ts): one listing of the account's offline managed instances,
  // normally the fan-out's; unmanaged ones are found by SendCommand itself (run-command/send.ts).
  const offline =
    candidates.length > 0
      ? ((await scan.input.offlineInstances) ?? (await listOfflineInstances(scan.deps.clients.ssm)))
      : new Map();
  const sendTo: NodeInfo[] = [];
  const offlineNodes: NodeInfo[] = [];
  for (const node of candidates) {
    const r = offline.get(node.instanceId);
    if (r && !r.reachable) {
      scan.answers.set(node.instanceId, unreachedAnswer(r.code, r.reason));
      offlineNodes.push(node);
    } else sendTo.push(node);
  }
  // Whether SSM manages a node follows its instance role (or the account's Default Host Management
  // Configuration), i.e. its node group: keeping a group's nodes together confines an unmanaged
  // group to its own chunks instead of spoiling (and re-sending) every chunk it is spread over.
  sendTo.sort(
    (a, b) =>
      (a.iamInstanceProfileArn ?? '').localeCompare(b.iamInstanceProfileArn ?? '') ||
      (a.nodeGroup ?? a.nodePool ?? '').localeCompare(b.nodeGroup ?? b.nodePool ?? '') ||
      a.provisioner.localeCompare(b.provisioner) ||
      a.instanceId.localeCompare(b.instanceId),
  );
  return { sendTo, offlineNodes, noCommand };
}

export function noCommandAnswer(node: NodeInfo) {
  if (node.operatorManaged) {
    return notAssessedAnswer(
      'AUTO_MODE',
      `EKS Auto Mode node (EC2 managed instance${node.operatorPrincipal ? ` operated by ${node.operatorPrincipal}` : ''}): AWS blocks SSM access to it and manages its kubelet configuration`,
    );
  }
  return caseAnswer('NOT_APPLICABLE_WINDOWS', 'windows');
}
