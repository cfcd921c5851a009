/**
 * Security Hub CSPM reads and writes: the cluster's existing findings (paged, 100 a page, handed over
 * page by page), archived findings coming back, and workflow updates. Imports are finding-importer.ts
 * (re-exported here, as is the target both share, security-hub-target.ts). Throttling (GetFindings
 * 3 TPS) is left to the scan's pacer and the clients' retry strategy.
 */
import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  BatchUpdateFindingsCommand,
  paginateGetFindings,
  type SecurityHubClient,
  type SortCriterion,
} from '@aws-sdk/client-securityhub';
import { PRODUCT_PREFIX } from '../findings/asff.ts';
import { pendingResolves, projectStored, type StoredFinding } from '../findings/lifecycle.ts';
import { awsErrorName, errorMessage, SecurityHubNotEnabledError } from './errors.ts';
import { type FailedFinding, IMPORT_MAX_FINDINGS } from './finding-importer.ts';
import { notEnabledOr, type SecurityHubTarget } from './security-hub-target.ts';

export {
  type FailedFinding,
  FindingImporter,
  IMPORT_CONCURRENCY,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_FINDINGS,
  type ImportResult,
  importBatches,
  importFindings,
} from './finding-importer.ts';
export type { SecurityHubTarget } from './security-hub-target.ts';

/** A GetFindings filter attribute takes at most 20 values (AwsSecurityFindingFilters in the API model). */
export const FILTER_MAX_VALUES = 20;

function ours(target: SecurityHubTarget): AwsSecurityFindingFilters {
  return {
    ProductArn: [{ Value: target.productArn, Comparison: 'EQUALS' }],
    GeneratorId: [{ Value: PRODUCT_PREFIX, Comparison: 'PREFIX' }],
  };
}

interface PageOptions {
  readonly filters: AwsSecurityFindingFilters;
  readonly onPage: (findings: AwsSecurityFinding[]) => Promise<void> | void;
  /** @default no limit */
  readonly maxPages?: number;
  readonly sortCriteria?: SortCriterion[];
}

/** Pages through GetFindings, handing each page to `onPage`; false when stopped at `maxPages`. */
async function forEachPage(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  { filters, onPage, maxPages = Number.POSITIVE_INFINITY, sortCriteria }: PageOptions,
): Promise<boolean> {
  let pages = 0;
  try {
    const request = { Filters: filters, ...(sortCriteria ? { SortCriteria: sortCriteria } : {}) };
    for await (const page of paginateGetFindings({ client, pageSize: 100 }, request)) {
      await onPage(page.Findings ?? []);
      pages++;
      if (pages >= maxPages && page.NextToken) return false;
    }
  } catch (error) {
    throw notEnabledOr(error, target);
  }
  return true;
}

async function getAll(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  filters: AwsSecurityFindingFilters,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<{ findings: AwsSecurityFinding[]; complete: boolean }> {
  const findings: AwsSecurityFinding[] = [];
  let pages = 0;
  try {
    for await (const page of paginateGetFindings({ client, pageSize: 100 }, { Filters: filters })) {
      findings.push(...(page.Findings ?? []));
      pages++;
      if (pages >= maxPages && page.NextToken) return { findings, complete: false };
    }
  } catch (error) {
    throw notEnabledOr(error, target);
  }
  return { findings, complete: true };
}

const CLUSTER_FIELD = `${PRODUCT_PREFIX}cluster`;

/**
 * ACTIVE findings of one cluster, by Id, as projections (lifecycle.ts StoredFinding); the whole
 * finding only where `keepWhole` says so (those the scan re-imports as they are). Each page is
 * reduced as it arrives, so a 5,000-node cluster never holds its full findings at once. `keepWhole`
 * may resolve late (it needs discovery): the read starts at once and waits for it only to sort pages.
 * `onPage` gets each page's projections as soon as it is sorted (the scan plans the findings it
 * refreshes against them while the read goes on; pages come in no guaranteed order).
 */
export async function listActiveFindings(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  cluster: string,
  keepWhole?: Promise<(stored: StoredFinding) => boolean> | ((stored: StoredFinding) => boolean),
  onPage?: (page: readonly StoredFinding[]) => void,
): Promise<Map<string, StoredFinding | AwsSecurityFinding>> {
  const out = new Map<string, StoredFinding | AwsSecurityFinding>();
  await forEachPage(client, target, {
    filters: {
      ...ours(target),
      ProductFields: [{ Key: CLUSTER_FIELD, Value: cluster, Comparison: 'EQUALS' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    },
    onPage: async (findings) => {
      const whole = keepWhole ? await keepWhole : undefined;
      const slims: StoredFinding[] = [];
      for (const f of findings) {
        if (!f.Id) continue;
        const slim = projectStored(f);
        out.set(f.Id, whole?.(slim) ? f : slim);
        slims.push(slim);
      }
      onPage?.(slims);
    },
    // Findings are imported while this read pages on (scan-cluster/), and AWS documents neither the
    // default order nor what NextToken does when a finding changes between pages: an order by
    // UpdatedAt would move each finding we update, and could shift unread ones past the next page.
    // Updates keep CreatedAt, so ordering by it is stable under our own imports (Security Hub
    // User Guide, https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html).
    sortCriteria: [{ Field: 'CreatedAt', SortOrder: 'asc' }],
  });
  return out;
}

/**
 * ARCHIVED findings among `ids` (findings of nodes coming back). A first scan has none, and a cluster
 * rarely has many, so the cluster's archived findings are listed first, for at most as many pages as
 * the by-Id lookups would cost (ids/20); only if that listing is longer are the rest looked up by Id.
 * Normally one call.
 */
export async function findArchivedFindings(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  cluster: string,
  ids: readonly string[],
): Promise<Map<string, StoredFinding>> {
  const found = new Map<string, StoredFinding>();
  if (ids.length === 0) return found;
  const wanted = new Set(ids);
  const budget = Math.ceil(ids.length / FILTER_MAX_VALUES);
  const listed = await getAll(
    client,
    target,
    {
      ...ours(target),
      ProductFields: [{ Key: CLUSTER_FIELD, Value: cluster, Comparison: 'EQUALS' }],
      RecordState: [{ Value: 'ARCHIVED', Comparison: 'EQUALS' }],
    },
    budget,
  );
  for (const f of listed.findings) if (f.Id && wanted.has(f.Id)) found.set(f.Id, projectStored(f));
  if (listed.complete) return found;
  const rest = ids.filter((id) => !found.has(id));
  for (let i = 0; i < rest.length; i += FILTER_MAX_VALUES) {
    const chunk = rest.slice(i, i + FILTER_MAX_VALUES);
    const { findings } = await getAll(client, target, {
      ...ours(target),
      Id: chunk.map((Value) => ({ Value, Comparison: 'EQUALS' as const })),
      RecordState: [{ Value: 'ARCHIVED', Comparison: 'EQUALS' }],
    });
    for (const f of findings) if (f.Id) found.set(f.Id, projectStored(f));
  }
  return found;
}

/**
 * ACTIVE findings whose cluster is none of `clusters` (clusters deleted or taken out of scope).
 * NOT_EQUALS values are ANDed; past 20 the rest are excluded here rather than in the filter.
 */
export async function listFindingsOutsideClusters(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  clusters: readonly string[],
): Promise<AwsSecurityFinding[]> {
  const live = new Set(clusters);
  const { findings } = await getAll(client, target, {
    ...ours(target),
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    ...(clusters.length > 0
      ? {
          ProductFields: clusters
            .slice(0, FILTER_MAX_VALUES)
            .map((Value) => ({ Key: CLUSTER_FIELD, Value, Comparison: 'NOT_EQUALS' as const })),
        }
      : {}),
  });
  return findings.filter((f) => !live.has(f.ProductFields?.[CLUSTER_FIELD] ?? ''));
}

const INSTANCE_FIELD = `${PRODUCT_PREFIX}instance`;

/**
 * Our findings by Id, 20 Ids a call (the filter's limit), any RecordState: the Workflow of the few
 * findings about to be RESOLVED, and findings of retired controls to archive. Whole findings.
 */
export async function findingsById(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  ids: readonly string[],
): Promise<Map<string, AwsSecurityFinding>> {
  const found = new Map<string, AwsSecurityFinding>();
  for (let i = 0; i < ids.length; i += FILTER_MAX_VALUES) {
    const chunk = ids.slice(i, i + FILTER_MAX_VALUES);
    const { findings } = await getAll(client, target, {
      ...ours(target),
      Id: chunk.map((Value) => ({ Value, Comparison: 'EQUALS' as const })),
    });
    for (const f of findings) if (f.Id) found.set(f.Id, f);
  }
  return found;
}

/**
 * The ACTIVE findings of some instances (nodes that left the cluster, to archive), 20 instances a
 * query: the state table names the gone nodes, so the cluster's other findings are never read.
 * Only the instance field is filtered on: instance ids are unique, and several keys of one map
 * filter are not documented to be ANDed.
 */
export async function activeFindingsOfInstances(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  instanceIds: readonly string[],
): Promise<AwsSecurityFinding[]> {
  const out: AwsSecurityFinding[] = [];
  for (let i = 0; i < instanceIds.length; i += FILTER_MAX_VALUES) {
    const chunk = instanceIds.slice(i, i + FILTER_MAX_VALUES);
    const { findings } = await getAll(client, target, {
      ...ours(target),
      ProductFields: chunk.map((Value) => ({ Key: INSTANCE_FIELD, Value, Comparison: 'EQUALS' as const })),
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
    out.push(...findings);
  }
  return out;
}

export interface WorkflowResult {
  readonly updated: number;
  /** Not updated, after the retries below: the finding carries the intent to a later scan. */
  readonly unprocessed: FailedFinding[];
}

/**
 * Security Hub processes imports asynchronously: an update of a finding imported a moment ago can
 * come back ConcurrentUpdateError ("This error may also occur if you call BatchUpdateFindings and
 * BatchImportFindings at the same time", BatchUpdateFindingsUnprocessedFinding in the API
 * reference). Those ids are asked again after these pauses; how long processing takes is not
 * documented, so what still fails is left to the next scan (lifecycle.ts RESOLVE_PENDING_FIELD).
 */
export const CONCURRENT_UPDATE_RETRY_MS = [500, 1_500] as const;

export interface ResolveOptions {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly retryDelaysMs?: readonly number[];
}

/** One pass of BatchUpdateFindings Workflow RESOLVED, ≤ 100 identifiers per call. */
async function updateOnce(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  ids: readonly string[],
): Promise<WorkflowResult> {
  let updated = 0;
  const unprocessed: FailedFinding[] = [];
  for (let i = 0; i < ids.length; i += IMPORT_MAX_FINDINGS) {
    const chunk = ids.slice(i, i + IMPORT_MAX_FINDINGS);
    try {
      const out = await client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: chunk.map((Id) => ({ Id, ProductArn: target.productArn })),
          // No Note: it would overwrite the customer's own note on the finding.
          Workflow: { Status: 'RESOLVED' },
        }),
      );
      updated += out.ProcessedFindings?.length ?? 0;
      for (const u of out.UnprocessedFindings ?? []) {
        unprocessed.push({
          id: u.FindingIdentifier?.Id ?? '',
          errorCode: u.ErrorCode ?? 'Unknown',
          errorMessage: u.ErrorMessage ?? '',
        });
      }
    } catch (error) {
      const translated = notEnabledOr(error, target);
      if (translated instanceof SecurityHubNotEnabledError) throw translated;
      for (const id of chunk)
        unprocessed.push({ id, errorCode: awsErrorName(error), errorMessage: errorMessage(error) });
    }
  }
  return { updated, unprocessed };
}

/**
 * BatchUpdateFindings Workflow RESOLVED, ≤ 100 identifiers per call; findings Security Hub was still
 * processing (ConcurrentUpdateError) are asked again after CONCURRENT_UPDATE_RETRY_MS.
 */
export async function resolveFindings(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  ids: readonly string[],
  options: ResolveOptions = {},
): Promise<WorkflowResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let { updated, unprocessed } = await updateOnce(client, target, ids);
  for (const delay of options.retryDelaysMs ?? CONCURRENT_UPDATE_RETRY_MS) {
    const busy = unprocessed.filter((u) => u.errorCode === 'ConcurrentUpdateError');
    if (busy.length === 0) break;
    await sleep(delay);
    const again = await updateOnce(
      client,
      target,
      busy.map((u) => u.id),
    );
    updated += again.updated;
    unprocessed = [
      ...unprocessed.filter((u) => u.errorCode !== 'ConcurrentUpdateError'),
      ...again.unprocessed,
    ];
  }
  return { updated, unprocessed };
}

export interface PendingResolveResult extends WorkflowResult {
  /** RESOLVEDs an earlier scan left pending that this scan asked again. */
  readonly retried: number;
}

/**
 * Asks again for the RESOLVEDs an earlier scan did not get applied (the findings carry the intent,
 * lifecycle.ts RESOLVE_PENDING_FIELD), as soon as the scan has read its stored findings: long before
 * it imports them again, since an update right after an import of the same finding is refused. A
 * finding that fails again in this scan is harmless to resolve first: its import PASSED → FAILED
 * resets the workflow to NEW. Never throws: what does not land stays pending for the next scan.
 */
export async function retryPendingResolves(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  active: Iterable<StoredFinding>,
  options: ResolveOptions = {},
): Promise<PendingResolveResult> {
  const ids = pendingResolves(active);
  if (ids.length === 0) return { retried: 0, updated: 0, unprocessed: [] };
  try {
    return { retried: ids.length, ...(await resolveFindings(client, target, ids, options)) };
  } catch (error) {
    const unprocessed = ids.map((id) => ({
      id,
      errorCode: awsErrorName(error),
      errorMessage: errorMessage(error),
    }));
    return { retried: ids.length, updated: 0, unprocessed };
  }
}
