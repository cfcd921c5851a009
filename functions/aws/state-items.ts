/**
 * The finding-state items of the scanner's state table (the table also holds the flood guard's
 * leases, scan-leases.ts): one item per node, `nodestate#<cluster>#<instance>`, and one per cluster,
 * `clusterstate#<cluster>`, both carrying the cluster in STATE_CLUSTER so the table's by-cluster index
 * lists a cluster's state in one paged Query. Pure: item ↔ record.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ComplianceStatus } from '../controls/control.ts';
import type { ClusterState, FindingState, NodeState } from '../findings/finding-state.ts';

/** The index that lists a cluster's state items (infra/constructs/scanner-state-table.ts). */
export const STATE_CLUSTER_INDEX = 'by-cluster' as const;
/** Its partition key, set on finding-state items only (leases are not in the index). */
export const STATE_CLUSTER = 'stateCluster' as const;

export const nodeStateKey = (cluster: string, instanceId: string) => `nodestate#${cluster}#${instanceId}`;
export const clusterStateKey = (cluster: string) => `clusterstate#${cluster}`;

type Item = Record<string, AttributeValue>;
const num = (n: number): AttributeValue => ({ N: String(Math.floor(n)) });
const readNum = (v: AttributeValue | undefined) => (v?.N !== undefined ? Number(v.N) : undefined);
const STATUSES = new Set<string>(Object.values(ComplianceStatus));

function findingItem(f: FindingState): AttributeValue {
  return {
    M: {
      fp: { S: f.fp },
      st: { S: f.status },
      ca: { S: f.createdAt },
      ia: num(f.importedAt),
      ...(f.resolvePending ? { rp: { BOOL: true } } : {}),
    },
  };
}

function findingOf(v: AttributeValue | undefined): FindingState | undefined {
  const m = v?.M;
  const fp = m?.fp?.S;
  const st = m?.st?.S;
  const createdAt = m?.ca?.S;
  const importedAt = readNum(m?.ia);
  if (!m || !fp || !st || !STATUSES.has(st) || !createdAt || importedAt === undefined) return undefined;
  return {
    fp,
    status: st as ComplianceStatus,
    createdAt,
    importedAt,
    ...(m.rp?.BOOL ? { resolvePending: true } : {}),
  };
}

export function nodeItem(state: NodeState, expiresAt: number): Item {
  return {
    pk: { S: nodeStateKey(state.cluster, state.instanceId) },
    [STATE_CLUSTER]: { S: state.cluster },
    kind: { S: 'node' },
    instanceId: { S: state.instanceId },
    findings: { M: Object.fromEntries(Object.entries(state.findings).map(([k, f]) => [k, findingItem(f)])) },
    ...(state.reachedAt !== undefined ? { reachedAt: num(state.reachedAt) } : {}),
    ...(state.unreachableSince !== undefined ? { unreachableSince: num(state.unreachableSince) } : {}),
    ...(state.archived ? { archived: { BOOL: true } } : {}),
    ...(state.reasonCode ? { reasonCode: { S: state.reasonCode } } : {}),
    ...(state.answerFp ? { answerFp: { S: state.answerFp } } : {}),
    observedAt: num(state.observedAt),
    expiresAt: num(expiresAt),
  };
}

/** A node record from its item; undefined for any other item or one that does not decode. */
export function nodeStateOf(item: Item): NodeState | undefined {
  const cluster = item[STATE_CLUSTER]?.S;
  const instanceId = item.instanceId?.S;
  const observedAt = readNum(item.observedAt);
  if (item.kind?.S !== 'node' || !cluster || !instanceId || observedAt === undefined) return undefined;
  const findings: Record<string, FindingState> = {};
  for (const [controlId, v] of Object.entries(item.findings?.M ?? {})) {
    const f = findingOf(v);
    if (f) findings[controlId] = f;
  }
  const reachedAt = readNum(item.reachedAt);
  const unreachableSince = readNum(item.unreachableSince);
  return {
    cluster,
    instanceId,
    findings,
    observedAt,
    ...(reachedAt !== undefined ? { reachedAt } : {}),
    ...(unreachableSince !== undefined ? { unreachableSince } : {}),
    ...(item.archived?.BOOL ? { archived: true } : {}),
    ...(item.reasonCode?.S ? { reasonCode: item.reasonCode.S } : {}),
    ...(item.answerFp?.S ? { answerFp: item.answerFp.S } : {}),
  };
}

export function clusterStateOf(item: Item): ClusterState | undefined {
  const cluster = item[STATE_CLUSTER]?.S;
  if (item.kind?.S !== 'cluster' || !cluster) return undefined;
  const builtAt = readNum(item.builtAt);
  const lastScanAt = readNum(item.lastScanAt);
  return {
    cluster,
    ...(builtAt !== undefined ? { builtAt } : {}),
    ...(lastScanAt !== undefined ? { lastScanAt } : {}),
  };
}
