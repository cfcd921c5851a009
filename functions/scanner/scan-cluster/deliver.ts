/**
 * Delivery: the findings lifecycle at the end of the scan. Fresh findings not yet planned are
 * settled against ARCHIVED ones, findings of nodes or controls that are gone are archived, the
 * importer is drained, and refreshed findings are RESOLVED once they exist again.
 */
import { SecurityHubNotEnabledError } from '../../aws/errors.ts';
import type { FailedFinding } from '../../aws/finding-importer.ts';
import { findArchivedFindings, resolveFindings } from '../../aws/security-hub.ts';
import { controls } from '../../controls/index.ts';
import { planArchives } from '../../findings/lifecycle.ts';
import { FindingsNotDeliveredError } from '../errors.ts';
import type { ClusterScanSummary } from '../summary.ts';
import type { ScanState } from './state.ts';

export type Delivery = Omit<ClusterScanSummary['findings'], 'byStatus'>;
type DeliveryCounts = { -readonly [K in keyof Delivery]: Delivery[K] };

/** Finding delivery counters of a cluster scan, before anything was imported. */
export function emptyDelivery(): DeliveryCounts {
  return {
    created: 0,
    updated: 0,
    reactivated: 0,
    archived: 0,
    resolved: 0,
    imported: 0,
    failed: 0,
    failedByCode: {},
    workflowUpdateFailed: 0,
    resolvePending: 0,
    resolveRetried: 0,
    refreshed: 0,
    unchanged: 0,
    stale: 0,
  };
}

export interface DeliverOptions {
  /** Ids of the cluster's running nodes: findings of any other node are archived. */
  readonly present: ReadonlySet<string>;
  /** The early look-up of archived findings (stored-findings.ts), waited for before the last one. */
  readonly settledAhead: Promise<void>;
}

/**
 * Delivers the scan's findings. Findings Security Hub rejected, or Security Hub not enabled, come
 * back as `error` (to throw once the summary is reported); any other failure is thrown.
 */
export async function deliver(
  scan: ScanState,
  options: DeliverOptions,
): Promise<{ delivery: Delivery; error?: Error; failedIds?: Set<string>; pendingIds?: Set<string> }> {
  const { deps, cluster, target, plan, importer, log } = scan;
  const delivery = emptyDelivery();
  try {
    const read = await scan.stored.read;
    if (!read.ok) throw read.error;
    const active = read.active;
    await options.settledAhead;
    const securityHub = deps.clients.securityHub;
    plan.settle(await findArchivedFindings(securityHub, target, cluster.name, plan.missing()));
    const controlIds = new Set(controls.map((c) => c.id));
    const toArchive = planArchives(
      active,
      (id) => plan.refreshes(id),
      options.present,
      controlIds,
      deps.now(),
    );
    // The importer holds what is still to send; the stored findings are not needed again.
    active.clear();
    const archivedCount = toArchive.length;
    for (const finding of toArchive.splice(0)) importer.add(finding);
    const imported = await importer.finish();
    for (const f of imported.failed) {
      delivery.failedByCode[f.errorCode] = (delivery.failedByCode[f.errorCode] ?? 0) + 1;
    }
    delivery.created = plan.counts.created;
    delivery.updated = plan.counts.updated;
    delivery.reactivated = plan.counts.reactivated;
    delivery.archived = archivedCount;
    delivery.imported = imported.succeeded;
    delivery.failed = imported.failed.length;
    const error = notDelivered(scan, imported.failed, delivery.failedByCode);
    const failedIds = new Set(imported.failed.map((f) => f.id));
    const pendingIds = await resolveRefreshed(scan, { failedIds, delivery });
    return { delivery, failedIds, pendingIds, ...(error ? { error } : {}) };
  } catch (caught) {
    // Requests already in flight are waited for, none is sent after.
    await importer.abandon();
    if (!(caught instanceof SecurityHubNotEnabledError)) throw caught;
    log.error(caught.message);
    delivery.failed = plan.freshCount;
    delivery.failedByCode.InvalidAccessException = plan.freshCount;
    return { delivery, error: caught };
  }
}

export function notDelivered(
  scan: ScanState,
  failed: readonly FailedFinding[],
  failedByCode: Record<string, number>,
): FindingsNotDeliveredError | undefined {
  if (failed.length === 0) return undefined;
  scan.log.error('Findings not delivered to Security Hub', {
    failed: failed.length,
    failedByCode,
    examples: failed.slice(0, 5),
  });
  return new FindingsNotDeliveredError(failed.length, failedByCode);
}

/**
 * Only after the import: BatchUpdateFindings needs the finding to exist (and be ACTIVE again). A
 * RESOLVED Security Hub does not apply stays pending: its id is returned and the state table records
 * it (state-write.ts), so later scans ask again.
 */
async function resolveRefreshed(
  scan: ScanState,
  options: { readonly failedIds: ReadonlySet<string>; readonly delivery: DeliveryCounts },
): Promise<Set<string>> {
  const { delivery } = options;
  const retry = await scan.stored.pendingRetry;
  delivery.resolveRetried = retry?.retried ?? 0;
  delivery.resolved = retry?.updated ?? 0;
  delivery.resolvePending = retry?.unprocessed.length ?? 0;
  const pendingIds = new Set((retry?.unprocessed ?? []).map((u) => u.id));
  const resolve = scan.plan.toResolve.filter((id) => !options.failedIds.has(id));
  if (resolve.length === 0) return pendingIds;
  const wf = await resolveFindings(scan.deps.clients.securityHub, scan.target, resolve, {
    sleep: scan.deps.sleep,
  });
  delivery.resolved += wf.updated;
  delivery.workflowUpdateFailed = wf.unprocessed.length;
  delivery.resolvePending += wf.unprocessed.length;
  for (const u of wf.unprocessed) pendingIds.add(u.id);
  if (wf.unprocessed.length > 0) {
    scan.log.warn('Workflow RESOLVED not applied to some findings; the next scan asks again', {
      pending: wf.unprocessed.length,
      examples: wf.unprocessed.slice(0, 5),
    });
  }
  return pendingIds;
}
