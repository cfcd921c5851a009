/**
 * The scanner behind the handler: resolves an event's scope (scope.ts), lets the flood guard admit
 * it (scope-plan.ts), then scans one cluster here, a few side by side (side-by-side.ts), or fans out
 * one work item per cluster or group of clusters (fan-out-run.ts). The handler, the tests and the demo all drive this
 * same code through createScanner.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  ApiCallCounter,
  type AwsClients,
  instrumentClients,
  withApiCallCounter,
  withPacer,
} from '../aws/clients.ts';
import { Pacer } from '../aws/pacer.ts';
import type { ScannerConfig } from './config.ts';
import { InvalidEventError } from './errors.ts';
import type { ScanRequest } from './events.ts';
import type { ClusterTarget } from './fan-out.ts';
import { fanOutRun } from './fan-out-run.ts';
import { parseInvocation } from './internal-events.ts';
import { type Clock, type InvocationContext, systemClock } from './invocation.ts';
import { offlineFromWorkItem } from './offline-listing.ts';
import { rejected } from './rejection.ts';
import { createRunContext, type RunContext, type ScannerParts } from './run-context.ts';
import { scanCluster } from './scan-cluster/index.ts';
import { ScanLeases } from './scan-leases.ts';
import { Coverage, planScope, type ScopePlan, settle, throwIfVanishedFailed } from './scope-plan.ts';
import { sideBySideRun } from './side-by-side.ts';
import type { ScanSummary } from './summary.ts';

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

export function createScanner(options: ScannerOptions): Scanner {
  const { clients, config, logger, metrics } = options;
  const clock = options.clock ?? systemClock;
  instrumentClients(clients, options.globalCounter);
  const leases = config.stateTable
    ? new ScanLeases({
        client: clients.dynamodb,
        table: config.stateTable,
        minIntervalMs: config.minScanIntervalMs ?? 0,
        now: clock.now,
      })
    : undefined;
  const parts: ScannerParts = { clients, config, logger, metrics, clock, leases };

  /** Resolve the scope, let the flood guard admit it, then scan here, side by side, or fan out. */
  async function run(request: ScanRequest, context: InvocationContext, counter: ApiCallCounter) {
    const invocation = createRunContext(parts, { request, context, counter });
    const single = request.clusters?.length === 1 ? request.clusters[0] : undefined;
    // A single-cluster request never fans out.
    if (single !== undefined && invocation.allowed(single)) return scanRequestedCluster(invocation, single);
    const plan = await planScope(invocation);
    if ('skipped' in plan) return plan.skipped;
    if (plan.coverage === Coverage.HERE) return scanOnlyTarget(invocation, plan);
    if (plan.coverage === Coverage.SIDE_BY_SIDE) return sideBySideRun(invocation, plan);
    return fanOutRun(invocation, plan);
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

/** The one cluster a request names, with its instances if it names some. */
async function scanRequestedCluster(run: RunContext, cluster: string): Promise<ScanSummary> {
  const { request, parts } = run;
  const admitted = await run.admit(
    [{ cluster, ...(request.instanceIds ? { instanceIds: request.instanceIds } : {}) }],
    true,
  );
  const target = admitted.targets[0];
  if (!target) return run.skipped(admitted);
  const offlineInstances = offlineFromWorkItem(request.work?.offline, parts.clock.now(), run.log);
  const summary = await run.holding(admitted, () =>
    scanCluster(run.deps, run.clusterInput(target, offlineInstances, run.counter)),
  );
  return admitted.skipped.length > 0 ? { ...summary, floodSkipped: admitted.skipped } : summary;
}

/** One cluster in scope: scanned here rather than spend an event and an invocation on it. */
async function scanOnlyTarget(run: RunContext, plan: ScopePlan): Promise<ScanSummary> {
  const [only] = plan.targets as [ClusterTarget];
  const summary = await run.holding(plan.admitted, () =>
    scanCluster(run.deps, {
      ...run.clusterInput(only, plan.offlineInstances, run.counter),
      extraNotANodeIds: plan.notANodeIds,
    }),
  );
  throwIfVanishedFailed(await settle(plan));
  const { floodSkipped } = plan;
  return floodSkipped.length > 0 ? { ...summary, floodSkipped } : summary;
}
