/**
 * `kubelet-audit archive`: before the stack is destroyed, this scanner's ACTIVE findings are
 * re-imported ARCHIVED (lifecycle.ts archivedCopy, the scan's own way of retiring a finding; only the
 * provider can archive through BatchImportFindings) and the state table's leases and node scan times
 * of those clusters are deleted. Only findings of the account's default product with our GeneratorId
 * prefix are touched; another product's findings are left alone even when their GeneratorId looks ours.
 */
import { DeleteItemCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  paginateGetFindings,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { AwsClients } from '../aws/clients.ts';
import { type ImportResult, importFindings } from '../aws/finding-importer.ts';
import { mapLimit } from '../aws/run-command/map-limit.ts';
import { clusterStateKey, nodeStateKey } from '../aws/state-items.ts';
import { readClusterState } from '../aws/state-table.ts';
import { PRODUCT_PREFIX } from '../findings/asff.ts';
import { archivedCopy, instanceOfFinding } from '../findings/lifecycle.ts';
import { STATE_KEY } from '../scanner/scan-leases.ts';

const CLUSTER_FIELD = `${PRODUCT_PREFIX}cluster`;
/** Security Hub ORs at most 20 values of one filter field. */
const FILTER_VALUES = 20;
const DELETE_CONCURRENCY = 8;

/** The account's default product (findings/asff.ts productArn), whatever the finding's Region. */
function isDefaultProduct(f: AwsSecurityFinding): boolean {
  return f.ProductArn?.endsWith(`:product/${f.AwsAccountId}/default`) === true;
}

async function getActive(
  client: SecurityHubClient,
  filters: AwsSecurityFindingFilters,
): Promise<AwsSecurityFinding[]> {
  const out: AwsSecurityFinding[] = [];
  for await (const page of paginateGetFindings({ client, pageSize: 100 }, { Filters: filters })) {
    out.push(...(page.Findings ?? []).filter(isDefaultProduct));
  }
  return out;
}

/** Our ACTIVE findings, of the named clusters or of every cluster. */
export async function listOurActiveFindings(
  client: SecurityHubClient,
  clusters?: readonly string[],
): Promise<AwsSecurityFinding[]> {
  const base: AwsSecurityFindingFilters = {
    GeneratorId: [{ Value: PRODUCT_PREFIX, Comparison: 'PREFIX' }],
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  };
  if (!clusters) return getActive(client, base);
  const out: AwsSecurityFinding[] = [];
  for (let i = 0; i < clusters.length; i += FILTER_VALUES) {
    const chunk = clusters.slice(i, i + FILTER_VALUES);
    const ProductFields = chunk.map((Value) => ({
      Key: CLUSTER_FIELD,
      Value,
      Comparison: 'EQUALS' as const,
    }));
    out.push(...(await getActive(client, { ...base, ProductFields })));
  }
  return out;
}

/** Items the scanner writes (scan-leases.ts, aws/state-items.ts), by key prefix. */
const STATE_PREFIXES = ['cluster#', 'node#', 'clusterstate#', 'nodestate#'] as const;

/**
 * The state items to delete: every item of the scanner (--all), or those of the clusters. A finding
 * record left behind would tell the next scan the archived findings are still as it imported them.
 */
export async function stateKeysOf(
  clients: AwsClients,
  table: string,
  scope: { clusters?: readonly string[]; findings: readonly AwsSecurityFinding[] },
): Promise<string[]> {
  if (scope.clusters) {
    const nodes = new Set(scope.findings.map((f) => instanceOfFinding(f)).filter((id) => id !== undefined));
    const records: string[] = [];
    for (const cluster of scope.clusters) {
      const state = await readClusterState(clients.dynamodb, table, cluster);
      if (state.cluster) records.push(clusterStateKey(cluster));
      for (const id of state.nodes.keys()) records.push(nodeStateKey(cluster, id));
    }
    return [
      ...scope.clusters.map((c) => `cluster#${c}`),
      ...[...nodes].map((id) => `node#${id}`),
      ...records,
    ];
  }
  const keys: string[] = [];
  const pages = paginateScan(
    { client: clients.dynamodb },
    { TableName: table, ProjectionExpression: STATE_KEY },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const key = item[STATE_KEY]?.S;
      if (key && STATE_PREFIXES.some((p) => key.startsWith(p))) keys.push(key);
    }
  }
  return keys.sort();
}

export async function deleteStateItems(
  clients: AwsClients,
  table: string,
  keys: readonly string[],
): Promise<void> {
  await mapLimit(keys, DELETE_CONCURRENCY, (key) =>
    clients.dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { [STATE_KEY]: { S: key } } })),
  );
}

/** Re-imports the findings ARCHIVED, one import per product (normally one: the account's default). */
export async function archiveFindings(
  client: SecurityHubClient,
  findings: readonly AwsSecurityFinding[],
  now: Date,
): Promise<ImportResult> {
  const byProduct = new Map<string, AwsSecurityFinding[]>();
  for (const f of findings)
    byProduct.set(f.ProductArn ?? '', [...(byProduct.get(f.ProductArn ?? '') ?? []), f]);
  let succeeded = 0;
  let requests = 0;
  const failed: ImportResult['failed'] = [];
  for (const [productArn, group] of byProduct) {
    const first = group[0]!;
    const target = { productArn, region: first.Region ?? '', accountId: first.AwsAccountId ?? '' };
    const result = await importFindings(
      client,
      target,
      group.map((f) => archivedCopy(f, now)),
    );
    succeeded += result.succeeded;
    requests += result.requests;
    failed.push(...result.failed);
  }
  return { succeeded, failed, requests };
}
