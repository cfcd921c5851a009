/**
 * The change-only plan of a cluster whose state the table holds: each node's answer is compared with
 * its record as it arrives, only what changed (or is due for a refresh) goes to the importer, and the
 * node's next record is drafted, to be written once the imports are known to have landed
 * (table-delivery.ts). An unreachable node keeps its last verdict for a while (staleness.ts).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { NodeInfo } from '../../aws/discovery.ts';
import type { ClusterStateRead } from '../../aws/state-table.ts';
import type { Control, ControlResult } from '../../controls/control.ts';
import { controls } from '../../controls/index.ts';
import { answerFingerprint } from '../../findings/answer-fingerprint.ts';
import { findingId } from '../../findings/asff.ts';
import { type ChangeOutcome, planChange } from '../../findings/change-plan.ts';
import { type FindingState, type NodeState, refreshDue } from '../../findings/finding-state.ts';
import { staleResults, unreachableFrom } from '../../findings/staleness.ts';
import type { NodeAnswer } from './node-answer.ts';

export interface TablePlanOptions {
  readonly state: ClusterStateRead;
  readonly cluster: string;
  readonly scope: Parameters<typeof findingId>[0];
  /** When the scan started (epoch ms): the records' observedAt, and when reached nodes were reached. */
  readonly startedAt: number;
  readonly now: () => Date;
  readonly refreshMs: number;
  readonly staleAfterMs: number;
  /** What every finding of the cluster shares (answer-fingerprint.ts findingContext). */
  readonly findingContext: string;
  readonly build: (
    node: NodeInfo,
    control: Control,
    result: ControlResult,
    answer: NodeAnswer,
  ) => AwsSecurityFinding;
  readonly emit: (finding: AwsSecurityFinding) => void;
}

export type ChangeCounts = Record<ChangeOutcome, number> & { stale: number };

/** What an imported finding was, to undo its record if the import fails. */
interface Imported {
  readonly instanceId: string;
  readonly controlId: string;
  readonly previous?: FindingState;
}

export class TablePlan {
  readonly counts: ChangeCounts = {
    created: 0,
    updated: 0,
    reactivated: 0,
    refreshed: 0,
    unchanged: 0,
    stale: 0,
  };
  /** Drafts of the next record of every node planned, by instance id. */
  readonly drafts = new Map<string, NodeState>();
  /** Nodes whose record must be written. */
  readonly dirty = new Set<string>();
  /** Findings imported by this plan, by finding id. */
  readonly imported = new Map<string, Imported>();
  /** Findings that turned (or came back) PASSED: their Workflow is read, then set RESOLVED. */
  readonly resolveCandidates: string[] = [];

  constructor(private readonly o: TablePlanOptions) {}

  get state(): ClusterStateRead {
    return this.o.state;
  }

  get startedAt(): number {
    return this.o.startedAt;
  }

  findingIdOf(instanceId: string, controlId: string): string {
    return findingId(this.o.scope, this.o.cluster, instanceId, controlId);
  }

  /** Every node's latest record: this scan's draft, else the table's. */
  *records(): Iterable<NodeState> {
    for (const [id, node] of this.o.state.nodes) if (!this.drafts.has(id)) yield node;
    yield* this.drafts.values();
  }

  /** RESOLVEDs still owed once this scan is done (the FindingsResolvePending metric). */
  pendingCount(): number {
    let n = 0;
    for (const node of this.records()) {
      if (node.archived) continue;
      for (const f of Object.values(node.findings)) if (f.resolvePending) n++;
    }
    return n;
  }

  /** A gone node whose findings were archived: kept (with their CreatedAt) in case it comes back. */
  markArchived(node: NodeState): void {
    const findings = Object.fromEntries(
      Object.entries(node.findings).map(([c, { resolvePending: _owed, ...f }]) => [c, f]),
    );
    this.drafts.set(node.instanceId, {
      ...node,
      findings,
      archived: true,
      observedAt: this.o.startedAt,
    });
    this.dirty.add(node.instanceId);
  }

  /** A finding of a retired control, archived: its record goes. */
  dropFinding(id: string): void {
    const [, , , instanceId, controlId] = id.split('/');
    const draft = instanceId ? this.drafts.get(instanceId) : undefined;
    if (!draft || !controlId || !(controlId in draft.findings)) return;
    const { [controlId]: _dropped, ...findings } = draft.findings;
    this.drafts.set(draft.instanceId, { ...draft, findings });
    this.dirty.add(draft.instanceId);
  }

  setResolvePendingById(id: string, pending: boolean): void {
    const [, , , instanceId, controlId] = id.split('/');
    if (instanceId && controlId) this.setResolvePending(instanceId, controlId, pending);
  }

  /** The answer to report for the node (an unreachable node's may keep its last statuses). */
  planNode(node: NodeInfo, answer: NodeAnswer): NodeAnswer {
    const { o } = this;
    const id = node.instanceId;
    const previous = o.state.nodes.get(id);
    let reported = answer;
    let unreachableSince: number | undefined;
    if (answer.unreached) {
      const unreachable = unreachableFrom(previous, o.state.cluster, o.startedAt);
      unreachableSince = unreachable.since;
      const stale = staleResults({
        results: answer.results,
        ...(previous ? { previous } : {}),
        unreachable,
        now: o.startedAt,
        staleAfterMs: o.staleAfterMs,
      });
      if (stale.stale) {
        this.counts.stale++;
        reported = { ...answer, results: stale.results };
      }
    }
    const answerFp = answerFingerprint({ context: o.findingContext, node, answer: reported });
    const kept = previous?.answerFp === answerFp ? this.keptFindings(previous, reported) : undefined;
    const findings: Record<string, FindingState> = kept ?? {};
    let changed = !previous || previous.archived === true || previous.answerFp !== answerFp;
    for (const result of kept ? [] : reported.results) {
      const control = controls.find((c) => c.id === result.controlId);
      if (!control) continue;
      const before = previous?.findings[control.id];
      const decision = planChange({
        finding: o.build(node, control, result, reported),
        instanceId: id,
        ...(before ? { previous: before } : {}),
        archived: previous?.archived === true,
        now: o.now(),
        refreshMs: o.refreshMs,
      });
      this.counts[decision.outcome]++;
      findings[control.id] = decision.next;
      if (decision.finding) {
        changed = true;
        const fid = findingId(o.scope, o.cluster, id, control.id);
        this.imported.set(fid, {
          instanceId: id,
          controlId: control.id,
          ...(before ? { previous: before } : {}),
        });
        if (decision.resolveCandidate) this.resolveCandidates.push(fid);
        o.emit(decision.finding);
      }
    }
    if (previous?.unreachableSince !== unreachableSince) changed = true;
    if ((previous?.reasonCode ?? undefined) !== (answer.reasonCode ?? undefined)) changed = true;
    const reachedAt = answer.unreached ? previous?.reachedAt : o.startedAt;
    // Controls the catalog no longer has stay in the record until their findings are archived.
    for (const [controlId, f] of Object.entries(previous?.findings ?? {})) {
      if (!(controlId in findings)) findings[controlId] = f;
    }
    this.drafts.set(id, {
      cluster: o.cluster,
      instanceId: id,
      findings,
      observedAt: o.startedAt,
      ...(reachedAt !== undefined ? { reachedAt } : {}),
      ...(unreachableSince !== undefined ? { unreachableSince } : {}),
      ...(answer.reasonCode ? { reasonCode: answer.reasonCode } : {}),
      answerFp,
    });
    if (changed) this.dirty.add(id);
    return reported;
  }

  /**
   * The node's findings as its record holds them, when its answer is the one every finding was last
   * compared with and none of them is due for a refresh; undefined when they must be built and
   * compared one by one.
   */
  private keptFindings(previous: NodeState, answer: NodeAnswer): Record<string, FindingState> | undefined {
    if (previous.archived) return undefined;
    const now = this.o.now().getTime();
    const kept: Record<string, FindingState> = {};
    for (const result of answer.results) {
      if (!controls.some((c) => c.id === result.controlId)) continue;
      const before = previous.findings[result.controlId];
      const due =
        before === undefined ||
        refreshDue({
          instanceId: previous.instanceId,
          importedAt: before.importedAt,
          now,
          periodMs: this.o.refreshMs,
        });
      if (due) return undefined;
      kept[result.controlId] = before;
    }
    this.counts.unchanged += Object.keys(kept).length;
    return kept;
  }

  /** An import that failed: the finding's record stays as it was, so the next scan imports it again. */
  undo(findingIdOf: string): void {
    const imported = this.imported.get(findingIdOf);
    if (!imported) return;
    const draft = this.drafts.get(imported.instanceId);
    if (!draft) return;
    const findings = { ...draft.findings };
    if (imported.previous) findings[imported.controlId] = imported.previous;
    else delete findings[imported.controlId];
    // The record no longer matches the answer: the next scan compares it finding by finding again.
    const { answerFp: _notMatched, ...rest } = draft;
    this.drafts.set(imported.instanceId, { ...rest, findings });
  }

  /** Sets whether a finding's RESOLVED is still owed; marks its node for writing when that changes. */
  setResolvePending(instanceId: string, controlId: string, pending: boolean): void {
    const draft = this.drafts.get(instanceId) ?? this.o.state.nodes.get(instanceId);
    const f = draft?.findings[controlId];
    if (!draft || !f || (f.resolvePending ?? false) === pending) return;
    const { resolvePending: _old, ...rest } = f;
    this.drafts.set(instanceId, {
      ...draft,
      findings: { ...draft.findings, [controlId]: pending ? { ...rest, resolvePending: true } : rest },
    });
    this.dirty.add(instanceId);
  }
}
