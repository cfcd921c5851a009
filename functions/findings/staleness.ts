/**
 * A node the scan could not reach keeps its last verdict for a while (pure). Turning a FAILED node
 * NOT_AVAILABLE (INFORMATIONAL) the moment its SSM agent goes offline would take it out of every
 * FAILED filter exactly when nobody can look at it. So for up to `staleAfterMs` after it was last
 * reached, each control keeps the status it was last assessed with, and the reason and the product
 * fields (evidence/lastAssessedAt, evidence/unreachableSince) say so; after that, NOT_AVAILABLE.
 */
import type { ControlResult } from '../controls/control.ts';
import type { ClusterState, NodeState } from './finding-state.ts';

/** When an unreachable node was last reached, and since when it is unreachable (epoch ms). */
export interface Unreachable {
  readonly lastReachedAt?: number;
  readonly since: number;
}

/**
 * From the node's record: a node already unreachable keeps its `unreachableSince`; one that was
 * reachable when its record was last written was reached by the cluster's last full scan too (a scan
 * that could not reach it would have written the change), so it was last reached at the later of the
 * two.
 */
export function unreachableFrom(
  previous: NodeState | undefined,
  cluster: ClusterState | undefined,
  now: number,
): Unreachable {
  if (previous?.unreachableSince !== undefined) {
    return {
      since: previous.unreachableSince,
      ...(previous.reachedAt !== undefined ? { lastReachedAt: previous.reachedAt } : {}),
    };
  }
  if (!previous) return { since: now };
  const candidates = [previous.reachedAt, cluster?.lastScanAt].filter((t): t is number => t !== undefined);
  const lastReachedAt = candidates.length > 0 ? Math.max(...candidates) : undefined;
  return { since: now, ...(lastReachedAt !== undefined ? { lastReachedAt } : {}) };
}

export interface StaleInput {
  /** The results of the unreachable node (NOT_AVAILABLE, with why it was not reached). */
  readonly results: readonly ControlResult[];
  readonly previous?: NodeState;
  readonly unreachable: Unreachable;
  readonly now: number;
  readonly staleAfterMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The results to report for an unreachable node: its last statuses while they are fresh enough,
 * else the NOT_AVAILABLE results as they came. A control never assessed, or last NOT_AVAILABLE,
 * stays as it came.
 */
export function staleResults(input: StaleInput): { results: ControlResult[]; stale: boolean } {
  const { previous, unreachable, now, staleAfterMs } = input;
  const last = unreachable.lastReachedAt;
  if (!previous || last === undefined || now - last > staleAfterMs) {
    return { results: [...input.results], stale: false };
  }
  let stale = false;
  const results = input.results.map((r): ControlResult => {
    const kept = previous.findings[r.controlId];
    if (!kept || kept.status === 'NOT_AVAILABLE') return r;
    stale = true;
    return {
      controlId: r.controlId,
      status: kept.status,
      reason:
        `Last assessed ${kept.status} at ${iso(last)}; the node has not been reachable since ` +
        `${iso(unreachable.since)} (${r.reason}). The last status is kept until ${iso(last + staleAfterMs)}, ` +
        'then the finding becomes NOT_AVAILABLE.',
      evidence: { ...r.evidence, lastAssessedAt: iso(last), unreachableSince: iso(unreachable.since) },
    };
  });
  return { results, stale };
}
