/**
 * The clusters of one invocation scanned side by side: they share the invocation's token buckets
 * (pacer.ts, exact account-wide quotas instead of a blind 1/N split across invocations), one
 * ListCommands poller, and a node budget that bounds memory. One failing cluster does not stop the
 * others; the caller decides what its failure means once all have reported.
 */
import { ApiCallCounter, withApiCallCounter } from '../aws/clients.ts';
import type { GroupedDiscovery } from '../aws/grouped-discovery.ts';
import type { CommandPoller } from '../aws/run-command/command-poller.ts';
import type { EarlyReads } from '../aws/run-command/early-reads.ts';
import type { Turns } from '../aws/turns.ts';
import type { NodeBudget } from './node-budget.ts';
import { type ClusterScanInput, type ScanDeps, scanCluster } from './scan-cluster/index.ts';
import { type ClusterScanSummary, putScanCompleted } from './summary.ts';

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
