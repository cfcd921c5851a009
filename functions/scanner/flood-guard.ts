/**
 * Which of an invocation's targets may start now (scan-leases.ts): whole clusters by their lease,
 * node-scoped targets node by node. What is held back is reported (log line, `ScansSkipped` metric,
 * the invocation's summary), never dropped silently.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ClusterScansFailedError } from './errors.ts';
import type { ClusterTarget } from './fan-out.ts';
import { type ScanLeases, SkipReason } from './scan-leases.ts';

/** A cluster (or some of its nodes) not scanned now, and why. */
export interface SkippedScan {
  readonly cluster: string;
  readonly reason: SkipReason;
  /** The nodes held back, for a node-scoped request; absent = the whole cluster. */
  readonly instanceIds?: readonly string[];
  readonly lastFinishedAt?: string;
}

export interface Admitted {
  /** Targets to scan (node-scoped ones narrowed to the nodes claimed). */
  readonly targets: ClusterTarget[];
  /** Clusters whose lease this invocation now holds (release with releaseAll). */
  readonly leased: string[];
  readonly skipped: SkippedScan[];
  /** Running nodes the last finished scan of a leased cluster found, where recorded. */
  readonly lastNodes?: ReadonlyMap<string, number>;
}

export interface AdmitOptions {
  readonly leases: ScanLeases;
  readonly scanId: string;
  /** How long a lease lasts unless released: the invocation's remaining time. */
  readonly leaseMs: number;
  /**
   * false = only look (a fan-out that hands its targets to other invocations, which take the leases
   * themselves): a target already running or recently scanned is not sent at all.
   */
  readonly take: boolean;
}

/** Node claims in flight together (each one UpdateItem). */
const CLAIMS_AT_ONCE = 25;

async function admitOne(target: ClusterTarget, o: AdmitOptions): Promise<Admitted> {
  const { cluster } = target;
  if (!target.instanceIds) {
    const outcome = o.take
      ? await o.leases.acquireCluster(cluster, o.scanId, o.leaseMs)
      : await o.leases.clusterOutcome(cluster);
    if (outcome.acquired) {
      const { lastNodes } = outcome;
      return {
        targets: [target],
        leased: o.take ? [cluster] : [],
        skipped: [],
        ...(lastNodes !== undefined ? { lastNodes: new Map([[cluster, lastNodes]]) } : {}),
      };
    }
    const { reason, lastFinishedAt } = outcome;
    return {
      targets: [],
      leased: [],
      skipped: [{ cluster, reason, ...(lastFinishedAt ? { lastFinishedAt } : {}) }],
    };
  }
  // A node is not rescanned while its cluster's scan runs, nor soon after the cluster or the node was.
  const outcome = await o.leases.clusterOutcome(cluster);
  if (!outcome.acquired) {
    const { reason, lastFinishedAt } = outcome;
    const skip = { cluster, reason, instanceIds: target.instanceIds };
    return { targets: [], leased: [], skipped: [{ ...skip, ...(lastFinishedAt ? { lastFinishedAt } : {}) }] };
  }
  if (!o.take) return { targets: [target], leased: [], skipped: [] };
  const claimed: boolean[] = [];
  // A few at a time: a request may name thousands of ids, and the clients share their sockets.
  for (let i = 0; i < target.instanceIds.length; i += CLAIMS_AT_ONCE) {
    const chunk = target.instanceIds.slice(i, i + CLAIMS_AT_ONCE);
    claimed.push(...(await Promise.all(chunk.map((id) => o.leases.claimNode(id, o.scanId)))));
  }
  const run = target.instanceIds.filter((_, k) => claimed[k]);
  const held = target.instanceIds.filter((_, k) => !claimed[k]);
  return {
    targets: run.length > 0 ? [{ cluster, instanceIds: run }] : [],
    leased: [],
    skipped: held.length > 0 ? [{ cluster, reason: SkipReason.RECENTLY_SCANNED, instanceIds: held }] : [],
  };
}

/** Admits each target (side by side); logs and counts what is held back. */
export async function admitTargets(
  targets: readonly ClusterTarget[],
  options: AdmitOptions & { logger: Logger; metrics: Metrics },
): Promise<Admitted> {
  const each = await Promise.all(targets.map((t) => admitOne(t, options)));
  const admitted: Admitted = {
    targets: each.flatMap((a) => a.targets),
    leased: each.flatMap((a) => a.leased),
    skipped: each.flatMap((a) => a.skipped),
    lastNodes: new Map(each.flatMap((a) => [...(a.lastNodes ?? [])])),
  };
  if (admitted.skipped.length > 0) {
    options.logger.warn('Scan not started: already running or scanned within the minimum interval', {
      skippedScans: admitted.skipped,
    });
    options.metrics.addMetric('ScansSkipped', MetricUnit.Count, admitted.skipped.length);
  }
  return admitted;
}

/**
 * Gives the leases back: `finished` clusters start their interval now; the others (failed scans)
 * only free the lease, so Lambda's retry of the invocation can run. Errors are logged, not thrown:
 * an unreleased lease expires by itself.
 */
export async function releaseLeases(
  leases: ScanLeases,
  options: {
    clusters: readonly string[];
    scanId: string;
    finished: (cluster: string) => boolean;
    /** Running nodes each finished scan found (kept with the lease for the next invocation). */
    nodes?: ReadonlyMap<string, number>;
    logger: Logger;
  },
): Promise<void> {
  await Promise.all(
    options.clusters.map(async (cluster) => {
      try {
        const finished = options.finished(cluster);
        const nodes = options.nodes?.get(cluster);
        if (!(await leases.releaseCluster(cluster, options.scanId, finished, nodes))) {
          options.logger.warn('Cluster lease was taken over before release (it had expired)', { cluster });
        }
      } catch (error) {
        options.logger.warn('Cluster lease not released; it expires by itself', {
          cluster,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }),
  );
}

/** The flood guard of one invocation: what may start, and the leases held while it runs. */
export interface InvocationGuard {
  /** Targets that may start now; `take` = this invocation scans them (see AdmitOptions). */
  admit(targets: ClusterTarget[], take: boolean): Promise<Admitted>;
  /** Runs `scan` holding the admitted leases; each is released as finished unless its scan failed. */
  holding<T>(admitted: Admitted, scan: () => Promise<T>): Promise<T>;
}

/** Without a state table (tests of other parts), every target is admitted and nothing is held. */
export function invocationGuard(
  leases: ScanLeases | undefined,
  o: { scanId: string; leaseMs: () => number; logger: Logger; metrics: Metrics },
): InvocationGuard {
  return {
    admit: async (targets, take) =>
      leases
        ? admitTargets(targets, { ...o, leases, leaseMs: o.leaseMs(), take })
        : { targets, leased: [], skipped: [] },
    async holding(admitted, scan) {
      if (!leases || admitted.leased.length === 0) return scan();
      let failed: (cluster: string) => boolean = () => true;
      let nodes: ReadonlyMap<string, number> | undefined;
      try {
        const result = await scan();
        failed = () => false;
        nodes = nodesFound(result);
        return result;
      } catch (error) {
        // Side by side, the clusters that did finish start their interval; the failed ones do not.
        if (error instanceof ClusterScansFailedError) failed = (c) => error.clusters.includes(c);
        throw error;
      } finally {
        await releaseLeases(leases, {
          clusters: admitted.leased,
          scanId: o.scanId,
          finished: (c) => !failed(c),
          ...(nodes ? { nodes } : {}),
          logger: o.logger,
        });
      }
    },
  };
}

/**
 * The running nodes each cluster scan of a finished invocation found, from its summary (one cluster
 * scan's, or a side-by-side run's list of them).
 */
function nodesFound(result: unknown): ReadonlyMap<string, number> | undefined {
  const scans = (result as { clusterScans?: unknown })?.clusterScans ?? [result];
  if (!Array.isArray(scans)) return undefined;
  const out = new Map<string, number>();
  for (const scan of scans as (CountedScan | undefined)[]) {
    const inCluster = scan?.nodes?.inCluster;
    const counted = scan?.kind === 'cluster-scan' && scan.clusterFound === true;
    if (counted && typeof scan.cluster === 'string' && typeof inCluster === 'number')
      out.set(scan.cluster, inCluster);
  }
  return out;
}

/** What nodesFound reads of a cluster scan's summary (summary.ts ClusterScanSummary, which imports this file). */
interface CountedScan {
  readonly kind?: unknown;
  readonly clusterFound?: unknown;
  readonly cluster?: unknown;
  readonly nodes?: { readonly inCluster?: unknown };
}
