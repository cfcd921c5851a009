/**
 * The fan-out step of an invocation: one work item per cluster (or group of clusters) on the
 * internal bus, each carrying the offline listing when it fits, then the invocation's summary.
 */
import { ConfigError, EventDeliveryError } from './errors.ts';
import { MAX_OFFLINE_HINT_INSTANCES } from './events.ts';
import { offlineHint, putEvents, workItemEntries } from './fan-out.ts';
import { fanOutSummary } from './fan-out-summary.ts';
import type { RunContext } from './run-context.ts';
import { type ScopePlan, settle, throwIfVanishedFailed } from './scope-plan.ts';
import { emitMetrics, type FanOutSummary } from './summary.ts';

export async function fanOutRun(run: RunContext, scoped: ScopePlan): Promise<FanOutSummary> {
  const { config, clients, clock, metrics } = run.parts;
  const { request, log } = run;
  // The work items carry the offline listing: a fan-out waits for it.
  const plan = await settle(scoped);
  const { listing, targets } = plan;
  // Narrowed events carry only their own instances' part, which may still fit.
  if (listing && targets.some((t) => !t.instanceIds) && !offlineHint(listing)) {
    log.warn('Offline listing does not fit in the events; each cluster scan lists offline instances itself', {
      offlineInstances: listing.instances.length,
      maxInEvent: MAX_OFFLINE_HINT_INSTANCES,
    });
  }
  if (!config.internalEventBus) {
    throw new ConfigError('KUBELET_AUDIT_INTERNAL_EVENT_BUS', 'is required to fan a scan out');
  }
  const put = await putEvents(
    clients.events,
    workItemEntries(targets, {
      eventBus: config.internalEventBus,
      trigger: request.trigger,
      scanId: run.scanId,
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.resync ? { resync: true } : {}),
      ...(listing ? { offline: listing } : {}),
      clustersPerEvent: config.clustersPerInvocation ?? 1,
    }),
    clock.sleep,
  );
  const summary = fanOutSummary(run, plan, {
    eventsPut: put.put,
    eventsFailed: put.failed.length,
    clusterScans: [],
    failedClusters: [],
  });
  log.info('Scan fanned out', { summary });
  emitMetrics(metrics, summary);
  if (put.failed.length > 0) {
    const codes: Record<string, number> = {};
    for (const f of put.failed) codes[f.errorCode] = (codes[f.errorCode] ?? 0) + 1;
    // Re-running the whole fan-out (Lambda async retry) is safe: cluster scans are idempotent.
    throw new EventDeliveryError(put.failed.length, codes);
  }
  throwIfVanishedFailed(plan);
  return summary;
}
