/**
 * The summary of an invocation that covered several targets: the clusters it scanned side by side
 * here, or the work items it put for other invocations, with what it left out or archived.
 */
import type { RunContext } from './run-context.ts';
import type { SettledPlan } from './scope-plan.ts';
import type { FanOutSummary } from './summary.ts';

/** What the invocation did with its targets: events put, or cluster scans run here. */
export type FanOutOutcome = Pick<
  FanOutSummary,
  'eventsPut' | 'eventsFailed' | 'clusterScans' | 'failedClusters'
>;

export function fanOutSummary(run: RunContext, plan: SettledPlan, outcome: FanOutOutcome): FanOutSummary {
  const { request, counter } = run;
  const { vanished } = plan;
  return {
    kind: 'fan-out',
    scanId: run.scanId,
    trigger: request.trigger,
    ...(request.reason ? { reason: request.reason } : {}),
    clusters: plan.targets.map((t) => t.cluster),
    eventsPut: outcome.eventsPut,
    eventsFailed: outcome.eventsFailed,
    skippedClusters: plan.skippedClusters,
    floodSkipped: plan.floodSkipped,
    notANodeIds: plan.notANodeIds,
    vanishedClusters: { archived: vanished.archived, failed: vanished.failed, clusters: vanished.clusters },
    clusterScans: outcome.clusterScans,
    failedClusters: outcome.failedClusters,
    durationMs: run.elapsedMs(),
    apiCalls: counter.toJSON(),
    apiCallsTotal: counter.total,
  };
}
