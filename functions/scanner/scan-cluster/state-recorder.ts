/**
 * What a rebuild imported (every finding of its scope), turned into the records it writes: each
 * finding's fingerprint, status, CreatedAt and UpdatedAt as they went to Security Hub.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { NodeInfo } from '../../aws/discovery.ts';
import type { ClusterStateRead } from '../../aws/state-table.ts';
import type { ComplianceStatus } from '../../controls/control.ts';
import { answerFingerprint } from '../../findings/answer-fingerprint.ts';
import { type FindingState, fingerprint, type NodeState } from '../../findings/finding-state.ts';
import type { NodeAnswer, NodeVerdict } from './node-answer.ts';

/** The answer a node's findings were built from: its fingerprint and the controls it answered. */
interface Answered {
  readonly answerFp: string;
  readonly controlIds: readonly string[];
}

/** What a rebuild imported, by node and control: the records it writes. */
export class StateRecorder {
  private readonly byNode = new Map<string, Record<string, FindingState>>();
  private readonly answered = new Map<string, Answered>();

  /** `findingContext`: what every finding of the cluster shares (answer-fingerprint.ts). */
  constructor(private readonly findingContext: string) {}

  /** A node's answer, as its findings go to the plan: its record will carry the answer's fingerprint. */
  answer(node: NodeInfo, answer: NodeAnswer): void {
    this.answered.set(node.instanceId, {
      answerFp: answerFingerprint({ context: this.findingContext, node, answer }),
      controlIds: answer.results.map((r) => r.controlId),
    });
  }

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
    /** Each node's verdict (unreachable or not, why not assessed). */
    readonly verdicts: ReadonlyMap<string, NodeVerdict>;
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
      const verdict = options.verdicts.get(node.instanceId);
      const old = previous?.nodes.get(node.instanceId);
      const findings: Record<string, FindingState> = {};
      for (const [controlId, f] of Object.entries(this.byNode.get(node.instanceId) ?? {})) {
        const id = options.findingIdOf(node.instanceId, controlId);
        if (options.failedIds.has(id)) continue;
        const owed =
          options.pendingIds.has(id) || (f.status === 'PASSED' && old?.findings[controlId]?.resolvePending);
        findings[controlId] = owed ? { ...f, resolvePending: true } : f;
      }
      // The next scan may take these findings as they are only if every one of them landed.
      const answered = this.answered.get(node.instanceId);
      const whole = answered?.controlIds.every((c) => c in findings) === true;
      out.push({
        cluster: options.cluster,
        instanceId: node.instanceId,
        findings,
        observedAt: startedAt,
        ...(verdict?.unreached ? { unreachableSince: startedAt } : { reachedAt: startedAt }),
        ...(verdict?.reasonCode ? { reasonCode: verdict.reasonCode } : {}),
        ...(whole && answered ? { answerFp: answered.answerFp } : {}),
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
