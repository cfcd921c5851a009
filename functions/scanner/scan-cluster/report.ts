/**
 * The scan's summary and its reporting: the "Scan Completed" event, the log line and the metrics.
 */
import type { ComplianceStatus } from '../../controls/control.ts';
import {
  type ClusterScanSummary,
  emitMetrics,
  emptyStatusCounts,
  putScanCompleted,
  type StatusCounts,
} from '../summary.ts';
import { type Delivery, emptyDelivery } from './deliver.ts';
import type { ClusterScanInput, ScanDeps } from './input.ts';
import type { NodeVerdict, SummaryBase } from './state.ts';

const SEVERITY_ORDER: readonly ComplianceStatus[] = ['FAILED', 'WARNING', 'NOT_AVAILABLE', 'PASSED'];

function worst(statuses: readonly ComplianceStatus[]): ComplianceStatus {
  for (const status of SEVERITY_ORDER) if (statuses.includes(status)) return status;
  return 'NOT_AVAILABLE';
}

/** The summary fields known when the scan starts. */
export function summaryBase(input: ClusterScanInput, startedAt: Date): SummaryBase {
  return {
    kind: 'cluster-scan' as const,
    scanId: input.scanId,
    trigger: input.trigger,
    ...(input.reason ? { reason: input.reason } : {}),
    cluster: input.cluster,
    startedAt: startedAt.toISOString(),
  };
}

/** What the scan ends with; absent counts are zero (a cluster not found was never discovered). */
export interface ScanOutcome {
  readonly clusterFound: boolean;
  readonly inCluster: number;
  readonly inScope?: number;
  readonly sentCommand?: number;
  /** Each node's verdict (answers.ts planRemainingFindings leaves every answer as one). */
  readonly verdicts: ReadonlyMap<string, NodeVerdict>;
  readonly notANodeIds: string[];
  readonly delivery?: Delivery;
  readonly deadlineReached?: boolean;
  readonly pollRounds?: number;
  readonly state?: ClusterScanSummary['state'];
  readonly error?: string;
}

export interface SummarizeOptions {
  readonly deps: ScanDeps;
  readonly input: ClusterScanInput;
  readonly base: SummaryBase;
}

/** The cluster scan's summary: nodes by their worst status, findings by status, API calls so far. */
export function summarize(options: SummarizeOptions, f: ScanOutcome): ClusterScanSummary {
  const { deps, input, base } = options;
  const nodesByStatus: StatusCounts = emptyStatusCounts();
  const findingsByStatus: StatusCounts = emptyStatusCounts();
  const notAssessedByCode: Record<string, number> = {};
  for (const verdict of f.verdicts.values()) {
    const status = worst(verdict.statuses);
    nodesByStatus[status]++;
    for (const s of verdict.statuses) findingsByStatus[s]++;
    if (status === 'NOT_AVAILABLE' && verdict.reasonCode) {
      notAssessedByCode[verdict.reasonCode] = (notAssessedByCode[verdict.reasonCode] ?? 0) + 1;
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
    ...(f.state ? { state: f.state } : {}),
    ...(f.error ? { error: f.error } : {}),
  };
}

/**
 * Puts the "Scan Completed" event, then logs and emits metrics. The event carries the API call
 * counts, so they include its own PutEvents call; the returned summary and the log take the counts
 * after it (with any retries of that call).
 */
export async function report(
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
