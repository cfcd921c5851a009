/**
 * What the scanner remembers of each node between scans (pure): per control, a fingerprint of the
 * finding's content, its compliance status, when Security Hub first saw it (CreatedAt) and when it was
 * last imported, and whether a Workflow RESOLVED is still owed; per node, when it was last reached,
 * since when it is unreachable, and whether its findings are archived.
 *
 * One record per node, not per finding, by measurement: with 13 controls a per-finding record makes
 * 13,000 items per 1,000 nodes (130 BatchGetItem or 520 BatchWriteItem calls for a full read or
 * write), while a node's record is ~1.3 KB (13 × ~90 bytes), one item, read 700 to a 1 MB Query page
 * and written 25 to a BatchWriteItem call. Refreshes are due per node (refreshDue below), so a node's
 * findings are re-imported, and its record written, in the same scan.
 */
import { createHash } from 'node:crypto';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ComplianceStatus } from '../controls/control.ts';
import { PRODUCT_PREFIX } from './asff.ts';

export interface FindingState {
  /** Fingerprint of the content that matters (fingerprint below). */
  readonly fp: string;
  readonly status: ComplianceStatus;
  /** The finding's CreatedAt in Security Hub (kept on every re-import). */
  readonly createdAt: string;
  /** UpdatedAt of the last import that Security Hub accepted (epoch ms). */
  readonly importedAt: number;
  /** A Workflow RESOLVED that did not land yet: asked again by later scans. */
  readonly resolvePending?: boolean;
}

export interface NodeState {
  readonly cluster: string;
  readonly instanceId: string;
  /** By control id. */
  readonly findings: Readonly<Record<string, FindingState>>;
  /** The last time a scan got the node's answer (epoch ms), as of the record's last write. */
  readonly reachedAt?: number;
  /** The first scan that could not reach the node, while it stays unreachable (epoch ms). */
  readonly unreachableSince?: number;
  /** The node left the cluster and its findings were re-imported ARCHIVED. */
  readonly archived?: boolean;
  /** Why the node was last not assessed (e.g. SSM_UNMANAGED: the next scan needs no EC2 look-up). */
  readonly reasonCode?: string;
  /** When the scan that wrote this record started (epoch ms): a write of an older scan loses. */
  readonly observedAt: number;
  /**
   * The answer's fingerprint (answer-fingerprint.ts) when every finding above was compared with it:
   * the next scan with the same one takes the findings as they are.
   */
  readonly answerFp?: string;
}

/** The cluster's own record: whether its node records are complete, and its last full scan. */
export interface ClusterState {
  readonly cluster: string;
  /** A full scan wrote a record for every node of the cluster (epoch ms); absent = not built yet. */
  readonly builtAt?: number;
  /** Start of the last full scan that completed (epoch ms). */
  readonly lastScanAt?: number;
}

/**
 * Product fields that change on every import without the finding changing: left out of the
 * fingerprint (as are CreatedAt, UpdatedAt and Workflow). NEW_FAILED_FIELD is set on one import only.
 */
export const NEW_FAILED_FIELD = `${PRODUCT_PREFIX}new-failed`;
const VOLATILE_FIELDS = new Set([`${PRODUCT_PREFIX}scan-id`, NEW_FAILED_FIELD]);

/**
 * Evidence whose value moves on a healthy node between scans: the kubelet's `ps -ef` line
 * (collector/ps-line.ts) has C, STIME and TIME columns (CPU share, start time shown relative to now,
 * cumulative CPU time). Only UID, PID, PPID and the command count: a new PID is a restarted kubelet.
 */
export function steadyPsLine(value: string): string {
  return value.replace(/^(\S+\s+\S+\s+\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s/, '$1 ');
}

const STEADY_EVIDENCE: Readonly<Record<string, (value: string) => string>> = {
  [`${PRODUCT_PREFIX}evidence/kubeletCommand`]: steadyPsLine,
};

/**
 * 64 bits of SHA-256 over the finding without its timestamps, workflow, scan id and the moving
 * columns of the kubelet's ps line (STEADY_EVIDENCE): status, reason,
 * evidence, resources, title and remediation all count (a new release that rewords a control refreshes
 * its findings once). Key order is the builder's (asff.ts), the same on every scan.
 */
export function fingerprint(finding: AwsSecurityFinding): string {
  const { CreatedAt: _c, UpdatedAt: _u, Workflow: _w, ProductFields, ...rest } = finding;
  const fields = Object.entries(ProductFields ?? {})
    .filter(([k]) => !VOLATILE_FIELDS.has(k))
    .map(([k, v]) => [k, STEADY_EVIDENCE[k]?.(v) ?? v]);
  return createHash('sha256')
    .update(JSON.stringify([rest, fields]))
    .digest('base64url')
    .slice(0, 11);
}

/** Where in the refresh period a node's findings are refreshed: a fixed fraction of it per node. */
function phaseOf(instanceId: string, periodMs: number): number {
  const hash = createHash('sha256').update(instanceId).digest();
  return (hash.readUInt32BE(0) / 2 ** 32) * periodMs;
}

/**
 * Whether a finding last imported at `importedAt` is due for a refresh at `now`: once per period,
 * at the first scan after the node's own point in the period. Each node's point is fixed by a hash of
 * its id, so an unchanged fleet refreshes about 1 / (scans per period) of its nodes a scan, never all
 * at once (a first scan imports everything at one time; the refreshes after it are spread). A finding
 * not imported for a whole period is always due, so none goes longer than period + one scan interval
 * (Security Hub deletes findings not updated for 90 days).
 */
export function refreshDue(options: {
  readonly instanceId: string;
  readonly importedAt: number;
  readonly now: number;
  readonly periodMs: number;
}): boolean {
  const { instanceId, importedAt, now, periodMs } = options;
  if (now - importedAt >= periodMs) return true;
  const phase = phaseOf(instanceId, periodMs);
  return Math.floor((now - phase) / periodMs) > Math.floor((importedAt - phase) / periodMs);
}
