/**
 * One check of Bottlerocket's CIS Kubernetes report (`apiclient report cis-k8s`, as the collector
 * reduces it): finding it, and saying what it said in a reason and in a finding's evidence.
 */
import type { BottlerocketEvidence } from '../collector/evidence-schema.ts';

type Report = NonNullable<BottlerocketEvidence['cisReport']>;
export type CheckSaid = Report['checks'][number];

export type FoundCheck =
  | { readonly ok: true; readonly check: CheckSaid }
  | { readonly ok: false; readonly why: 'no-report' | 'absent' | 'manual'; readonly check?: CheckSaid };

/** The check with this id; a Manual check (always SKIP in bloodhound) decides nothing. */
export function findCheck(br: BottlerocketEvidence, id: string): FoundCheck {
  if (br.cisReport === undefined) return { ok: false, why: 'no-report' };
  const check = br.cisReport.checks.find((c) => c.id === id);
  if (check === undefined) return { ok: false, why: 'absent' };
  return check.manual ? { ok: false, why: 'manual', check } : { ok: true, check };
}

const SAID = { PASS: 'passed', FAIL: 'FAILED', SKIP: 'was skipped' } as const;

/**
 * 'Bottlerocket's CIS Kubernetes Benchmark check 4.2.1 FAILED (bloodhound: anonymous authentication is
 * configured): "Ensure that ..."', the outcome before the title so a cut reason still says it.
 */
export function checkText(check: CheckSaid): string {
  const error = check.error === undefined ? '' : ` (bloodhound: ${check.error})`;
  const manual = check.manual ? ' (a Manual check)' : '';
  return `Bottlerocket's CIS Kubernetes Benchmark check ${check.id}${manual} ${SAID[check.status]}${error}: "${check.title}"`;
}

function reportText(report: Report): string {
  const level = report.level === undefined ? '' : ` level ${report.level}`;
  return `CIS Kubernetes Benchmark${report.benchmarkVersion === undefined ? '' : ` ${report.benchmarkVersion}`}${level}`;
}

/** Why no check decides, in a reason. */
export function reportUnread(
  br: BottlerocketEvidence,
  id: string,
  why: 'no-report' | 'absent' | 'manual',
): string {
  const errors = br.errors.length > 0 ? ` (${br.errors.join('; ')})` : '';
  const tail = 'so this control could not be assessed.';
  if (br.cisReport === undefined || why === 'no-report') {
    return `Bottlerocket's CIS Kubernetes report (apiclient report cis-k8s) could not be read${errors}, ${tail}`;
  }
  const check = br.cisReport.checks.find((c) => c.id === id);
  if (why === 'manual' && check !== undefined) {
    return `${checkText(check)}: bloodhound does not verify a Manual check, ${tail}`;
  }
  return `Bottlerocket's ${reportText(br.cisReport)} report has no check ${id}${errors}, ${tail}`;
}

/** The check and the report behind a verdict, as a finding's evidence. */
export function checkEvidence(br: BottlerocketEvidence, id: string): Record<string, string> {
  const report = br.cisReport;
  const check = report?.checks.find((c) => c.id === id);
  const evidence: Record<string, string> = {
    bottlerocketCheck:
      check === undefined
        ? `${id} ${report === undefined ? 'not read' : 'absent'}`
        : `${id} ${check.status}${check.manual ? ' (Manual)' : ''}`,
    bottlerocketReport: report === undefined ? 'not read' : `${reportText(report)}: ${report.status}`,
  };
  if (check?.error !== undefined) evidence.bottlerocketCheckError = check.error;
  if (br.errors.length > 0) evidence.bottlerocketErrors = br.errors.join('; ');
  return evidence;
}
