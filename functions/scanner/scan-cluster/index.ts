/**
 * One cluster, end to end: discover → triage → collect → deliver → report. Every node in scope ends
 * with one result per control; the summary is reported even when Security Hub delivery fails, and the
 * failure is thrown only after that.
 */
import { describeCluster } from '../../aws/discovery.ts';
import { errorMessage } from '../../aws/errors.ts';
import type { ClusterScanSummary } from '../summary.ts';
import { planRemainingFindings } from './answers.ts';
import { collect } from './collect.ts';
import { deliverWithState } from './deliver-state.ts';
import { OpeningScan, scopeOf, startScan } from './discover.ts';
import type { ClusterScanInput, ScanDeps } from './input.ts';
import { report, summarize, summaryBase } from './report.ts';
import { settleUnlistedAhead } from './stored-findings.ts';
import { triage } from './triage.ts';

export type { ClusterScanInput, OfflineInstances, ScanDeps } from './input.ts';

export async function scanCluster(deps: ScanDeps, input: ClusterScanInput): Promise<ClusterScanSummary> {
  const base = summaryBase(input, deps.now());
  const log = deps.logger.createChild();
  log.appendKeys({ cluster: input.cluster });
  const cluster = await describeCluster(deps.clients.eks, input.cluster);
  if (!cluster) {
    log.warn('Cluster not found; nothing scanned (its findings are archived by the next full scan)');
    const summary = summarize(
      { deps, input, base },
      {
        clusterFound: false,
        inCluster: 0,
        verdicts: new Map(),
        notANodeIds: [...(input.extraNotANodeIds ?? []), ...(input.instanceIds ?? [])],
      },
    );
    return report(deps, input, summary);
  }

  const start = startScan({ deps, input, log, base, cluster });
  const scope = await scopeOf(start);
  const triaged = await triage(start, scope.inScope);
  const opening = new OpeningScan(start, (opened) =>
    // A change-only scan reads no stored findings, so it has no unlisted ones to look up.
    opened.changes ? Promise.resolve() : settleUnlistedAhead(opened, scope.inScope),
  );
  const { scan, run } = await collect(start, opening, triaged);
  // Answers that came with an output were planned as they arrived; the others are planned now.
  planRemainingFindings(scan, scope.inScope);
  const { delivery, error, state } = await deliverWithState(scan, scope, opening.besideCollection);

  const summary = summarize(scan, {
    clusterFound: true,
    inCluster: scope.nodes.length,
    inScope: scope.inScope.length,
    sentCommand: run.sentTo,
    verdicts: scan.verdicts,
    notANodeIds: scope.notANodeIds,
    delivery,
    deadlineReached: run.deadlineReached,
    pollRounds: run.pollRounds,
    ...(state ? { state } : {}),
    ...(error ? { error: errorMessage(error) } : {}),
  });
  const reported = await report(deps, input, summary);
  if (error) throw error;
  return reported;
}
