import { describe, expect, it } from 'vitest';
import { buildFinding } from '../../functions/findings/asff.ts';
import { type ChangeInput, planChange } from '../../functions/findings/change-plan.ts';
import { type FindingState, fingerprint, NEW_FAILED_FIELD } from '../../functions/findings/finding-state.ts';
import { cluster, control, node, result, scope } from './fixtures.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-12-07T12:00:00.000Z');
const CREATED = '2026-11-01T00:00:00.000Z';

function fresh(status: 'PASSED' | 'FAILED' | 'NOT_AVAILABLE') {
  const at = NOW.toISOString();
  return buildFinding({
    scope,
    cluster,
    node,
    control,
    result: result(status),
    scanId: 's',
    createdAt: at,
    updatedAt: at,
  });
}

function recordOf(
  status: 'PASSED' | 'FAILED' | 'NOT_AVAILABLE',
  extra: Partial<FindingState> = {},
): FindingState {
  return {
    fp: fingerprint(fresh(status)),
    status,
    createdAt: CREATED,
    // One hour ago: no refresh due for most nodes, but a test that needs none sets refreshMs far out.
    importedAt: NOW.getTime() - 3_600_000,
    ...extra,
  };
}

const plan = (input: Partial<ChangeInput> & Pick<ChangeInput, 'finding'>) =>
  planChange({ instanceId: node.instanceId, archived: false, now: NOW, refreshMs: 7 * DAY, ...input });

describe('planChange', () => {
  it('creates a new finding: PASSED created RESOLVED, FAILED created NEW with the new-FAILED marker', () => {
    const passed = plan({ finding: fresh('PASSED') });
    expect(passed.outcome).toBe('created');
    expect(passed.finding?.Workflow).toEqual({ Status: 'RESOLVED' });
    expect(passed.finding?.ProductFields).not.toHaveProperty(NEW_FAILED_FIELD);
    const failed = plan({ finding: fresh('FAILED') });
    expect(failed.finding?.Workflow).toEqual({ Status: 'NEW' });
    expect(failed.finding?.ProductFields?.[NEW_FAILED_FIELD]).toBe('true');
    expect(failed.next).toMatchObject({
      status: 'FAILED',
      createdAt: NOW.toISOString(),
      importedAt: NOW.getTime(),
    });
  });

  it('imports nothing when nothing changed and no refresh is due', () => {
    const previous = recordOf('FAILED');
    const d = plan({ finding: fresh('FAILED'), previous, refreshMs: 60 * DAY });
    expect(d.outcome).toBe('unchanged');
    expect(d.finding).toBeUndefined();
    expect(d.next).toBe(previous);
  });

  it('imports a changed finding with its CreatedAt and a newer UpdatedAt, without Workflow', () => {
    const previous = recordOf('PASSED', { importedAt: NOW.getTime() + 5 });
    const d = plan({ finding: fresh('FAILED'), previous });
    expect(d.outcome).toBe('updated');
    expect(d.finding?.CreatedAt).toBe(CREATED);
    expect(Date.parse(String(d.finding?.UpdatedAt))).toBeGreaterThan(previous.importedAt);
    expect(d.finding).not.toHaveProperty('Workflow');
    expect(d.finding?.ProductFields?.[NEW_FAILED_FIELD]).toBe('true');
    expect(d.resolveCandidate).toBe(false);
  });

  it('a finding that turns PASSED is a candidate for RESOLVED; one that stays PASSED is not', () => {
    expect(plan({ finding: fresh('PASSED'), previous: recordOf('FAILED') }).resolveCandidate).toBe(true);
    expect(plan({ finding: fresh('PASSED'), previous: recordOf('NOT_AVAILABLE') }).resolveCandidate).toBe(
      true,
    );
    const refreshed = plan({
      finding: fresh('PASSED'),
      previous: recordOf('PASSED', { importedAt: NOW.getTime() - 8 * DAY }),
    });
    expect(refreshed.outcome).toBe('refreshed');
    expect(refreshed.resolveCandidate).toBe(false);
  });

  it('a refresh of a finding that stays FAILED carries no new-FAILED marker', () => {
    const d = plan({
      finding: fresh('FAILED'),
      previous: recordOf('FAILED', { importedAt: NOW.getTime() - 8 * DAY }),
    });
    expect(d.outcome).toBe('refreshed');
    expect(d.finding?.ProductFields).not.toHaveProperty(NEW_FAILED_FIELD);
    expect(d.next.importedAt).toBe(NOW.getTime());
  });

  it('a node back from ARCHIVED is reactivated with its CreatedAt; PASSED is a RESOLVED candidate', () => {
    const d = plan({ finding: fresh('PASSED'), previous: recordOf('PASSED'), archived: true });
    expect(d.outcome).toBe('reactivated');
    expect(d.finding).toMatchObject({ CreatedAt: CREATED, RecordState: 'ACTIVE' });
    expect(d.resolveCandidate).toBe(true);
  });

  it('keeps an owed RESOLVED while the finding stays PASSED, drops it when it fails again', () => {
    const owed = recordOf('PASSED', { resolvePending: true });
    expect(plan({ finding: fresh('PASSED'), previous: owed, refreshMs: 60 * DAY }).next.resolvePending).toBe(
      true,
    );
    expect(plan({ finding: fresh('FAILED'), previous: owed }).next.resolvePending).toBeUndefined();
  });
});
