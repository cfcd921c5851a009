/**
 * What the demo verifies before it reports success: the facts a user relies on (every node has an
 * answer, the known failures fail for the right reason, re-scans update rather than duplicate,
 * vanished nodes are archived, fixed nodes resolved). The expected status of each simulated node
 * comes from test/e2e/expectations.ts, an oracle written from the node's simulated configuration,
 * not from the scanner's code.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { clusterScansIn, type ScanSummary } from '../../../functions/scanner/summary.ts';
import { expectedStatus } from '../../e2e/expectations.ts';
import type { Fleet, SimNode } from '../fleet.ts';
import { SAMPLE_IDS } from '../fleet-samples.ts';
import {
  controlOf,
  field,
  instanceOf,
  reasonOf,
  recordStateOf,
  statusOf,
  workflowOf,
} from './findings-view.ts';

export interface Check {
  readonly ok: boolean;
  readonly text: string;
  /** What is wrong, one line per node or finding (failed checks only). */
  readonly details: readonly string[];
}

function check(text: string, details: readonly string[]): Check {
  return { ok: details.length === 0, text, details };
}

const running = (fleet: Fleet): SimNode[] => fleet.order.filter((n) => n.state === 'running');

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** Scan health from the summaries the handler returned: every cluster scanned, nothing lost. */
export function checkScanRun(
  label: string,
  fleet: Fleet,
  summaries: readonly ScanSummary[],
  deliveryErrors: readonly unknown[],
): Check[] {
  const scans = clusterScansIn(summaries);
  const clusters = [...fleet.clusters.keys()].sort();
  const scanned = scans.map((s) => s.cluster).sort();
  const problems: string[] = [];
  if (summaries[0]?.kind !== 'fan-out')
    problems.push(`the scheduled event did not fan out (got ${summaries[0]?.kind})`);
  if (scanned.join() !== clusters.join())
    problems.push(
      `cluster scans that returned a summary: [${scanned.join(', ')}]; expected one each for [${clusters.join(', ')}]`,
    );
  for (const s of summaries) {
    if (s.kind !== 'fan-out') continue;
    for (const f of s.failedClusters) problems.push(`${f.cluster}: the cluster scan failed: ${f.error}`);
  }
  for (const e of deliveryErrors)
    problems.push(
      `a fanned-out cluster scan failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );
  for (const s of scans) {
    if (s.findings.failed > 0)
      problems.push(
        `${s.cluster}: ${s.findings.failed} findings could not be imported (${JSON.stringify(s.findings.failedByCode)})`,
      );
    if (s.deadlineReached) problems.push(`${s.cluster}: the scan ran out of time`);
    if (s.error) problems.push(`${s.cluster}: ${s.error}`);
  }
  return [check(`${label}: one scan per cluster (${clusters.length}), every finding delivered`, problems)];
}

/** Every running node: exactly one ACTIVE finding per control, with the status its configuration calls for. */
export function checkFindings(
  fleet: Fleet,
  active: readonly AwsSecurityFinding[],
  controlIds: readonly string[],
): Check[] {
  const nodes = running(fleet);
  const byInstance = groupBy(active, instanceOf);
  const coverage: string[] = [];
  const statuses: string[] = [];
  for (const node of nodes) {
    const mine = byInstance.get(node.instanceId) ?? [];
    const perControl = groupBy(mine, controlOf);
    for (const control of controlIds) {
      const n = perControl.get(control)?.length ?? 0;
      if (n !== 1)
        coverage.push(`${node.cluster}/${node.instanceId}: ${n} ACTIVE findings for ${control} (expected 1)`);
    }
    for (const f of mine) {
      const expected = expectedStatus(node, controlOf(f));
      if (statusOf(f) !== expected)
        statuses.push(
          `${node.cluster}/${node.instanceId} (${node.os}, ${node.provisioner}) ${controlOf(f)}: expected ${expected}, ` +
            `Security Hub shows ${statusOf(f)}: ${reasonOf(f)}`,
        );
    }
  }
  const live = new Set(nodes.map((n) => n.instanceId));
  for (const [instance, findings] of byInstance)
    if (!live.has(instance))
      coverage.push(`${findings.length} ACTIVE findings for ${instance}, which is not a running node`);
  const ids = active.map((f) => f.Id);
  if (new Set(ids).size !== ids.length)
    coverage.push(`${ids.length - new Set(ids).size} duplicate finding Ids`);
  return [
    check(
      `every running node has exactly one ACTIVE finding per control (${nodes.length} nodes × ${controlIds.length} = ${nodes.length * controlIds.length})`,
      coverage,
    ),
    check('every node has the status its simulated configuration calls for', statuses),
  ];
}

/** The known failures fail for the reason a person would look for: the flag, the drop-in, the file. */
export function checkKnownFailures(active: readonly AwsSecurityFinding[]): Check[] {
  const decidedBy = (id: string, control = 'kubelet-make-iptables-util-chains') => {
    const f = active.find((x) => instanceOf(x) === id && controlOf(x) === control);
    if (!f) return 'no finding';
    const by = field(f, 'decided-by') ?? field(f, 'status-reason') ?? 'nothing recorded';
    return `${statusOf(f)}, decided by ${by}`;
  };
  const expect = (id: string, what: string, pattern: RegExp, control?: string): string[] => {
    const got = decidedBy(id, control);
    return pattern.test(got)
      ? []
      : [
          `${id} (${what}${control ? `, ${control}` : ''}): expected FAILED decided by ${pattern.source}, got ${got}`,
        ];
  };
  const reasonSays = (id: string, control: string, text: string): string[] => {
    const f = active.find((x) => instanceOf(x) === id && controlOf(x) === control);
    const reason = f ? (field(f, 'status-reason') ?? '') : 'no finding';
    return reason.includes(text) ? [] : [`${id} ${control}: the reason should say "${text}", got ${reason}`];
  };
  return [
    check('the node with --make-iptables-util-chains=false fails by its command-line flag', [
      ...expect(SAMPLE_IDS.failingByFlag, 'AL2, flag false', /^FAILED, decided by command-line flag/),
    ]),
    check('the node whose drop-in sets makeIPTablesUtilChains: false fails by that drop-in', [
      ...expect(SAMPLE_IDS.failingByDropIn, 'AL2023, drop-in false', /^FAILED, decided by drop-in/),
    ]),
    check('the kubelet started without --config fails on the legacy defaults, drop-ins or not', [
      ...['kubelet-anonymous-auth', 'kubelet-authorization-mode', 'kubelet-read-only-port'].flatMap((c) =>
        expect(SAMPLE_IDS.legacyDefaults, 'no --config', /^FAILED, decided by kubelet default/, c),
      ),
      ...reasonSays(SAMPLE_IDS.legacyDefaults, 'kubelet-anonymous-auth', 'as it runs without --config'),
    ]),
    check('the drop-in that opens the read-only port fails by that drop-in', [
      ...expect(
        SAMPLE_IDS.readOnlyPortDropIn,
        'AL2023, 50-read-only-port.conf',
        /^FAILED, decided by drop-in .*50-read-only-port\.conf/,
        'kubelet-read-only-port',
      ),
    ]),
    check('the world-writable kubeconfig fails on its mode', [
      ...expect(
        SAMPLE_IDS.worldWritableKubeconfig,
        'kubeconfig 0666',
        /^FAILED, decided by .*0666/,
        'kubeconfig-file-permissions',
      ),
    ]),
  ];
}

export interface FleetChanges {
  readonly fixed: SimNode;
  readonly terminated: SimNode;
  readonly added: SimNode;
}

/**
 * After the fleet changed: resolved, archived, new, and every other finding kept in place (a scan
 * imports only what changed, so an unchanged finding keeps its UpdatedAt; none ever goes back).
 */
export function checkRescan(
  before: readonly AwsSecurityFinding[],
  after: readonly AwsSecurityFinding[],
  changes: FleetChanges,
  controlIds: readonly string[],
): Check[] {
  const of = (node: SimNode) => after.filter((f) => instanceOf(f) === node.instanceId);
  const describe = (f: AwsSecurityFinding) =>
    `${controlOf(f)}: ${statusOf(f)}/${workflowOf(f)}/${recordStateOf(f)}`;
  const expectAll = (node: SimNode, want: string, ok: (f: AwsSecurityFinding) => boolean): string[] => {
    const mine = of(node);
    if (mine.length !== controlIds.length)
      return [`${node.instanceId}: ${mine.length} findings, expected ${controlIds.length} (one per control)`];
    return mine.filter((f) => !ok(f)).map((f) => `${node.instanceId} ${describe(f)}, expected ${want}`);
  };
  const unchanged: string[] = [];
  const afterById = new Map(after.map((f) => [f.Id, f]));
  for (const old of before) {
    const now = afterById.get(old.Id);
    if (!now) unchanged.push(`${old.Id} disappeared`);
    else if (now.CreatedAt !== old.CreatedAt)
      unchanged.push(`${old.Id}: CreatedAt changed from ${old.CreatedAt} to ${now.CreatedAt}`);
    else if (Date.parse(now.UpdatedAt ?? '') < Date.parse(old.UpdatedAt ?? ''))
      unchanged.push(`${old.Id}: UpdatedAt went back from ${old.UpdatedAt} to ${now.UpdatedAt}`);
  }
  const ids = after.map((f) => f.Id);
  const count: string[] = [];
  if (new Set(ids).size !== ids.length) count.push(`${ids.length - new Set(ids).size} duplicate Ids`);
  if (after.length !== before.length + controlIds.length)
    count.push(`${after.length} findings, expected ${before.length} + ${controlIds.length} for the new node`);
  return [
    check(
      `fixed node ${changes.fixed.instanceId} is PASSED with workflow RESOLVED`,
      expectAll(
        changes.fixed,
        'PASSED/RESOLVED/ACTIVE',
        (f) => statusOf(f) === 'PASSED' && workflowOf(f) === 'RESOLVED' && recordStateOf(f) === 'ACTIVE',
      ),
    ),
    check(
      `terminated node ${changes.terminated.instanceId} has its findings ARCHIVED`,
      expectAll(changes.terminated, 'ARCHIVED', (f) => recordStateOf(f) === 'ARCHIVED'),
    ),
    check(
      `new node ${changes.added.instanceId} has an ACTIVE finding per control with the status its configuration calls for`,
      expectAll(
        changes.added,
        'the expected status, ACTIVE',
        (f) => recordStateOf(f) === 'ACTIVE' && statusOf(f) === expectedStatus(changes.added, controlOf(f)),
      ),
    ),
    check(
      `all ${before.length} earlier findings kept their Id and CreatedAt, UpdatedAt never went back`,
      unchanged,
    ),
    check(
      `no duplicates: ${before.length} earlier + ${controlIds.length} new = ${before.length + controlIds.length} findings in all`,
      count,
    ),
  ];
}
