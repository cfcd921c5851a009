/**
 * What a scan reports: the summary object (returned by the handler), a structured log line, EMF
 * metrics and, per cluster, a "Scan Completed" event users can hook notifications to.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { ComplianceStatus } from '../controls/control.ts';
import { DetailType, EVENT_SOURCE, type Trigger } from './events.ts';
import { putEvents } from './fan-out.ts';
import type { SkippedScan } from './flood-guard.ts';
import type { RejectedSummary } from './rejection.ts';

export type StatusCounts = Record<ComplianceStatus, number>;

export function emptyStatusCounts(): StatusCounts {
  return { PASSED: 0, FAILED: 0, WARNING: 0, NOT_AVAILABLE: 0 };
}

export interface ClusterScanSummary {
  readonly kind: 'cluster-scan';
  readonly scanId: string;
  readonly trigger: Trigger;
  readonly reason?: string;
  readonly cluster: string;
  readonly clusterFound: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly nodes: {
    /** Nodes in this scan's scope (the whole cluster unless instanceIds narrowed it). */
    readonly inScope: number;
    /** All running nodes of the cluster. */
    readonly inCluster: number;
    readonly sentCommand: number;
    /** Worst status over the node's controls: FAILED > WARNING > NOT_AVAILABLE > PASSED. */
    readonly byStatus: StatusCounts;
    /** Why nodes could not be assessed, by reason code (SSM_OFFLINE, AUTO_MODE, DEADLINE, ...). */
    readonly notAssessedByCode: Record<string, number>;
  };
  readonly findings: {
    readonly byStatus: StatusCounts;
    readonly created: number;
    readonly updated: number;
    readonly reactivated: number;
    readonly archived: number;
    readonly resolved: number;
    readonly imported: number;
    readonly failed: number;
    readonly failedByCode: Record<string, number>;
    readonly workflowUpdateFailed: number;
    /** Workflow RESOLVED not applied in this scan: each finding carries it, and the next scan asks again. */
    readonly resolvePending: number;
    /** RESOLVEDs an earlier scan left pending, asked again in this one. */
    readonly resolveRetried: number;
    /** Change-only scans: unchanged findings re-imported because their refresh was due. */
    readonly refreshed: number;
    /** Change-only scans: findings not imported (nothing changed, no refresh due). */
    readonly unchanged: number;
    /** Unreachable nodes reported with their last verdict (staleness). */
    readonly stale: number;
  };
  /**
   * How the scan used the state table: change-only, rebuild (records built from Security Hub: the
   * first scan of a cluster, or a resync), or none; and the records it wrote.
   */
  readonly state?: {
    readonly mode: string;
    readonly written: number;
    readonly superseded: number;
    /** DynamoDB capacity units the scan's reads and writes of its records consumed (on-demand billing). */
    readonly readUnits: number;
    readonly writeUnits: number;
  };
  /** Requested instance ids that are not running nodes of this cluster. */
  readonly notANodeIds: string[];
  readonly deadlineReached: boolean;
  readonly pollRounds: number;
  readonly apiCalls: Record<string, number>;
  readonly apiCallsTotal: number;
  readonly error?: string;
  /** Nodes of a node-scoped request held back by the flood guard (flood-guard.ts). */
  readonly floodSkipped?: readonly SkippedScan[];
}

export interface FanOutSummary {
  readonly kind: 'fan-out';
  readonly scanId: string;
  readonly trigger: Trigger;
  readonly reason?: string;
  /** Clusters in scope: scanned here (`clusterScans`) or by the invocations of the events put. */
  readonly clusters: string[];
  readonly eventsPut: number;
  readonly eventsFailed: number;
  /** Requested clusters left out (not in KUBELET_AUDIT_CLUSTERS, or not found). */
  readonly skippedClusters: { cluster: string; reason: string }[];
  /** Clusters (or nodes) already being scanned or scanned within the minimum interval: not started. */
  readonly floodSkipped: readonly SkippedScan[];
  readonly notANodeIds: string[];
  readonly vanishedClusters: { archived: number; failed: number; clusters: string[] };
  /** Clusters this invocation scanned itself, side by side (none when every cluster got an event). */
  readonly clusterScans: ClusterScanSummary[];
  /** Clusters whose scan here failed before it could report (each is retried with the invocation). */
  readonly failedClusters: { cluster: string; error: string }[];
  readonly durationMs: number;
  readonly apiCalls: Record<string, number>;
  readonly apiCallsTotal: number;
}

/** An invocation that started nothing: everything it asked for runs already or ran recently. */
export interface SkippedSummary {
  readonly kind: 'skipped';
  readonly scanId: string;
  readonly trigger: Trigger;
  readonly reason?: string;
  readonly skipped: readonly SkippedScan[];
  readonly durationMs: number;
  readonly apiCalls: Record<string, number>;
  readonly apiCallsTotal: number;
}

export type ScanSummary = ClusterScanSummary | FanOutSummary | SkippedSummary | RejectedSummary;

/** Every cluster scan among invocation summaries: one per invocation, or several side by side in one. */
export function clusterScansIn(summaries: readonly ScanSummary[]): ClusterScanSummary[] {
  return summaries.flatMap((s) =>
    s.kind === 'cluster-scan' ? [s] : s.kind === 'fan-out' ? s.clusterScans : [],
  );
}

/** The summary of an invocation the flood guard let nothing start (already logged and counted). */
export function skippedSummary(
  metrics: Metrics,
  logger: Logger,
  fields: Omit<SkippedSummary, 'kind'>,
): SkippedSummary {
  const summary: SkippedSummary = { kind: 'skipped', ...fields };
  logger.info('Nothing started: every target is running or was scanned recently', { summary });
  metrics.addMetric('ApiCalls', MetricUnit.Count, summary.apiCallsTotal);
  metrics.publishStoredMetrics();
  return summary;
}

export interface ScanResult {
  readonly scanId: string;
  readonly summaries: ScanSummary[];
}

export function scanCompletedDetail(s: ClusterScanSummary): Record<string, unknown> {
  return {
    scanId: s.scanId,
    cluster: s.cluster,
    clusterFound: s.clusterFound,
    trigger: s.trigger,
    ...(s.reason ? { reason: s.reason } : {}),
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    nodes: s.nodes,
    findings: s.findings,
    // Bounded: the event must stay far below PutEvents' 256 KB.
    notANodeIds: s.notANodeIds.slice(0, 100),
    notANodeCount: s.notANodeIds.length,
    deadlineReached: s.deadlineReached,
    apiCalls: s.apiCalls,
    apiCallsTotal: s.apiCallsTotal,
    ...(s.error ? { error: s.error.slice(0, 1000) } : {}),
  };
}

export interface ReportDeps {
  readonly events: EventBridgeClient;
  readonly eventBus: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Puts one "Scan Completed" event per summary (up to 10 a call, fan-out.ts putEvents); returns how
 * many could not be put, each logged.
 */
export async function putScanCompleted(
  deps: ReportDeps,
  summaries: readonly ClusterScanSummary[],
): Promise<number> {
  const entries: PutEventsRequestEntry[] = summaries.map((summary) => ({
    Source: EVENT_SOURCE,
    DetailType: DetailType.SCAN_COMPLETED,
    Detail: JSON.stringify(scanCompletedDetail(summary)),
    EventBusName: deps.eventBus,
  }));
  const result = await putEvents(deps.events, entries, deps.sleep);
  for (const failed of result.failed) {
    deps.logger.error('Scan Completed event could not be put', {
      cluster: summaries[entries.indexOf(failed.entry)]?.cluster,
      errorCode: failed.errorCode,
      errorMessage: failed.errorMessage,
    });
  }
  return result.failed.length;
}

export function emitMetrics(metrics: Metrics, summary: ClusterScanSummary | FanOutSummary): void {
  if (summary.kind === 'cluster-scan') {
    for (const [status, n] of Object.entries(summary.nodes.byStatus)) {
      metrics.addMetric(`Nodes${status}`, MetricUnit.Count, n);
    }
    metrics.addMetric('NodesInScope', MetricUnit.Count, summary.nodes.inScope);
    metrics.addMetric('FindingsImported', MetricUnit.Count, summary.findings.imported);
    metrics.addMetric('FindingsArchived', MetricUnit.Count, summary.findings.archived);
    metrics.addMetric('FindingsFailed', MetricUnit.Count, summary.findings.failed);
    metrics.addMetric('FindingsResolvePending', MetricUnit.Count, summary.findings.resolvePending);
    metrics.addMetric('NotANodeIds', MetricUnit.Count, summary.notANodeIds.length);
  } else {
    // Clusters in scope, and how many of them this invocation scanned itself (the rest got events).
    metrics.addMetric('ClustersInScope', MetricUnit.Count, summary.clusters.length);
    metrics.addMetric('ClustersScannedInPlace', MetricUnit.Count, summary.clusterScans.length);
    metrics.addMetric('FanOutEventsFailed', MetricUnit.Count, summary.eventsFailed);
    metrics.addMetric('VanishedClusterFindingsArchived', MetricUnit.Count, summary.vanishedClusters.archived);
  }
  metrics.addMetric('ScanDuration', MetricUnit.Milliseconds, summary.durationMs);
  metrics.addMetric('ApiCalls', MetricUnit.Count, summary.apiCallsTotal);
  metrics.publishStoredMetrics();
  // One blob per operation so the Operation dimension does not spread over the other metrics.
  for (const [operation, n] of Object.entries(summary.apiCalls)) {
    const single = metrics.singleMetric();
    single.addDimension('Operation', operation);
    single.addMetric('ApiCallsByOperation', MetricUnit.Count, n);
  }
}
