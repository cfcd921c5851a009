/**
 * Change-only imports (pure): one fresh finding against the node's record in the state table
 * (finding-state.ts). A finding is imported when it is new, when its content changed, when its node
 * comes back from ARCHIVED, or when its refresh is due; otherwise nothing is sent to Security Hub.
 *
 * The Workflow rules are lifecycle.ts's: Security Hub takes Workflow from an import only when it
 * creates the finding, so a finding created PASSED is created RESOLVED; one that turns PASSED, or comes
 * back PASSED from ARCHIVED, is a candidate for BatchUpdateFindings RESOLVED once its Workflow is read
 * (a customer's SUPPRESSED is kept); PASSED → anything else needs nothing (Security Hub resets RESOLVED
 * to NEW itself).
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ComplianceStatus } from '../controls/control.ts';
import { type FindingState, fingerprint, NEW_FAILED_FIELD, refreshDue } from './finding-state.ts';
import { nextUpdatedAt } from './lifecycle.ts';

export const ChangeOutcome = {
  CREATED: 'created',
  UPDATED: 'updated',
  REACTIVATED: 'reactivated',
  REFRESHED: 'refreshed',
  UNCHANGED: 'unchanged',
} as const;
export type ChangeOutcome = (typeof ChangeOutcome)[keyof typeof ChangeOutcome];

export interface ChangeInput {
  /** Built for this scan: CreatedAt = UpdatedAt = now, no Workflow. */
  readonly finding: AwsSecurityFinding;
  readonly instanceId: string;
  /** The finding's record, if the table has one. */
  readonly previous?: FindingState;
  /** The node's findings are ARCHIVED (it had left the cluster). */
  readonly archived: boolean;
  readonly now: Date;
  readonly refreshMs: number;
}

export interface ChangeDecision {
  readonly outcome: ChangeOutcome;
  /** What to import; absent when unchanged. */
  readonly finding?: AwsSecurityFinding;
  /** Turned PASSED (or came back PASSED): its Workflow is read and set RESOLVED after the import. */
  readonly resolveCandidate: boolean;
  /** The record once the import landed (the previous one when nothing is imported). */
  readonly next: FindingState;
}

function statusOf(finding: AwsSecurityFinding): ComplianceStatus {
  return (finding.Compliance?.Status ?? 'NOT_AVAILABLE') as ComplianceStatus;
}

/**
 * The marker of the one import where a finding turned FAILED (new, or from another status): the
 * stack's "new FAILED findings" rule matches it, so a refresh of a finding that stays FAILED does not
 * notify again.
 */
function withNewFailed(finding: AwsSecurityFinding, previous?: ComplianceStatus): AwsSecurityFinding {
  if (statusOf(finding) !== 'FAILED' || previous === 'FAILED') return finding;
  return { ...finding, ProductFields: { ...(finding.ProductFields ?? {}), [NEW_FAILED_FIELD]: 'true' } };
}

export function planChange(input: ChangeInput): ChangeDecision {
  const { finding, previous, now } = input;
  const fp = fingerprint(finding);
  const status = statusOf(finding);
  const passed = status === 'PASSED';
  const at = now.toISOString();
  if (!previous) {
    return {
      outcome: ChangeOutcome.CREATED,
      finding: withNewFailed({
        ...finding,
        CreatedAt: at,
        UpdatedAt: at,
        RecordState: 'ACTIVE',
        Workflow: { Status: passed ? 'RESOLVED' : 'NEW' },
      }),
      resolveCandidate: false,
      next: { fp, status, createdAt: at, importedAt: now.getTime() },
    };
  }
  const changed = fp !== previous.fp;
  const outcome = input.archived
    ? ChangeOutcome.REACTIVATED
    : changed
      ? ChangeOutcome.UPDATED
      : refreshDue({
            instanceId: input.instanceId,
            importedAt: previous.importedAt,
            now: now.getTime(),
            periodMs: input.refreshMs,
          })
        ? ChangeOutcome.REFRESHED
        : ChangeOutcome.UNCHANGED;
  if (outcome === ChangeOutcome.UNCHANGED) return { outcome, resolveCandidate: false, next: previous };
  const updatedAt = nextUpdatedAt(now, new Date(previous.importedAt).toISOString());
  const { Workflow: _notOnUpdate, ...rest } = finding;
  const imported: AwsSecurityFinding = {
    ...rest,
    CreatedAt: previous.createdAt,
    UpdatedAt: updatedAt,
    RecordState: 'ACTIVE',
  };
  const resolveCandidate = passed && (outcome === ChangeOutcome.REACTIVATED || previous.status !== 'PASSED');
  return {
    outcome,
    finding: outcome === ChangeOutcome.REFRESHED ? imported : withNewFailed(imported, previous.status),
    resolveCandidate,
    next: {
      fp,
      status,
      createdAt: previous.createdAt,
      importedAt: Date.parse(updatedAt),
      // A RESOLVED still owed stays owed while the finding stays PASSED.
      ...(passed && previous.resolvePending ? { resolvePending: true } : {}),
    },
  };
}
