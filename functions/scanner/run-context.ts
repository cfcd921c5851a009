/**
 * What every step of one invocation shares: its request and scan id, its child logger, the deps a
 * cluster scan is given, the flood guard, and how a cluster target becomes a cluster scan's input.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ApiCallCounter, AwsClients } from '../aws/clients.ts';
import type { AccountScope } from '../findings/asff.ts';
import type { ScannerConfig } from './config.ts';
import type { ScanRequest } from './events.ts';
import type { ClusterTarget } from './fan-out.ts';
import { type Admitted, type InvocationGuard, invocationGuard } from './flood-guard.ts';
import { type Clock, type InvocationContext, scopeFromFunctionArn } from './invocation.ts';
import type { ClusterScanInput, OfflineInstances, ScanDeps } from './scan-cluster/index.ts';
import type { ScanLeases } from './scan-leases.ts';
import { type SkippedSummary, skippedSummary } from './summary.ts';

/** What the scanner holds for all its invocations. */
export interface ScannerParts {
  readonly clients: AwsClients;
  readonly config: ScannerConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly leases: ScanLeases | undefined;
}

export interface RunContext extends InvocationGuard {
  readonly parts: ScannerParts;
  readonly request: ScanRequest;
  readonly scanId: string;
  readonly started: Date;
  readonly scope: AccountScope;
  /** This invocation's logger (a child: several scans may run at once in one process). */
  readonly log: Logger;
  readonly deps: ScanDeps;
  /** Counts every call of the invocation. */
  readonly counter: ApiCallCounter;
  /** Whether the cluster allow-list lets this cluster be scanned. */
  allowed(cluster: string): boolean;
  /** Milliseconds since the invocation started. */
  elapsedMs(): number;
  /** The summary of an invocation the flood guard let nothing start. */
  skipped(admitted: Admitted): SkippedSummary;
  /** A cluster scan's input: its target and what every scan of this invocation shares. */
  clusterInput(
    target: ClusterTarget,
    offlineInstances: OfflineInstances | undefined,
    scanCounter: ApiCallCounter,
  ): ClusterScanInput;
}

export function createRunContext(
  parts: ScannerParts,
  invocation: { request: ScanRequest; context: InvocationContext; counter: ApiCallCounter },
): RunContext {
  const { clients, config, logger, metrics, clock } = parts;
  const { request, context, counter } = invocation;
  const started = clock.now();
  const scope = scopeFromFunctionArn(context.invokedFunctionArn);
  const scanId = request.scanId ?? randomUUID();
  const remainingMs = () => context.getRemainingTimeInMillis() - config.deadlineReserveMs;
  const log = logger.createChild();
  log.appendKeys({ scanId, trigger: request.trigger });
  const deps: ScanDeps = {
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
  const guard = invocationGuard(parts.leases, {
    scanId,
    leaseMs: () => context.getRemainingTimeInMillis(),
    logger: log,
    metrics,
  });
  const elapsedMs = () => clock.now().getTime() - started.getTime();
  return {
    parts,
    request,
    scanId,
    started,
    scope,
    log,
    deps,
    counter,
    admit: guard.admit,
    holding: guard.holding,
    allowed: (cluster) => !config.clusterAllowList || config.clusterAllowList.includes(cluster),
    elapsedMs,
    skipped: (admitted) =>
      skippedSummary(metrics, log, {
        scanId,
        trigger: request.trigger,
        ...(reason ? { reason } : {}),
        skipped: admitted.skipped,
        durationMs: elapsedMs(),
        apiCalls: counter.toJSON(),
        apiCallsTotal: counter.total,
      }),
    clusterInput: (target, offlineInstances, scanCounter) => ({
      cluster: target.cluster,
      ...(target.instanceIds ? { instanceIds: target.instanceIds } : {}),
      ...(offlineInstances ? { offlineInstances } : {}),
      scanId,
      trigger: request.trigger,
      ...(reason ? { reason } : {}),
      ...(request.resync ? { resync: true } : {}),
      scope,
      remainingMs,
      counter: scanCounter,
    }),
  };
}
