/**
 * The clusters of one invocation scanned side by side: they share the invocation's token buckets
 * (pacer.ts, exact account-wide quotas instead of a blind 1/N split across invocations), one
 * ListCommands poller, and a node budget that bounds memory. One failing cluster does not stop the
 * others; the caller decides what its failure means once all have reported.
 */
import { ApiCallCounter, withApiCallCounter } from '../aws/clients.ts';
import type { GroupedDiscovery } from '../aws/grouped-discovery.ts';
import { CLOCK_SKEW_MS, CommandPoller } from '../aws/run-command/command-poller.ts';
import { EarlyReads } from '../aws/run-command/early-reads.ts';
import { Turns } from '../aws/turns.ts';
import { ClusterScansFailedError } from './errors.ts';
import { fanOutSummary } from './fan-out-summary.ts';
import { NodeBudget } from './node-budget.ts';
import type { RunContext } from './run-context.ts';
import { type ClusterScanInput, type ScanDeps, scanCluster } from './scan-cluster/index.ts';
import { type ScopePlan, settle, throwIfVanishedFailed } from './scope-plan.ts';
import { type ClusterScanSummary, emitMetrics, type FanOutSummary, putScanCompleted } from './summary.ts';

/**
 * Poll pace of cluster scans side by side: one ListCommands listing serves them all, so a round a
 * second costs about as much as each polling every 5 s alone, and a group is read within a second of
 * ending instead of up to 7.5 s later.
 */
const SHARED_POLL_INTERVAL_MS = 1_000;
/**
 * Cluster discoveries at once side by side: one takes about 0.3 s of EC2 latency and 0.1 s of CPU
 * (three pages decoded), so about five keep both busy while the clusters finish one after another.
 */
const DISCOVERIES_AT_ONCE = 5;

export interface SideBySideResult {
  readonly clusterScans: ClusterScanSummary[];
  /** Clusters whose scan threw, with "Name: message". */
  readonly failedClusters: { cluster: string; error: string }[];
  /** The first error thrown, kept as the cause of the invocation's own. */
  readonly firstError?: unknown;
}

export async function scanSideBySide<T extends { readonly cluster: string }>(
  deps: ScanDeps,
  targets: readonly T[],
  /** The scan input of a target, given the counter of its own calls. */
  inputOf: (target: T, counter: ApiCallCounter) => ClusterScanInput,
  shared: {
    readonly budget: NodeBudget;
    readonly poller: CommandPoller;
    readonly pollIntervalMs: number;
    readonly earlyReads?: EarlyReads;
    readonly discoveries?: Turns;
    readonly groupedDiscovery?: GroupedDiscovery;
  },
): Promise<SideBySideResult> {
  const clusterScans: ClusterScanSummary[] = [];
  const failedClusters: { cluster: string; error: string }[] = [];
  let firstError: unknown;
  const { budget } = shared;
  const completed: ClusterScanSummary[] = [];
  await Promise.all(
    targets.map(async (target) => {
      const { cluster } = target;
      // Each cluster's own counter: its "Scan Completed" event reports its own calls.
      const counter = new ApiCallCounter();
      let held = 0;
      const admit = async (nodes: number) => {
        if (budget.waiting > 0 || budget.nodesInFlight + nodes > budget.capacity) {
          deps.logger.info('Cluster scan waits for nodes in flight to end', {
            cluster,
            nodes,
            nodesInFlight: budget.nodesInFlight,
            nodeBudget: budget.capacity,
          });
        }
        held = await budget.acquire(nodes);
      };
      try {
        const input: ClusterScanInput = {
          ...inputOf(target, counter),
          admit,
          scanCompleted: (summary) => completed.push(summary),
          ...(shared.discoveries ? { discoveries: shared.discoveries } : {}),
          ...(shared.groupedDiscovery ? { groupedDiscovery: shared.groupedDiscovery } : {}),
          sharedPoll: {
            poller: shared.poller,
            intervalMs: shared.pollIntervalMs,
            ...(shared.earlyReads ? { earlyReads: shared.earlyReads } : {}),
          },
        };
        clusterScans.push(await withApiCallCounter(counter, () => scanCluster(deps, input)));
      } catch (error) {
        firstError ??= error;
        const named = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        failedClusters.push({ cluster, error: named });
        deps.logger.error('Cluster scan failed', { cluster, error: named });
      } finally {
        budget.release(held);
      }
    }),
  );
  // One event per cluster, put together (their apiCalls leave this shared PutEvents out).
  if (completed.length > 0) await putScanCompleted(deps, completed);
  return { clusterScans, failedClusters, ...(firstError !== undefined ? { firstError } : {}) };
}

/**
 * The side-by-side step of an invocation: its admitted clusters scanned here, holding their leases,
 * then its summary. The clusters share this invocation's token buckets (exact account-wide quotas
 * instead of a blind 1/N split across invocations, so no throttled attempts and no share left idle
 * while another scan waits) and its container. One failing cluster does not stop the others; the
 * invocation fails after all of them reported.
 */
export async function sideBySideRun(run: RunContext, plan: ScopePlan): Promise<FanOutSummary> {
  const { clients, config, clock, metrics } = run.parts;
  const { offlineInstances, groupedDiscovery } = plan;
  const { clusterScans, failedClusters, firstError } = await run.holding(plan.admitted, () =>
    scanSideBySide(
      run.deps,
      plan.targets,
      (target, clusterCounter) => run.clusterInput(target, offlineInstances, clusterCounter),
      {
        budget: new NodeBudget(config.nodesInFlight ?? Number.MAX_SAFE_INTEGER),
        poller: new CommandPoller(
          clients.ssm,
          config.documentName,
          new Date(run.started.getTime() - CLOCK_SKEW_MS),
          () => clock.now().getTime(),
        ),
        pollIntervalMs: Math.min(config.pollIntervalMs, SHARED_POLL_INTERVAL_MS),
        earlyReads: new EarlyReads(),
        discoveries: new Turns(DISCOVERIES_AT_ONCE),
        ...(groupedDiscovery ? { groupedDiscovery } : {}),
      },
    ),
  );
  const settled = await settle(plan);
  const summary = fanOutSummary(run, settled, {
    eventsPut: 0,
    eventsFailed: 0,
    clusterScans,
    failedClusters,
  });
  run.log.info('Clusters scanned in this invocation', {
    summary: { ...summary, clusterScans: clusterScans.length },
  });
  emitMetrics(metrics, summary);
  if (failedClusters.length > 0) {
    throw new ClusterScansFailedError(
      failedClusters.map((f) => f.cluster),
      { cause: firstError },
      summary,
    );
  }
  throwIfVanishedFailed(settled);
  return summary;
}
