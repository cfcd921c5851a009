/**
 * Delivery with the state table: a change-only scan delivers what changed (table-delivery.ts) and
 * writes the records that changed; any other scan delivers as before (deliver.ts) and, when it is a
 * rebuild, writes every record of its scope from what it imported. A rebuild that lost findings does
 * not mark the cluster built, so the next scan rebuilds again rather than take those findings as new.
 */
import { errorMessage, SecurityHubNotEnabledError } from '../../aws/errors.ts';
import { StateWriteError } from '../../aws/state-table.ts';
import { findingId } from '../../findings/asff.ts';
import type { NodeState } from '../../findings/finding-state.ts';
import type { ClusterScanSummary } from '../summary.ts';
import { type Delivery, deliver, emptyDelivery, notDelivered } from './deliver.ts';
import type { ScanScope, ScanState } from './state.ts';
import { type WrittenState, writeRecords } from './state-write.ts';
import { deliverChanges } from './table-delivery.ts';

export interface StateDelivery {
  readonly delivery: Delivery;
  readonly error?: Error;
  readonly state?: NonNullable<ClusterScanSummary['state']>;
}

export async function deliverWithState(
  scan: ScanState,
  scope: ScanScope,
  settledAhead: Promise<void>,
): Promise<StateDelivery> {
  const full = scan.input.instanceIds === undefined;
  const startedAt = Date.parse(scan.base.startedAt);
  if (scan.changes) {
    const plan = scan.changes;
    let delivered: Awaited<ReturnType<typeof deliverChanges>>;
    try {
      delivered = await deliverChanges(scan, plan, scope.present);
    } catch (caught) {
      await scan.importer.abandon();
      if (!(caught instanceof SecurityHubNotEnabledError)) throw caught;
      scan.log.error(caught.message);
      const delivery = emptyDelivery();
      delivery.failed = plan.imported.size;
      delivery.failedByCode.InvalidAccessException = plan.imported.size;
      return { delivery, error: caught };
    }
    const { delivery } = delivered;
    const records = [...plan.dirty]
      .map((id) => plan.drafts.get(id))
      .filter((r): r is NodeState => r !== undefined);
    const written = await write(scan, records, { full, built: false, startedAt });
    const error = notDelivered(scan, delivered.failed, delivery.failedByCode) ?? written.error;
    return { delivery, ...(error ? { error } : {}), state: stateSummary(scan, written.counts) };
  }
  const out = await deliver(scan, { present: scope.present, settledAhead });
  if (!scan.recorder || out.error instanceof SecurityHubNotEnabledError) {
    return { ...out, state: stateSummary(scan, { written: 0, superseded: 0 }) };
  }
  const records = scan.recorder.drafts({
    cluster: scan.cluster.name,
    verdicts: scan.verdicts,
    findingIdOf: (instanceId, controlId) =>
      findingId(scan.input.scope, scan.cluster.name, instanceId, controlId),
    inScope: scope.inScope,
    present: scope.present,
    ...(scan.previousState ? { previous: scan.previousState } : {}),
    failedIds: out.failedIds ?? new Set(),
    pendingIds: out.pendingIds ?? new Set(),
    startedAt,
  });
  const written = await write(scan, records, { full, built: full && !out.error, startedAt });
  const error = out.error ?? written.error;
  return {
    delivery: { ...out.delivery, resolvePending: countOwed(records) },
    ...(error ? { error } : {}),
    state: stateSummary(scan, written.counts),
  };
}

function stateSummary(scan: ScanState, counts: WrittenState): NonNullable<ClusterScanSummary['state']> {
  return { mode: scan.stateMode, ...counts, readUnits: scan.consumed.read, writeUnits: scan.consumed.write };
}

function countOwed(records: readonly NodeState[]): number {
  let n = 0;
  for (const r of records) {
    if (!r.archived) for (const f of Object.values(r.findings)) if (f.resolvePending) n++;
  }
  return n;
}

/** Writes the records; a write that fails is the scan's error (thrown once the summary is out). */
async function write(
  scan: ScanState,
  records: readonly NodeState[],
  options: Parameters<typeof writeRecords>[2],
): Promise<{ counts: WrittenState; error?: Error }> {
  try {
    return { counts: await writeRecords(scan, records, options) };
  } catch (caught) {
    const error =
      caught instanceof StateWriteError ? caught : new StateWriteError(records.length, { cause: caught });
    scan.log.error('State records not written; the next scan compares with the older ones', {
      error: errorMessage(caught),
    });
    return { counts: { written: 0, superseded: 0 }, error };
  }
}
