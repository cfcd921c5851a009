/**
 * What a rebuild imported (every finding of its scope), turned into the records it writes: each
 * finding's fingerprint, status, CreatedAt and UpdatedAt as they went to Security Hub.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { NodeInfo } from '../../aws/discovery.ts';
import type { ClusterStateRead } from '../../aws/state-table.ts';
import type { ComplianceStatus } from '../../controls/control.ts';
import { type FindingState, fingerprint, type NodeState } from '../../findings/finding-state.ts';
import type { NodeAnswer } from './node-answer.ts';

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
    readonly cluster: string;
    /** Each node's answer (unreachable or not, why not assessed). */
    readonly answers: ReadonlyMap<string, NodeAnswer>;
    readonly findingIdOf: (instanceId: string, controlId: string) => string;
    readonly inScope: readonly NodeInfo[];
    readonly present: ReadonlySet<string>;
    readonly previous?: ClusterStateRead;
    readonly failedIds: ReadonlySet<string>;
    readonly pendingIds: ReadonlySet<string>;
    readonly startedAt: number;
  }): NodeState[] {
    const { previous, startedAt } = options;
    const out: NodeState[] = [];
    for (const node of options.inScope) {
      const answer = options.answers.get(node.instanceId);
      const old = previous?.nodes.get(node.instanceId);
      const findings: Record<string, FindingState> = {};
      for (const [controlId, f] of Object.entries(this.byNode.get(node.instanceId) ?? {})) {
        const id = options.findingIdOf(node.instanceId, controlId);
        if (options.failedIds.has(id)) continue;
        const owed =
          options.pendingIds.has(id) || (f.status === 'PASSED' && old?.findings[controlId]?.resolvePending);
        findings[controlId] = owed ? { ...f, resolvePending: true } : f;
      }
      out.push({
        cluster: options.cluster,
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
