/**
 * Decides what to send to Security Hub (pure): the fresh findings with CreatedAt carried over and a
 * strictly newer UpdatedAt, the archive re-imports of findings whose node is gone, and the findings
 * whose workflow must be set to RESOLVED.
 *
 * How a node that passes after failing shows as resolved (Security Hub User Guide, "Using
 * BatchImportFindings to create and update findings",
 * https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html): BatchImportFindings
 * may set Workflow only when it creates a finding, and Security Hub sets RESOLVED automatically only
 * for its own control findings. So (1) a finding created PASSED carries Workflow RESOLVED; (2) a
 * finding that goes FAILED/WARNING/NOT_AVAILABLE → PASSED, or comes back from ARCHIVED as PASSED
 * (ARCHIVED → ACTIVE resets Workflow to NEW), gets BatchUpdateFindings Workflow RESOLVED; (3) PASSED →
 * anything else needs nothing: Security Hub itself resets RESOLVED to NEW. SUPPRESSED is the
 * customer's decision and is never touched.
 *
 * A RESOLVED must not be lost when BatchUpdateFindings does not apply it: Security Hub processes an
 * import asynchronously, and an update that follows the import of the same finding can come back
 * ConcurrentUpdateError (BatchUpdateFindingsUnprocessedFinding.ErrorCode, securityhub API reference).
 * The scanner's state table records a RESOLVED still owed (finding-state.ts) and later scans ask
 * again. Earlier versions carried it in the product field RESOLVE_PENDING_FIELD instead: a scan that
 * reads a PASSED finding with that field and Workflow still NEW asks again (pendingResolves); fresh
 * findings are built without it, so it goes with the next import.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { PRODUCT_PREFIX } from './asff.ts';
import { NEW_FAILED_FIELD } from './finding-state.ts';

export interface LifecyclePlan {
  /** Everything to import: fresh findings then archive re-imports. */
  readonly toImport: AwsSecurityFinding[];
  /** Ids that need BatchUpdateFindings Workflow RESOLVED after the import. */
  readonly toResolve: string[];
  readonly created: number;
  readonly updated: number;
  readonly reactivated: number;
  readonly archived: number;
}

/** UpdatedAt must be later than the stored one or Security Hub silently ignores the update (B3). */
export function nextUpdatedAt(now: Date, stored?: string): string {
  const storedMs = stored ? Date.parse(stored) : Number.NaN;
  if (!Number.isNaN(storedMs) && storedMs >= now.getTime()) return new Date(storedMs + 1).toISOString();
  return now.toISOString();
}

// Fields Security Hub or the customer own: never echoed back when re-importing a stored finding.
const NOT_PROVIDER_OWNED = [
  'ProcessedAt',
  'Workflow',
  'WorkflowState',
  'Note',
  'UserDefinedFields',
  'VerificationState',
  'AwsAccountName',
] as const;

export function archivedCopy(stored: AwsSecurityFinding, now: Date): AwsSecurityFinding {
  const copy: Record<string, unknown> = { ...stored };
  for (const key of NOT_PROVIDER_OWNED) delete copy[key];
  // Security Hub adds aws/securityhub/* product fields; the aws/ prefix is reserved to it (Security Hub API
  // reference, AwsSecurityFinding ProductFields).
  if (stored.ProductFields) {
    copy.ProductFields = Object.fromEntries(
      Object.entries(stored.ProductFields).filter(([key]) => !key.startsWith('aws/')),
    );
  }
  return {
    ...(copy as unknown as AwsSecurityFinding),
    RecordState: 'ARCHIVED',
    UpdatedAt: nextUpdatedAt(now, stored.UpdatedAt),
  };
}

/** The instance a stored finding is about: our product field, else the Id's fourth segment. */
export function instanceOfFinding(finding: StoredFinding): string | undefined {
  return finding.ProductFields?.[`${PRODUCT_PREFIX}instance`] ?? finding.Id?.split('/')[3];
}

export function controlOfFinding(finding: StoredFinding): string | undefined {
  return finding.GeneratorId?.startsWith(PRODUCT_PREFIX)
    ? finding.GeneratorId.slice(PRODUCT_PREFIX.length)
    : undefined;
}

/**
 * What the plan reads from a stored finding. A scan keeps only this projection of most existing
 * findings (about 0.3 KB each instead of several KB): the whole finding is kept only where it is
 * re-imported as it is, i.e. archived (`mustArchive`).
 */
export type StoredFinding = Partial<
  Pick<AwsSecurityFinding, 'Id' | 'CreatedAt' | 'UpdatedAt' | 'RecordState' | 'GeneratorId' | 'ProductFields'>
> & {
  readonly Compliance?: Pick<NonNullable<AwsSecurityFinding['Compliance']>, 'Status'>;
  readonly Workflow?: Pick<NonNullable<AwsSecurityFinding['Workflow']>, 'Status'>;
};

/** Set by earlier versions on the import of a finding whose RESOLVED was still owed (see above). */
export const RESOLVE_PENDING_FIELD = `${PRODUCT_PREFIX}resolve-pending`;

/** Product fields the plan and the scan read (instance; reason-code tells known-unmanaged nodes). */
const KEPT_PRODUCT_FIELDS = [
  `${PRODUCT_PREFIX}instance`,
  `${PRODUCT_PREFIX}reason-code`,
  RESOLVE_PENDING_FIELD,
] as const;

/** The slim projection of a stored finding (a new object: nothing of the page it came from is held). */
export function projectStored(finding: AwsSecurityFinding): StoredFinding {
  const fields: Record<string, string> = {};
  for (const key of KEPT_PRODUCT_FIELDS) {
    const value = finding.ProductFields?.[key];
    if (value !== undefined) fields[key] = value;
  }
  return {
    ...(finding.Id !== undefined ? { Id: finding.Id } : {}),
    ...(finding.CreatedAt !== undefined ? { CreatedAt: finding.CreatedAt } : {}),
    ...(finding.UpdatedAt !== undefined ? { UpdatedAt: finding.UpdatedAt } : {}),
    ...(finding.RecordState !== undefined ? { RecordState: finding.RecordState } : {}),
    ...(finding.GeneratorId !== undefined ? { GeneratorId: finding.GeneratorId } : {}),
    ...(finding.Compliance?.Status !== undefined
      ? { Compliance: { Status: finding.Compliance.Status } }
      : {}),
    ...(finding.Workflow?.Status !== undefined ? { Workflow: { Status: finding.Workflow.Status } } : {}),
    ProductFields: fields,
  };
}

/**
 * Whether an ACTIVE finding the scan does not refresh is archived: its node is no longer in the
 * cluster, or its control left the catalog. Decided from the projection, so the reader can keep the
 * whole finding for exactly these (archivedCopy re-imports them as they are).
 */
export function mustArchive(
  stored: StoredFinding,
  presentInstances: ReadonlySet<string>,
  controlIds: ReadonlySet<string>,
): boolean {
  const instance = instanceOfFinding(stored);
  const control = controlOfFinding(stored);
  return !instance || !presentInstances.has(instance) || !control || !controlIds.has(control);
}

/** A whole stored finding (ASFF requires Resources), as opposed to its projection. */
export function isWhole(finding: StoredFinding | AwsSecurityFinding): finding is AwsSecurityFinding {
  return Array.isArray((finding as AwsSecurityFinding).Resources);
}

export interface PlanInput {
  /** Findings of this scan, built with CreatedAt = UpdatedAt = now and no Workflow. */
  readonly fresh: readonly AwsSecurityFinding[];
  /**
   * ACTIVE findings of the cluster, by Id: the projection, and the whole finding for those that
   * `mustArchive` (the whole finding is what is re-imported as ARCHIVED).
   */
  readonly active: ReadonlyMap<string, StoredFinding | AwsSecurityFinding>;
  /** ARCHIVED findings among the fresh Ids that are not ACTIVE, by Id (projection suffices). */
  readonly archived: ReadonlyMap<string, StoredFinding>;
  /** Every instance that is still a node of the cluster (the whole cluster, not only the scan's scope). */
  readonly presentInstances: ReadonlySet<string>;
  /** Controls in the catalog; findings of a retired control are archived. */
  readonly controlIds: ReadonlySet<string>;
  readonly now: Date;
}

/** What one fresh finding becomes: the finding to import, and whether its workflow must be resolved. */
export interface FreshPlan {
  readonly finding: AwsSecurityFinding;
  readonly outcome: 'created' | 'updated' | 'reactivated';
  /** BatchUpdateFindings Workflow RESOLVED once the import succeeded. */
  readonly resolve: boolean;
}

/** A RESOLVED an earlier scan asked for and Security Hub did not apply: still PASSED, still NEW. */
export function resolveStillPending(stored: StoredFinding): boolean {
  return (
    stored.ProductFields?.[RESOLVE_PENDING_FIELD] !== undefined &&
    stored.Compliance?.Status === 'PASSED' &&
    (stored.Workflow?.Status ?? 'NEW') === 'NEW'
  );
}

/**
 * One fresh finding against its stored record (ACTIVE or ARCHIVED), or none: the per-finding step of
 * the plan, so a scan can plan each finding as soon as both are known.
 */
export function planFresh(
  finding: AwsSecurityFinding,
  stored: StoredFinding | undefined,
  now: Date,
): FreshPlan {
  const passed = finding.Compliance?.Status === 'PASSED';
  if (!stored) {
    const at = now.toISOString();
    const failed = finding.Compliance?.Status === 'FAILED';
    return {
      finding: {
        ...finding,
        ...(failed
          ? { ProductFields: { ...(finding.ProductFields ?? {}), [NEW_FAILED_FIELD]: 'true' } }
          : {}),
        CreatedAt: at,
        UpdatedAt: at,
        RecordState: 'ACTIVE',
        Workflow: { Status: passed ? 'RESOLVED' : 'NEW' },
      },
      outcome: 'created',
      resolve: false,
    };
  }
  const wasArchived = stored.RecordState === 'ARCHIVED';
  const { Workflow: _ignored, ...rest } = finding;
  const workflow = stored.Workflow?.Status;
  const becamePassed = stored.Compliance?.Status !== 'PASSED';
  const resolve =
    passed && workflow !== 'SUPPRESSED' && (wasArchived || (becamePassed && workflow !== 'RESOLVED'));
  // The one import where a finding turns FAILED carries the marker the "new FAILED" rule matches.
  const turnedFailed =
    finding.Compliance?.Status === 'FAILED' && (wasArchived || stored.Compliance?.Status !== 'FAILED');
  return {
    finding: {
      ...rest,
      ...(turnedFailed
        ? { ProductFields: { ...(finding.ProductFields ?? {}), [NEW_FAILED_FIELD]: 'true' } }
        : {}),
      CreatedAt: stored.CreatedAt ?? finding.CreatedAt,
      UpdatedAt: nextUpdatedAt(now, stored.UpdatedAt),
      RecordState: 'ACTIVE',
    },
    outcome: wasArchived ? 'reactivated' : 'updated',
    resolve,
  };
}

/** The stored findings whose RESOLVED an earlier scan did not get applied: to ask again now. */
export function pendingResolves(active: Iterable<StoredFinding>): string[] {
  const out: string[] = [];
  for (const stored of active) if (stored.Id && resolveStillPending(stored)) out.push(stored.Id);
  return out;
}

/**
 * Archive re-imports: the ACTIVE findings this scan did not refresh whose node is gone or whose
 * control was retired (`mustArchive`).
 */
export function planArchives(
  active: ReadonlyMap<string, StoredFinding | AwsSecurityFinding>,
  refreshed: (id: string) => boolean,
  presentInstances: ReadonlySet<string>,
  controlIds: ReadonlySet<string>,
  now: Date,
): AwsSecurityFinding[] {
  const out: AwsSecurityFinding[] = [];
  for (const [id, stored] of active) {
    if (refreshed(id) || !mustArchive(stored, presentInstances, controlIds)) continue;
    // The reader keeps whole findings for exactly these; a projection here is a wiring error, and
    // re-importing it would overwrite the stored finding with a stub.
    if (!isWhole(stored)) throw new Error(`finding ${id} must be archived but only its projection was kept`);
    out.push(archivedCopy(stored, now));
  }
  return out;
}

/** The whole plan at once: planFresh for each fresh finding, then planArchives. */
export function planLifecycle(input: PlanInput): LifecyclePlan {
  const toImport: AwsSecurityFinding[] = [];
  const toResolve: string[] = [];
  const counts = { created: 0, updated: 0, reactivated: 0 };
  const freshIds = new Set<string>();
  for (const finding of input.fresh) {
    const id = finding.Id ?? '';
    freshIds.add(id);
    const planned = planFresh(finding, input.active.get(id) ?? input.archived.get(id), input.now);
    toImport.push(planned.finding);
    counts[planned.outcome]++;
    if (planned.resolve) toResolve.push(id);
  }
  const archives = planArchives(
    input.active,
    (id) => freshIds.has(id),
    input.presentInstances,
    input.controlIds,
    input.now,
  );
  toImport.push(...archives);
  return { toImport, toResolve, ...counts, archived: archives.length };
}
