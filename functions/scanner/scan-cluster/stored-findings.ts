/**
 * The cluster's findings already in Security Hub, read from the start of the scan, beside discovery
 * and collection, and awaited only by the lifecycle plan before the import: GetFindings allows 3/s
 * account-wide, shared by every cluster scan running in parallel, so waiting for it before sending
 * would hold collection back by tens of seconds (docs/performance.md). Each page is reduced to what
 * the plan reads as it arrives; the whole finding is kept only for findings to archive, known once
 * discovery has listed the nodes.
 */
import type { ClusterInfo, NodeInfo } from '../../aws/discovery.ts';
import { errorMessage, SecurityHubNotEnabledError } from '../../aws/errors.ts';
import {
  findArchivedFindings,
  listActiveFindings,
  retryPendingResolves,
  type SecurityHubTarget,
} from '../../aws/security-hub.ts';
import { controls } from '../../controls/index.ts';
import { findingId, PRODUCT_PREFIX } from '../../findings/asff.ts';
import { mustArchive, type StoredFinding } from '../../findings/lifecycle.ts';
import type { StreamingPlan } from '../../findings/streaming-plan.ts';
import type { ScanDeps } from './input.ts';
import type { ActiveRead, ScanState, StoredRead } from './state.ts';

export interface StoredReadOptions {
  readonly deps: ScanDeps;
  readonly cluster: ClusterInfo;
  readonly target: SecurityHubTarget;
  /** Gets each page as it arrives, so fresh findings are planned while the read goes on. */
  readonly plan: StreamingPlan;
  /** The cluster's nodes: which stored findings must be kept whole (to archive) follows from them. */
  readonly discovery: Promise<readonly NodeInfo[]>;
}

/** Starts the read; it is awaited later (or never, if discovery fails first). */
export function readStoredFindings(options: StoredReadOptions): StoredRead {
  const { deps, cluster, target, plan, discovery } = options;
  const controlIds = new Set(controls.map((c) => c.id));
  const keepWhole = discovery.then((listed) => {
    const presentIds = new Set(listed.map((n) => n.instanceId));
    return (stored: StoredFinding) => mustArchive(stored, presentIds, controlIds);
  });
  const read: Promise<ActiveRead> = listActiveFindings(
    deps.clients.securityHub,
    target,
    cluster.name,
    keepWhole,
    (page) => plan.addStored(page),
  ).then(
    (active) => ({ ok: true, active }),
    (caught: unknown) => {
      if (caught instanceof SecurityHubNotEnabledError) return { ok: false, error: caught };
      throw caught;
    },
  );
  // Keep an early failure from being unhandled: it is thrown where the read is awaited.
  read.catch(() => undefined);
  let ended = false;
  const markEnded = () => {
    ended = true;
  };
  read.then(markEnded, markEnded);
  keepWhole.catch(() => undefined);
  // Before this scan imports the same findings again: an import right before the update would make
  // Security Hub refuse it as a concurrent update once more (lifecycle.ts RESOLVE_PENDING_FIELD).
  const pendingRetry = read
    .then((r) =>
      r.ok
        ? retryPendingResolves(deps.clients.securityHub, target, r.active.values(), { sleep: deps.sleep })
        : undefined,
    )
    .catch(() => undefined);
  return { read, done: () => ended, pendingRetry };
}

/**
 * Once the read is complete, the findings it did not list are new or coming back from ARCHIVED:
 * looking those up now (the same single listing the end of the scan would make) lets them stream
 * too. If it fails, they are settled at the end as before. Never rejects.
 */
export function settleUnlistedAhead(scan: ScanState, inScope: readonly NodeInfo[]): Promise<void> {
  const { deps, input, cluster, target, plan } = scan;
  const expectedIds = inScope.flatMap((n) =>
    controls.map((c) => findingId(input.scope, cluster.name, n.instanceId, c.id)),
  );
  return scan.stored.read
    .then(async (read) => {
      if (!read.ok) return;
      const unlisted = expectedIds.filter((id) => !read.active.has(id));
      plan.settleAhead(
        unlisted,
        await findArchivedFindings(deps.clients.securityHub, target, cluster.name, unlisted),
      );
    })
    .catch((caught: unknown) => {
      scan.log.warn('Could not look up archived findings early; settling them at the end', {
        error: errorMessage(caught),
      });
    });
}

/**
 * The nodes the previous scan found unmanaged (SSM_UNMANAGED on a stored finding): they need no EC2
 * look-up when SSM still does not list them.
 */
export async function knownUnmanaged(stored: StoredRead): Promise<Set<string>> {
  const read = await stored.read;
  const known = new Set<string>();
  for (const finding of read.ok ? read.active.values() : []) {
    const fields = finding.ProductFields ?? {};
    const instanceId = fields[`${PRODUCT_PREFIX}instance`];
    if (instanceId && fields[`${PRODUCT_PREFIX}reason-code`] === 'SSM_UNMANAGED') known.add(instanceId);
  }
  return known;
}
