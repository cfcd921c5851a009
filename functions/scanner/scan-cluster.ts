/**
 * One cluster, end to end: discover → reach → collect → evaluate → report. Every node in scope ends
 * with one result per control; the summary is reported even when Security Hub delivery fails, and the
 * failure is thrown only after that.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ApiCallCounter, AwsClients } from '../aws/clients.ts';
import {
  type ClusterInfo,
  describeCluster,
  listClusterNodes,
  listOfflineInstances,
  type NodeInfo,
  runningInstanceIds,
  TAG_QUERIES,
} from '../aws/discovery.ts';
import { errorMessage, SecurityHubNotEnabledError } from '../aws/errors.ts';
import type { GroupedDiscovery } from '../aws/grouped-discovery.ts';
import { type CommandPoller, pollIntervalForNodes } from '../aws/run-command/command-poller.ts';
import { EarlyReads } from '../aws/run-command/early-reads.ts';
import { runCollector } from '../aws/run-command/index.ts';
import { tagTargetsFor } from '../aws/run-command/tag-targets.ts';
import {
  FindingImporter,
  findArchivedFindings,
  listActiveFindings,
  resolveFindings,
  type SecurityHubTarget,
} from '../aws/security-hub.ts';
import type { Turns } from '../aws/turns.ts';
import { parseEvidence } from '../collector/evidence.ts';
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import type { ComplianceStatus, ControlResult } from '../controls/control.ts';
import { controls, evaluateEvidence, evaluateRaw, notAssessed } from '../controls/index.ts';
import { type AccountScope, buildFinding, findingId, PRODUCT_PREFIX, productArn } from '../findings/asff.ts';
import { mustArchive, planArchives, type StoredFinding } from '../findings/lifecycle.ts';
import { StreamingPlan } from '../findings/streaming-plan.ts';
import type { ScannerConfig } from './config.ts';
import { FindingsNotDeliveredError } from './errors.ts';
import type { Trigger } from './events.ts';
import {
  type ClusterScanSummary,
  emitMetrics,
  emptyStatusCounts,
  putScanCompleted,
  type ReportDeps,
  type StatusCounts,
} from './summary.ts';

export interface ScanDeps extends ReportDeps {
  readonly clients: AwsClients;
  readonly config: ScannerConfig;
  readonly now: () => Date;
}

export interface ClusterScanInput {
  readonly cluster: string;
  readonly instanceIds?: readonly string[];
  /** Ids the caller already found to be no node of any scanned cluster; reported with this scan. */
  readonly extraNotANodeIds?: readonly string[];
  /** The account's offline managed instances as the fan-out listed them; absent = listed here. */
  readonly offlineInstances?: Awaited<ReturnType<typeof listOfflineInstances>>;
  readonly scanId: string;
  readonly trigger: Trigger;
  readonly reason?: string;
  readonly scope: AccountScope;
  /** Milliseconds left for collection (Lambda remaining time minus the reporting reserve). */
  readonly remainingMs: () => number;
  readonly counter: ApiCallCounter;
  /**
   * Waits, once discovery has counted the nodes in scope, until this scan may hold them in memory
   * (scans side by side in one invocation share a node budget, node-budget.ts).
   */
  readonly admit?: (nodes: number) => Promise<void>;
  /**
   * Turns at discovery shared with the invocation's other cluster scans. Decoding EC2's XML takes
   * the CPU (about 30 ms a page of 500 instances here): 20 clusters decoding at once all end together,
   * a second after the first could have sent; a few at a time, the first clusters send at once.
   */
  readonly discoveries?: Turns;
  /** The first pages of queries naming every cluster of the invocation (grouped-discovery.ts). */
  readonly groupedDiscovery?: GroupedDiscovery;
  /**
   * Takes the summary for the "Scan Completed" event instead of putting it here: scans side by side
   * put theirs together when the last one ends (one PutEvents for up to 10 clusters).
   */
  readonly scanCompleted?: (summary: ClusterScanSummary) => void;
  /** Polls shared with the other cluster scans of the invocation, and their pace. */
  readonly sharedPoll?: {
    readonly poller: CommandPoller;
    readonly intervalMs: number;
    /** Shared by the invocation's cluster scans: one read of any of them in flight is not idle. */
    readonly earlyReads?: EarlyReads;
  };
}

/** What the scan knows about one node once collection is over. */
interface NodeAnswer {
  readonly results: readonly ControlResult[];
  readonly reasonCode?: string;
  readonly collectorVersion?: string;
  readonly filesRead?: readonly string[];
  readonly nodeOs?: string;
}

const SEVERITY_ORDER: readonly ComplianceStatus[] = ['FAILED', 'WARNING', 'NOT_AVAILABLE', 'PASSED'];

function worst(results: readonly ControlResult[]): ComplianceStatus {
  for (const status of SEVERITY_ORDER) if (results.some((r) => r.status === status)) return status;
  return 'NOT_AVAILABLE';
}

function osOf(evidence: EvidenceDocument): string | undefined {
  const file = evidence.files.find((f) => f.roles.includes('os-release') && f.ok && f.encoding !== 'base64');
  const line = file?.content?.split('\n').find((l) => l.startsWith('PRETTY_NAME='));
  return line
    ?.slice('PRETTY_NAME='.length)
    .replace(/^["']|["']$/g, '')
    .slice(0, 128);
}

function answerFromOutput(output: string, node: NodeInfo): NodeAnswer {
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

/**
 * Hands the plan one finding per control of a node's answer, each built when the plan takes it (so
 * UpdatedAt is the time it goes to the importer, newer than stored, and a finding waiting for its
 * stored record is held as its answer, not as ASFF).
 */
function addFindingsOf(
  plan: StreamingPlan,
  input: ClusterScanInput,
  cluster: ClusterInfo,
  node: NodeInfo,
  answer: NodeAnswer,
  now: () => Date,
): void {
  for (const result of answer.results) {
    const control = controls.find((c) => c.id === result.controlId);
    if (!control) continue;
    plan.addFresh(findingId(input.scope, cluster.name, node.instanceId, control.id), () => {
      const at = now().toISOString();
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
    });
  }
}

function notAssessedAnswer(code: string, reason: string, evidence: Record<string, string> = {}): NodeAnswer {
  return { results: notAssessed('NOT_AVAILABLE', reason, { code, ...evidence }), reasonCode: code };
}

export async function scanCluster(deps: ScanDeps, input: ClusterScanInput): Promise<ClusterScanSummary> {
  const startedAt = deps.now();
  const { clients, config, logger } = deps;
  const log = logger.createChild();
  log.appendKeys({ cluster: input.cluster });
  const cluster: ClusterInfo | undefined = await describeCluster(clients.eks, input.cluster);
  const base = {
    kind: 'cluster-scan' as const,
    scanId: input.scanId,
    trigger: input.trigger,
    ...(input.reason ? { reason: input.reason } : {}),
    cluster: input.cluster,
    startedAt: startedAt.toISOString(),
  };
  if (!cluster) {
    log.warn('Cluster not found; nothing scanned (its findings are archived by the next full scan)');
    const summary = finish(deps, input, base, {
      clusterFound: false,
      inCluster: 0,
      answers: new Map(),
      notANodeIds: [...(input.extraNotANodeIds ?? []), ...(input.instanceIds ?? [])],
    });
    return report(deps, input, summary);
  }

  // The cluster's existing findings are read from the start, beside discovery and collection, and
  // awaited only by the lifecycle plan before the import: GetFindings allows 3/s account-wide, shared
  // by every cluster scan running in parallel, so waiting for it before sending would hold collection
  // back by tens of seconds. Each page is reduced to what the plan reads as it arrives; the whole
  // finding is kept only for findings to archive, known once discovery has listed the nodes.
  const target: SecurityHubTarget = {
    productArn: productArn(input.scope),
    region: input.scope.region,
    accountId: input.scope.accountId,
  };
  const controlIds = new Set(controls.map((c) => c.id));
  // Discovery lists the whole cluster even for a narrowed scan: it is cheap (3 paged calls) and tells
  // which findings belong to nodes that are gone.
  const discovery = (async () => {
    const grouped = (await input.groupedDiscovery?.instancesOf(cluster.name)) ?? [];
    // Nodes the grouped queries returned are decoded already: a turn only for queries of its own.
    const ownQueries = TAG_QUERIES.some((_, i) => grouped[i] === undefined);
    const endTurn = ownQueries ? await input.discoveries?.take() : undefined;
    try {
      return await listClusterNodes(clients.ec2, cluster.name, grouped);
    } finally {
      endTurn?.();
    }
  })();
  const keepWhole = discovery.then((listed) => {
    const presentIds = new Set(listed.map((n) => n.instanceId));
    return (stored: StoredFinding) => mustArchive(stored, presentIds, controlIds);
  });
  // Each fresh finding is planned as soon as its node answered and a page listed its stored record
  // (or, failing that, once the read is complete), and imported in full batches while the scan runs.
  const importer = new FindingImporter(clients.securityHub, target);
  const plan = new StreamingPlan((finding) => importer.add(finding), deps.now);
  /** Nodes whose answer came with their output and whose findings are planned already. */
  const streamed = new Set<string>();
  type ActiveRead =
    | { readonly ok: true; readonly active: Map<string, StoredFinding | AwsSecurityFinding> }
    | { readonly ok: false; readonly error: SecurityHubNotEnabledError };
  const activeRead: Promise<ActiveRead> = listActiveFindings(
    clients.securityHub,
    target,
    cluster.name,
    keepWhole,
    (page) => plan.addStored(page),
  ).then(
    (active) => ({ ok: true, active }),
    (caught: unknown) => {
      if (caught instanceof SecurityHubNotEnabledError) return { ok: false, error: caught };
      throw caught;
    },
  );
  // Awaited later (or never, if discovery fails first): keep an early failure from being unhandled.
  activeRead.catch(() => undefined);
  let storedRead = false;
  const markStoredRead = () => {
    storedRead = true;
  };
  activeRead.then(markStoredRead, markStoredRead);
  keepWhole.catch(() => undefined);
  const nodes = await discovery;
  const present = new Set(nodes.map((n) => n.instanceId));
  const wanted = input.instanceIds ? new Set(input.instanceIds) : undefined;
  const inScope = wanted ? nodes.filter((n) => wanted.has(n.instanceId)) : nodes;
  const notANodeIds = [
    ...(input.extraNotANodeIds ?? []),
    ...(input.instanceIds ? input.instanceIds.filter((id) => !present.has(id)) : []),
  ];
  if (notANodeIds.length > 0) {
    log.warn('Requested instances are not running nodes of this cluster', { notANodeIds });
  }
  await input.admit?.(inScope.length);
  // Once the read is complete, the findings it did not list are new or coming back from ARCHIVED:
  // looking those up now (the same single listing the end of the scan would make) lets them stream
  // too. If it fails, they are settled at the end as before.
  const expectedIds = inScope.flatMap((n) =>
    controls.map((c) => findingId(input.scope, cluster.name, n.instanceId, c.id)),
  );
  const settledAhead = activeRead
    .then(async (read) => {
      if (!read.ok) return;
      const unlisted = expectedIds.filter((id) => !read.active.has(id));
      plan.settleAhead(
        unlisted,
        await findArchivedFindings(clients.securityHub, target, cluster.name, unlisted),
      );
    })
    .catch((caught: unknown) => {
      log.warn('Could not look up archived findings early; settling them at the end', {
        error: errorMessage(caught),
      });
    });

  const answers = new Map<string, NodeAnswer>();
  const candidates: NodeInfo[] = [];
  for (const node of inScope) {
    if (node.operatorManaged) {
      answers.set(
        node.instanceId,
        notAssessedAnswer(
          'AUTO_MODE',
          `EKS Auto Mode node (EC2 managed instance${node.operatorPrincipal ? ` operated by ${node.operatorPrincipal}` : ''}): AWS blocks SSM access to it and manages its kubelet configuration`,
        ),
      );
    } else if (node.platform === 'windows') {
      answers.set(
        node.instanceId,
        notAssessedAnswer(
          'NOT_APPLICABLE_WINDOWS',
          'Windows node: the kubelet does not manage iptables on Windows, so this control does not apply',
        ),
      );
    } else {
      candidates.push(node);
    }
  }

  // Reachability by exception (discovery.ts): one listing of the account's offline managed instances,
  // normally the fan-out's; unmanaged ones are found by SendCommand itself (run-command/send.ts).
  const offline =
    candidates.length > 0 ? (input.offlineInstances ?? (await listOfflineInstances(clients.ssm))) : new Map();
  const sendTo: NodeInfo[] = [];
  const offlineNodes: NodeInfo[] = [];
  for (const node of candidates) {
    const r = offline.get(node.instanceId);
    if (r && !r.reachable) {
      answers.set(node.instanceId, notAssessedAnswer(r.code, r.reason));
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

  const sendToById = new Map(sendTo.map((n) => [n.instanceId, n]));
  const earlyReads = input.sharedPoll?.earlyReads ?? new EarlyReads();
  earlyReads.addNodes(sendTo.length);
  const run = await runCollector(
    clients.ssm,
    sendTo.map((n) => n.instanceId),
    {
      documentName: config.documentName,
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
      readEarly: () => storedRead,
      // A whole-cluster scan reaches its large node groups by tag; a narrowed one only its nodes.
      ...(input.instanceIds
        ? {}
        : {
            tagTargets: tagTargetsFor(
              cluster.name,
              sendTo,
              offlineNodes,
              // Not sent to, but a tag reaches them too: targets must not overlap on them either.
              inScope.filter((n) => n.operatorManaged || n.platform === 'windows'),
            ),
          }),
      // IAM's tag conditions treat nodes with the same cluster tags alike (run-command/access-denied.ts).
      accessClass: (id) => sendToById.get(id)?.clusterTags.join(' '),
      now: deps.now,
      sleep: deps.sleep,
      comment: `eks-kubelet-audit ${input.scanId}`,
      log: (message, attributes) => log.warn(message, attributes),
      stillRunning: (ids) => runningInstanceIds(clients.ec2, ids),
      // Evaluated as each command's invocations are read; the raw output is not kept.
      onOutput: (instanceId, output) => {
        const node = sendToById.get(instanceId);
        if (!node) return;
        const answer = answerFromOutput(output, node);
        answers.set(instanceId, answer);
        // run-command hands a node's output over once and records nothing for it after, so this
        // answer is final: its findings go to the plan now.
        streamed.add(instanceId);
        addFindingsOf(plan, input, cluster, node, answer, deps.now);
      },
      // The nodes the previous scan found unmanaged need no EC2 look-up when SSM still does not list them.
      knownUnmanaged: async () => {
        const read = await activeRead;
        const known = new Set<string>();
        for (const finding of read.ok ? read.active.values() : []) {
          const fields = finding.ProductFields ?? {};
          const instanceId = fields[`${PRODUCT_PREFIX}instance`];
          if (instanceId && fields[`${PRODUCT_PREFIX}reason-code`] === 'SSM_UNMANAGED') known.add(instanceId);
        }
        return known;
      },
    },
  ).catch(async (caught: unknown) => {
    // Collection failed, so the scan fails: stop releasing findings to Security Hub in the background.
    await importer.abandon();
    throw caught;
  });
  for (const node of sendTo) {
    const outcome = run.outcomes.get(node.instanceId);
    if (!outcome) answers.set(node.instanceId, notAssessedAnswer('NO_OUTCOME', 'no answer from collection'));
    else if (outcome.kind === 'output') answers.set(node.instanceId, answerFromOutput(outcome.output, node));
    else if (outcome.kind === 'not-assessed')
      answers.set(node.instanceId, notAssessedAnswer(outcome.code, outcome.reason, { ...outcome.evidence }));
    else if (!answers.has(node.instanceId))
      answers.set(node.instanceId, notAssessedAnswer('NO_OUTCOME', 'no answer from collection'));
    run.outcomes.delete(node.instanceId);
  }
  if (run.deadlineReached) log.warn('Scan deadline reached; pending nodes reported NOT_AVAILABLE');

  // Report. Answers that came with an output were planned as they arrived; the others (not
  // assessed) are built now.
  const byNode = new Map(inScope.map((n) => [n.instanceId, n]));
  for (const [instanceId, answer] of answers) {
    const node = byNode.get(instanceId);
    if (!node || streamed.has(instanceId)) continue;
    addFindingsOf(plan, input, cluster, node, answer, deps.now);
  }

  const delivery = emptyDelivery();
  let error: Error | undefined;
  try {
    const read = await activeRead;
    if (!read.ok) throw read.error;
    const active = read.active;
    await settledAhead;
    const archived = await findArchivedFindings(clients.securityHub, target, cluster.name, plan.missing());
    plan.settle(archived);
    const toArchive = planArchives(active, (id) => plan.refreshes(id), present, controlIds, deps.now());
    // The importer holds what is still to send; the stored findings are not needed again.
    active.clear();
    const archivedCount = toArchive.length;
    for (const finding of toArchive.splice(0)) importer.add(finding);
    const imported = await importer.finish();
    const failedIds = new Set(imported.failed.map((f) => f.id));
    for (const f of imported.failed) {
      delivery.failedByCode[f.errorCode] = (delivery.failedByCode[f.errorCode] ?? 0) + 1;
    }
    delivery.created = plan.counts.created;
    delivery.updated = plan.counts.updated;
    delivery.reactivated = plan.counts.reactivated;
    delivery.archived = archivedCount;
    delivery.imported = imported.succeeded;
    delivery.failed = imported.failed.length;
    if (imported.failed.length > 0) {
      log.error('Findings not delivered to Security Hub', {
        failed: imported.failed.length,
        failedByCode: delivery.failedByCode,
        examples: imported.failed.slice(0, 5),
      });
      error = new FindingsNotDeliveredError(imported.failed.length, delivery.failedByCode);
    }
    // Only after the import: BatchUpdateFindings needs the finding to exist (and be ACTIVE again).
    const resolve = plan.toResolve.filter((id) => !failedIds.has(id));
    if (resolve.length > 0) {
      const wf = await resolveFindings(clients.securityHub, target, resolve);
      delivery.resolved = wf.updated;
      delivery.workflowUpdateFailed = wf.unprocessed.length;
      if (wf.unprocessed.length > 0) {
        log.warn('Workflow RESOLVED not applied to some findings', { examples: wf.unprocessed.slice(0, 5) });
      }
    }
  } catch (caught) {
    // Requests already in flight are waited for, none is sent after.
    await importer.abandon();
    if (!(caught instanceof SecurityHubNotEnabledError)) throw caught;
    log.error(caught.message);
    error = caught;
    delivery.failed = plan.freshCount;
    delivery.failedByCode.InvalidAccessException = plan.freshCount;
  }

  const summary = finish(deps, input, base, {
    clusterFound: true,
    inCluster: nodes.length,
    inScope: inScope.length,
    sentCommand: run.sentTo,
    answers,
    notANodeIds,
    delivery,
    deadlineReached: run.deadlineReached,
    pollRounds: run.pollRounds,
    ...(error ? { error: errorMessage(error) } : {}),
  });
  const reported = await report(deps, input, summary);
  if (error) throw error;
  return reported;
}

interface FinishInput {
  clusterFound: boolean;
  inCluster: number;
  inScope?: number;
  sentCommand?: number;
  answers: Map<string, NodeAnswer>;
  notANodeIds: string[];
  delivery?: Omit<ClusterScanSummary['findings'], 'byStatus'>;
  deadlineReached?: boolean;
  pollRounds?: number;
  error?: string;
}

function finish(
  deps: ScanDeps,
  input: ClusterScanInput,
  base: Pick<ClusterScanSummary, 'kind' | 'scanId' | 'trigger' | 'reason' | 'cluster' | 'startedAt'>,
  f: FinishInput,
): ClusterScanSummary {
  const nodesByStatus: StatusCounts = emptyStatusCounts();
  const findingsByStatus: StatusCounts = emptyStatusCounts();
  const notAssessedByCode: Record<string, number> = {};
  for (const answer of f.answers.values()) {
    const status = worst(answer.results);
    nodesByStatus[status]++;
    for (const r of answer.results) findingsByStatus[r.status]++;
    if (status === 'NOT_AVAILABLE' && answer.reasonCode) {
      notAssessedByCode[answer.reasonCode] = (notAssessedByCode[answer.reasonCode] ?? 0) + 1;
    }
  }
  const finishedAt = deps.now();
  return {
    ...base,
    clusterFound: f.clusterFound,
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - Date.parse(base.startedAt),
    nodes: {
      inScope: f.inScope ?? 0,
      inCluster: f.inCluster,
      sentCommand: f.sentCommand ?? 0,
      byStatus: nodesByStatus,
      notAssessedByCode,
    },
    findings: {
      ...(f.delivery ?? emptyDelivery()),
      byStatus: findingsByStatus,
    },
    notANodeIds: f.notANodeIds,
    deadlineReached: f.deadlineReached ?? false,
    pollRounds: f.pollRounds ?? 0,
    apiCalls: input.counter.toJSON(),
    apiCallsTotal: input.counter.total,
    ...(f.error ? { error: f.error } : {}),
  };
}

/**
 * Puts the "Scan Completed" event, then logs and emits metrics. The event carries the API call
 * counts, so they include its own PutEvents call; the returned summary and the log take the counts
 * after it (with any retries of that call).
 */
async function report(
  deps: ScanDeps,
  input: ClusterScanInput,
  summary: ClusterScanSummary,
): Promise<ClusterScanSummary> {
  if (input.scanCompleted) input.scanCompleted(summary);
  else {
    await putScanCompleted(deps, [
      {
        ...summary,
        apiCalls: { ...summary.apiCalls, PutEvents: (summary.apiCalls.PutEvents ?? 0) + 1 },
        apiCallsTotal: summary.apiCallsTotal + 1,
      },
    ]);
  }
  const reported: ClusterScanSummary = {
    ...summary,
    apiCalls: input.counter.toJSON(),
    apiCallsTotal: input.counter.total,
  };
  deps.logger.info('Cluster scan completed', { summary: reported });
  emitMetrics(deps.metrics, reported);
  return reported;
}

/** Finding delivery counters of a cluster scan, before anything was imported. */
function emptyDelivery() {
  return {
    created: 0,
    updated: 0,
    reactivated: 0,
    archived: 0,
    resolved: 0,
    imported: 0,
    failed: 0,
    failedByCode: {} as Record<string, number>,
    workflowUpdateFailed: 0,
  };
}
