/**
 * `kubelet-audit fleet --collect`: the scanner's Run Command collection (aws/run-command/) of the
 * deployed collector document, pinned to version "1" as the Lambda pins it, on the reachable nodes,
 * each output evaluated as the scan evaluates it (scan-cluster/answers.ts). Nothing is imported,
 * stored or published: the answers are only printed.
 */
import type { AwsClients } from '../aws/clients.ts';
import { runningInstanceIds } from '../aws/discovery.ts';
import { pollIntervalForNodes } from '../aws/run-command/command-poller.ts';
import { type CollectionOutcome, runCollector } from '../aws/run-command/index.ts';
import { CONFIG_DEFAULTS } from '../scanner/config.ts';
import { answerFromOutput, notAssessedAnswer } from '../scanner/scan-cluster/answers.ts';
import type { NodeAnswer } from '../scanner/scan-cluster/state.ts';
import { noCommandAnswer } from '../scanner/scan-cluster/triage.ts';
import type { AccountDeps } from './account-deps.ts';
import type { FleetView, NodeVerdict } from './fleet.ts';

/** The document version the stack deploys and the scanner pins (scanner/config.ts). */
export const DOCUMENT_VERSION = '1';
/** How long the CLI waits for the nodes at most, like a scan's Lambda budget. */
export const COLLECT_BUDGET_MS = 15 * 60_000;

export interface NodeResult {
  readonly verdict: NodeVerdict;
  readonly answer: NodeAnswer;
}

function answerOf(verdict: NodeVerdict, outcome: CollectionOutcome | undefined): NodeAnswer {
  if (outcome?.kind === 'output') return answerFromOutput(outcome.output, verdict.node);
  if (outcome?.kind === 'not-assessed') {
    return notAssessedAnswer(outcome.code, outcome.reason, { ...outcome.evidence });
  }
  return notAssessedAnswer('NO_OUTCOME', 'no answer from collection');
}

function unreachableAnswer(verdict: NodeVerdict): NodeAnswer {
  const { node } = verdict;
  if (node.operatorManaged || node.platform === 'windows') return noCommandAnswer(node);
  return notAssessedAnswer(verdict.code, verdict.reason);
}

export interface CollectFleetOptions {
  readonly clients: AwsClients;
  readonly deps: AccountDeps;
  readonly view: FleetView;
  readonly documentName: string;
}

export async function collectFleet(options: CollectFleetOptions): Promise<NodeResult[]> {
  const { clients, deps, view, documentName } = options;
  const sendTo = view.verdicts.filter((v) => v.reachable).map((v) => v.node.instanceId);
  const start = deps.now().getTime();
  const run = await runCollector(clients.ssm, sendTo, {
    documentName,
    documentVersion: DOCUMENT_VERSION,
    deliveryTimeoutSeconds: CONFIG_DEFAULTS.deliveryTimeoutSeconds,
    pollInitialDelayMs: CONFIG_DEFAULTS.pollInitialDelayMs,
    pollIntervalMs: pollIntervalForNodes(CONFIG_DEFAULTS.pollIntervalMs, sendTo.length),
    remainingMs: () => COLLECT_BUDGET_MS - (deps.now().getTime() - start),
    now: deps.now,
    sleep: deps.sleep,
    comment: 'eks-kubelet-audit cli fleet --collect',
    stillRunning: (ids) => runningInstanceIds(clients.ec2, ids),
  });
  return view.verdicts.map((verdict) => ({
    verdict,
    answer: verdict.reachable
      ? answerOf(verdict, run.outcomes.get(verdict.node.instanceId))
      : unreachableAnswer(verdict),
  }));
}
