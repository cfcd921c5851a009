import { describe, expect, it, vi } from 'vitest';
import { controls } from '../../../functions/controls/index.ts';
import { buildFinding } from '../../../functions/findings/asff.ts';
import type { NodeState } from '../../../functions/findings/finding-state.ts';
import type { NodeAnswer } from '../../../functions/scanner/scan-cluster/node-answer.ts';
import { TablePlan } from '../../../functions/scanner/scan-cluster/table-plan.ts';
import { cluster, node, scope } from '../../findings/fixtures.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const answer: NodeAnswer = {
  results: controls.map((c) => ({
    controlId: c.id,
    status: 'PASSED' as const,
    reason: `${c.id} passes`,
    evidence: {},
  })),
  collectorVersion: '1.4.0',
};

function plan(options: { at: number; record?: NodeState }) {
  const built = vi.fn();
  const emitted: string[] = [];
  const p = new TablePlan({
    state: { nodes: new Map(options.record ? [[node.instanceId, options.record]] : []) },
    cluster: cluster.name,
    scope,
    startedAt: options.at,
    now: () => new Date(options.at),
    refreshMs: 7 * DAY,
    staleAfterMs: 3 * DAY,
    findingContext: 'context-1',
    build: (n, control, result, a) => {
      built(control.id);
      const at = new Date(options.at).toISOString();
      return buildFinding({
        scope,
        cluster,
        node: n,
        control,
        result,
        scanId: 's',
        createdAt: at,
        updatedAt: at,
        ...(a.collectorVersion ? { collectorVersion: a.collectorVersion } : {}),
      });
    },
    emit: (f) => emitted.push(f.Id ?? ''),
  });
  return { p, built, emitted };
}

/** The record a first scan at `at` leaves for the node. */
function firstScan(at: number): NodeState {
  const { p } = plan({ at });
  p.planNode(node, answer);
  const record = p.drafts.get(node.instanceId);
  if (!record) throw new Error('no record drafted');
  return record;
}

describe('TablePlan: a node whose answer is the one its record was compared with', () => {
  it('keeps its findings as recorded without building any, and writes nothing', () => {
    const record = firstScan(T0);
    expect(record.answerFp).toMatch(/^[\w-]{11}$/);

    const { p, built, emitted } = plan({ at: T0 + 3_600_000, record });
    p.planNode(node, answer);

    expect(built).not.toHaveBeenCalled();
    expect(emitted).toEqual([]);
    expect(p.counts.unchanged).toBe(controls.length);
    expect(p.drafts.get(node.instanceId)?.findings).toEqual(record.findings);
    expect(p.dirty.has(node.instanceId)).toBe(false);
  });

  it('builds and compares every finding when the answer changed, and imports only what changed', () => {
    const record = firstScan(T0);
    const changed: NodeAnswer = {
      ...answer,
      results: answer.results.map((r, i) =>
        i === 0 ? { ...r, status: 'FAILED' as const, reason: 'now fails' } : r,
      ),
    };

    const { p, built, emitted } = plan({ at: T0 + 3_600_000, record });
    p.planNode(node, changed);

    expect(built).toHaveBeenCalledTimes(controls.length);
    expect(emitted).toHaveLength(1);
    expect(p.counts).toMatchObject({ updated: 1, unchanged: controls.length - 1 });
    expect(p.dirty.has(node.instanceId)).toBe(true);
  });

  it('builds the findings when one of them is due for a refresh', () => {
    const record = firstScan(T0);

    const { p, built, emitted } = plan({ at: T0 + 8 * DAY, record });
    p.planNode(node, answer);

    expect(built).toHaveBeenCalledTimes(controls.length);
    expect(emitted).toHaveLength(controls.length);
    expect(p.counts.refreshed).toBe(controls.length);
  });

  it('compares finding by finding a record written without an answer fingerprint, and stores one', () => {
    const { answerFp: _none, ...older } = firstScan(T0);

    const { p, built, emitted } = plan({ at: T0 + 3_600_000, record: older });
    p.planNode(node, answer);

    expect(built).toHaveBeenCalledTimes(controls.length);
    expect(emitted).toEqual([]);
    expect(p.dirty.has(node.instanceId)).toBe(true);
    expect(p.drafts.get(node.instanceId)?.answerFp).toMatch(/^[\w-]{11}$/);
  });

  it('drops the fingerprint from a record whose import failed, so the next scan compares again', () => {
    const record = firstScan(T0);
    const changed: NodeAnswer = {
      ...answer,
      results: answer.results.map((r, i) =>
        i === 0 ? { ...r, status: 'FAILED' as const, reason: 'now fails' } : r,
      ),
    };
    const { p, emitted } = plan({ at: T0 + 3_600_000, record });
    p.planNode(node, changed);

    p.undo(emitted[0] ?? '');

    const draft = p.drafts.get(node.instanceId);
    expect(draft?.answerFp).toBeUndefined();
    expect(draft?.findings[answer.results[0]?.controlId ?? '']).toEqual(
      record.findings[answer.results[0]?.controlId ?? ''],
    );
  });
});
