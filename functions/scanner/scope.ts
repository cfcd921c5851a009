/**
 * The clusters (or nodes) a request covers: the requested clusters within the allow-list, the
 * clusters of the requested instances, or every listed cluster; what is left out is logged.
 */
import { listClusterNames, resolveInstanceClusters } from '../aws/discovery.ts';
import type { ClusterTarget } from './fan-out.ts';
import type { RunContext } from './run-context.ts';

const NOT_ALLOWED = 'not in KUBELET_AUDIT_CLUSTERS';

export interface ResolvedScope {
  readonly targets: ClusterTarget[];
  /** Requested clusters left out, and why. */
  readonly skippedClusters: { cluster: string; reason: string }[];
  /** Requested instance ids that are not running nodes of a scanned cluster. */
  readonly notANodeIds: string[];
}

export async function resolveScope(run: RunContext): Promise<ResolvedScope> {
  const { request } = run;
  const skippedClusters: { cluster: string; reason: string }[] = [];
  const requested = request.clusters?.filter((c) => {
    if (run.allowed(c)) return true;
    skippedClusters.push({ cluster: c, reason: NOT_ALLOWED });
    return false;
  });
  const resolved = request.instanceIds
    ? await instanceScope(run, request.instanceIds, requested)
    : await clusterScope(run, requested);
  const scope = { ...resolved, skippedClusters: [...skippedClusters, ...resolved.skippedClusters] };
  if (scope.skippedClusters.length > 0) {
    run.log.warn('Requested clusters skipped', { skippedClusters: scope.skippedClusters });
  }
  if (scope.notANodeIds.length > 0) {
    run.log.warn('Requested instances are not running nodes of a scanned cluster', {
      notANodeIds: scope.notANodeIds,
    });
  }
  return scope;
}

/**
 * Each instance's cluster from its tags, so only those clusters are scanned and an id that is no
 * node at all is reported here rather than by every cluster's scan.
 */
async function instanceScope(
  run: RunContext,
  instanceIds: readonly string[],
  requested: readonly string[] | undefined,
): Promise<ResolvedScope> {
  const resolved = await resolveInstanceClusters(run.parts.clients.ec2, instanceIds);
  const notANodeIds = resolved.notANode;
  const skippedClusters: { cluster: string; reason: string }[] = [];
  const targets: ClusterTarget[] = [];
  for (const [cluster, ids] of resolved.byCluster) {
    if (requested && !requested.includes(cluster)) notANodeIds.push(...ids);
    else if (!run.allowed(cluster)) {
      notANodeIds.push(...ids);
      skippedClusters.push({ cluster, reason: NOT_ALLOWED });
    } else targets.push({ cluster, instanceIds: ids });
  }
  return { targets, skippedClusters, notANodeIds };
}

/** The requested clusters, or every cluster of the account and Region the allow-list lets in. */
async function clusterScope(
  run: RunContext,
  requested: readonly string[] | undefined,
): Promise<ResolvedScope> {
  const names = requested ?? (await listClusterNames(run.parts.clients.eks)).filter(run.allowed);
  return { targets: names.map((cluster) => ({ cluster })), skippedClusters: [], notANodeIds: [] };
}
