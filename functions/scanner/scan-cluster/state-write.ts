/**
 * The end of a scan that uses the state table: the records of a rebuild (built from what it imported)
 * or the changed records of a change-only scan are written, then the cluster's own record. A full
 * scan writes in batches under its cluster lease; a node-scoped scan writes each record only if no
 * later scan wrote it (state-table.ts).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { NodeInfo } from '../../aws/discovery.ts';
import { mapLimit } from '../../aws/run-command/map-limit.ts';
import { nodeItem } from '../../aws/state-items.ts';
import type { ClusterStateRead } from '../../aws/state-table.ts';
import { batchPut, markClusterScanned, putIfNewer, StateWriteError } from '../../aws/state-table.ts';
import type { ComplianceStatus } from '../../controls/control.ts';
import { type FindingState, fingerprint, type NodeState } from '../../findings/finding-state.ts';
import { CONFIG_DEFAULTS } from '../config.ts';
import type { ScanState } from './state.ts';

/** Security Hub deletes a finding not updated for 90 days: no record needs to outlive that. */
const SECURITY_HUB_RETENTION_MS = 90 * 86_400_000;
const CONDITIONAL_WRITES_IN_FLIGHT = 10;

/** What a rebuild imported, by node and control: the records it writes. */
export class StateRecorder {
  private readonly byNode = new Map<string, Record<string, FindingState>>();

  /** One finding as it goes to the importer (archive re-imports do not come here). */
  record(finding: AwsSecurityFinding): void {
    const [, , , instanceId, controlId] = (finding.Id ?? '').split('/');
    if (!instanceId || !controlId || !finding.CreatedAt || !finding.UpdatedAt) return;
    const findings = this.byNode.get(instanceId) ?? {};
    findings[controlId] = {
      fp: fingerprint(finding),
      status: (finding.Compliance?.Status ?? 'NOT_AVAILABLE') as ComplianceStatus,
      createdAt: finding.CreatedAt,
      importedAt: Date.parse(finding.UpdatedAt),
    };
    this.byNode.set(instanceId, findings);
  }

  /**
   * The records of the nodes in scope, from what landed (`failedIds` left out, so the next scan
   * imports them again), RESOLVEDs owed (`pendingIds`, and those the old records owed while the
   * finding stays PASSED), and the old records of nodes that left (their findings were archived).
   */
  drafts(options: {
    readonly scan: ScanState;
    readonly inScope: readonly NodeInfo[];
    readonly present: ReadonlySet<string>;
    readonly previous?: ClusterStateRead;
    readonly failedIds: ReadonlySet<string>;
    readonly pendingIds: ReadonlySet<string>;
    readonly startedAt: number;
  }): NodeState[] {
    const { scan, previous, startedAt } = options;
    const out: NodeState[] = [];
    for (const node of options.inScope) {
      const answer = scan.answers.get(node.instanceId);
      const old = previous?.nodes.get(node.instanceId);
      const findings: Record<string, FindingState> = {};
      for (const [controlId, f] of Object.entries(this.byNode.get(node.instanceId) ?? {})) {
        const id = `${scan.input.scope.region}/${scan.input.scope.accountId}/${scan.cluster.name}/${node.instanceId}/${controlId}`;
        if (options.failedIds.has(id)) continue;
        const owed =
          options.pendingIds.has(id) || (f.status === 'PASSED' && old?.findings[controlId]?.resolvePending);
        findings[controlId] = owed ? { ...f, resolvePending: true } : f;
      }
      out.push({
        cluster: scan.cluster.name,
        instanceId: node.instanceId,
        findings,
        observedAt: startedAt,
        ...(answer?.unreached ? { unreachableSince: startedAt } : { reachedAt: startedAt }),
        ...(answer?.reasonCode ? { reasonCode: answer.reasonCode } : {}),
      });
    }
    for (const old of previous?.nodes.values() ?? []) {
      if (!old.archived && !options.present.has(old.instanceId)) {
        out.push({ ...old, archived: true, observedAt: startedAt });
      }
    }
    return out;
  }
}

function expiresAt(record: NodeState, refreshMs: number): number {
  const keep = record.archived ? SECURITY_HUB_RETENTION_MS : refreshMs + SECURITY_HUB_RETENTION_MS;
  return (record.observedAt + keep) / 1000;
}

export interface WrittenState {
  readonly written: number;
  /** Records a later node-scoped scan had written already (its are newer). */
  readonly superseded: number;
}

/**
 * Writes `records`; a full scan then records itself on the cluster (`built`: every node has a
 * record now). Throws StateWriteError when records could not be written after the retries.
 */
export async function writeRecords(
  scan: ScanState,
  records: readonly NodeState[],
  options: { readonly full: boolean; readonly built: boolean; readonly startedAt: number },
): Promise<WrittenState> {
  const { deps } = scan;
  const table = deps.config.stateTable;
  if (!table) return { written: 0, superseded: 0 };
  const refreshMs = deps.config.refreshMs ?? CONFIG_DEFAULTS.refreshMs;
  const writer = { client: deps.clients.dynamodb, table, sleep: deps.sleep };
  const items = records.map((r) => nodeItem(r, expiresAt(r, refreshMs)));
  let superseded = 0;
  if (options.full) {
    const unwritten = await batchPut(writer, items);
    if (unwritten > 0) throw new StateWriteError(unwritten);
    await markClusterScanned(writer, {
      cluster: scan.cluster.name,
      scanStartedAt: options.startedAt,
      built: options.built,
      expiresAt: (options.startedAt + refreshMs + SECURITY_HUB_RETENTION_MS) / 1000,
    });
  } else {
    const won = await mapLimit(items, CONDITIONAL_WRITES_IN_FLIGHT, (item) => putIfNewer(writer, item));
    superseded = won.filter((w) => !w).length;
    if (superseded > 0) {
      scan.log.warn('A later scan wrote some node records first; its records are kept', { superseded });
    }
  }
  return { written: items.length - superseded, superseded };
}
