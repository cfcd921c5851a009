/**
 * Delivery of a change-only scan (table-plan.ts): the findings of nodes that left the cluster are
 * archived (the table names them, so only their findings are read), the importer is drained, RESOLVEDs
 * are set where Security Hub's Workflow allows (the only other GetFindings of the scan), and the
 * drafts of the records are settled (deliver-state.ts writes those that changed).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import {
  activeFindingsOfInstances,
  type FailedFinding,
  findingsById,
  resolveFindings,
} from '../../aws/security-hub.ts';
import { controls } from '../../controls/index.ts';
import { findingId } from '../../findings/asff.ts';
import { archivedCopy } from '../../findings/lifecycle.ts';
import type { Delivery } from './deliver.ts';
import { emptyDelivery } from './deliver.ts';
import type { ScanState } from './state.ts';
import type { TablePlan } from './table-plan.ts';

export interface TableDeliveryResult {
  readonly delivery: Delivery;
  readonly failed: readonly FailedFinding[];
}

/**
 * Archive re-imports of the nodes that left the cluster (their records are the table's, not
 * discovery's) and of controls the catalog no longer has. Their records change only once the
 * archive import landed (settleArchives).
 */
async function planArchives(scan: ScanState, plan: TablePlan, present: ReadonlySet<string>) {
  const { deps, target, input, cluster } = scan;
  const gone = [...plan.state.nodes.values()].filter((n) => !n.archived && !present.has(n.instanceId));
  const catalog = new Set(controls.map((c) => c.id));
  const retiredIds = [...plan.drafts.values()].flatMap((n) =>
    Object.keys(n.findings)
      .filter((c) => !catalog.has(c))
      .map((c) => findingId(input.scope, cluster.name, n.instanceId, c)),
  );
  const securityHub = deps.clients.securityHub;
  const goneIds = gone.map((n) => n.instanceId);
  const goneFindings =
    goneIds.length > 0 ? await activeFindingsOfInstances(securityHub, target, goneIds) : [];
  const retired =
    retiredIds.length > 0 ? [...(await findingsById(securityHub, target, retiredIds)).values()] : [];
  const now = deps.now();
  const copies: AwsSecurityFinding[] = [...goneFindings, ...retired]
    .filter((f) => f.RecordState === 'ACTIVE')
    .map((f) => archivedCopy(f, now));
  return { copies, gone, retiredIds };
}

/** Records of archived nodes and retired controls, where every archive import of theirs landed. */
function settleArchives(
  plan: TablePlan,
  archives: Awaited<ReturnType<typeof planArchives>>,
  failedIds: ReadonlySet<string>,
): void {
  const failedInstances = new Set([...failedIds].map((id) => id.split('/')[3]));
  for (const node of archives.gone) {
    if (!failedInstances.has(node.instanceId)) plan.markArchived(node);
  }
  for (const id of archives.retiredIds) if (!failedIds.has(id)) plan.dropFinding(id);
}

/** Ids to ask Workflow RESOLVED for: new candidates, and RESOLVEDs earlier scans still owe. */
function resolveWanted(plan: TablePlan, failedIds: ReadonlySet<string>) {
  const candidates = plan.resolveCandidates.filter((id) => !failedIds.has(id));
  const owed: string[] = [];
  for (const node of plan.records()) {
    if (node.archived) continue;
    for (const [controlId, f] of Object.entries(node.findings)) {
      if (f.resolvePending && f.status === 'PASSED') owed.push(plan.findingIdOf(node.instanceId, controlId));
    }
  }
  return { candidates, owed: owed.filter((id) => !candidates.includes(id)) };
}

/**
 * Reads the Workflow of the findings to resolve (20 a call) and sets RESOLVED where it may: a new
 * candidate unless the customer SUPPRESSED it or it reads RESOLVED already; an owed one only while it
 * is still ACTIVE, PASSED and NEW (anything else is the customer's decision, or done). What Security
 * Hub does not apply stays owed in the record.
 */
async function resolve(scan: ScanState, plan: TablePlan, failedIds: ReadonlySet<string>) {
  const { candidates, owed } = resolveWanted(plan, failedIds);
  const ids = [...candidates, ...owed];
  const result = { resolved: 0, pending: 0, retried: owed.length, failed: 0 };
  if (ids.length === 0) return result;
  const read = await findingsById(scan.deps.clients.securityHub, scan.target, ids);
  const owedSet = new Set(owed);
  const toResolve: string[] = [];
  for (const id of ids) {
    const f = read.get(id);
    const workflow = f?.Workflow?.Status ?? 'NEW';
    const ok = owedSet.has(id)
      ? f !== undefined &&
        f.RecordState === 'ACTIVE' &&
        f.Compliance?.Status === 'PASSED' &&
        workflow === 'NEW'
      : workflow !== 'SUPPRESSED' && workflow !== 'RESOLVED';
    if (ok) toResolve.push(id);
    // A candidate Security Hub does not list yet (imports are processed asynchronously) stays owed.
    else plan.setResolvePendingById(id, !owedSet.has(id) && f === undefined);
  }
  if (toResolve.length === 0) return result;
  const wf = await resolveFindings(scan.deps.clients.securityHub, scan.target, toResolve, {
    sleep: scan.deps.sleep,
  });
  const unprocessed = new Set(wf.unprocessed.map((u) => u.id));
  for (const id of toResolve) plan.setResolvePendingById(id, unprocessed.has(id));
  result.resolved = wf.updated;
  result.failed = wf.unprocessed.length;
  if (wf.unprocessed.length > 0) {
    scan.log.warn('Workflow RESOLVED not applied to some findings; later scans ask again', {
      pending: wf.unprocessed.length,
      examples: wf.unprocessed.slice(0, 5),
    });
  }
  return result;
}

export async function deliverChanges(
  scan: ScanState,
  plan: TablePlan,
  present: ReadonlySet<string>,
): Promise<TableDeliveryResult> {
  const archives = await planArchives(scan, plan, present);
  for (const f of archives.copies) scan.importer.add(f);
  const imported = await scan.importer.finish();
  const failedIds = new Set(imported.failed.map((f) => f.id));
  for (const id of failedIds) plan.undo(id);
  settleArchives(plan, archives, failedIds);
  const resolved = await resolve(scan, plan, failedIds);
  const delivery = emptyDelivery();
  for (const f of imported.failed) {
    delivery.failedByCode[f.errorCode] = (delivery.failedByCode[f.errorCode] ?? 0) + 1;
  }
  delivery.created = plan.counts.created;
  delivery.updated = plan.counts.updated;
  delivery.reactivated = plan.counts.reactivated;
  delivery.refreshed = plan.counts.refreshed;
  delivery.unchanged = plan.counts.unchanged;
  delivery.stale = plan.counts.stale;
  delivery.archived = archives.copies.length;
  delivery.imported = imported.succeeded;
  delivery.failed = imported.failed.length;
  delivery.resolved = resolved.resolved;
  delivery.workflowUpdateFailed = resolved.failed;
  delivery.resolveRetried = resolved.retried;
  delivery.resolvePending = plan.pendingCount();
  return { delivery, failed: imported.failed };
}
