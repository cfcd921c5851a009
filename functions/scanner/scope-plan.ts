/**
 * How an invocation covers a resolved scope of several targets (or one found from its instances):
 * which targets the flood guard admits, whether they are scanned here or fanned out, the account's
 * offline instances listed once, and on a full scan the findings of vanished clusters archived.
 */
import { DESCRIBE_PAGE, offlineReachability, type Reachability } from '../aws/discovery.ts';
import { GroupedDiscovery } from '../aws/grouped-discovery.ts';
import { productArn } from '../findings/asff.ts';
import { FindingsNotDeliveredError } from './errors.ts';
import { archiveVanishedClusters, type OfflineListing, type VanishedClustersResult } from './fan-out.ts';
import type { Admitted, SkippedScan } from './flood-guard.ts';
import { listOfflineOnce, offlineFromWorkItem } from './offline-listing.ts';
import type { RunContext } from './run-context.ts';
import { type ResolvedScope, resolveScope } from './scope.ts';
import type { SkippedSummary } from './summary.ts';

export const Coverage = {
  /** One cluster, scanned in this invocation. */
  HERE: 'here',
  /** A few clusters, scanned side by side in this invocation. */
  SIDE_BY_SIDE: 'side-by-side',
  /** One work item per cluster (or group of clusters) on the internal bus. */
  FAN_OUT: 'fan-out',
} as const;
export type Coverage = (typeof Coverage)[keyof typeof Coverage];

/** The account-wide work of a plan that the cluster scans need not wait for. */
export interface PlanBackground {
  readonly vanished: VanishedClustersResult;
  /** The offline listing made here (absent when the work item brought one, or it failed). */
  readonly listing?: OfflineListing;
}

export interface ScopePlan extends ResolvedScope {
  readonly coverage: Coverage;
  readonly admitted: Admitted;
  /** Targets held back by the flood guard. */
  readonly floodSkipped: readonly SkippedScan[];
  /** Started before the vanished-cluster check, for clusters scanned side by side. */
  readonly groupedDiscovery?: GroupedDiscovery;
  /**
   * The account's offline instances (never rejects; undefined: each scan lists them itself). A scan
   * needs them only to choose whom to send the collector to (triage), so it discovers its nodes while
   * the listing's pages come in.
   */
  readonly offlineInstances: Promise<Map<string, Reachability> | undefined>;
  /** The vanished-cluster archive and the listing, awaited by the summary (`settle`). */
  readonly background: Promise<PlanBackground>;
}

/** A plan whose background work has settled: what the invocation's summary reports. */
export type SettledPlan = ScopePlan & PlanBackground;

/** Resolves the scope and plans its coverage; or the skipped summary when the flood guard let nothing start. */
export async function planScope(run: RunContext): Promise<ScopePlan | { readonly skipped: SkippedSummary }> {
  const { clients, config, clock } = run.parts;
  const { log } = run;
  // The account's offline instances, listed once here for every cluster scan rather than paged
  // again by each (the same account-wide pages, at SSM's ~10 calls/s), beside the cluster listing
  // and the archive; an event of a fan-out brings the fan-out's. Never rejects: on failure each
  // scan lists them itself.
  const hinted = offlineFromWorkItem(run.request.work?.offline, clock.now(), log);
  const resolved = await resolveScope(run);
  // Scanned here when few enough: then this invocation takes the leases; a fan-out only looks, and
  // the invocations of its work items take them.
  const fanOut = resolved.targets.length > (config.clustersPerInvocation ?? 1);
  // Every live cluster, skipped ones included: their findings are not vanished.
  const liveClusters = resolved.targets.map((t) => t.cluster);
  const admitted = await run.admit(resolved.targets, !fanOut);
  const { targets } = admitted;
  if (targets.length === 0 && admitted.skipped.length > 0) return { skipped: run.skipped(admitted) };
  const offlineListing = hinted ? Promise.resolve(undefined) : listOfflineOnce(clients, clock.now, log);
  const coverage = coverageOf(fanOut, targets.length);
  // Started now, so its first pages come in beside the vanished-cluster check and DescribeCluster.
  const groupedDiscovery =
    coverage === Coverage.SIDE_BY_SIDE && mayFitOnePage(targets, admitted.lastNodes)
      ? new GroupedDiscovery(
          clients.ec2,
          targets.map((t) => t.cluster),
        )
      : undefined;
  const offlineInstances = offlineListing.then(
    (listing) => hinted ?? (listing ? offlineReachability(listing.instances) : undefined),
  );
  const background = Promise.all([archiveIfFullScan(run, liveClusters), offlineListing]).then(
    ([vanished, listing]): PlanBackground => ({ vanished, ...(listing ? { listing } : {}) }),
  );
  // Awaited once the scans have reported (settle); a failed archive must not go unhandled until then.
  background.catch(() => undefined);
  return {
    ...resolved,
    targets,
    coverage,
    admitted,
    floodSkipped: admitted.skipped,
    ...(groupedDiscovery ? { groupedDiscovery } : {}),
    offlineInstances,
    background,
  };
}

/** The plan with its background work settled (a failed vanished-cluster archive throws here). */
export async function settle(plan: ScopePlan): Promise<SettledPlan> {
  return { ...plan, ...(await plan.background) };
}

/**
 * Whether the clusters' nodes may fit in one page of a grouped query (grouped-discovery.ts). Not when
 * the last scans of every one of them found more nodes together than a page holds: the query most
 * nodes answer (`kubernetes.io/cluster/<name>` is on most provisioners' nodes) would need more pages,
 * and its first page would be asked, decoded and thrown away while every cluster waited for it.
 */
function mayFitOnePage(
  targets: readonly { readonly cluster: string }[],
  lastNodes: ReadonlyMap<string, number> | undefined,
): boolean {
  let total = 0;
  for (const { cluster } of targets) {
    const nodes = lastNodes?.get(cluster);
    if (nodes === undefined) return true;
    total += nodes;
  }
  return total <= DESCRIBE_PAGE;
}

/** On a full scan, archives the findings of clusters no longer present. */
async function archiveIfFullScan(
  run: RunContext,
  liveClusters: readonly string[],
): Promise<VanishedClustersResult> {
  const { request, scope } = run;
  if (request.clusters || request.instanceIds) {
    return { archived: 0, failed: 0, clusters: [], failedByCode: {} };
  }
  const vanished = await archiveVanishedClusters(
    run.parts.clients.securityHub,
    { productArn: productArn(scope), region: scope.region, accountId: scope.accountId },
    liveClusters,
    run.parts.clock.now(),
  );
  if (vanished.archived > 0 || vanished.failed > 0) {
    run.log.info('Archived findings of clusters no longer present', { vanished });
  }
  return vanished;
}

/** Findings of vanished clusters that could not be archived fail the invocation, after it reported. */
export function throwIfVanishedFailed(plan: SettledPlan): void {
  const { vanished } = plan;
  if (vanished.failed > 0) throw new FindingsNotDeliveredError(vanished.failed, vanished.failedByCode);
}

/** Without targets (none in scope) the fan-out path reports: it puts no event. */
function coverageOf(fanOut: boolean, targets: number): Coverage {
  if (fanOut || targets === 0) return Coverage.FAN_OUT;
  return targets === 1 ? Coverage.HERE : Coverage.SIDE_BY_SIDE;
}
