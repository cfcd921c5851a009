/**
 * The control catalog and the entry points the scanner and the CLI use. Every control answers for
 * every node: a control that throws (a bug) yields WARNING for that control on that node, never a
 * missing finding and never a broken scan.
 */
import { parseEvidence } from '../collector/evidence.ts';
import type { EvidenceDocument } from '../collector/evidence-schema.ts';
import { anonymousAuth } from './anonymous-auth.ts';
import { caseReason } from './applicability.ts';
import { authorizationMode } from './authorization-mode.ts';
import { clientCaFile } from './client-ca-file.ts';
import { configFileOwnership } from './config-file-ownership.ts';
import { configFilePermissions } from './config-file-permissions.ts';
import { ComplianceStatus, type Control, type ControlResult, type NotApplicableCase } from './control.ts';
import { unassessed } from './control-result.ts';
import { eventQps } from './event-qps.ts';
import { kubeconfigFileOwnership } from './kubeconfig-file-ownership.ts';
import { kubeconfigFilePermissions } from './kubeconfig-file-permissions.ts';
import { makeIptablesUtilChains } from './make-iptables-util-chains.ts';
import { readOnlyPort } from './read-only-port.ts';
import { rotateCertificates } from './rotate-certificates.ts';
import { rotateServerCertificates } from './rotate-server-certificates.ts';
import { runControl } from './run-control.ts';
import { streamingConnectionIdleTimeout } from './streaming-connection-idle-timeout.ts';

// In CIS order (3.1.1 … 3.2.9), so tables and findings read as the benchmark does. Each control is
// typed by its own setting names; the catalog holds them as Control<string> (its evaluate only ever
// receives the settings the control declares, run-control.ts).
export const controls: readonly Control[] = [
  kubeconfigFilePermissions,
  kubeconfigFileOwnership,
  configFilePermissions,
  configFileOwnership,
  anonymousAuth,
  authorizationMode,
  clientCaFile,
  readOnlyPort,
  streamingConnectionIdleTimeout,
  makeIptablesUtilChains,
  eventQps,
  rotateCertificates,
  rotateServerCertificates,
] as readonly Control[];

export interface NodeFacts {
  readonly platform?: string;
}

export function evaluateEvidence(evidence: EvidenceDocument, node?: NodeFacts): ControlResult[] {
  return controls.map((control) => {
    try {
      return runControl(control, node === undefined ? { evidence } : { evidence, node });
    } catch (error) {
      return unassessed(
        control.id,
        ComplianceStatus.WARNING,
        `The evaluator failed on this node's evidence (${error instanceof Error ? error.message : String(error)}).`,
        { error: 'evaluator-exception' },
      );
    }
  });
}

export function notAssessed(
  status: typeof ComplianceStatus.NOT_AVAILABLE | typeof ComplianceStatus.WARNING,
  reason: string,
  evidence?: Record<string, string>,
): ControlResult[] {
  return controls.map((control) => unassessed(control.id, status, reason, evidence));
}

/** Every control's answer for a node no command goes to (Windows, EKS Auto Mode), each in its own words. */
export function notAssessedCase(kind: NotApplicableCase, evidence?: Record<string, string>): ControlResult[] {
  return controls.map((control) =>
    unassessed(control.id, ComplianceStatus.NOT_AVAILABLE, caseReason(control, kind), evidence),
  );
}

/** Parse the collector's raw output and evaluate it; an unusable answer gives every control that status. */
export function evaluateRaw(raw: string, node?: NodeFacts): ControlResult[] {
  const parsed = parseEvidence(raw);
  if (!parsed.ok) return notAssessed(parsed.status, parsed.reason, { evidenceError: parsed.code });
  return evaluateEvidence(parsed.evidence, node);
}
