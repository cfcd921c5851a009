/**
 * Discovery: the cluster's running nodes, listed beside the read of its stored findings, and the
 * nodes this scan covers. Discovery lists the whole cluster even for a narrowed scan: it is cheap
 * (3 paged calls) and tells which findings belong to nodes that are gone.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type ClusterInfo, listClusterNodes, type NodeInfo, TAG_QUERIES } from '../../aws/discovery.ts';
import { FindingImporter, type SecurityHubTarget } from '../../aws/security-hub.ts';
import { productArn } from '../../findings/asff.ts';
import { StreamingPlan } from '../../findings/streaming-plan.ts';
import type { ClusterScanInput, ScanDeps } from './input.ts';
import type { ScanScope, ScanState, SummaryBase } from './state.ts';
import { readStoredFindings } from './stored-findings.ts';

export interface OpenScanOptions {
  readonly deps: ScanDeps;
  readonly input: ClusterScanInput;
  readonly log: Logger;
  readonly base: SummaryBase;
  readonly cluster: ClusterInfo;
}

/** Starts discovery and the read of the stored findings side by side; awaits neither. */
export function openScan(options: OpenScanOptions): ScanState {
  const { deps, input, cluster } = options;
  const discovery = listNodes(deps, input, cluster);
  const target: SecurityHubTarget = {
    productArn: productArn(input.scope),
    region: input.scope.region,
    accountId: input.scope.accountId,
  };
  // Each fresh finding is planned as soon as its node answered and a page listed its stored record
  // (or, failing that, once the read is complete), and imported in full batches while the scan runs.
  const importer = new FindingImporter(deps.clients.securityHub, target);
  const plan = new StreamingPlan((finding) => importer.add(finding), deps.now);
  const stored = readStoredFindings({ deps, cluster, target, plan, discovery });
  return {
    ...options,
    discovery,
    target,
    importer,
    plan,
    stored,
    answers: new Map(),
    streamed: new Set(),
  };
}

async function listNodes(deps: ScanDeps, input: ClusterScanInput, cluster: ClusterInfo): Promise<NodeInfo[]> {
  const grouped = (await input.groupedDiscovery?.instancesOf(cluster.name)) ?? [];
  // Nodes the grouped queries returned are decoded already: a turn only for queries of its own.
  const ownQueries = TAG_QUERIES.some((_, i) => grouped[i] === undefined);
  const endTurn = ownQueries ? await input.discoveries?.take() : undefined;
  try {
    return await listClusterNodes(deps.clients.ec2, cluster.name, grouped);
  } finally {
    endTurn?.();
  }
}

/**
 * Waits for discovery, narrows it to the requested instances, and waits until the invocation's node
 * budget admits this many nodes.
 */
export async function scopeOf(scan: ScanState): Promise<ScanScope> {
  const { input } = scan;
  const nodes = await scan.discovery;
  const present = new Set(nodes.map((n) => n.instanceId));
  const wanted = input.instanceIds ? new Set(input.instanceIds) : undefined;
  const inScope = wanted ? nodes.filter((n) => wanted.has(n.instanceId)) : nodes;
  const notANodeIds = [
    ...(input.extraNotANodeIds ?? []),
    ...(input.instanceIds ? input.instanceIds.filter((id) => !present.has(id)) : []),
  ];
  if (notANodeIds.length > 0) {
    scan.log.warn('Requested instances are not running nodes of this cluster', { notANodeIds });
  }
  await input.admit?.(inScope.length);
  return { nodes, present, inScope, notANodeIds };
}
