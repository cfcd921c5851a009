/**
 * The scanner behind the handler: resolves an event's scope, then either scans one cluster in this
 * invocation or fans out one event per cluster. The handler, the tests and the demo all drive this
 * same code through createScanner.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  ApiCallCounter,
  type AwsClients,
  instrumentClients,
  withApiCallCounter,
  withPacer,
} from '../aws/clients.ts';
import {
  listClusterNames,
  offlineReachability,
  type Reachability,
  resolveInstanceClusters,
} from '../aws/discovery.ts';
import { GroupedDiscovery } from '../aws/grouped-discovery.ts';
import { Pacer } from '../aws/pacer.ts';
import { CLOCK_SKEW_MS, CommandPoller } from '../aws/run-command/command-poller.ts';
import { EarlyReads } from '../aws/run-command/early-reads.ts';
import { Turns } from '../aws/turns.ts';
import { productArn } from '../findings/asff.ts';
import type { ScannerConfig } from './config.ts';
import {
  ClusterScansFailedError,
  ConfigError,
  EventDeliveryError,
  FindingsNotDeliveredError,
  InvalidEventError,
} from './errors.ts';
import { MAX_OFFLINE_HINT_INSTANCES, type ScanRequest } from './events.ts';
import {
  archiveVanishedClusters,
  type ClusterTarget,
  offlineHint,
  putEvents,
  workItemEntries,
} from './fan-out.ts';
import { type Admitted, invocationGuard } from './flood-guard.ts';
import { parseInvocation } from './internal-events.ts';
import { type Clock, type InvocationContext, scopeFromFunctionArn, systemClock } from './invocation.ts';
import { NodeBudget } from './node-budget.ts';
import { listOfflineOnce, offlineFromWorkItem } from './offline-listing.ts';
import { rejected } from './rejection.ts';
import { type ClusterScanInput, scanCluster } from './scan-cluster/index.ts';
import { ScanLeases } from './scan-leases.ts';
import { scanSideBySide } from './side-by-side.ts';
import { emitMetrics, type FanOutSummary, type ScanSummary, skippedSummary } from './summary.ts';

export { type Clock, type InvocationContext, scopeFromFunctionArn, systemClock } from './invocation.ts';

export interface ScannerOptions {
  readonly clients: AwsClients;
  readonly config: ScannerConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
  /** Also counts every call of every scan of this scanner (the demo and the benchmark read it). */
  readonly globalCounter?: ApiCallCounter;
}

export interface Scanner {
  /** Handles one invocation; returns its summary (throws after reporting if findings were lost). */
  scan(event: unknown, context: InvocationContext): Promise<ScanSummary>;
}

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

export function createScanner(options: ScannerOptions): Scanner {
  const { clients, config, logger, metrics } = options;
  const clock = options.clock ?? systemClock;
  instrumentClients(clients, options.globalCounter);
  const allowed = (cluster: string): boolean =>
    !config.clusterAllowList || config.clusterAllowList.includes(cluster);
  const leases = config.stateTable
    ? new ScanLeases({
        client: clients.dynamodb,
        table: config.stateTable,
        minIntervalMs: config.minScanIntervalMs ?? 0,
        now: clock.now,
      })
    : undefined;

  async function run(request: ScanRequest, context: InvocationContext, counter: ApiCallCounter) {
    const started = clock.now();
    const scope = scopeFromFunctionArn(context.invokedFunctionArn);
    const scanId = request.scanId ?? randomUUID();
    const remainingMs = () => context.getRemainingTimeInMillis() - config.deadlineReserveMs;
    // A child logger per invocation: several scans may run at once in one process (tests, demo).
    const log = logger.createChild();
    log.appendKeys({ scanId, trigger: request.trigger });
    const deps = {
      clients,
      config,
      logger: log,
      metrics,
      now: clock.now,
      sleep: clock.sleep,
      events: clients.events,
      eventBus: config.eventBus,
    };
    const reason = request.reason;
    const { admit, holding } = invocationGuard(leases, {
      scanId,
      leaseMs: () => context.getRemainingTimeInMillis(),
      logger: log,
      metrics,
    });
    const skipped = (admitted: Admitted) =>
      skippedSummary(metrics, log, {
        scanId,
        trigger: request.trigger,
        ...(reason ? { reason } : {}),
        skipped: admitted.skipped,
        durationMs: clock.now().getTime() - started.getTime(),
        apiCalls: counter.toJSON(),
        apiCallsTotal: counter.total,
      });
    /** A cluster scan's input: its target and what every scan of this invocation shares. */
    const clusterInput = (
      target: ClusterTarget,
      offlineInstances: Map<string, Reachability> | undefined,
      scanCounter: ApiCallCounter,
    ): ClusterScanInput => ({
      cluster: target.cluster,
      ...(target.instanceIds ? { instanceIds: target.instanceIds } : {}),
      ...(offlineInstances ? { offlineInstances } : {}),
      scanId,
      trigger: request.trigger,
      ...(reason ? { reason } : {}),
      scope,
      remainingMs,
      counter: scanCounter,
    });

    const single = request.clusters?.length === 1 ? request.clusters[0] : undefined;
    if (single !== undefined && allowed(single)) {
      // A single-cluster request never fans out.
      const admitted = await admit(
        [{ cluster: single, ...(request.instanceIds ? { instanceIds: request.instanceIds } : {}) }],
        true,
      );
      const target = admitted.targets[0];
      if (!target) return skipped(admitted);
      const offlineInstances = offlineFromWorkItem(request.work?.offline, clock.now(), log);
      const summary = await holding(admitted, () =>
        scanCluster(deps, clusterInput(target, offlineInstances, counter)),
      );
      return admitted.skipped.length > 0 ? { ...summary, floodSkipped: admitted.skipped } : summary;
    }

    // The account's offline instances, listed once here for every cluster scan rather than paged
    // again by each (the same account-wide pages, at SSM's ~10 calls/s), beside the cluster listing
    // and the archive; an event of a fan-out brings the fan-out's. Never rejects: on failure each
    // scan lists them itself.
    const hinted = offlineFromWorkItem(request.work?.offline, clock.now(), log);

    const skippedClusters: { cluster: string; reason: string }[] = [];
    let notANodeIds: string[] = [];
    let targets: ClusterTarget[];
    const requested = request.clusters?.filter((c) => {
      if (allowed(c)) return true;
      skippedClusters.push({ cluster: c, reason: 'not in KUBELET_AUDIT_CLUSTERS' });
      return false;
    });
    if (request.instanceIds) {
      // Find each instance's cluster from its tags, so only those clusters are scanned and an id
      // that is no node at all is reported here rather than by every cluster's scan.
      const resolved = await resolveInstanceClusters(clients.ec2, request.instanceIds);
      notANodeIds = resolved.notANode;
      targets = [];
      for (const [cluster, ids] of resolved.byCluster) {
        if (requested && !requested.includes(cluster)) notANodeIds.push(...ids);
        else if (!allowed(cluster)) {
          notANodeIds.push(...ids);
          skippedClusters.push({ cluster, reason: 'not in KUBELET_AUDIT_CLUSTERS' });
        } else targets.push({ cluster, instanceIds: ids });
      }
    } else {
      const names = requested ?? (await listClusterNames(clients.eks)).filter(allowed);
      targets = names.map((cluster) => ({ cluster }));
    }
    if (skippedClusters.length > 0) log.warn('Requested clusters skipped', { skippedClusters });
    if (notANodeIds.length > 0) {
      log.warn('Requested instances are not running nodes of a scanned cluster', { notANodeIds });
    }

    const perInvocation = config.clustersPerInvocation ?? 1;
    // Scanned here when few enough: then this invocation takes the leases; a fan-out only looks, and
    // the invocations of its work items take them.
    const fanOut = targets.length > perInvocation;
    // Every live cluster, skipped ones included: their findings are not vanished.
    const liveClusters = targets.map((t) => t.cluster);
    const admitted = await admit(targets, !fanOut);
    targets = admitted.targets;
    if (targets.length === 0 && admitted.skipped.length > 0) return skipped(admitted);
    const floodSkipped = admitted.skipped;
    const offlineListing = hinted ? Promise.resolve(undefined) : listOfflineOnce(clients, clock.now, log);
    const sideBySide = !fanOut && targets.length > 1;
    // Started now, so its first pages come in beside the vanished-cluster check and DescribeCluster.
    const groupedDiscovery = sideBySide
      ? new GroupedDiscovery(
          clients.ec2,
          targets.map((t) => t.cluster),
        )
      : undefined;

    let vanished = {
      archived: 0,
      failed: 0,
      clusters: [] as string[],
      failedByCode: {} as Record<string, number>,
    };
    const fullScan = !request.clusters && !request.instanceIds;
    if (fullScan) {
      vanished = await archiveVanishedClusters(
        clients.securityHub,
        { productArn: productArn(scope), region: scope.region, accountId: scope.accountId },
        liveClusters,
        clock.now(),
      );
      if (vanished.archived > 0 || vanished.failed > 0) {
        log.info('Archived findings of clusters no longer present', { vanished });
      }
    }

    const listing = await offlineListing;
    const offlineInstances = hinted ?? (listing ? offlineReachability(listing.instances) : undefined);
    const only = !fanOut && targets.length === 1 ? targets[0] : undefined;
    if (only) {
      // One cluster in scope: scan it here rather than spend an event and an invocation on it.
      const summary = await holding(admitted, () =>
        scanCluster(deps, {
          ...clusterInput(only, offlineInstances, counter),
          extraNotANodeIds: notANodeIds,
        }),
      );
      if (vanished.failed > 0) throw new FindingsNotDeliveredError(vanished.failed, vanished.failedByCode);
      return floodSkipped.length > 0 ? { ...summary, floodSkipped } : summary;
    }

    if (sideBySide) {
      // Few enough clusters: scan them side by side here. They share this invocation's token buckets
      // (exact account-wide quotas instead of a blind 1/N split across invocations, so no throttled
      // attempts and no share left idle while another scan waits) and its container. One failing
      // cluster does not stop the others; the invocation fails after all of them reported.
      const { clusterScans, failedClusters, firstError } = await holding(admitted, () =>
        scanSideBySide(
          deps,
          targets,
          (target, clusterCounter) => clusterInput(target, offlineInstances, clusterCounter),
          {
            budget: new NodeBudget(config.nodesInFlight ?? Number.MAX_SAFE_INTEGER),
            poller: new CommandPoller(
              clients.ssm,
              config.documentName,
              new Date(started.getTime() - CLOCK_SKEW_MS),
              () => clock.now().getTime(),
            ),
            pollIntervalMs: Math.min(config.pollIntervalMs, SHARED_POLL_INTERVAL_MS),
            earlyReads: new EarlyReads(),
            discoveries: new Turns(DISCOVERIES_AT_ONCE),
            ...(groupedDiscovery ? { groupedDiscovery } : {}),
          },
        ),
      );
      const summary: FanOutSummary = {
        kind: 'fan-out',
        scanId,
        trigger: request.trigger,
        ...(reason ? { reason } : {}),
        clusters: targets.map((t) => t.cluster),
        eventsPut: 0,
        eventsFailed: 0,
        skippedClusters,
        floodSkipped,
        notANodeIds,
        vanishedClusters: {
          archived: vanished.archived,
          failed: vanished.failed,
          clusters: vanished.clusters,
        },
        clusterScans,
        failedClusters,
        durationMs: clock.now().getTime() - started.getTime(),
        apiCalls: counter.toJSON(),
        apiCallsTotal: counter.total,
      };
      log.info('Clusters scanned in this invocation', {
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
      if (vanished.failed > 0) throw new FindingsNotDeliveredError(vanished.failed, vanished.failedByCode);
      return summary;
    }

    // Narrowed events carry only their own instances' part, which may still fit.
    if (listing && targets.some((t) => !t.instanceIds) && !offlineHint(listing)) {
      log.warn(
        'Offline listing does not fit in the events; each cluster scan lists offline instances itself',
        {
          offlineInstances: listing.instances.length,
          maxInEvent: MAX_OFFLINE_HINT_INSTANCES,
        },
      );
    }
    if (!config.internalEventBus) {
      throw new ConfigError('KUBELET_AUDIT_INTERNAL_EVENT_BUS', 'is required to fan a scan out');
    }
    const put = await putEvents(
      clients.events,
      workItemEntries(targets, {
        eventBus: config.internalEventBus,
        trigger: request.trigger,
        scanId,
        ...(reason ? { reason } : {}),
        ...(listing ? { offline: listing } : {}),
        clustersPerEvent: perInvocation,
      }),
      clock.sleep,
    );
    const summary: FanOutSummary = {
      kind: 'fan-out',
      scanId,
      trigger: request.trigger,
      ...(reason ? { reason } : {}),
      clusters: targets.map((t) => t.cluster),
      eventsPut: put.put,
      eventsFailed: put.failed.length,
      skippedClusters,
      floodSkipped,
      notANodeIds,
      vanishedClusters: { archived: vanished.archived, failed: vanished.failed, clusters: vanished.clusters },
      clusterScans: [],
      failedClusters: [],
      durationMs: clock.now().getTime() - started.getTime(),
      apiCalls: counter.toJSON(),
      apiCallsTotal: counter.total,
    };
    log.info('Scan fanned out', { summary });
    emitMetrics(metrics, summary);
    if (put.failed.length > 0) {
      const codes: Record<string, number> = {};
      for (const f of put.failed) codes[f.errorCode] = (codes[f.errorCode] ?? 0) + 1;
      // Re-running the whole fan-out (Lambda async retry) is safe: cluster scans are idempotent.
      throw new EventDeliveryError(put.failed.length, codes);
    }
    if (vanished.failed > 0) throw new FindingsNotDeliveredError(vanished.failed, vanished.failedByCode);
    return summary;
  }

  return {
    async scan(event, context) {
      let request: ScanRequest;
      try {
        request = parseInvocation(event, config.internalEventBus).request;
      } catch (error) {
        // Retrying a malformed event cannot help: report it and return, so Lambda does not retry.
        if (error instanceof InvalidEventError) return rejected(error, { logger, metrics });
        throw error;
      }
      const counter = new ApiCallCounter();
      // This invocation's share of the account-wide quotas, for its whole run (a fan-out runs alone).
      const pacer = new Pacer(request.work?.concurrentScans ?? 1, {
        now: () => clock.now().getTime(),
        sleep: clock.sleep,
      });
      return withApiCallCounter(counter, () => withPacer(pacer, () => run(request, context, counter)));
    },
  };
}
