/**
 * One fingerprint of everything a node's findings are built from (pure): the node as discovered, its
 * control results and the answer's facts, and what every finding of the cluster shares (the account
 * scope, the cluster, the control catalog's own texts, the finding layout), without the time, the
 * scan id and the moving columns of the kubelet's ps line (finding-state.ts STEADY_EVIDENCE).
 *
 * Why: on a normal day a node's answer is the one it gave last time. When its fingerprint is the one
 * in the node's record, each of its findings would come out with the fingerprint the record already
 * holds, so the change-only plan takes the record as it is and builds no finding at all (building and
 * fingerprinting every control's ASFF finding was most of a steady-state scan's CPU). Whenever it
 * differs, every finding is built and compared one by one as before, so the per-finding fingerprint
 * still decides what is imported.
 */
import { createHash } from 'node:crypto';
import type { Control, ControlResult } from '../controls/control.ts';
import type { ClusterInfo, NodeInfo } from '../fleet.ts';
import { type AccountScope, buildFinding } from './asff.ts';
import { steadyPsLine } from './finding-state.ts';

/** The parts of a node's answer that reach its findings. */
export interface AnswerFacts {
  readonly results: readonly ControlResult[];
  readonly reasonCode?: string;
  readonly collectorVersion?: string;
  readonly filesRead?: readonly string[];
  readonly nodeOs?: string;
}

const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 11);

/**
 * The finding layout, as one probe finding built with fixed inputs shows it: a release that changes
 * how findings are written changes it, so every node is compared finding by finding once after the
 * upgrade.
 */
function layoutProbe(control: Control): unknown {
  return buildFinding({
    scope: { partition: 'aws', region: 'us-east-1', accountId: '000000000000' },
    cluster: { name: 'probe', arn: 'arn:aws:eks:us-east-1:000000000000:cluster/probe', autoMode: false },
    node: {
      instanceId: 'i-00000000000000000',
      cluster: 'probe',
      provisioner: 'managed-node-group',
      platform: 'linux',
      operatorManaged: false,
      clusterTags: [],
    },
    control,
    result: { controlId: control.id, status: 'FAILED', reason: 'probe', evidence: { probe: 'probe' } },
    scanId: 'probe',
    createdAt: '2000-01-01T00:00:00.000Z',
    updatedAt: '2000-01-01T00:00:00.000Z',
  });
}

/**
 * What every finding of a cluster's scan shares, worked out once per plan: the scope, the cluster,
 * the catalog's texts and ids (a reworded control changes it) and the layout probe.
 */
export function findingContext(options: {
  readonly scope: AccountScope;
  readonly cluster: ClusterInfo;
  readonly catalog: readonly Control[];
}): string {
  const { scope, cluster, catalog } = options;
  const first = catalog[0];
  return digest([scope, cluster, catalog, first === undefined ? null : layoutProbe(first)]);
}

/** Results with the ps line's moving columns taken out (a healthy node's line moves every scan). */
function steadyResults(results: readonly ControlResult[]): unknown[] {
  return results.map((r) => {
    const command = r.evidence?.kubeletCommand;
    return command === undefined
      ? r
      : { ...r, evidence: { ...r.evidence, kubeletCommand: steadyPsLine(command) } };
  });
}

export function answerFingerprint(options: {
  readonly context: string;
  readonly node: NodeInfo;
  readonly answer: AnswerFacts;
}): string {
  const { context, node, answer } = options;
  return digest([
    context,
    node,
    steadyResults(answer.results),
    answer.reasonCode ?? null,
    answer.collectorVersion ?? null,
    answer.filesRead ?? null,
    answer.nodeOs ?? null,
  ]);
}
