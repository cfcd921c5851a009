/**
 * Security Hub CSPM reads and writes: the cluster's existing findings (paged, 100 a page), archived
 * findings coming back, imports in chunks of ≤ 100 findings and ≤ 6 MB with FailedFindings re-sent,
 * and workflow updates. Throttling (GetFindings 3 TPS, imports 10 TPS) is left to the clients'
 * adaptive retry strategy.
 */
import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  paginateGetFindings,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { PRODUCT_PREFIX } from '../findings/asff.ts';
import { projectStored, type StoredFinding } from '../findings/lifecycle.ts';
import { awsErrorName, errorMessage, SecurityHubNotEnabledError } from '../scanner/errors.ts';

export const IMPORT_MAX_FINDINGS = 100;
/** 6 MB per BatchImportFindings request (facts B1), less headroom for the request envelope. */
export const IMPORT_MAX_BYTES = 6 * 1024 * 1024 - 64 * 1024;
/** A filter attribute takes at most 20 values (facts B4). */
export const FILTER_MAX_VALUES = 20;
/** FailedFindings are re-sent this many more times before they count as not delivered. */
const IMPORT_RESENDS = 2;
/**
 * Import requests in flight at once. BatchImportFindings allows 10/s (burst 30) and one request takes
 * 150–400 ms, so one at a time reaches only 3–6/s; four keep the quota busy without queueing far
 * ahead of it (the adaptive retry absorbs a throttle).
 */
export const IMPORT_CONCURRENCY = 4;

export interface SecurityHubTarget {
  readonly productArn: string;
  readonly region: string;
  readonly accountId: string;
}

export interface FailedFinding {
  readonly id: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface ImportResult {
  readonly succeeded: number;
  readonly failed: FailedFinding[];
  readonly requests: number;
}

function translate(error: unknown, target: SecurityHubTarget): unknown {
  return awsErrorName(error) === 'InvalidAccessException'
    ? new SecurityHubNotEnabledError(target.region, target.accountId, { cause: error })
    : error;
}

function ours(target: SecurityHubTarget): AwsSecurityFindingFilters {
  return {
    ProductArn: [{ Value: target.productArn, Comparison: 'EQUALS' }],
    GeneratorId: [{ Value: PRODUCT_PREFIX, Comparison: 'PREFIX' }],
  };
}

/** Pages through GetFindings, handing each page to `onPage`; false when stopped at `maxPages`. */
async function forEachPage(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  filters: AwsSecurityFindingFilters,
  onPage: (findings: AwsSecurityFinding[]) => Promise<void> | void,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  let pages = 0;
  try {
    for await (const page of paginateGetFindings({ client, pageSize: 100 }, { Filters: filters })) {
      await onPage(page.Findings ?? []);
      pages++;
      if (pages >= maxPages && page.NextToken) return false;
    }
  } catch (error) {
    throw translate(error, target);
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
    throw translate(error, target);
  }
  return { findings, complete: true };
}

const CLUSTER_FIELD = `${PRODUCT_PREFIX}cluster`;

/**
 * ACTIVE findings of one cluster, by Id, as projections (lifecycle.ts StoredFinding); the whole
 * finding only where `keepWhole` says so (those the scan re-imports as they are). Each page is
 * reduced as it arrives, so a 5,000-node cluster never holds its full findings at once. `keepWhole`
 * may resolve late (it needs discovery): the read starts at once and waits for it only to sort pages.
 */
export async function listActiveFindings(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  cluster: string,
  keepWhole?: Promise<(stored: StoredFinding) => boolean> | ((stored: StoredFinding) => boolean),
): Promise<Map<string, StoredFinding | AwsSecurityFinding>> {
  const out = new Map<string, StoredFinding | AwsSecurityFinding>();
  await forEachPage(
    client,
    target,
    {
      ...ours(target),
      ProductFields: [{ Key: CLUSTER_FIELD, Value: cluster, Comparison: 'EQUALS' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    },
    async (findings) => {
      const whole = keepWhole ? await keepWhole : undefined;
      for (const f of findings) {
        if (!f.Id) continue;
        const slim = projectStored(f);
        out.set(f.Id, whole?.(slim) ? f : slim);
      }
    },
  );
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

/** Splits findings into requests of ≤ 100 findings and ≤ IMPORT_MAX_BYTES of JSON. */
export function importBatches(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  const batches: AwsSecurityFinding[][] = [];
  let batch: AwsSecurityFinding[] = [];
  let bytes = 0;
  for (const finding of findings) {
    const size = Buffer.byteLength(JSON.stringify(finding), 'utf8') + 1;
    if (batch.length > 0 && (batch.length >= IMPORT_MAX_FINDINGS || bytes + size > IMPORT_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(finding);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Imports everything it can. FailedFindings (HTTP 200, partial success) are re-sent up to twice; a
 * request that fails outright after the SDK's retries marks its findings failed and the rest go on.
 * Only "Security Hub not enabled" stops the import, since no request can succeed.
 */
export async function importFindings(
  client: SecurityHubClient,
  target: SecurityHubTarget,
  findings: readonly AwsSecurityFinding[],
): Promise<ImportResult> {
  let succeeded = 0;
  let requests = 0;
  let queue: readonly AwsSecurityFinding[] = findings;
  let failed: FailedFinding[] = [];
  for (let round = 0; round <= IMPORT_RESENDS && queue.length > 0; round++) {
    const byId = new Map(queue.map((f) => [f.Id ?? '', f]));
    const batches = importBatches(queue);
    const failedHere: FailedFinding[] = [];
    let next = 0;
    let notEnabled: SecurityHubNotEnabledError | undefined;
    const worker = async () => {
      while (next < batches.length && !notEnabled) {
        const batch = batches[next++] as AwsSecurityFinding[];
        requests++;
        try {
          const out = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
          const rejected = out.FailedFindings ?? [];
          succeeded += out.SuccessCount ?? batch.length - rejected.length;
          for (const f of rejected) {
            failedHere.push({
              id: f.Id ?? '',
              errorCode: f.ErrorCode ?? 'Unknown',
              errorMessage: f.ErrorMessage ?? '',
            });
          }
        } catch (error) {
          const translated = translate(error, target);
          if (translated instanceof SecurityHubNotEnabledError) {
            notEnabled = translated;
            return;
          }
          for (const f of batch) {
            failedHere.push({
              id: f.Id ?? '',
              errorCode: awsErrorName(error),
              errorMessage: errorMessage(error),
            });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, batches.length) }, worker));
    if (notEnabled) throw notEnabled;
    failed = failedHere;
    queue = failed.map((f) => byId.get(f.id)).filter((f): f is AwsSecurityFinding => f !== undefined);
  }
  return { succeeded, failed, requests };
}

export interface WorkflowResult {
  readonly updated: number;
  readonly unprocessed: FailedFinding[];
}

/** BatchUpdateFindings Workflow RESOLVED, ≤ 100 identifiers per call. */
export async function resolveFindings(
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
      const translated = translate(error, target);
      if (translated instanceof SecurityHubNotEnabledError) throw translated;
      for (const id of chunk)
        unprocessed.push({ id, errorCode: awsErrorName(error), errorMessage: errorMessage(error) });
    }
  }
  return { updated, unprocessed };
}
