import { describe, expect, it } from 'vitest';
import { controls } from '../../../functions/controls/index.ts';
import { buildFinding, findingId } from '../../../functions/findings/asff.ts';
import { type NodeAnswer, verdictOf } from '../../../functions/scanner/scan-cluster/node-answer.ts';
import { StateRecorder } from '../../../functions/scanner/scan-cluster/state-recorder.ts';
import { TablePlan } from '../../../functions/scanner/scan-cluster/table-plan.ts';
import { cluster, node, scope } from '../../findings/fixtures.ts';

const AT = '2026-12-01T00:00:00.000Z';
const answer: NodeAnswer = {
  results: controls.map((c) => ({
    controlId: c.id,
    status: 'FAILED' as const,
    reason: `${c.id} fails`,
    evidence: {},
  })),
};
const idOf = (instanceId: string, controlId: string) => findingId(scope, cluster.name, instanceId, controlId);

function rebuild(failedControl?: string) {
  const recorder = new StateRecorder('context-1');
  recorder.answer(node, answer);
  for (const result of answer.results) {
    const control = controls.find((c) => c.id === result.controlId)!;
    recorder.record(
      buildFinding({ scope, cluster, node, control, result, scanId: 's', createdAt: AT, updatedAt: AT }),
    );
  }
  const [record] = recorder.drafts({
    cluster: cluster.name,
    verdicts: new Map([[node.instanceId, verdictOf(answer)]]),
    findingIdOf: idOf,
    inScope: [node],
    present: new Set([node.instanceId]),
    failedIds: new Set(failedControl ? [idOf(node.instanceId, failedControl)] : []),
    pendingIds: new Set(),
    startedAt: Date.parse(AT),
  });
  return record!;
}

describe('StateRecorder: the answer fingerprint of a rebuilt record', () => {
  it('is recorded when every finding of the node landed, and lets the next scan build nothing', () => {
    const record = rebuild();
    let built = 0;
    const next = new TablePlan({
      state: { nodes: new Map([[node.instanceId, record]]) },
      cluster: cluster.name,
      scope,
      startedAt: Date.parse(AT) + 3_600_000,
      now: () => new Date(Date.parse(AT) + 3_600_000),
      refreshMs: 7 * 86_400_000,
      staleAfterMs: 3 * 86_400_000,
      findingContext: 'context-1',
      build: () => {
        built++;
        throw new Error('nothing should be built');
      },
      emit: () => undefined,
    });

    next.planNode(node, answer);

    expect(record.answerFp).toMatch(/^[\w-]{11}$/);
    expect(built).toBe(0);
    expect(next.counts.unchanged).toBe(controls.length);
  });

  it("is left out when one of the node's findings failed to import", () => {
    const record = rebuild(controls[2]!.id);

    expect(record.findings[controls[2]!.id]).toBeUndefined();
    expect(record.answerFp).toBeUndefined();
  });
});
