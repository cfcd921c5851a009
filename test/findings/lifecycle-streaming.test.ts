import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFinding } from '../../functions/findings/asff.ts';
import { planLifecycle, projectStored, type StoredFinding } from '../../functions/findings/lifecycle.ts';
import { StreamingPlan } from '../../functions/findings/streaming-plan.ts';
import { cluster, control, node, result, scope } from './fixtures.ts';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const OLD = '2026-10-01T00:00:00.000Z';
type Status = 'PASSED' | 'FAILED' | 'WARNING' | 'NOT_AVAILABLE';
const STATUSES: readonly Status[] = ['PASSED', 'FAILED', 'WARNING', 'NOT_AVAILABLE'];

const instance = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

function fresh(status: Status, n = 1): AwsSecurityFinding {
  return buildFinding({
    scope,
    cluster,
    node: { ...node, instanceId: instance(n) },
    control,
    result: result(status),
    scanId: 's',
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
  });
}

function record(
  f: AwsSecurityFinding,
  extra: { status?: Status; workflow?: string; recordState?: 'ACTIVE' | 'ARCHIVED' } = {},
): StoredFinding {
  return projectStored({
    ...f,
    CreatedAt: OLD,
    UpdatedAt: OLD,
    RecordState: extra.recordState ?? 'ACTIVE',
    Compliance: { Status: extra.status ?? 'FAILED' },
    Workflow: { Status: (extra.workflow ?? 'NEW') as 'NEW' },
  });
}

/** A fresh finding handed to the plan as the scan hands it: by Id, built when planned. */
function addFresh(plan: StreamingPlan, f: AwsSecurityFinding): void {
  plan.addFresh(f.Id as string, () => f);
}

/** A plan whose emitted findings are built at once, as an importer with a free request slot would. */
function collecting() {
  const emitted: AwsSecurityFinding[] = [];
  const plan = new StreamingPlan(
    (build) => emitted.push(build()),
    () => NOW,
  );
  return { emitted, plan };
}

describe('StreamingPlan', () => {
  it('hands over a builder: the finding is built, counted and marked for RESOLVED only when the importer builds it', () => {
    // Prepare: a stored FAILED record, and its node now PASSED.
    const builders: (() => AwsSecurityFinding)[] = [];
    let clock = NOW;
    const plan = new StreamingPlan(
      (build) => builders.push(build),
      () => clock,
    );
    const f = fresh('PASSED');
    let built = 0;
    plan.addStored([record(f, { status: 'FAILED' })]);
    // Act: planned now, built later (the importer sends its batch a minute after).
    plan.addFresh(f.Id as string, () => {
      built++;
      return f;
    });
    // Assess: nothing is built or counted before the importer takes it.
    expect(builders).toHaveLength(1);
    expect(built).toBe(0);
    expect(plan.counts).toEqual({ created: 0, updated: 0, reactivated: 0 });
    expect(plan.toResolve).toEqual([]);
    clock = new Date(NOW.getTime() + 60_000);
    const sent = (builders[0] as () => AwsSecurityFinding)();
    expect(built).toBe(1);
    expect(plan.counts).toEqual({ created: 0, updated: 1, reactivated: 0 });
    expect(plan.toResolve).toEqual([f.Id]);
    // UpdatedAt is the time it was built, later than both the stored record and the answer.
    expect(sent.UpdatedAt).toBe(clock.toISOString());
    expect(sent.CreatedAt).toBe(OLD);
  });

  it('settles ahead: once the read is complete, unlisted Ids are created or reactivated as their findings come', () => {
    // Prepare: a waiting finding (1), one still to come that was archived (2), one still to come that is new (3).
    const { emitted, plan } = collecting();
    const [waiting, back, created] = [fresh('FAILED', 1), fresh('PASSED', 2), fresh('FAILED', 3)];
    addFresh(plan, waiting);
    const archived = new Map([[back.Id ?? '', record(back, { recordState: 'ARCHIVED', status: 'PASSED' })]]);
    // Act
    plan.settleAhead([waiting.Id ?? '', back.Id ?? '', created.Id ?? ''], archived);
    const afterSettle = emitted.length;
    addFresh(plan, back);
    addFresh(plan, created);
    // Assess: everything planned without waiting for settle(); the archived one keeps its CreatedAt.
    expect(afterSettle).toBe(1);
    expect(emitted).toHaveLength(3);
    expect(plan.missing()).toEqual([]);
    expect(plan.counts).toEqual({ created: 2, updated: 0, reactivated: 1 });
    expect(emitted.find((f) => f.Id === back.Id)?.CreatedAt).toBe(OLD);
    expect(plan.toResolve).toEqual([back.Id]);
  });

  it('plans a finding at once when a page already listed its record: an update, CreatedAt kept', () => {
    // Prepare
    const { emitted, plan } = collecting();
    const f = fresh('PASSED');
    plan.addStored([record(f, { status: 'FAILED' })]);
    // Act
    addFresh(plan, f);
    // Assess
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ Id: f.Id, CreatedAt: OLD, UpdatedAt: NOW.toISOString() });
    expect(emitted[0]?.Workflow).toBeUndefined();
    expect(plan.counts).toEqual({ created: 0, updated: 1, reactivated: 0 });
    expect(plan.toResolve).toEqual([f.Id]);
    expect(plan.missing()).toEqual([]);
  });

  it('holds a finding no page listed yet, and a later page releases it', () => {
    // Prepare
    const { emitted, plan } = collecting();
    const a = fresh('FAILED', 1);
    const b = fresh('FAILED', 2);
    // Act
    addFresh(plan, a);
    addFresh(plan, b);
    const heldBefore = emitted.length;
    plan.addStored([record(b)]);
    // Assess
    expect(heldBefore).toBe(0);
    expect(emitted.map((f) => f.Id)).toEqual([b.Id]);
    expect(plan.missing()).toEqual([a.Id]);
    expect(plan.refreshes(a.Id as string)).toBe(true);
  });

  it('settles the rest once the read is complete: archived ones come back, the others are created', () => {
    // Prepare
    const { emitted, plan } = collecting();
    const back = fresh('PASSED', 1);
    const created = fresh('PASSED', 2);
    addFresh(plan, back);
    addFresh(plan, created);
    // Act
    plan.settle(new Map([[back.Id as string, record(back, { status: 'PASSED', recordState: 'ARCHIVED' })]]));
    // Assess
    expect(plan.counts).toEqual({ created: 1, updated: 0, reactivated: 1 });
    const byId = new Map(emitted.map((f) => [f.Id, f]));
    expect(byId.get(back.Id)).toMatchObject({ RecordState: 'ACTIVE', CreatedAt: OLD });
    expect(byId.get(created.Id)).toMatchObject({
      CreatedAt: NOW.toISOString(),
      UpdatedAt: NOW.toISOString(),
      Workflow: { Status: 'RESOLVED' },
    });
    expect(plan.toResolve).toEqual([back.Id]);
    expect(plan.missing()).toEqual([]);
  });

  it('plans each Id once: a repeated fresh finding or a page listing an Id again changes nothing', () => {
    // Prepare
    const { emitted, plan } = collecting();
    const f = fresh('FAILED');
    // Act
    plan.addStored([record(f)]);
    addFresh(plan, f);
    addFresh(plan, fresh('PASSED'));
    plan.addStored([record(f)]);
    plan.settle(new Map());
    // Assess
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.Compliance?.Status).toBe('FAILED');
    expect(plan.counts.updated).toBe(1);
    expect(plan.freshCount).toBe(1);
  });

  it('plans the same as planLifecycle whatever the order of pages and answers', () => {
    const nodeArb = fc.record({
      status: fc.constantFrom(...STATUSES),
      stored: fc.constantFrom('none', 'active', 'archived'),
      storedStatus: fc.constantFrom(...STATUSES),
      workflow: fc.constantFrom('NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'),
      freshKey: fc.integer(),
      storedKey: fc.integer(),
    });
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        (nodes, pageSize) => {
          // Prepare: each node's fresh finding and stored record; pages cut from the records in an arbitrary order.
          const findings = nodes.map((n, i) => fresh(n.status, i + 1));
          const records = nodes.map((n, i) =>
            record(findings[i] as AwsSecurityFinding, {
              status: n.storedStatus,
              workflow: n.workflow,
              recordState: n.stored === 'archived' ? 'ARCHIVED' : 'ACTIVE',
            }),
          );
          const activeIdx = nodes.map((_, i) => i).filter((i) => nodes[i]?.stored === 'active');
          activeIdx.sort((a, b) => (nodes[a]?.storedKey ?? 0) - (nodes[b]?.storedKey ?? 0));
          const events: { key: number; run: (plan: StreamingPlan) => void }[] = [];
          for (let p = 0; p < activeIdx.length; p += pageSize) {
            const page = activeIdx.slice(p, p + pageSize);
            events.push({
              key: nodes[page[0] as number]?.storedKey ?? 0,
              run: (plan) => plan.addStored(page.map((i) => records[i] as StoredFinding)),
            });
          }
          nodes.forEach((n, i) => {
            events.push({
              key: n.freshKey,
              run: (plan) => addFresh(plan, findings[i] as AwsSecurityFinding),
            });
          });
          events.sort((a, b) => a.key - b.key);
          const archived = new Map(
            nodes.flatMap((n, i) =>
              n.stored === 'archived' ? [[findings[i]?.Id as string, records[i]]] : [],
            ),
          ) as Map<string, StoredFinding>;
          // Act
          const { emitted, plan } = collecting();
          for (const event of events) event.run(plan);
          const missing = plan.missing();
          plan.settle(new Map([...archived].filter(([id]) => missing.includes(id))));
          const whole = planLifecycle({
            fresh: findings,
            active: new Map(activeIdx.map((i) => [findings[i]?.Id as string, records[i] as StoredFinding])),
            archived,
            presentInstances: new Set(nodes.map((_, i) => instance(i + 1))),
            controlIds: new Set([control.id]),
            now: NOW,
          });
          // Assess
          const byId = (fs: AwsSecurityFinding[]) =>
            [...fs].sort((a, b) => String(a.Id).localeCompare(String(b.Id)));
          expect(byId(emitted)).toEqual(byId(whole.toImport));
          expect(plan.counts).toEqual({
            created: whole.created,
            updated: whole.updated,
            reactivated: whole.reactivated,
          });
          expect([...plan.toResolve].sort()).toEqual([...whole.toResolve].sort());
          expect(missing.sort()).toEqual(
            nodes.flatMap((n, i) => (n.stored === 'active' ? [] : [findings[i]?.Id as string])).sort(),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
