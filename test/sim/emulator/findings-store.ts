/**
 * The Security Hub CSPM finding store, with the update rules of BatchImportFindings
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html):
 * upsert by (ProductArn, Id); an UpdatedAt equal to or earlier than the stored one is ignored (and
 * still counts as a success); Workflow, Note, UserDefinedFields and VerificationState cannot be
 * changed by import after creation; Workflow NOTIFIED/RESOLVED resets to NEW on ARCHIVED→ACTIVE and
 * on Compliance PASSED→FAILED/WARNING/NOT_AVAILABLE; FindingProviderFields.Severity feeds Severity
 * unless the customer changed it with BatchUpdateFindings.
 */
import { labelFromNormalized } from './asff-validation.ts';
import type { Finding } from './findings-filter.ts';

type Json = Record<string, unknown>;

const CUSTOMER_ONLY = ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow'] as const;
const FPF_FIELDS = ['Confidence', 'Criticality', 'RelatedFindings', 'Severity', 'Types'] as const;

export interface StoredFinding {
  finding: Finding;
  /** Top-level FPF-backed fields the customer changed with BatchUpdateFindings. */
  customerModified: Set<string>;
  /** Imports of this finding that were applied (not ignored). */
  revisions: number;
  /** When the last applied import arrived (emulator clock): Security Hub is still processing it for a while. */
  importedAtMs: number;
}

export type ImportOutcome = 'created' | 'updated' | 'ignored';
/** BatchUpdateFindings of one identifier: applied, no such finding, or the import is still processing. */
export type CustomerUpdateOutcome = 'updated' | 'not-found' | 'concurrent';

export class FindingsStore {
  private readonly byKey = new Map<string, StoredFinding>();
  /** Creation order: GetFindings' stable order for paging. */
  readonly ordered: StoredFinding[] = [];
  readonly outcomes: Record<ImportOutcome, number> = { created: 0, updated: 0, ignored: 0 };

  /**
   * `processingMs`: imports and workflow updates are processed asynchronously, and an update that
   * arrives while the import of the same finding is processed fails ConcurrentUpdateError
   * (BatchUpdateFindingsUnprocessedFinding.ErrorCode: "This error may also occur if you call
   * BatchUpdateFindings and BatchImportFindings at the same time"). How long processing takes is not
   * documented: the emulator takes a fixed window.
   */
  constructor(
    private readonly now: () => number,
    private readonly processingMs = 0,
  ) {}

  static key(productArn: string, id: string): string {
    return `${productArn}\u0000${id}`;
  }

  get(productArn: string, id: string): Finding | undefined {
    return this.byKey.get(FindingsStore.key(productArn, id))?.finding;
  }

  /** Every stored finding (a copy of the list; the findings themselves are live). */
  all(): Finding[] {
    return this.ordered.map((s) => s.finding);
  }

  size(): number {
    return this.ordered.length;
  }

  clear(): void {
    this.byKey.clear();
    this.ordered.length = 0;
  }

  /** Apply one already-validated finding. */
  import(incoming: Finding): ImportOutcome {
    const key = FindingsStore.key(incoming.ProductArn as string, incoming.Id as string);
    const stored = this.byKey.get(key);
    const processedAt = new Date(this.now()).toISOString();
    if (!stored) {
      const finding = structuredClone(incoming);
      applyProviderFields(finding, incoming, new Set(), true);
      finding.RecordState ??= 'ACTIVE';
      finding.Workflow = { Status: (incoming.Workflow as Json | undefined)?.Status ?? 'NEW' };
      finding.WorkflowState = 'NEW';
      finding.ProductName ??= 'Default';
      finding.CompanyName ??= 'Personal';
      finding.ProcessedAt = processedAt;
      finding.ProductFields = {
        ...((incoming.ProductFields as Json | undefined) ?? {}),
        'aws/securityhub/FindingId': `${incoming.ProductArn}/${incoming.Id}`,
        'aws/securityhub/ProductName': finding.ProductName,
        'aws/securityhub/CompanyName': finding.CompanyName,
      };
      const entry: StoredFinding = {
        finding,
        customerModified: new Set(),
        revisions: 1,
        importedAtMs: this.now(),
      };
      this.byKey.set(key, entry);
      this.ordered.push(entry);
      this.outcomes.created++;
      return 'created';
    }
    const previous = stored.finding;
    if (Date.parse(incoming.UpdatedAt as string) <= Date.parse(previous.UpdatedAt as string)) {
      this.outcomes.ignored++;
      return 'ignored';
    }
    const next = structuredClone(incoming);
    for (const field of CUSTOMER_ONLY) {
      if (previous[field] === undefined) delete next[field];
      else next[field] = previous[field];
    }
    applyProviderFields(next, incoming, stored.customerModified, false, previous);
    next.RecordState ??= 'ACTIVE';
    next.WorkflowState = previous.WorkflowState;
    next.ProductName = previous.ProductName;
    next.CompanyName = previous.CompanyName;
    next.ProcessedAt = processedAt;
    next.ProductFields = {
      ...((incoming.ProductFields as Json | undefined) ?? {}),
      ...Object.fromEntries(
        Object.entries((previous.ProductFields as Json | undefined) ?? {}).filter(([k]) =>
          k.startsWith('aws/'),
        ),
      ),
    };
    resetWorkflow(previous, next);
    stored.finding = next;
    stored.revisions++;
    stored.importedAtMs = this.now();
    this.outcomes.updated++;
    return 'updated';
  }

  /** BatchUpdateFindings for one identifier. */
  customerUpdate(productArn: string, id: string, update: Json): CustomerUpdateOutcome {
    const stored = this.byKey.get(FindingsStore.key(productArn, id));
    if (!stored) return 'not-found';
    if (this.now() - stored.importedAtMs < this.processingMs) return 'concurrent';
    const f = stored.finding;
    if (update.Workflow) f.Workflow = { ...((f.Workflow as Json) ?? {}), ...(update.Workflow as Json) };
    if (update.Note) f.Note = { ...(update.Note as Json), UpdatedAt: new Date(this.now()).toISOString() };
    if (update.VerificationState) f.VerificationState = update.VerificationState;
    if (update.UserDefinedFields) f.UserDefinedFields = update.UserDefinedFields;
    for (const field of FPF_FIELDS) {
      if (update[field] !== undefined) {
        f[field] = update[field];
        stored.customerModified.add(field);
      }
    }
    return 'updated';
  }
}

/**
 * FindingProviderFields vs top-level (Security Hub User Guide, finding-update-batchimportfindings): a new
 * finding takes FPF for both when FPF is given; otherwise the top-level value feeds FPF. On update, top-level
 * changes only where the customer has not modified it.
 */
function applyProviderFields(
  target: Json,
  incoming: Json,
  customerModified: Set<string>,
  isNew: boolean,
  previous?: Json,
): void {
  const fpf = { ...((incoming.FindingProviderFields as Json | undefined) ?? {}) };
  for (const field of FPF_FIELDS) {
    const fromFpf = fpf[field];
    const fromTop = incoming[field];
    if (fromFpf === undefined && fromTop !== undefined) fpf[field] = fromTop;
    const value = fromFpf ?? fromTop;
    if (!isNew && customerModified.has(field)) target[field] = previous?.[field];
    else if (value !== undefined) target[field] = isNew || fromFpf !== undefined ? value : fromTop;
  }
  const severity = target.Severity as Json | undefined;
  if (severity && severity.Label === undefined && typeof severity.Normalized === 'number') {
    target.Severity = { ...severity, Label: labelFromNormalized(severity.Normalized) };
  }
  target.FindingProviderFields = fpf;
}

/**
 * Automatic NOTIFIED/RESOLVED → NEW
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/finding-workflow-status.html; SUPPRESSED is left
 * alone).
 */
function resetWorkflow(previous: Json, next: Json): void {
  const status = (next.Workflow as Json | undefined)?.Status;
  if (status !== 'NOTIFIED' && status !== 'RESOLVED') return;
  const reactivated = previous.RecordState === 'ARCHIVED' && next.RecordState === 'ACTIVE';
  const before = (previous.Compliance as Json | undefined)?.Status;
  const after = (next.Compliance as Json | undefined)?.Status;
  const regressed =
    before === 'PASSED' && (after === 'FAILED' || after === 'WARNING' || after === 'NOT_AVAILABLE');
  if (reactivated || regressed) {
    next.Workflow = { ...(next.Workflow as Json), Status: 'NEW' };
    next.WorkflowState = 'NEW';
  }
}
