import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { buildFinding } from '../../functions/findings/asff.ts';
import { NEW_FAILED_FIELD } from '../../functions/findings/finding-state.ts';
import {
  mustArchive,
  nextUpdatedAt,
  pendingResolves,
  planFresh,
  planLifecycle,
  projectStored,
  RESOLVE_PENDING_FIELD,
  type StoredFinding,
} from '../../functions/findings/lifecycle.ts';
import { cluster, control, node, result, scope } from './fixtures.ts';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const OLD = '2026-10-01T00:00:00.000Z';

function fresh(status: 'PASSED' | 'FAILED' | 'WARNING' | 'NOT_AVAILABLE', instanceId = node.instanceId) {
  return buildFinding({
    scope,
    cluster,
    node: { ...node, instanceId },
    control,
    result: result(status),
    scanId: 's',
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
  });
}

function stored(f: AwsSecurityFinding, extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    ...f,
    CreatedAt: OLD,
    UpdatedAt: OLD,
    ProcessedAt: OLD,
    Workflow: { Status: 'NEW' },
    WorkflowState: 'NEW',
    Note: { Text: 'customer note', UpdatedBy: 'x', UpdatedAt: OLD },
    ProductFields: {
      ...f.ProductFields,
      'aws/securityhub/FindingId': 'x',
      'aws/securityhub/ProductName': 'Default',
    },
    ...extra,
  };
}

const base = { active: new Map(), archived: new Map(), controlIds: new Set([control.id]), now: NOW };

describe('nextUpdatedAt', () => {
  it('is now, or 1 ms after a stored value that is not older (clock skew)', () => {
    expect(nextUpdatedAt(NOW, OLD)).toBe(NOW.toISOString());
    expect(nextUpdatedAt(NOW, NOW.toISOString())).toBe('2026-11-28T12:00:00.001Z');
    expect(nextUpdatedAt(NOW, '2026-11-28T12:05:00.000Z')).toBe('2026-11-28T12:05:00.001Z');
    expect(nextUpdatedAt(NOW, undefined)).toBe(NOW.toISOString());
  });
});

describe('planLifecycle', () => {
  it('creates new findings with CreatedAt = UpdatedAt, PASSED ones already RESOLVED', () => {
    const plan = planLifecycle({
      ...base,
      fresh: [fresh('PASSED'), fresh('FAILED', 'i-0000000000000000b')],
      presentInstances: new Set([node.instanceId, 'i-0000000000000000b']),
    });
    expect(plan.created).toBe(2);
    const [passed, failed] = plan.toImport;
    expect(passed?.CreatedAt).toBe(passed?.UpdatedAt);
    expect(passed?.Workflow?.Status).toBe('RESOLVED');
    expect(failed?.Workflow?.Status).toBe('NEW');
    expect(plan.toResolve).toEqual([]);
  });

  it('keeps CreatedAt of an existing finding, sends a newer UpdatedAt and no Workflow', () => {
    const f = fresh('FAILED');
    const plan = planLifecycle({
      ...base,
      fresh: [f],
      active: new Map([[f.Id as string, stored(f, { UpdatedAt: '2026-11-28T12:00:00.000Z' })]]),
      presentInstances: new Set([node.instanceId]),
    });
    expect(plan.updated).toBe(1);
    expect(plan.toImport[0]?.CreatedAt).toBe(OLD);
    expect(plan.toImport[0]?.UpdatedAt).toBe('2026-11-28T12:00:00.001Z');
    expect(plan.toImport[0]?.Workflow).toBeUndefined();
  });

  it('resolves a finding that goes from FAILED to PASSED, but not a SUPPRESSED or already RESOLVED one', () => {
    const f = fresh('PASSED');
    const resolveFor = (previous: Partial<AwsSecurityFinding>) =>
      planLifecycle({
        ...base,
        fresh: [f],
        active: new Map([[f.Id as string, stored(f, previous)]]),
        presentInstances: new Set([node.instanceId]),
      }).toResolve;
    expect(resolveFor({ Compliance: { Status: 'FAILED' } })).toEqual([f.Id]);
    expect(resolveFor({ Compliance: { Status: 'NOT_AVAILABLE' } })).toEqual([f.Id]);
    expect(resolveFor({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'SUPPRESSED' } })).toEqual([]);
    expect(resolveFor({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'RESOLVED' } })).toEqual([]);
    expect(resolveFor({ Compliance: { Status: 'PASSED' } })).toEqual([]);
  });

  it('asks again for a RESOLVED an earlier version marked pending; fresh findings no longer carry the mark', () => {
    // An earlier version carried the owed RESOLVED in a product field (the state table does now).
    const f = fresh('PASSED');
    const first = planFresh(f, projectStored(stored(f, { Compliance: { Status: 'FAILED' } })), NOW);
    expect(first.resolve).toBe(true);
    expect(first.finding.ProductFields?.[RESOLVE_PENDING_FIELD]).toBeUndefined();
    const marked = stored(
      {
        ...first.finding,
        ProductFields: { ...first.finding.ProductFields, [RESOLVE_PENDING_FIELD]: 'RESOLVED' },
      },
      { Compliance: { Status: 'PASSED' } },
    );
    expect(pendingResolves([projectStored(marked)])).toEqual([f.Id]);
    // The update had landed, or the customer moved it on (NOTIFIED, SUPPRESSED): not ours to resolve.
    for (const status of ['RESOLVED', 'NOTIFIED', 'SUPPRESSED'] as const)
      expect(pendingResolves([projectStored({ ...marked, Workflow: { Status: status } })])).toEqual([]);
    // The re-import drops the mark.
    expect(planFresh(fresh('PASSED'), projectStored(marked), NOW).finding.ProductFields).not.toHaveProperty(
      RESOLVE_PENDING_FIELD,
    );
  });

  it('marks only the import where a finding turns FAILED (created FAILED, or from another status)', () => {
    const marker = (status: 'PASSED' | 'FAILED', previous?: 'PASSED' | 'FAILED' | 'NOT_AVAILABLE') => {
      const f = fresh(status);
      const record = previous ? projectStored(stored(f, { Compliance: { Status: previous } })) : undefined;
      return planFresh(f, record, NOW).finding.ProductFields?.[NEW_FAILED_FIELD];
    };
    expect(marker('FAILED')).toBe('true');
    expect(marker('FAILED', 'PASSED')).toBe('true');
    expect(marker('FAILED', 'NOT_AVAILABLE')).toBe('true');
    expect(marker('FAILED', 'FAILED')).toBeUndefined();
    expect(marker('PASSED', 'FAILED')).toBeUndefined();
  });

  it('leaves PASSED → FAILED to Security Hub (it resets the workflow to NEW itself)', () => {
    const f = fresh('FAILED');
    const plan = planLifecycle({
      ...base,
      fresh: [f],
      active: new Map([
        [f.Id as string, stored(f, { Compliance: { Status: 'PASSED' }, Workflow: { Status: 'RESOLVED' } })],
      ]),
      presentInstances: new Set([node.instanceId]),
    });
    expect(plan.toResolve).toEqual([]);
    expect(plan.toImport[0]?.Workflow).toBeUndefined();
  });

  it('brings an archived finding back ACTIVE with its CreatedAt, and resolves it when it passes', () => {
    const f = fresh('PASSED');
    const plan = planLifecycle({
      ...base,
      fresh: [f],
      archived: new Map([
        [f.Id as string, stored(f, { RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } })],
      ]),
      presentInstances: new Set([node.instanceId]),
    });
    expect(plan.reactivated).toBe(1);
    expect(plan.toImport[0]).toMatchObject({
      RecordState: 'ACTIVE',
      CreatedAt: OLD,
      UpdatedAt: NOW.toISOString(),
    });
    expect(plan.toResolve).toEqual([f.Id]);
  });

  it('archives findings of nodes that left the cluster and of retired controls, but not of nodes out of scope', () => {
    const gone = stored(fresh('FAILED', 'i-0000000000000000d'));
    const outOfScope = stored(fresh('FAILED', 'i-0000000000000000e'));
    const retired = stored({
      ...fresh('FAILED'),
      Id: 'x/retired',
      GeneratorId: 'eks-kubelet-audit/old-control',
    });
    const plan = planLifecycle({
      ...base,
      fresh: [],
      active: new Map([
        [gone.Id as string, gone],
        [outOfScope.Id as string, outOfScope],
        [retired.Id as string, retired],
      ]),
      presentInstances: new Set([node.instanceId, 'i-0000000000000000e']),
    });
    expect(plan.archived).toBe(2);
    const ids = plan.toImport.map((f) => f.Id);
    expect(ids).toEqual([gone.Id, retired.Id]);
    for (const f of plan.toImport) {
      expect(f.RecordState).toBe('ARCHIVED');
      expect(Date.parse(f.UpdatedAt as string)).toBeGreaterThan(Date.parse(OLD));
      expect(f.CreatedAt).toBe(OLD);
      // Customer- and Security-Hub-owned fields are not echoed back.
      expect(f.Note).toBeUndefined();
      expect(f.Workflow).toBeUndefined();
      expect(f.ProcessedAt).toBeUndefined();
      expect(Object.keys(f.ProductFields ?? {}).some((k) => k.startsWith('aws/'))).toBe(false);
      expect(f.ProductFields?.['eks-kubelet-audit/cluster']).toBe('prod');
    }
  });
});

describe('planning from projections (what a scan keeps of its existing findings)', () => {
  it('plans the same from projections as from whole findings, and archives from the whole ones it keeps', () => {
    // Prepare: a node still present that turned PASSED, and a node that is gone.
    const present = stored(fresh('FAILED'), { Compliance: { Status: 'FAILED' } });
    const gone = stored(fresh('FAILED', 'i-0000000000000000g'));
    const presentInstances = new Set([node.instanceId]);
    const controlIds = new Set([control.id]);
    const input = { ...base, fresh: [fresh('PASSED')], presentInstances };
    // Act
    const fromWhole = planLifecycle({
      ...input,
      active: new Map([
        [present.Id as string, present],
        [gone.Id as string, gone],
      ]),
    });
    const fromProjections = planLifecycle({
      ...input,
      active: new Map<string, StoredFinding | AwsSecurityFinding>([
        [present.Id as string, projectStored(present)],
        [
          gone.Id as string,
          mustArchive(projectStored(gone), presentInstances, controlIds) ? gone : projectStored(gone),
        ],
      ]),
    });
    // Assess
    expect(mustArchive(projectStored(present), presentInstances, controlIds)).toBe(false);
    expect(mustArchive(projectStored(gone), presentInstances, controlIds)).toBe(true);
    expect(fromProjections).toEqual(fromWhole);
    expect(fromProjections.archived).toBe(1);
    expect(fromProjections.toResolve).toEqual([present.Id]);
  });

  it('refuses to archive a finding of which only the projection was kept', () => {
    const gone = stored(fresh('FAILED', 'i-0000000000000000g'));
    expect(() =>
      planLifecycle({
        ...base,
        fresh: [],
        presentInstances: new Set(),
        active: new Map([[gone.Id as string, projectStored(gone)]]),
      }),
    ).toThrow(/only its projection was kept/);
  });
});
