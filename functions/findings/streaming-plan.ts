/**
 * The lifecycle plan (lifecycle.ts) taken one finding at a time, while the scan still collects and
 * reads: a fresh finding is planned as soon as both it and its stored record are known, and handed to
 * `emit` (the importer), so imports overlap the paced GetFindings read instead of queueing behind it.
 *
 * Pages of the ACTIVE read come in no guaranteed order, so a fresh finding whose Id no page has listed
 * yet waits; a later page releases it. Only when the read is complete and every fresh finding is in
 * does "listed by no page" mean new or archived (`missing()` → findArchivedFindings → `settle()`).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { planFresh, type StoredFinding } from './lifecycle.ts';

export interface StreamingCounts {
  created: number;
  updated: number;
  reactivated: number;
}

export class StreamingPlan {
  /** Listed ACTIVE, no fresh finding yet (projections only). */
  private readonly stored = new Map<string, StoredFinding>();
  /**
   * Fresh, no stored record listed yet: how to build each. A steady-state scan of 5,000 nodes collects
   * in seconds and then waits on GetFindings (3/s) for most of the stored records; kept as built
   * findings (about 5 KB of ASFF each), the wait held 5,000 of them at once.
   */
  private readonly waiting = new Map<string, () => AwsSecurityFinding>();
  /** Every fresh Id, planned or waiting: these are not archived. */
  private readonly fresh = new Set<string>();
  /** Ids the complete read did not list, with their archived record if any (null: none). */
  private readonly known = new Map<string, StoredFinding | null>();
  /** Ids that need Workflow RESOLVED once their import succeeded. */
  readonly toResolve: string[] = [];
  readonly counts: StreamingCounts = { created: 0, updated: 0, reactivated: 0 };

  /**
   * `emit` receives each planned finding as the function that builds it: the importer calls it when
   * the finding's batch is sent, so a finding is held as its answer until then, never as ASFF. The
   * counts and `toResolve` take a finding in when it is built: they are complete once every emitted
   * builder has run (the importer's finish()).
   */
  constructor(
    private readonly emit: (build: () => AwsSecurityFinding) => void,
    private readonly now: () => Date,
  ) {}

  /** One page of the ACTIVE read. */
  addStored(page: Iterable<StoredFinding>): void {
    for (const record of page) {
      const id = record.Id;
      if (!id) continue;
      const build = this.waiting.get(id);
      if (build) {
        this.waiting.delete(id);
        this.plan(build, record);
      } else if (!this.fresh.has(id)) {
        this.stored.set(id, record);
      }
      // Else: planned already (a page listing an Id twice); the first listing decided.
    }
  }

  /**
   * One fresh finding, `id`, built by `build` when it is planned (with CreatedAt = UpdatedAt = its
   * build time and no Workflow; `build().Id` must be `id`).
   */
  addFresh(id: string, build: () => AwsSecurityFinding): void {
    // One finding per node and control. Importing everything at the end sent a second one with the
    // same UpdatedAt, which Security Hub ignores (an import whose UpdatedAt is not later than the
    // stored one is dropped: Security Hub user guide, finding-update-batchimportfindings, at
    // https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html).
    // The first stands, imported once.
    if (this.fresh.has(id)) return;
    this.fresh.add(id);
    const known = this.known.get(id);
    if (known !== undefined) {
      this.known.delete(id);
      this.plan(build, known ?? undefined);
      return;
    }
    const record = this.stored.get(id);
    if (record) {
      this.stored.delete(id);
      this.plan(build, record);
    } else {
      this.waiting.set(id, build);
    }
  }

  /** Fresh findings taken so far (planned or waiting). */
  get freshCount(): number {
    return this.fresh.size;
  }

  /** Whether this scan refreshes the finding (so it is not archived). */
  refreshes(id: string): boolean {
    return this.fresh.has(id);
  }

  /** Fresh Ids no page listed: new findings, or archived ones coming back. */
  missing(): string[] {
    return [...this.waiting.keys()];
  }

  /**
   * Once the read is complete: `ids` (expected Ids no page listed) have no ACTIVE record, only the
   * ARCHIVED one in `archived`, if any. Their findings are planned now or as soon as they come, so a
   * first scan (nothing stored) streams its imports too instead of waiting for the last node.
   */
  settleAhead(ids: Iterable<string>, archived: ReadonlyMap<string, StoredFinding>): void {
    for (const id of ids) {
      if (this.stored.has(id)) continue;
      const build = this.waiting.get(id);
      if (build) {
        this.waiting.delete(id);
        this.plan(build, archived.get(id));
      } else if (!this.fresh.has(id)) {
        this.known.set(id, archived.get(id) ?? null);
      }
    }
  }

  /** Plans the findings still waiting, once the read is complete and every fresh finding is in. */
  settle(archived: ReadonlyMap<string, StoredFinding>): void {
    for (const [id, build] of this.waiting) this.plan(build, archived.get(id));
    this.waiting.clear();
    this.stored.clear();
    this.known.clear();
  }

  private plan(build: () => AwsSecurityFinding, record: StoredFinding | undefined): void {
    this.emit(() => {
      const finding = build();
      const planned = planFresh(finding, record, this.now());
      this.counts[planned.outcome]++;
      if (planned.resolve) this.toResolve.push(finding.Id ?? '');
      return planned.finding;
    });
  }
}
