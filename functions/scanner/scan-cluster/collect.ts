/**
 * Collection: the collector sent to the triaged nodes over Run Command, the scan opened (its state
 * records read) once the commands are out, each output evaluated as it is read, and every node sent
 * to left with an answer.
 */
import { type NodeInfo, runningInstanceIds } from '../../aws/discovery.ts';
import { pollIntervalForNodes } from '../../aws/run-command/command-poller.ts';
import { EarlyReads } from '../../aws/run-command/early-reads.ts';
import {
  type CollectionOutcome,
  type RunCommandOptions,
  type RunCommandResult,
  runCollector,
} from '../../aws/run-command/index.ts';
import { tagTargetsFor } from '../../aws/run-command/tag-targets.ts';
import { answerFromOutput, planFindings, unreachedAnswer } from './answers.ts';
import type { OpeningScan, ScanStart } from './discover.ts';
import type { NodeAnswer, ScanState } from './state.ts';
import type { Triage } from './triage.ts';

export interface Collected {
  readonly scan: ScanState;
  readonly run: RunCommandResult;
}

/**
 * Runs the collector on `triaged.sendTo` and opens the scan once the commands are sent; if either
 * fails, the import is abandoned before it throws.
 */
export async function collect(start: ScanStart, opening: OpeningScan, triaged: Triage): Promise<Collected> {
  const { sendTo } = triaged;
  const run = await runCollector(
    start.deps.clients.ssm,
    sendTo.map((n) => n.instanceId),
    collectorOptions(start, opening, triaged),
  ).catch(async (caught: unknown) => {
    // Collection failed, so the scan fails: stop releasing findings to Security Hub in the background.
    await opening.abandonImport();
    throw caught;
  });
  // Opened already unless nothing was sent.
  const scan = await opening.open();
  for (const node of sendTo) {
    const outcome = run.outcomes.get(node.instanceId);
    run.outcomes.delete(node.instanceId);
    // An output handed over was answered, and its findings planned, as it was read (onOutput):
    // that answer is final, and its verdict is kept.
    if (scan.verdicts.has(node.instanceId)) continue;
    scan.answers.set(node.instanceId, answerOf(node, outcome));
  }
  if (run.deadlineReached) scan.log.warn('Scan deadline reached; pending nodes reported NOT_AVAILABLE');
  return { scan, run };
}

/** A node's final answer from its outcome (an output not handed over as it was read). */
function answerOf(node: NodeInfo, outcome: CollectionOutcome | undefined): NodeAnswer {
  if (outcome?.kind === 'output') return answerFromOutput(outcome.output, node);
  if (outcome?.kind === 'not-assessed') {
    return unreachedAnswer(outcome.code, outcome.reason, { ...outcome.evidence });
  }
  return unreachedAnswer('NO_OUTCOME', 'no answer from collection');
}

function collectorOptions(start: ScanStart, opening: OpeningScan, triaged: Triage): RunCommandOptions {
  const { deps, input, cluster, log } = start;
  const { config, clients } = deps;
  const { sendTo } = triaged;
  const earlyReads = input.sharedPoll?.earlyReads ?? new EarlyReads();
  earlyReads.addNodes(sendTo.length);
  return {
    documentName: config.documentName,
    documentVersion: config.documentVersion,
    deliveryTimeoutSeconds: config.deliveryTimeoutSeconds,
    pollInitialDelayMs: config.pollInitialDelayMs,
    // A shared poll costs one listing for every cluster of the invocation: poll often, in step.
    ...(input.sharedPoll
      ? { poller: input.sharedPoll.poller, pollIntervalMs: input.sharedPoll.intervalMs, pollJitter: 0 }
      : {
          pollIntervalMs: pollIntervalForNodes(config.pollIntervalMs, sendTo.length),
          pollJitter: config.pollJitter,
        }),
    remainingMs: input.remainingMs,
    earlyReads,
    // A finding is imported once its stored record is listed: results read early before the
    // stored findings are read mostly wait for them (a steady-state scan is bound by GetFindings).
    readEarly: () => opening.current.stored.done(),
    // A whole-cluster scan reaches its large node groups by tag; a narrowed one only its nodes.
    ...(input.instanceIds
      ? {}
      : {
          // Nodes not sent to are reached by a tag too: targets must not overlap on them either.
          tagTargets: tagTargetsFor(cluster.name, sendTo, triaged.offlineNodes, triaged.noCommand),
        }),
    // IAM's tag conditions treat nodes with the same cluster tags alike (run-command/access-denied.ts).
    accessClass: accessClassOf(sendTo),
    now: deps.now,
    sleep: deps.sleep,
    comment: `eks-kubelet-audit ${input.scanId}`,
    log: (message, attributes) => log.warn(message, attributes),
    stillRunning: (ids) => runningInstanceIds(clients.ec2, ids),
    afterSend: () => opening.open(),
    onOutput: onOutput(opening, triaged),
    knownUnmanaged: () => opening.open().then((scan) => scan.knownUnmanaged()),
  };
}

function accessClassOf(sendTo: Triage['sendTo']): RunCommandOptions['accessClass'] {
  const byId = new Map(sendTo.map((n) => [n.instanceId, n]));
  return (id) => byId.get(id)?.clusterTags.join(' ');
}

/** Evaluated as each command's invocations are read; the raw output is not kept. */
function onOutput(opening: OpeningScan, triaged: Triage): RunCommandOptions['onOutput'] {
  const sendToById = new Map(triaged.sendTo.map((n) => [n.instanceId, n]));
  return (instanceId, output) => {
    const node = sendToById.get(instanceId);
    if (!node) return;
    const answer = answerFromOutput(output, node);
    // run-command hands a node's output over once and records nothing for it after, so this
    // answer is final: its findings go to the plan now.
    planFindings(opening.current, node, answer);
  };
}
